import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { secondsSince } from '../core/stats';
import type { WriteOp } from './recording-fs';

/**
 * The group-commit baseline: the exact bytes the file log wrote, in the same batches, written
 * with plain synchronous writeSync and an fdatasync (what NodeFs.sync calls) wherever the log
 * synced: the cost of the disk alone, with no framing, queueing, promises or event loop.
 * Returns the seconds it took (buffers are joined before the clock starts).
 */
export function replayWritesSync(path: string, ops: readonly WriteOp[]): number {
  const steps = ops.map((op) => (op.kind === 'write' ? Buffer.concat(op.buffers as Buffer[], op.bytes) : null));
  const fd = openSync(path, 'w');
  try {
    let position = 0;
    const start = process.hrtime.bigint();
    for (const bytes of steps) {
      if (bytes === null) {
        fdatasyncSync(fd);
      } else {
        let written = 0;
        while (written < bytes.length)
          written += writeSync(fd, bytes, written, bytes.length - written, position + written);
        position += bytes.length;
      }
    }
    return secondsSince(start);
  } finally {
    closeSync(fd);
  }
}
