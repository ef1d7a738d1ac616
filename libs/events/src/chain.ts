import { hash } from 'node:crypto';
import type { AppendRecord } from '@cairn/eventlog';

/**
 * The hash chain over the log's records (docs/verify.md). Every record a leader writes carries
 * `cairn_chain` = hex sha256(the previous record's chain value, as 32 bytes ‖ this record's value
 * bytes). The CRC of a frame (file log) or a batch (Kafka) only catches accidents: a record
 * rewritten with a recomputed checksum and a valid schema passes both. The chain makes such an edit
 * visible at the record edited (its value no longer hashes to its header) or, when the header was
 * rewritten too, at the next record (which names the old value).
 */
export const CHAIN_HEADER = 'cairn_chain';

/** The previous value of the first chained record: 32 zero bytes. */
export const CHAIN_GENESIS = '0'.repeat(64);

const CHAIN_HEX = /^[0-9a-f]{64}$/;

/**
 * The chain value of a record whose predecessor's value is `previous` (hex). One-shot `hash` over
 * one buffer rather than a Hash object per record: the sequencer chains every record it writes.
 */
export function chainValue(previous: string, value: Buffer): string {
  const input = Buffer.allocUnsafe(32 + value.length);
  const written = input.write(previous, 0, 32, 'hex');
  // A malformed previous value (a damaged header that verify reads) hashes as its decodable prefix, as before.
  if (written !== 32) return hash('sha256', Buffer.concat([Buffer.from(previous, 'hex'), value]), 'hex');
  value.copy(input, 32);
  return hash('sha256', input, 'hex');
}

/** A record's chain value, or null when it has none (written before the chain, or by another writer). */
export function chainOf(record: { readonly headers?: Readonly<Record<string, string>> }): string | null {
  const value = record.headers?.[CHAIN_HEADER];
  return value === undefined ? null : value;
}

/** Whether a header value has the chain's shape (64 lowercase hex digits). */
export function isChainValue(value: string): boolean {
  return CHAIN_HEX.test(value);
}

/**
 * Chains `records` in order after `previous` (the chain value of the log's last record, or
 * CHAIN_GENESIS when it has none): returns new records with the header set, and the last value.
 */
export function chainRecords(
  previous: string,
  records: readonly AppendRecord[],
): { records: AppendRecord[]; head: string } {
  let head = previous;
  const chained = records.map((record) => {
    head = chainValue(head, record.value);
    return { ...record, headers: { ...record.headers, [CHAIN_HEADER]: head } };
  });
  return { records: chained, head };
}
