import { describe, expect, it } from '@jest/globals';
import { hasErrorCode } from './fs.port';
import { MemFs } from './mem-fs';

async function setup() {
  const fs = new MemFs();
  await fs.mkdirp('/d');
  return fs;
}

describe('MemFs', () => {
  it('a crash keeps synced bytes and drops unsynced ones (or keeps a prefix of them when asked)', async () => {
    for (const [keep, want] of [
      [0, 'synced'],
      [3, 'syncedmor'],
      ['all', 'syncedmore'],
    ] as const) {
      const fs = await setup();
      const file = await fs.openWrite('/d/f');
      await fs.syncDir('/d');
      await file.writev([Buffer.from('synced')], 0);
      await file.sync();
      await file.writev([Buffer.from('more')], 6);
      fs.crash({ keepUnsyncedBytes: keep });
      expect(fs.contents('/d/f').toString()).toBe(want);
    }
  });

  it('a file whose directory was never synced vanishes in a crash', async () => {
    const fs = await setup();
    const file = await fs.openWrite('/d/new');
    await file.writev([Buffer.from('x')], 0);
    await file.sync();
    fs.crash();
    expect(fs.exists('/d/new')).toBe(false);
  });

  it('handles opened before a crash are dead', async () => {
    const fs = await setup();
    const file = await fs.openWrite('/d/f');
    fs.crash();
    const error = await file.sync().catch((e: unknown) => e);
    expect(hasErrorCode(error, 'EBADF')).toBe(true);
  });

  it('failNextWrite lands `afterBytes` bytes then fails once; failNextSync fails once and counts', async () => {
    const fs = await setup();
    const file = await fs.openWrite('/d/f');
    fs.failNextWrite(undefined, 2);
    await expect(file.writev([Buffer.from('abcd')], 0)).rejects.toThrow(/EIO/);
    expect(fs.contents('/d/f').toString()).toBe('ab');
    await file.writev([Buffer.from('cd')], 2);
    fs.failNextSync();
    await expect(file.sync()).rejects.toThrow(/EIO/);
    await file.sync();
    expect(fs.syncCalls).toBe(2);
  });

  it('link refuses an existing target (the lock relies on it)', async () => {
    const fs = await setup();
    await fs.writeFile('/d/a', Buffer.from('1'));
    await fs.writeFile('/d/b', Buffer.from('2'));
    const error = await fs.link('/d/a', '/d/b').catch((e: unknown) => e);
    expect(hasErrorCode(error, 'EEXIST')).toBe(true);
  });
});
