import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempWorkDir } from '../executor/executor-test-support';
import type { StatusUpdate } from '../protocol/agent-protocol';
import { FileStatusUpdateStore, STATUS_UPDATES_DIR } from './file-status-update-store';

const work = tempWorkDir();
afterAll(() => work.remove());

let dirs = 0;
function aWorkDir(): string {
  const dir = join(work.dir, `agent-${dirs++}`);
  mkdirSync(dir);
  return dir;
}

function anUpdate(updateId: string, taskId = 't1'): StatusUpdate {
  return {
    updateId,
    taskId,
    state: 'TASK_RUNNING',
    reason: null,
    message: null,
    exitCode: null,
    pid: 1234,
    at: '2026-01-01T00:00:00.000Z',
  };
}

describe('FileStatusUpdateStore', () => {
  it('stores one file per update, named <seq>-<updateId>.json, and loads them in seq order', async () => {
    const workDir = aWorkDir();
    const store = new FileStatusUpdateStore(workDir);
    await store.write({ seq: 10, update: anUpdate('bbbb-2') });
    await store.write({ seq: 9, update: anUpdate('aaaa-1') });
    await store.write({ seq: 100, update: anUpdate('cccc-3', 't2') });
    expect(readdirSync(join(workDir, STATUS_UPDATES_DIR))).toEqual([
      '000000000009-aaaa-1.json',
      '000000000010-bbbb-2.json',
      '000000000100-cccc-3.json',
    ]);

    const reopened = new FileStatusUpdateStore(workDir);
    const { updates, setAside } = await reopened.load();
    expect(updates.map((entry) => [entry.seq, entry.update.updateId])).toEqual([
      [9, 'aaaa-1'],
      [10, 'bbbb-2'],
      [100, 'cccc-3'],
    ]);
    expect(updates[2].update).toEqual(anUpdate('cccc-3', 't2'));
    expect(setAside).toEqual([]);
  });

  it('keeps the health and readiness of check transitions across a reload', async () => {
    const workDir = aWorkDir();
    const health = {
      checkIndex: 1,
      alive: false,
      consecutiveFailures: 3,
      firstSuccess: null,
      lastSuccess: null,
      lastFailure: '2026-01-01T00:00:09.000Z',
      lastFailureCause: 'HTTP 500',
    };
    const readiness = {
      name: 'ready',
      ready: true,
      lastResponse: { status: 200, contentType: 'text/plain', body: 'ok' },
    };
    await new FileStatusUpdateStore(workDir).write({ seq: 1, update: { ...anUpdate('h-1'), health } });
    await new FileStatusUpdateStore(workDir).write({ seq: 2, update: { ...anUpdate('r-2'), readiness } });
    const { updates } = await new FileStatusUpdateStore(workDir).load();
    expect(updates.map((entry) => entry.update)).toEqual([
      { ...anUpdate('h-1'), health },
      { ...anUpdate('r-2'), readiness },
    ]);
  });

  it('deletes removed updates', async () => {
    const workDir = aWorkDir();
    const store = new FileStatusUpdateStore(workDir);
    const stored = { seq: 1, update: anUpdate('dddd-1') };
    await store.write(stored);
    await store.remove(stored);
    await store.remove(stored); // twice is harmless
    expect((await store.load()).updates).toEqual([]);
  });

  it('drops a temporary file left by a crash mid-write, and sets unreadable files aside', async () => {
    const workDir = aWorkDir();
    const dir = join(workDir, STATUS_UPDATES_DIR);
    mkdirSync(dir);
    writeFileSync(join(dir, '000000000001-eeee-1.json.tmp'), '{"updateId":"ee');
    writeFileSync(join(dir, '000000000002-ffff-2.json'), 'not json');
    writeFileSync(join(dir, '000000000003-gggg-3.json'), JSON.stringify(anUpdate('other-id')));
    writeFileSync(join(dir, '000000000004-hhhh-4.json'), JSON.stringify(anUpdate('hhhh-4')));

    const { updates, setAside } = await new FileStatusUpdateStore(workDir).load();
    expect(updates.map((entry) => entry.update.updateId)).toEqual(['hhhh-4']);
    expect(setAside).toEqual(['000000000002-ffff-2.json', '000000000003-gggg-3.json']);
    expect(existsSync(join(dir, '000000000001-eeee-1.json.tmp'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([
      '000000000002-ffff-2.json.unreadable',
      '000000000003-gggg-3.json.unreadable',
      '000000000004-hhhh-4.json',
    ]);
    // Set aside once: a second load does not report them again.
    expect((await new FileStatusUpdateStore(workDir).load()).setAside).toEqual([]);
  });
  it('shares directory fsyncs between concurrent writes, each resolved after one that saw its file', async () => {
    /** Records, for each directory fsync, the files in place when it began. */
    class CountingStore extends FileStatusUpdateStore {
      readonly syncsBegun: string[][] = [];
      readonly syncsEnded: string[][] = [];
      protected override async fsyncDir(): Promise<void> {
        const seen = readdirSync(this.dir).filter((name) => name.endsWith('.json'));
        this.syncsBegun.push(seen);
        await super.fsyncDir();
        this.syncsEnded.push(seen);
      }
    }
    const store = new CountingStore(aWorkDir());
    const writes = 40;
    await Promise.all(
      Array.from({ length: writes }, async (_, i) => {
        const stored = { seq: i + 1, update: anUpdate(`u-${i}`, `t${i}`) };
        await store.write(stored);
        // Durable: a directory fsync that began once this file was in place has ended.
        const name = `${String(i + 1).padStart(12, '0')}-u-${i}.json`;
        expect(store.syncsEnded.some((seen) => seen.includes(name))).toBe(true);
      }),
    );
    expect(store.syncsBegun.length).toBeLessThan(writes / 2);
    expect(store.syncsBegun.length).toBe(store.syncsEnded.length);
  });
});
