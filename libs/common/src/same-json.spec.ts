import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { copyJson, sameJson, sameJsonExcept } from './same-json';

/** sameJson(a, b) must answer exactly canonicalJson(a) === canonicalJson(b). */
const leaf = fc.oneof(
  fc.constantFrom(undefined, null, Number.NaN, Infinity, -0, 0, 1, '', 'a', true, false),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom('x', 'y'),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 3 }),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'c', '0', '1'), tie('node'), { maxKeys: 4 }),
})).node;

/** The same value with its objects' keys in another order (canonically equal), sometimes changed a little. */
function shuffled(v: unknown, change: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffled(x, change));
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).reverse();
    if (change && entries.length > 0) entries[0] = [entries[0]![0], entries[0]![1] === 1 ? 2 : 1];
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffled(x, false)]));
  }
  return v;
}

describe('sameJson', () => {
  it('agrees with comparing canonical JSON texts', () => {
    fc.assert(
      fc.property(value, value, fc.boolean(), (a, b, change) => {
        const twin = shuffled(a, change);
        expect(sameJson(a, twin)).toBe(canonicalJson(a) === canonicalJson(twin));
        expect(sameJson(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves Maps, Sets and class instances to canonicalJson', () => {
    expect(sameJson(new Map([['a', 1]]), { a: 1 })).toBe(true);
    expect(sameJson(new Set([2, 1]), [1, 2])).toBe(true);
    expect(sameJson({ d: new Date(0) }, { d: new Date(0) })).toBe(
      canonicalJson(new Date(0)) === canonicalJson(new Date(0)),
    );
  });
});

describe('sameJsonExcept', () => {
  const object = fc.dictionary(fc.constantFrom('a', 'b', 'c', '0', '1'), value, { maxKeys: 4 });
  const without = (o: Record<string, unknown>, ignored: ReadonlySet<string>) =>
    Object.fromEntries(Object.entries(o).filter(([key]) => !ignored.has(key)));

  it('answers sameJson of both objects without the ignored keys', () => {
    fc.assert(
      fc.property(object, object, fc.boolean(), fc.subarray(['a', 'b', '0']), (a, b, change, keys) => {
        const ignored = new Set(keys);
        const twin = shuffled(a, change) as Record<string, unknown>;
        expect(sameJsonExcept(a, twin, ignored)).toBe(sameJson(without(a, ignored), without(twin, ignored)));
        expect(sameJsonExcept(a, b, ignored)).toBe(sameJson(without(a, ignored), without(b, ignored)));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('copyJson', () => {
  it('copies as structuredClone does: same keys in the same order, nothing shared', () => {
    fc.assert(
      fc.property(value, (v) => {
        const copy = copyJson(v);
        expect(JSON.stringify(copy)).toBe(JSON.stringify(structuredClone(v)));
        expect(copy).toEqual(structuredClone(v));
        if (v !== null && typeof v === 'object') expect(copy).not.toBe(v);
      }),
      { numRuns: 1_000 },
    );
  });
});
