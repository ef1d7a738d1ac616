import { canonicalJson } from './canonical-json';

/**
 * Whether two values have the same canonical JSON (`canonicalJson(a) === canonicalJson(b)`),
 * decided by walking both instead of writing two texts: the decider compares app configs on every
 * update, and writing them was most of that. Plain objects, arrays and primitives are compared
 * here by JSON's rules (key order ignored, undefined members absent, a non-finite number is
 * null, an undefined array member is null); anything else (a Map, a Set, a class instance, a
 * toJSON member) is left to canonicalJson itself. same-json.spec.ts holds both to the same answer.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ta = jsonType(a);
  const tb = jsonType(b);
  if (ta === 'other' || tb === 'other') return canonicalJson(a) === canonicalJson(b);
  if (ta !== tb) return false;
  switch (ta) {
    case 'array':
      return sameArray(a as unknown[], b as unknown[]);
    case 'object':
      return sameObject(a as Record<string, unknown>, b as Record<string, unknown>);
    case 'null':
      return true;
    default:
      return a === b;
  }
}

type JsonType = 'null' | 'string' | 'number' | 'boolean' | 'array' | 'object' | 'absent' | 'other';

function jsonType(value: unknown): JsonType {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      // JSON writes a non-finite number as null.
      return Number.isFinite(value) ? 'number' : 'null';
    case 'boolean':
      return 'boolean';
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'absent';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'array';
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return 'other';
      if ('toJSON' in (value as object) || Object.prototype.hasOwnProperty.call(value, '__proto__')) return 'other';
      return 'object';
    }
    default:
      return 'other';
  }
}

function sameArray(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    // In an array, what JSON leaves out of an object (undefined, a function) is written null.
    const x = jsonType(a[i]) === 'absent' ? null : a[i];
    const y = jsonType(b[i]) === 'absent' ? null : b[i];
    if (!sameJson(x, y)) return false;
  }
  return true;
}

/**
 * sameJson of two objects with the `ignored` keys left out of both (their own keys only, not
 * deeper): the decider compares app configs apart from instances and versions this way, without
 * copying either app to delete the keys.
 */
export function sameJsonExcept(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  ignored: ReadonlySet<string>,
): boolean {
  if (jsonType(a) === 'object' && jsonType(b) === 'object') return sameObject(a, b, ignored);
  const without = (o: Record<string, unknown>) => {
    const copy = { ...o };
    for (const key of ignored) delete copy[key];
    return copy;
  };
  return sameJson(without(a), without(b));
}

function sameObject(a: Record<string, unknown>, b: Record<string, unknown>, ignored?: ReadonlySet<string>): boolean {
  let present = 0;
  for (const key of Object.keys(a)) {
    if (jsonType(a[key]) === 'absent' || ignored?.has(key)) continue;
    present++;
    if (!Object.prototype.hasOwnProperty.call(b, key) || !sameJson(a[key], b[key])) return false;
  }
  for (const key of Object.keys(b)) if (jsonType(b[key]) !== 'absent' && !ignored?.has(key)) present--;
  return present === 0;
}

/**
 * A deep copy of plain JSON data (objects, arrays, primitives), as structuredClone would make of
 * it but without its serialisation (several times faster on an app definition); any other object
 * inside is copied by structuredClone.
 */
export function copyJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyJson((value as Record<string, unknown>)[key]);
  return copy as T;
}
