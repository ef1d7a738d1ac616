import type { LogRecord, Offset } from '../event-log';
import { CorruptLogError } from '../errors';
import type { Fs } from '../fs/fs.port';
import { decodeRecords } from './frame-format';
import type { PositionIndex } from './position-index';
import { segmentIndexFor, type SegmentRef } from './segment-files';
import { inspectAt } from './segment-scanner';
import { SegmentWindow } from './segment-window';

/**
 * Records per yielded batch when the caller gives no bound. Small on purpose: a replay decodes
 * and folds one batch at a time, and 256 decoded events die in V8's young generation, while 4096
 * outlived a scavenge and were copied into the old one (measured on the 1M-event scale-run log:
 * a full replay in 7.0 s instead of 9.1 s, GC from 25% to 13% of it).
 */
export const READ_BATCH_RECORDS_DEFAULT = 256;

/**
 * A read of at most this many records (a page, one entity's events) loads the segment in
 * SMALL_READ_CHUNK_BYTES pieces instead of READ_CHUNK_BYTES: it needs a few KiB, and the position
 * index puts it close to its first frame. A frame that crosses a piece's end is loaded whole.
 */
export const SMALL_READ_RECORDS = 256;
export const SMALL_READ_CHUNK_BYTES = 256 * 1024;

export interface RangeReadContext {
  readonly fs: Fs;
  /** The segments as they were when the read started; `to` is within them. */
  readonly segments: readonly SegmentRef[];
  readonly index: PositionIndex;
  /** Read size; tests make it tiny to cross chunk boundaries. */
  readonly chunkBytes?: number;
}

/**
 * Reads committed records in [from, to) (`to` at most the end offset, so every frame in range is
 * whole and durable). Segments are read in READ_CHUNK_BYTES chunks, frames are checksummed once
 * each, and records are FileLogRecords: values are views into the chunks, keys and headers are
 * decoded only when read (no per-record copy, string or syscall). Damage inside the committed
 * range is never skipped: it is a CorruptLogError.
 */
export async function* readRange(
  context: RangeReadContext,
  from: Offset,
  to: Offset,
  maxBatchRecords = READ_BATCH_RECORDS_DEFAULT,
): AsyncGenerator<LogRecord[]> {
  const { segments } = context;
  if (segments.length === 0 || from >= to) return;
  let i = segmentIndexFor(segments, from);
  let { offset: expected, position } = context.index.floor(segments[i].baseOffset, from);
  let batch: LogRecord[] = [];
  for (;;) {
    const segment = segments[i];
    const file = await context.fs.openRead(segment.path);
    try {
      const chunkBytes = context.chunkBytes ?? (to - from <= SMALL_READ_RECORDS ? SMALL_READ_CHUNK_BYTES : undefined);
      const window = new SegmentWindow(file, await file.size(), chunkBytes);
      while (expected < to) {
        const { inspection, view } = await inspectAt(window, position);
        if (inspection.kind === 'end') break;
        if (inspection.kind !== 'whole' || inspection.header.baseOffset !== expected) {
          throw damaged(segment, position, `committed frame unreadable: ${inspection.kind}`, expected);
        }
        const header = inspection.header;
        if (expected + header.recordCount > from && !decodeRecords(view.buf, view.index, header, from, to, batch)) {
          throw damaged(segment, position, 'record lengths disagree with the frame length', expected);
        }
        position += header.frameBytes;
        expected += header.recordCount;
        context.index.remember(segment.baseOffset, expected, position);
        while (batch.length >= maxBatchRecords) {
          yield batch.length === maxBatchRecords ? batch : batch.slice(0, maxBatchRecords);
          batch = batch.length === maxBatchRecords ? [] : batch.slice(maxBatchRecords);
        }
      }
    } finally {
      await file.close();
    }
    if (expected >= to) {
      context.index.rememberRecent(segment.baseOffset, expected, position);
      break;
    }
    i++;
    position = 0;
    const next = segments[i];
    if (!next || next.baseOffset !== expected) {
      const where = next ? `segment ${next.name} starts at offset ${next.baseOffset}` : 'no segment follows';
      throw damaged(next ?? segment, 0, `the previous segment ends at offset ${expected} but ${where}`, expected);
    }
  }
  if (batch.length > 0) yield batch;
}

function damaged(segment: SegmentRef, position: number, reason: string, offset: Offset): CorruptLogError {
  return new CorruptLogError({
    segment: segment.name,
    position,
    reason: `${reason} (reading offset ${offset})`,
    offset,
  });
}
