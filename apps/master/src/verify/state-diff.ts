import { canonicalJson } from '@cairn/common/canonical-json';
import { UNHASHED_FIELDS, viewOf, type ClusterState } from '@cairn/domain';
import type { EntryDifference, StateEntryRef } from './verify-report';

const hashed = (field: string) => !(UNHASHED_FIELDS as readonly string[]).includes(field);

/**
 * The entries of two states that differ, over the fields the state hash covers: each map entry
 * (a set's member) by its key, each scalar field as one entry (key null). Entry values are
 * compared as canonical JSON, as the state hash sees them.
 */
export function diffStates(replayed: ClusterState, reference: ClusterState): EntryDifference[] {
  const ours = viewOf(replayed);
  const theirs = viewOf(reference);
  const differences: EntryDifference[] = [];
  const fields = new Set([...ours.collections.keys(), ...theirs.collections.keys()]);
  for (const field of fields) {
    if (!hashed(field)) continue;
    const mine = byKey(ours.collections.get(field) ?? []);
    const other = byKey(theirs.collections.get(field) ?? []);
    for (const [keyJson, { key, json }] of other) {
      const found = mine.get(keyJson);
      if (!found) differences.push({ field, key, kind: 'missing' });
      else if (found.json !== json) differences.push({ field, key, kind: 'changed' });
    }
    for (const [keyJson, { key }] of mine) if (!other.has(keyJson)) differences.push({ field, key, kind: 'extra' });
  }
  for (const [field, value] of theirs.scalars) {
    if (hashed(field) && canonicalJson(value) !== canonicalJson(ours.scalars.get(field))) {
      differences.push({ field, key: null, kind: 'changed' });
    }
  }
  return differences;
}

function byKey(entries: readonly (readonly [unknown, unknown])[]): Map<string, { key: unknown; json: string }> {
  return new Map(entries.map(([key, value]) => [canonicalJson(key), { key, json: canonicalJson(value) }]));
}

/** An entry's current value as canonical JSON (absent: null), to notice an event changing it. */
export function entryFingerprint(state: ClusterState, entry: StateEntryRef): string {
  const value = (state as unknown as Record<string, unknown>)[entry.field];
  if (entry.key === null) return canonicalJson(value);
  if (value instanceof Map) return canonicalJson(value.has(entry.key) ? value.get(entry.key) : null);
  if (value instanceof Set) return value.has(entry.key) ? 'member' : 'absent';
  return canonicalJson(value);
}
