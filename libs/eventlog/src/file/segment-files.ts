import { posix } from 'node:path';
import type { Offset } from '../event-log';
import { hasErrorCode, type Fs } from '../fs/fs.port';
import { LogConfigurationError } from '../errors';

/**
 * Segment files are named by the offset of their first record, zero-padded to 20 digits so names
 * sort as numbers do (Kafka's convention): 00000000000000000000.log, 00000000000000123456.log.
 */
const SEGMENT_NAME_DIGITS = 20;
const SEGMENT_SUFFIX = '.log';
const SEGMENT_NAME = /^(\d{20})\.log$/;

export interface SegmentRef {
  readonly baseOffset: Offset;
  readonly name: string;
  readonly path: string;
}

export function segmentName(baseOffset: Offset): string {
  return String(baseOffset).padStart(SEGMENT_NAME_DIGITS, '0') + SEGMENT_SUFFIX;
}

export function segmentRef(dir: string, baseOffset: Offset): SegmentRef {
  const name = segmentName(baseOffset);
  return { baseOffset, name, path: posix.join(dir, name) };
}

/** The segments in `dir`, by base offset; other files (the lock) are ignored. */
export async function listSegments(fs: Fs, dir: string): Promise<SegmentRef[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) {
      throw new LogConfigurationError(`event log directory ${dir} does not exist`, { dir });
    }
    throw error;
  }
  const segments: SegmentRef[] = [];
  for (const name of names) {
    const match = SEGMENT_NAME.exec(name);
    if (!match) continue;
    const baseOffset = Number(match[1]);
    if (!Number.isSafeInteger(baseOffset)) {
      throw new LogConfigurationError(`segment ${name} in ${dir} has a base offset beyond 2^53`, { dir, name });
    }
    segments.push({ baseOffset, name, path: posix.join(dir, name) });
  }
  return segments.sort((a, b) => a.baseOffset - b.baseOffset);
}

/** The segment that holds `offset`: the last whose base offset is <= it (or the first). */
export function segmentIndexFor(segments: readonly SegmentRef[], offset: Offset): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid].baseOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
