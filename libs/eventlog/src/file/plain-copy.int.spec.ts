import { describe, expect, it } from '@jest/globals';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogRecord } from '../event-log';
import { FileEventLog } from './file-event-log';

/** Every record of the log in `dir`, read as any reader does (read-only: no lock, no repair). */
async function readLog(dir: string): Promise<LogRecord[]> {
  const log = new FileEventLog({ dir, readOnly: true });
  await log.open();
  try {
    const all: LogRecord[] = [];
    for await (const batch of log.read({ from: 0 })) all.push(...batch);
    return all;
  } finally {
    await log.close();
  }
}

/**
 * docs/replay.md says a plain file copy of a live file log (`cp -r <data-dir>/log`) is a consistent
 * copy: a prefix of the log. Segments are only appended to and rolled, a frame is all or nothing, and
 * a torn last frame reads as the end. Copied here while a writer appends and rolls segments.
 */
describe('a plain copy of a live file log', () => {
  it('reads back as a prefix of the log, whenever it is taken', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cairn-plain-copy-'));
    const dir = join(root, 'log');
    const writer = new FileEventLog({ dir, segmentMaxBytes: 8 * 1024 });
    await writer.open();
    let stop = false;
    let appended = 0;
    const appending = (async () => {
      for (let batch = 0; !stop; batch++) {
        const size = 1 + (batch % 7);
        const recs = Array.from({ length: size }, (_, i) => ({
          key: `k${batch}`,
          value: Buffer.from(JSON.stringify({ batch, i, pad: 'x'.repeat(100 + ((batch * 31) % 400)) })),
        }));
        await writer.append(recs);
        appended += size;
      }
    })();
    let copiesBehind = 0;
    try {
      // Until several copies were taken while the log grew (an fsync may be slow on a busy machine).
      for (let copyNo = 0; copyNo < 20 || copiesBehind < 3; copyNo++) {
        const target = join(root, `copy-${copyNo}`, 'log');
        await mkdir(target, { recursive: true });
        // As `cp -r` does: list the directory, then copy each file, while the writer goes on.
        for (const name of await readdir(dir)) {
          if (name.endsWith('.log')) await copyFile(join(dir, name), join(target, name));
        }
        const copied = await readLog(target);
        const original = await readLog(dir);
        expect(copied.length).toBeLessThanOrEqual(original.length);
        if (copied.length < original.length) copiesBehind++;
        expect(copied.map((r) => [r.offset, r.value.toString()])).toEqual(
          original.slice(0, copied.length).map((r) => [r.offset, r.value.toString()]),
        );
      }
      expect(appended).toBeGreaterThan(100);
      expect((await readdir(dir)).filter((n) => n.endsWith('.log')).length).toBeGreaterThan(2);
    } finally {
      stop = true;
      await appending;
      await writer.close();
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});
