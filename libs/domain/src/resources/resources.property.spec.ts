import fc from 'fast-check';
import { formatResources } from './format-resources';
import { parseResources } from './parse-resources';
import { countPorts, PortRange, rangesContain, rangesInclude, subtractRanges, takePorts } from './port-ranges';
import {
  addResources,
  containsResources,
  EMPTY_RESOURCES,
  normalizeResources,
  resourcesEqual,
  subtractResources,
} from './resources';
import { anyResources, portRanges } from './testing/resource-arbitraries';

/** Two resources whose port sets do not overlap: adding overlapping ports is a union, not a sum. */
const disjointPair = fc
  .tuple(anyResources(), anyResources())
  .map(([a, b]) => [a, { ...b, ports: subtractRanges(b.ports, a.ports) }] as const);

describe('resources properties', () => {
  it('a sum and a difference come back normalized: normalizing gives them back, equal to a fresh normalization', () => {
    fc.assert(
      fc.property(anyResources(), anyResources(), (a, b) => {
        const sum = addResources(a, b);
        const results = [sum, subtractResources(sum, b), ...(containsResources(a, b) ? [subtractResources(a, b)] : [])];
        for (const result of results) {
          expect(normalizeResources(result)).toBe(result);
          // A copy is not marked: it is normalized afresh, and must come out the same.
          expect(normalizeResources({ ...result, ports: result.ports.map(([x, y]) => [x, y] as PortRange) })).toEqual(
            result,
          );
        }
      }),
    );
  });

  it('subtracting what was added gives the original', () => {
    fc.assert(
      fc.property(disjointPair, ([a, b]) => {
        expect(resourcesEqual(subtractResources(addResources(a, b), b), a)).toBe(true);
      }),
    );
  });

  it('adding back what was subtracted gives the original', () => {
    fc.assert(
      fc.property(anyResources(), anyResources(), (a, b) => {
        fc.pre(containsResources(a, b));
        expect(resourcesEqual(addResources(subtractResources(a, b), b), a)).toBe(true);
      }),
    );
  });

  it('a sum contains each of its parts, and subtracting a part leaves the other', () => {
    fc.assert(
      fc.property(disjointPair, ([a, b]) => {
        const sum = addResources(a, b);
        expect(containsResources(sum, a) && containsResources(sum, b)).toBe(true);
        expect(resourcesEqual(subtractResources(sum, a), b)).toBe(true);
      }),
    );
  });

  it('arbitrary floating-point scalars still add and subtract exactly in fixed point', () => {
    const scalar = fc.double({ min: 0, max: 1e6, noNaN: true });
    const loose = fc.record({ cpus: scalar, mem: scalar, disk: scalar, ports: fc.constant<PortRange[]>([]) });
    fc.assert(
      fc.property(loose, loose, (a, b) => {
        const sum = addResources(a, b);
        expect(containsResources(sum, a)).toBe(true);
        expect(resourcesEqual(subtractResources(sum, b), a)).toBe(true);
      }),
    );
  });

  it('formatting then parsing gives the same resources', () => {
    fc.assert(
      fc.property(anyResources(), (a) => {
        expect(parseResources(formatResources(a))).toEqual(normalizeResources(a));
      }),
    );
  });

  it('contains is a partial order: reflexive, and both ways only when equal', () => {
    fc.assert(
      fc.property(anyResources(), anyResources(), (a, b) => {
        expect(containsResources(a, a)).toBe(true);
        if (containsResources(a, b) && containsResources(b, a)) expect(resourcesEqual(a, b)).toBe(true);
        expect(containsResources(a, EMPTY_RESOURCES)).toBe(true);
      }),
    );
  });

  it('never takes a port outside the ranges or one already used', () => {
    const usedPorts = fc.array(fc.integer({ min: 30_990, max: 31_070 }), { maxLength: 20 });
    fc.assert(
      fc.property(portRanges(), usedPorts, fc.integer({ min: 0, max: 40 }), (offered, used, count) => {
        const free = subtractRanges(
          offered,
          used.map((p): PortRange => [p, p]),
        );
        const taken = takePorts(free, count);
        if (taken === undefined) {
          expect(countPorts(free)).toBeLessThan(count);
          return;
        }
        expect(taken.ports).toHaveLength(count);
        expect(new Set(taken.ports).size).toBe(count);
        for (const port of taken.ports) {
          expect(rangesInclude(offered, port)).toBe(true);
          expect(used).not.toContain(port);
          expect(rangesInclude(taken.remaining, port)).toBe(false);
        }
        expect(countPorts(taken.remaining)).toBe(countPorts(free) - count);
        expect(rangesContain(free, taken.remaining)).toBe(true);
      }),
    );
  });
});
