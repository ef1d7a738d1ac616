import fc from 'fast-check';
import { canonicalJson, canonicalJsonByCopy } from './canonical-json';

/** The text written, or the error thrown (a Map key without a string form, say). */
function outcome(write: (value: unknown) => string, value: unknown): string {
  try {
    return write(value);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('canonicalJson', () => {
  it('sorts keys, drops undefined members and whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined, 'x'], c: undefined } })).toBe('{"a":{"d":[1,null,"x"]},"b":1}');
  });

  it('writes maps as objects of their entries and sets as sorted arrays, whatever their order', () => {
    const one = new Map<unknown, unknown>([
      ['b', new Set(['y', 'x'])],
      ['a', 1],
    ]);
    const other = new Map<unknown, unknown>([
      ['a', 1],
      ['b', new Set(['x', 'y'])],
    ]);
    expect(canonicalJson(one)).toBe('{"a":1,"b":["x","y"]}');
    expect(canonicalJson(other)).toBe(canonicalJson(one));
  });

  it.each([
    { name: 'array-index keys first, in numeric order', value: { b: 1, '10': 2, '2': 3, a: 4, '4294967295': 5 } },
    { name: 'keys that need escaping', value: { 'a"b': 1, 'c\\d': 2, 'e\nf': 3, 'g h': 4, '\u00e9': 5 } },
    { name: 'non-finite numbers and -0', value: [NaN, Infinity, -Infinity, -0, 1e21, 5e-7] },
    { name: 'functions and symbols', value: { f: () => 1, s: Symbol('s'), a: [() => 1, Symbol('t')] } },
    { name: 'a Date (its own keys: none)', value: { at: new Date(0) } },
    { name: 'a toJSON member holding a function', value: { x: { toJSON: () => 'called', y: 1 } } },
    {
      name: 'a __proto__ member (JSON.parse makes one; the copy drops it)',
      value: JSON.parse('{"__proto__":{"a":1},"b":2}'),
    },
    { name: 'a sparse array', value: [1, , 3] },
    {
      name: 'a Map with non-string keys',
      value: new Map<unknown, unknown>([
        [2, 'two'],
        [1, 'one'],
        ['1', 'again'],
      ]),
    },
    { name: 'a top-level undefined', value: undefined },
  ])('writes the same bytes as JSON.stringify of a sorted deep copy: $name', ({ value }) => {
    expect(canonicalJson(value)).toBe(canonicalJsonByCopy(value));
  });

  it('writes the same bytes as JSON.stringify of a sorted deep copy, for any value', () => {
    fc.assert(
      fc.property(
        fc.anything({
          key: fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('__proto__', 'toJSON', '0', '10', '01')),
          withMap: true,
          withSet: true,
          withDate: true,
          withNullPrototype: true,
          withObjectString: true,
          withBoxedValues: true,
          withSparseArray: true,
          withTypedArray: true,
          withBigInt: false,
        }),
        (value) => {
          expect(outcome(canonicalJson, value)).toBe(outcome(canonicalJsonByCopy, value));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('throws on a bigint, as JSON.stringify does', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });
});
