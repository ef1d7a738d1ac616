import type { AppendRecord, LogRecord, Offset } from '../event-log';
import { crc32 } from './crc32';
import { FileLogRecord } from './file-log-record';

/**
 * One frame per appended batch (FORMAT.md, "Frame"). Little-endian throughout.
 *
 *   0  u8   type          0 is never a frame (zero-filled space reads as invalid); 1 = record batch
 *   1  u8   reserved      0
 *   2  u16  reserved      0
 *   4  u32  frameBytes    whole frame, header included
 *   8  u32  crc           CRC-32 of bytes [0, 8) then [12, frameBytes): everything but itself
 *  12  u64  baseOffset    offset of the first record (stored as two u32: low, high)
 *  20  u32  recordCount   >= 1; record i has offset baseOffset + i
 *  24       records       recordCount times: u32 keyBytes, key (UTF-8), u32 headerCount,
 *                         headerCount times (u32 nameBytes, name, u32 valueBytes, value), u32 valueBytes, value
 */
export const FRAME_TYPE_INVALID = 0;
export const FRAME_TYPE_RECORD_BATCH = 1;
export const FRAME_HEADER_BYTES = 24;
/** A batch larger than this is refused at append and, on disk, a length above it marks a damaged header. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** The smallest possible record: empty key, no headers, empty value. */
const MIN_RECORD_BYTES = 12;

const CRC_FIELD_START = 8;
const CRC_FIELD_END = 12;
const TWO_POW_32 = 0x1_0000_0000;

export interface FrameHeader {
  readonly frameBytes: number;
  readonly baseOffset: Offset;
  readonly recordCount: number;
}

/** What is at a byte position of a segment, as the recovery table's inputs need it. */
export type FrameInspection =
  | { readonly kind: 'end' }
  | { readonly kind: 'partial-header' }
  | { readonly kind: 'bad-header'; readonly reason: string }
  | { readonly kind: 'runs-past-end'; readonly frameBytes: number }
  | { readonly kind: 'bad-checksum'; readonly frameBytes: number }
  | { readonly kind: 'whole'; readonly header: FrameHeader };

/** Total bytes `records` take as a frame (without building it). */
export function frameBytesOf(records: readonly AppendRecord[]): number {
  let bytes = FRAME_HEADER_BYTES;
  for (const record of records) {
    bytes += 12 + Buffer.byteLength(record.key) + record.value.length;
    if (record.headers) {
      for (const name of Object.keys(record.headers)) {
        bytes += 8 + Buffer.byteLength(name) + Buffer.byteLength(record.headers[name]);
      }
    }
  }
  return bytes;
}

export function encodeFrame(
  baseOffset: Offset,
  records: readonly AppendRecord[],
  frameBytes = frameBytesOf(records),
): Buffer {
  const frame = Buffer.allocUnsafe(frameBytes);
  frame.writeUInt8(FRAME_TYPE_RECORD_BATCH, 0);
  frame.writeUInt8(0, 1);
  frame.writeUInt16LE(0, 2);
  frame.writeUInt32LE(frameBytes, 4);
  frame.writeUInt32LE(baseOffset % TWO_POW_32, 12);
  frame.writeUInt32LE(Math.floor(baseOffset / TWO_POW_32), 16);
  frame.writeUInt32LE(records.length, 20);
  let at = FRAME_HEADER_BYTES;
  for (const record of records) {
    at = writeString(frame, at, record.key);
    const names = record.headers ? Object.keys(record.headers) : [];
    frame.writeUInt32LE(names.length, at);
    at += 4;
    for (const name of names) {
      at = writeString(frame, at, name);
      at = writeString(frame, at, record.headers![name]);
    }
    frame.writeUInt32LE(record.value.length, at);
    at += 4;
    at += record.value.copy(frame, at);
  }
  frame.writeUInt32LE(frameChecksum(frame, 0, frameBytes), CRC_FIELD_START);
  return frame;
}

