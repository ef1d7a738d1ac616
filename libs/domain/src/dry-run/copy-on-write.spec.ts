import fc from 'fast-check';
import { CopyOnWriteMap, CopyOnWriteSet } from './copy-on-write';

type Op = { kind: 'set' | 'delete' | 'clear'; key: number; value: number };
const op = fc.record({
  kind: fc.constantFrom<Op['kind']>('set', 'set', 'set', 'delete', 'delete', 'clear'),
  key: fc.integer({ min: 0, max: 12 }),
  value: fc.integer(),
});
const base = fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { maxLength: 10 });

describe('CopyOnWriteMap', () => {
  it('behaves as a copy of its base would, insertion order included, and never changes the base', () => {
    fc.assert(
      fc.property(base, fc.array(op, { maxLength: 40 }), (keys, ops) => {
        const original = new Map(keys.map((k) => [k, k * 10]));
        const snapshot = [...original];
        const copy = new Map(original);
        const overlay = new CopyOnWriteMap(original);
        for (const o of ops) {
          if (o.kind === 'set') {
            expect(overlay.set(o.key, o.value)).toBe(overlay);
            copy.set(o.key, o.value);
          } else if (o.kind === 'delete') expect(overlay.delete(o.key)).toBe(copy.delete(o.key));
          else if (o.key % 5 === 0) {
            overlay.clear();
            copy.clear();
          }
          expect(overlay.size).toBe(copy.size);
          expect(overlay.get(o.key)).toBe(copy.get(o.key));
          expect(overlay.has(o.key)).toBe(copy.has(o.key));
        }
        expect([...overlay]).toEqual([...copy]);
        expect([...overlay.keys()]).toEqual([...copy.keys()]);
        expect([...overlay.values()]).toEqual([...copy.values()]);
        const seen: [number, number][] = [];
        overlay.forEach((v, k) => seen.push([k, v]));
        expect(seen).toEqual([...copy.entries()]);
        expect([...original]).toEqual(snapshot);
      }),
    );
  });
});

describe('CopyOnWriteSet', () => {
  it('behaves as a copy of its base would (oldest first, as the bounded update ids need)', () => {
    fc.assert(
      fc.property(base, fc.array(op, { maxLength: 40 }), (keys, ops) => {
        const original = new Set(keys);
        const copy = new Set(original);
        const overlay = new CopyOnWriteSet(original);
        for (const o of ops) {
          if (o.kind === 'set') {
            overlay.add(o.key);
            copy.add(o.key);
          } else if (o.kind === 'delete') expect(overlay.delete(o.key)).toBe(copy.delete(o.key));
          expect(overlay.size).toBe(copy.size);
          expect(overlay.values().next().value).toBe(copy.values().next().value);
        }
        expect([...overlay]).toEqual([...copy]);
        expect([...original]).toEqual(keys);
      }),
    );
  });
});
