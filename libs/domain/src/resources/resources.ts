import { fromMilli, roundScalar, toMilli } from './fixed-point';
import { addRanges, normalizeRanges, PortRange, rangesContain, rangesEqual, subtractRanges } from './port-ranges';
import { InvalidResourcesError, ResourcesNotContainedError } from './resource-errors';
import { formatResources } from './format-resources';

/**
 * What an agent holds, a framework is allocated, an offer carries or a task needs: scalars (cpus in
 * cores, mem and disk in MB) and a set of ports. Scalars are compared and summed in fixed point
 * (three decimals, fixed-point.ts); every function here returns normalized resources (scalars
 * rounded to thousandths, port ranges sorted and merged).
 */
export interface Resources {
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly ports: readonly PortRange[];
}

/** Scalar resource names, in the order DRF and the formatter walk them. */
export const SCALAR_NAMES = ['cpus', 'mem', 'disk'] as const;
export type ScalarName = (typeof SCALAR_NAMES)[number];

export const EMPTY_RESOURCES: Resources = Object.freeze({ cpus: 0, mem: 0, disk: 0, ports: Object.freeze([]) });

/** Builds normalized resources from the parts given; missing parts are zero. */
export function resources(parts: Partial<Resources>): Resources {
  return normalizeResources({ ...EMPTY_RESOURCES, ...parts });
}

/**
 * Resources this module returned normalized: normalizing them again gives them back as they are
 * (resources are never changed in place). A tick normalizes the same agent's free resources once
 * per task it tries to fit, which sorted and merged their port ranges every time.
 */
const NORMALIZED = new WeakSet<Resources>([EMPTY_RESOURCES]);

/** Validates (finite, non-negative scalars; integer ranges in 0..65535) and normalizes. */
export function normalizeResources(r: Resources): Resources {
  if (NORMALIZED.has(r)) return r;
  const normalized = normalizedCopy(r);
  NORMALIZED.add(normalized);
  return normalized;
}

/**
 * For a sum or difference of normalized resources, which is normalized by construction (scalars
 * from thousandths; ranges sorted and apart: a union is merged, and what a cut leaves of disjoint
 * ranges stays disjoint): placement subtracts each task it fits from what is left, and the next
 * fit normalized that again (a sort and merge per launch). resources.property.spec.ts holds them
 * equal to a fresh normalization.
 */
function alreadyNormalized(r: Resources): Resources {
  NORMALIZED.add(r);
  return r;
}

function normalizedCopy(r: Resources): Resources {
  for (const name of SCALAR_NAMES) {
    const value = r[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidResourcesError({ field: name, value, reason: 'must be a finite number >= 0' });
    }
  }
  return {
    cpus: roundScalar(r.cpus),
    mem: roundScalar(r.mem),
    disk: roundScalar(r.disk),
    ports: normalizeRanges(r.ports),
  };
}

/** a + b: scalars summed, ports united. */
export function addResources(a: Resources, b: Resources): Resources {
  const x = normalizeResources(a);
  const y = normalizeResources(b);
  return alreadyNormalized({
    cpus: fromMilli(toMilli(x.cpus) + toMilli(y.cpus)),
    mem: fromMilli(toMilli(x.mem) + toMilli(y.mem)),
    disk: fromMilli(toMilli(x.disk) + toMilli(y.disk)),
    ports: addRanges(x.ports, y.ports),
  });
}

/** The sum of a list (EMPTY_RESOURCES for an empty list). */
export function sumResources(list: readonly Resources[]): Resources {
  return list.reduce(addResources, EMPTY_RESOURCES);
}

/**
 * have - take. Throws ResourcesNotContainedError unless `have` contains `take`: taking what is not
 * there is a bookkeeping bug (an agent over-committed), never something to clamp silently.
 */
export function subtractResources(have: Resources, take: Resources): Resources {
  const x = normalizeResources(have);
  const y = normalizeResources(take);
  if (!containsResources(x, y)) {
    throw new ResourcesNotContainedError({ have: formatResources(x), take: formatResources(y) });
  }
  return alreadyNormalized({
    cpus: fromMilli(toMilli(x.cpus) - toMilli(y.cpus)),
    mem: fromMilli(toMilli(x.mem) - toMilli(y.mem)),
    disk: fromMilli(toMilli(x.disk) - toMilli(y.disk)),
    ports: subtractRanges(x.ports, y.ports),
  });
}

/** True when `have` holds at least `want`: every scalar >= (in thousandths) and every wanted port. */
export function containsResources(have: Resources, want: Resources): boolean {
  const x = normalizeResources(have);
  const y = normalizeResources(want);
  return SCALAR_NAMES.every((name) => toMilli(x[name]) >= toMilli(y[name])) && rangesContain(x.ports, y.ports);
}

/** True when nothing is left: every scalar is zero (in thousandths) and there are no ports. */
export function isEmptyResources(r: Resources): boolean {
  const x = normalizeResources(r);
  return SCALAR_NAMES.every((name) => toMilli(x[name]) === 0) && x.ports.length === 0;
}

export function resourcesEqual(a: Resources, b: Resources): boolean {
  const x = normalizeResources(a);
  const y = normalizeResources(b);
  return SCALAR_NAMES.every((name) => toMilli(x[name]) === toMilli(y[name])) && rangesEqual(x.ports, y.ports);
}
