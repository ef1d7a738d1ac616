import { toMilli } from '../resources/fixed-point';
import { normalizeResources, Resources } from '../resources';

/**
 * Mesos's default `--min_allocatable_resources=cpus:0.01|mem:32`: an agent is offered only when its
 * free resources hold at least 0.01 cpus or at least 32 MB of memory. Below that, an offer could
 * launch nothing useful and would only come back declined, once per pass (offers of crumbs: ports
 * or disk alone, or a sliver of cpu left by fractional tasks).
 */
export const MIN_ALLOCATABLE_CPUS = 0.01;
export const MIN_ALLOCATABLE_MEM = 32;

export function isAllocatable(free: Resources): boolean {
  const r = normalizeResources(free);
  return toMilli(r.cpus) >= toMilli(MIN_ALLOCATABLE_CPUS) || toMilli(r.mem) >= toMilli(MIN_ALLOCATABLE_MEM);
}
