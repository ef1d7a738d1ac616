import { createHash } from 'node:crypto';

/**
 * A canonical serialisation: object keys sorted, no whitespace, undefined members dropped.
 * Two states that are equal as values serialise to the same bytes, whatever order their maps
 * were filled in, which is what makes the state hash comparable across live, restart and replay.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sortDeep(value: unknown): unknown {
  if (value instanceof Map) {
    return sortDeep(Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), v])));
  }
  if (value instanceof Set) return [...value].map(sortDeep).sort();
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortDeep(v);
    }
    return out;
  }
  return value;
}
