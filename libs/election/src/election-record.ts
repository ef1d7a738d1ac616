import type { Term } from './election';

/**
 * What candidates write to the election topic. The first claim of a term in offset order wins
 * it; heartbeats and resignations count only from that term's winner.
 *
 * `sentAt` is the sender's own clock. Only the sender reads it back (a leader extends its lease
 * from the send time of a heartbeat it has seen in the topic); other candidates time the leader
 * on their own clocks, at receipt, so clock skew between machines never matters.
 */
export type ElectionRecord =
  | { readonly type: 'claim'; readonly term: Term; readonly candidate: string; readonly sentAt: number }
  | { readonly type: 'heartbeat'; readonly term: Term; readonly candidate: string; readonly sentAt: number }
  | { readonly type: 'resign'; readonly term: Term; readonly candidate: string; readonly sentAt: number };

/** Version of the JSON encoding; a reader ignores records of a version it does not know. */
export const ELECTION_RECORD_VERSION = 1;

const TYPES: ReadonlySet<string> = new Set(['claim', 'heartbeat', 'resign']);

export function encodeElectionRecord(record: ElectionRecord): string {
  return JSON.stringify({ v: ELECTION_RECORD_VERSION, ...record });
}

/** The record, or null for anything else (garbage, a future version): never throws. */
export function decodeElectionRecord(text: string): ElectionRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const { v, type, term, candidate, sentAt } = value as Record<string, unknown>;
  if (v !== ELECTION_RECORD_VERSION || typeof type !== 'string' || !TYPES.has(type)) return null;
  if (typeof term !== 'number' || !Number.isSafeInteger(term) || term < 1) return null;
  if (typeof candidate !== 'string' || candidate.length === 0) return null;
  if (typeof sentAt !== 'number' || !Number.isFinite(sentAt)) return null;
  return { type: type as ElectionRecord['type'], term, candidate, sentAt };
}
