import { formatResources } from './format-resources';
import { parseResources } from './parse-resources';
import { InvalidResourcesError, ResourceParseError, ResourcesNotContainedError } from './resource-errors';
import {
  addResources,
  containsResources,
  EMPTY_RESOURCES,
  isEmptyResources,
  resources,
  resourcesEqual,
  subtractResources,
  sumResources,
} from './resources';

const r = parseResources;

describe('parseResources', () => {
  it('reads the scalars and one port range', () => {
    expect(r('cpus:4;mem:8192;disk:1000;ports:[31000-32000]')).toEqual({
      cpus: 4,
      mem: 8192,
      disk: 1000,
      ports: [[31000, 32000]],
    });
  });

  it('reads several port ranges and normalizes them', () => {
    expect(r('ports:[31010-31020,31000-31005]').ports).toEqual([
      [31000, 31005],
      [31010, 31020],
    ]);
  });

  it('allows blanks, a trailing separator, fractions and empty ports', () => {
    expect(r(' cpus: 0.5 ; mem:.5; ports:[] ;')).toEqual({ cpus: 0.5, mem: 0.5, disk: 0, ports: [] });
  });

  it('reads nothing as empty resources', () => {
    expect(r('')).toEqual(EMPTY_RESOURCES);
  });

  it('sums a name given twice, as Mesos does', () => {
    expect(r('cpus:1;cpus:2.5;ports:[1-2];ports:[3-4]')).toEqual({ cpus: 3.5, mem: 0, disk: 0, ports: [[1, 4]] });
  });

  it.each([
    ['a token without a colon', 'cpus'],
    ['a negative scalar', 'cpus:-1'],
    ['a scalar that is not a number', 'mem:lots'],
    ['an unknown resource', 'gpus:1'],
    ['a role', 'cpus(prod):4'],
    ['ports without brackets', 'ports:31000-32000'],
    ['a range without an end', 'ports:[31000]'],
    ['a range backwards', 'ports:[32000-31000]'],
    ['a port above 65535', 'ports:[65000-70000]'],
  ])('refuses %s', (_name, text) => {
    expect(() => r(text)).toThrow(ResourceParseError);
  });

  it('names the token it refused', () => {
    expect(() => r('cpus:1;disk:x')).toThrow("cannot parse resources 'cpus:1;disk:x' at 'disk:x'");
  });
});

describe('formatResources', () => {
  it('writes what parseResources reads, leaving out zeros', () => {
    expect(formatResources(r('cpus:4;mem:8192;ports:[31000-31005,31010-31020]'))).toBe(
      'cpus:4;mem:8192;ports:[31000-31005,31010-31020]',
    );
    expect(formatResources(EMPTY_RESOURCES)).toBe('');
  });

  it('writes fixed-point scalars, not floating-point noise', () => {
    expect(formatResources(resources({ cpus: 0.1 + 0.2 }))).toBe('cpus:0.3');
  });
});

describe('resource arithmetic', () => {
  it('adds scalars and unites ports', () => {
    expect(addResources(r('cpus:1;mem:512;ports:[1-5]'), r('cpus:0.5;disk:10;ports:[6-9]'))).toEqual(
      r('cpus:1.5;mem:512;disk:10;ports:[1-9]'),
    );
  });

  it('subtracts what is contained', () => {
    expect(subtractResources(r('cpus:2;mem:1024;ports:[1-10]'), r('cpus:0.5;mem:1024;ports:[3-3]'))).toEqual(
      r('cpus:1.5;ports:[1-2,4-10]'),
    );
  });

  it('refuses to subtract more than there is, naming both sides', () => {
    expect(() => subtractResources(r('cpus:1'), r('cpus:2'))).toThrow(ResourcesNotContainedError);
    expect(() => subtractResources(r('cpus:1;ports:[1-2]'), r('ports:[3-3]'))).toThrow(
      'cannot subtract ports:[3-3] from cpus:1;ports:[1-2]: not contained',
    );
  });

  it('fits 0.1 + 0.2 cpus into a 0.3-cpu demand (fixed point, not floating point)', () => {
    const have = addResources(resources({ cpus: 0.1 }), resources({ cpus: 0.2 }));
    expect(containsResources(have, resources({ cpus: 0.3 }))).toBe(true);
    expect(containsResources({ ...EMPTY_RESOURCES, cpus: 0.1 + 0.2 }, { ...EMPTY_RESOURCES, cpus: 0.3 })).toBe(true);
    expect(containsResources(resources({ cpus: 0.3 }), { ...EMPTY_RESOURCES, cpus: 0.1 + 0.2 })).toBe(true);
  });

  it('returns to exactly zero after adding and removing many tenths', () => {
    const tenth = resources({ cpus: 0.1, mem: 0.1 });
    const full = sumResources(Array.from({ length: 10 }, () => tenth));
    expect(full).toEqual(resources({ cpus: 1, mem: 1 }));
    const drained = Array.from({ length: 10 }, () => tenth).reduce(subtractResources, full);
    expect(isEmptyResources(drained)).toBe(true);
  });

  it('treats a value below a thousandth as zero, as Mesos does', () => {
    expect(isEmptyResources({ ...EMPTY_RESOURCES, cpus: 0.0004 })).toBe(true);
    expect(isEmptyResources({ ...EMPTY_RESOURCES, cpus: 0.0005 })).toBe(false);
  });

  it('contains only with every scalar and every port', () => {
    const have = r('cpus:2;mem:1024;disk:10;ports:[1-10]');
    expect(containsResources(have, have)).toBe(true);
    expect(containsResources(have, r('cpus:2.001'))).toBe(false);
    expect(containsResources(have, r('mem:1025'))).toBe(false);
    expect(containsResources(have, r('disk:10.5'))).toBe(false);
    expect(containsResources(have, r('ports:[10-11]'))).toBe(false);
  });

  it('sees empty resources as empty and ports alone as not empty', () => {
    expect(isEmptyResources(EMPTY_RESOURCES)).toBe(true);
    expect(isEmptyResources(r('ports:[1-1]'))).toBe(false);
  });

  it('compares after normalizing', () => {
    expect(
      resourcesEqual(
        {
          cpus: 0.1 + 0.2,
          mem: 0,
          disk: 0,
          ports: [
            [3, 4],
            [1, 2],
          ],
        },
        r('cpus:0.3;ports:[1-4]'),
      ),
    ).toBe(true);
    expect(resourcesEqual(r('cpus:1'), r('cpus:1;ports:[1-1]'))).toBe(false);
  });

  it.each([
    ['a negative scalar', { ...EMPTY_RESOURCES, mem: -1 }],
    ['a NaN scalar', { ...EMPTY_RESOURCES, cpus: NaN }],
    ['an infinite scalar', { ...EMPTY_RESOURCES, disk: Infinity }],
  ])('refuses %s', (_name, bad) => {
    expect(() => addResources(bad, EMPTY_RESOURCES)).toThrow(InvalidResourcesError);
  });
});
