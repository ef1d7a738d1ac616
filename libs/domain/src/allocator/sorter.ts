import { Resources } from '../resources';

/**
 * Fairness as a separate piece, after Mesos's `src/master/allocator/mesos/sorter/sorter.hpp`: the
 * allocator asks the sorter who comes first and tells it what it gave, and knows nothing of how
 * "first" is decided. DRF is the one sorter today (drf-sorter.ts); a random or quota-aware sorter
 * can replace it without touching `allocate`. A sorter lives for one allocation pass.
 */
export interface Sorter {
  /** A client (a framework) with its weight (> 0) and what it holds already (used + offered). */
  add(client: string, weight: number, allocated: Resources): void;
  /** `resources` were just offered to `client`: it holds that much more from now on. */
  allocated(client: string, resources: Resources): void;
  /** The client's weighted share: the sorter's measure of how much it already has. */
  share(client: string): number;
  /** All clients, the one most owed first: lowest share, ties broken by client id. */
  sort(): string[];
}

/** Makes the sorter for one pass, given the cluster's total resources (what shares divide by). */
export type SorterFactory = (clusterTotal: Resources) => Sorter;

/** Client ids ordered by UTF-16 code units: the same everywhere, unlike localeCompare. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
