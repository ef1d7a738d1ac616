import { readFileSync, writeFileSync } from 'node:fs';
import { crc32 } from '../file/crc32';
import { FRAME_HEADER_BYTES } from '../file/frame-format';

/**
 * Edits a segment file of the file log the way someone with write access to the disk could
 * (FORMAT.md, "Frame"): for tests of what reads and `cairn verify` catch. Offsets are the
 * segment's records; the segment must start at offset `baseOffset`.
 */
export interface RecordLocation {
  readonly frameStart: number;
  readonly frameBytes: number;
  readonly valueStart: number;
  readonly valueBytes: number;
}

/** Where the record at `offset` and its frame are in `segment`. */
export function locateRecord(segment: Buffer, offset: number): RecordLocation {
  for (let frameStart = 0; frameStart + FRAME_HEADER_BYTES <= segment.length;) {
    const frameBytes = segment.readUInt32LE(frameStart + 4);
    const baseOffset = segment.readUInt32LE(frameStart + 12) + segment.readUInt32LE(frameStart + 16) * 2 ** 32;
    const count = segment.readUInt32LE(frameStart + 20);
    if (offset >= baseOffset && offset < baseOffset + count) {
      let at = frameStart + FRAME_HEADER_BYTES;
      for (let i = baseOffset; ; i++) {
        at += 4 + segment.readUInt32LE(at); // key
        const headers = segment.readUInt32LE(at);
        at += 4;
        for (let h = 0; h < 2 * headers; h++) at += 4 + segment.readUInt32LE(at); // names and values
        const valueBytes = segment.readUInt32LE(at);
        if (i === offset) return { frameStart, frameBytes, valueStart: at + 4, valueBytes };
        at += 4 + valueBytes;
      }
    }
    frameStart += frameBytes;
  }
  throw new Error(`no record at offset ${offset} in this segment`);
}

/** The frame's checksum over every byte but itself (FORMAT.md: [0, 8) then [12, frameBytes)). */
function frameCrc(segment: Buffer, frameStart: number, frameBytes: number): number {
  const head = segment.subarray(frameStart, frameStart + 8);
  return crc32(segment.subarray(frameStart + 12, frameStart + frameBytes), crc32(head));
}

/** Rewrites a record's value (same length) and recomputes its frame's checksum: a valid frame. */
export function rewriteRecordValue(segmentPath: string, offset: number, edit: (value: string) => string): void {
  const segment = readFileSync(segmentPath);
  const where = locateRecord(segment, offset);
  const value = segment.toString('utf8', where.valueStart, where.valueStart + where.valueBytes);
  const edited = Buffer.from(edit(value));
  if (edited.length !== where.valueBytes) throw new Error('the edit must keep the value length');
  edited.copy(segment, where.valueStart);
  segment.writeUInt32LE(frameCrc(segment, where.frameStart, where.frameBytes), where.frameStart + 8);
  writeFileSync(segmentPath, segment);
}

/** Flips one byte in the middle of a record's value, leaving the checksum as it was: damage. */
export function damageRecordValue(segmentPath: string, offset: number): void {
  const segment = readFileSync(segmentPath);
  const where = locateRecord(segment, offset);
  segment[where.valueStart + (where.valueBytes >> 1)] ^= 0x01;
  writeFileSync(segmentPath, segment);
}
