import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { AppendRecord, LogRecord } from '../event-log';

/** An append record as a kafkajs message: key, value, string headers. */
export function toKafkaMessage(record: AppendRecord): Message {
  return record.headers
    ? { key: record.key, value: record.value, headers: { ...record.headers } }
    : { key: record.key, value: record.value };
}

/**
 * A consumed message as a log record. Records written by Cairn always have a key, a value and
 * single-valued headers; for anything else on the topic a missing key reads as '', a null value
 * as an empty buffer, and a repeated header as its last value. A record without headers has no
 * `headers` property, as it was appended.
 */
export function toLogRecord(message: KafkaMessage): LogRecord {
  const base = {
    offset: Number(message.offset),
    key: message.key ? message.key.toString('utf8') : '',
    value: message.value ?? Buffer.alloc(0),
  };
  const headers = decodeHeaders(message.headers);
  return headers ? { ...base, headers } : base;
}

function decodeHeaders(raw: IHeaders | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  const names = Object.keys(raw);
  if (names.length === 0) return undefined;
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = raw[name];
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    headers[name] = Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
  }
  return headers;
}

/** Bytes a record adds to a send, roughly (for splitting large appends; overhead included). */
export function approximateRecordBytes(record: AppendRecord): number {
  const RECORD_OVERHEAD_BYTES = 32;
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(record.key) + record.value.length;
  for (const [name, value] of Object.entries(record.headers ?? {}))
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
  return bytes;
}

/**
 * Splits an append into sends no larger than the limits, in order. Every send of one append
 * goes into the same transaction, so the append stays all-or-nothing.
 */
export function splitIntoSends<T extends AppendRecord>(
  records: readonly T[],
  maxBytes: number,
  maxRecords: number,
): T[][] {
  const sends: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const record of records) {
    const bytes = approximateRecordBytes(record);
    if (current.length > 0 && (currentBytes + bytes > maxBytes || current.length >= maxRecords)) {
      sends.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(record);
    currentBytes += bytes;
  }
  if (current.length > 0) sends.push(current);
  return sends;
}