/** Looks at the bytes at `pos` (the buffer holds the segment up to `end`) without trusting them. */
export function inspectFrame(buf: Buffer, pos: number, end: number): FrameInspection {
  if (pos >= end) return { kind: 'end' };
  if (end - pos < FRAME_HEADER_BYTES) return { kind: 'partial-header' };
  const type = buf[pos];
  if (type !== FRAME_TYPE_RECORD_BATCH) return { kind: 'bad-header', reason: `type byte is ${type}, not a frame type` };
  if (buf[pos + 1] !== 0 || buf.readUInt16LE(pos + 2) !== 0)
    return { kind: 'bad-header', reason: 'reserved bytes are not zero' };
  const frameBytes = buf.readUInt32LE(pos + 4);
  if (frameBytes < FRAME_HEADER_BYTES + MIN_RECORD_BYTES || frameBytes > MAX_FRAME_BYTES) {
    return { kind: 'bad-header', reason: `frame length ${frameBytes} is out of bounds` };
  }
  if (frameBytes > end - pos) return { kind: 'runs-past-end', frameBytes };
  if (buf.readUInt32LE(pos + CRC_FIELD_START) !== frameChecksum(buf, pos, frameBytes)) {
    return { kind: 'bad-checksum', frameBytes };
  }
  const recordCount = buf.readUInt32LE(pos + 20);
  const baseOffset = buf.readUInt32LE(pos + 12) + buf.readUInt32LE(pos + 16) * TWO_POW_32;
  return { kind: 'whole', header: { frameBytes, baseOffset, recordCount } };
}

/**
 * Reads the records of a whole, checksummed frame into `out`, from offset `from` on and below
 * `to`, as FileLogRecords: values are views into `buf` (no copy), keys and headers are decoded
 * only when asked for. `buf` must never be reused by the caller.
 *
 * Every record's inner lengths are checked here, headers included, so a lazy decode later never
 * runs off its record. Returns false when they disagree with the frame's size (a writer bug,
 * since the checksum matched).
 */
export function decodeRecords(
  buf: Buffer,
  pos: number,
  header: FrameHeader,
  from: Offset,
  to: Offset,
  out: LogRecord[],
): boolean {
  const end = pos + header.frameBytes;
  const { baseOffset, recordCount } = header;
  let at = pos + FRAME_HEADER_BYTES;
  for (let i = 0; i < recordCount; i++) {
    const recordStart = at;
    // keyBytes, key, headerCount
    if (at + 4 > end) return false;
    at += 4 + readU32(buf, at);
    if (at + 4 > end) return false;
    const headerFields = 2 * readU32(buf, at);
    at += 4;
    // headerCount times: nameBytes, name, valueBytes, value (each step moves at least 4 bytes,
    // so a huge count from a buggy writer ends at the frame's end, not after 2^33 steps)
    for (let f = 0; f < headerFields; f++) {
      if (at + 4 > end) return false;
      at += 4 + readU32(buf, at);
    }
    if (at + 4 > end) return false;
    const valueBytes = readU32(buf, at);
    at += 4;
    if (at + valueBytes > end) return false;
    const offset = baseOffset + i;
    if (offset >= from && offset < to) {
      out.push(new FileLogRecord(offset, buf.subarray(at, at + valueBytes), buf, recordStart));
    }
    at += valueBytes;
  }
  return at === end;
}

/** Little-endian u32 at `at`; the caller has checked that 4 bytes are there. */
function readU32(buf: Buffer, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16)) + buf[at + 3] * 0x100_0000;
}

function frameChecksum(buf: Buffer, pos: number, frameBytes: number): number {
  const head = crc32(buf.subarray(pos, pos + CRC_FIELD_START));
  return crc32(buf.subarray(pos + CRC_FIELD_END, pos + frameBytes), head);
}

function writeString(buf: Buffer, at: number, text: string): number {
  const bytes = buf.write(text, at + 4, 'utf8');
  buf.writeUInt32LE(bytes, at);
  return at + 4 + bytes;
}
