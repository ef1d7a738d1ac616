import { createHash } from 'node:crypto';

/**
 * A canonical serialisation: object keys sorted, no whitespace, undefined members dropped.
 * Two states that are equal as values serialise to the same bytes, whatever order their maps
 * were filled in, which is what makes the state hash comparable across live, restart and replay.
 *
 * Written out directly rather than as `JSON.stringify` of a sorted deep copy (`canonicalJsonByCopy`,
 * the definition, kept for the spec that holds both to the same bytes): the decider compares app
 * configs with it on every update, and the copy was most of its cost. Same output for every input,
 * including JSON.stringify's own rules: non-finite numbers and array members that are undefined,
 * functions or symbols are `null`; such object members are left out; a Map is an object of its
 * entries (keys as strings), a Set a sorted array, any other object (a Date, a class instance) its
 * own enumerable keys; keys that are array indices come first, in numeric order, as they do in a
 * JavaScript object.
 */
export function canonicalJson(value: unknown): string {
  try {
    return write(value) as string;
  } catch (error) {
    // A member named toJSON holding a function (JSON.stringify calls it) or named __proto__ (the
    // sorted copy's assignment sets its prototype instead): what the definition does, it does.
    if (error === DEFINITION_ONLY) return canonicalJsonByCopy(value);
    throw error;
  }
}

/** The definition: JSON.stringify of a deep copy with sorted keys. */
export function canonicalJsonByCopy(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const DEFINITION_ONLY = new Error('canonicalJson: a member only the definition writes right');

/** The JSON text of `value`, or undefined where JSON.stringify leaves it out (undefined, a function, a symbol). */
function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return SAFE_STRING.test(value) ? '"' + value + '"' : JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return writeArray(value);
      if (value instanceof Map) {
        return writeObject(Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), v])));
      }
      // A Set sorts its members by their string form (Array.prototype.sort): the definition's own steps.
      if (value instanceof Set) return JSON.stringify([...value].map(sortDeep).sort());
      return writeObject(value as Record<string, unknown>);
    default:
      // undefined, functions and symbols are left out (undefined); a bigint throws as JSON.stringify does.
      return JSON.stringify(value);
  }
}

function writeArray(array: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out += ',';
    out += write(array[i]) ?? 'null';
  }
  return out + ']';
}

function writeObject(object: Record<string, unknown>): string {
  const keys = indicesFirst(Object.keys(object).sort());
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    if ((key === 'toJSON' && typeof member === 'function') || key === '__proto__') throw DEFINITION_ONLY;
    const text = write(member);
    if (text === undefined) continue;
    out += (first ? '' : ',') + (SAFE_STRING.test(key) ? '"' + key + '"' : JSON.stringify(key)) + ':' + text;
    first = false;
  }
  return out + '}';
}

/** Strings JSON.stringify writes as they are, between quotes: no quote, backslash, control character or surrogate. */
const SAFE_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/**
 * A JavaScript object lists integer keys (array indices) first, ascending, then the others in the
 * order they were added: the sorted copy of the definition is written in that order.
 */
function indicesFirst(sorted: string[]): string[] {
  let hasIndex = false;
  for (const key of sorted) {
    const c = key.charCodeAt(0);
    if (c >= 48 && c <= 57 && isArrayIndex(key)) {
      hasIndex = true;
      break;
    }
  }
  if (!hasIndex) return sorted;
  const indices = sorted.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...sorted.filter((key) => !isArrayIndex(key))];
}

function isArrayIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key) && Number(key) <= 4_294_967_294;
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
