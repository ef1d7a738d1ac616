import { createHash } from 'node:crypto';
import { MemFs } from '../fs/mem-fs';
import { FileSnapshotStore } from './file-snapshot-store';
import { SnapshotCorruptError, type SnapshotMeta } from './snapshot-store';

const DIR = '/data/snapshots';

function snapshot(offset: number, text = `state at ${offset}`): { meta: SnapshotMeta; body: Buffer } {
  const body = Buffer.from(text);
  return {
    body,
    meta: {
      offset,
      eventId: `event-${offset}`,
      hash: 'c'.repeat(64),
      format: 1,
      events: offset + 1,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      writtenAt: '2026-01-01T00:00:00.000Z',
    },
  };
}

describe('FileSnapshotStore', () => {
  it('lists snapshots newest first and reads back exactly what was written', async () => {
    const store = new FileSnapshotStore(new MemFs(), DIR, 3);
    expect(await store.list()).toEqual([]);
    for (const offset of [5, 50, 20]) {
      const { meta, body } = snapshot(offset);
      await store.write(meta, body);
    }
    expect((await store.list()).map((m) => m.offset)).toEqual([50, 20, 5]);
    const [newest] = await store.list();
    expect((await store.read(newest)).toString()).toBe('state at 50');
  });

  it('keeps only the newest `keep` snapshots', async () => {
    const store = new FileSnapshotStore(new MemFs(), DIR, 2);
    for (const offset of [1, 2, 3, 4]) {
      const { meta, body } = snapshot(offset);
      await store.write(meta, body);
    }
    expect((await store.list()).map((m) => m.offset)).toEqual([4, 3]);
  });

  it('a snapshot whose bytes changed on disk is refused, never returned', async () => {
    const fs = new MemFs();
    const store = new FileSnapshotStore(fs, DIR);
    const { meta, body } = snapshot(7, 'the real state');
    await store.write(meta, body);
    const path = `${DIR}/snapshot-0000000000000007.snap`;
    const data = await fs.readFile(path);
    data[data.length - 2] ^= 0xff;
    await fs.writeFile(path, data);
    await expect(store.read(meta)).rejects.toThrow(SnapshotCorruptError);
  });

  it('a write that crashed before its rename leaves no snapshot, and the next write cleans it up', async () => {
    const fs = new MemFs();
    const store = new FileSnapshotStore(fs, DIR);
    await fs.mkdirp(DIR);
    await fs.writeFile(`${DIR}/snapshot-0000000000000009.snap.tmp`, Buffer.from('half a snapshot'));
    await fs.writeFile(`${DIR}/snapshot-0000000000000008.snap`, Buffer.from('no metadata line'));
    expect(await store.list()).toEqual([]);
    const { meta, body } = snapshot(10);
    await store.write(meta, body);
    expect((await store.list()).map((m) => m.offset)).toEqual([10]);
    expect((await fs.readdir(DIR)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
