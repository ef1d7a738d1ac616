import type { AppendRecord, LogRecord, Offset } from '../event-log';
import { crc32 } from './crc32';

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
 * Decodes the records of a whole, checksummed frame into `out`, from offset `from` on and below
 * `to`. Values are views into `buf` (no copy): `buf` must not be reused by the caller.
 * Returns false when the frame's inner lengths disagree with its size (a writer bug, since the
 * checksum matched).
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
  let at = pos + FRAME_HEADER_BYTES;
  for (let i = 0; i < header.recordCount; i++) {
    const offset = header.baseOffset + i;
    if (at + 4 > end) return false;
    const keyBytes = buf.readUInt32LE(at);
    at += 4;
    if (at + keyBytes + 4 > end) return false;
    const keyStart = at;
    at += keyBytes;
    const headerCount = buf.readUInt32LE(at);
    at += 4;
    let headers: Record<string, string> | undefined;
    if (headerCount > 0) {
      headers = {};
      for (let h = 0; h < headerCount; h++) {
        const name = readString(buf, at, end);
        if (!name) return false;
        const value = readString(buf, name.next, end);
        if (!value) return false;
        headers[name.text] = value.text;
        at = value.next;
      }
    }
    if (at + 4 > end) return false;
    const valueBytes = buf.readUInt32LE(at);
    at += 4;
    if (at + valueBytes > end) return false;
    if (offset >= from && offset < to) {
      const key = buf.toString('utf8', keyStart, keyStart + keyBytes);
      out.push({ offset, key, headers, value: buf.subarray(at, at + valueBytes) });
    }
    at += valueBytes;
  }
  return at === end;
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

function readString(buf: Buffer, at: number, end: number): { text: string; next: number } | undefined {
  if (at + 4 > end) return undefined;
  const bytes = buf.readUInt32LE(at);
  const start = at + 4;
  if (start + bytes > end) return undefined;
  return { text: buf.toString('utf8', start, start + bytes), next: start + bytes };
}
