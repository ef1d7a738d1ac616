import { createHash, hash } from 'node:crypto';
import { canonicalJson } from '@cairn/common/canonical-json';
import type { ClusterState } from './state';

/**
 * The state hash: what live masters, a restart, a snapshot and an offline replay compare to
 * prove they folded the same state.
 *
 * Defined so that it can be computed in slices, without sorting and without serialising the
 * whole state into one string: each collection contributes the sum (mod 2^256) of the sha256 of
 * its entries, each entry being the canonical JSON of `[key, value]`, plus its size; scalars
 * contribute their canonical JSON. The sum does not depend on the maps' insertion order (two
 * equal states hash equally however they were filled), and a later change can maintain it
 * incrementally (subtract an entry's old digest, add the new one). It is not a defence against
 * an adversary, only against divergence and corruption, which is all it is used for.
 */

/**
 * Fields of ClusterState that say who writes, where snapshots are and which event formats the log
 * may hold, not what the cluster is.
 */
export const UNHASHED_FIELDS = [
  'leader',
  'lastSnapshot',
  'clusterVersion',
] as const satisfies readonly (keyof ClusterState)[];

/**
 * Collections added after logs were written: they contribute to the hash only once they hold an
 * entry, so a log written before them (which cannot fill them) keeps the hash it always had, and
 * the hashes recorded in its SnapshotWritten events still verify.
 */
export const HASHED_WHEN_NOT_EMPTY = ['groups'] as const satisfies readonly (keyof ClusterState)[];

/**
 * A consistent view of a state taken in O(fields + entries) pointer copies: each map's and
 * set's entries as an array, scalars as they are. Records are never mutated in place while a
 * state is shared (see Ownership), so a view stays valid while the live state moves on, and can
 * be hashed or written out across many turns of the event loop.
 */
export interface StateView {
  readonly collections: ReadonlyMap<string, readonly (readonly [unknown, unknown])[]>;
  readonly scalars: ReadonlyMap<string, unknown>;
}

export function viewOf(state: ClusterState): StateView {
  const collections = new Map<string, (readonly [unknown, unknown])[]>();
  const scalars = new Map<string, unknown>();
  for (const [field, value] of Object.entries(state)) {
    if (value instanceof Map) collections.set(field, Array.from(value.entries()));
    else if (value instanceof Set)
      collections.set(
        field,
        Array.from(value, (member) => [member, true] as const),
      );
    else scalars.set(field, value);
  }
  return { collections, scalars };
}

const MOD = (1n << 256n) - 1n;

/** One-shot sha256 (crypto.hash, Node ≥ 20.12, is about twice as fast as a Hash object per entry). */
// Undefined on Node before 20.12 (a named import of a missing CommonJS export is undefined).
const oneShot = hash as typeof hash | undefined;
const sha256Hex: (text: string) => string =
  typeof oneShot === 'function'
    ? (text) => oneShot('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text).digest('hex');

/**
 * The hash, as a generator that yields after every `entriesPerStep` entries: an async caller
 * gives the event loop a turn between steps (see hashStateInSteps in the master), a sync
 * caller runs it straight through. Both give the same hash.
 */
export function* stateHashSteps(view: StateView, entriesPerStep = 2_000): Generator<void, string, void> {
  const summary: Record<string, unknown> = {};
  const hashed = (field: string) => !(UNHASHED_FIELDS as readonly string[]).includes(field);
  let sinceYield = 0;
  for (const [field, entries] of view.collections) {
    if (!hashed(field)) continue;
    if (entries.length === 0 && (HASHED_WHEN_NOT_EMPTY as readonly string[]).includes(field)) continue;
    let sum = 0n;
    for (const entry of entries) {
      const digest = sha256Hex(canonicalJson(entry));
      sum = (sum + BigInt(`0x${digest}`)) & MOD;
      if (++sinceYield >= entriesPerStep) {
        sinceYield = 0;
        yield;
      }
    }
    summary[field] = { size: entries.length, sum: sum.toString(16) };
  }
  for (const [field, value] of view.scalars) if (hashed(field)) summary[field] = value;
  return sha256Hex(canonicalJson(summary));
}

/** The state hash in one go (tests, offline replay, small states). */
export function stateHash(state: ClusterState): string {
  const steps = stateHashSteps(viewOf(state), Number.MAX_SAFE_INTEGER);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
