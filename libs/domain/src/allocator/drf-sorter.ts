import { toMilli } from '../resources/fixed-point';
import { normalizeResources, Resources, SCALAR_NAMES } from '../resources';
import { AllocatorInputError } from './allocator-errors';
import { compareIds, Sorter, SorterFactory } from './sorter';

/**
 * Dominant Resource Fairness (Ghodsi et al., NSDI 2011; Mesos `sorter/drf/sorter.cpp`):
 *
 *   dominantShare(c) = max over r in {cpus, mem, disk} of allocated(c, r) / total(r)
 *   share(c)         = dominantShare(c) / weight(c)
 *
 * and the client with the lowest share is offered next. A resource the cluster has none of
 * (total 0) is left out of the max; ports are not a scalar and never count, as in Mesos.
 */
export function dominantShare(allocated: Resources, clusterTotal: Resources): number {
  const held = normalizeResources(allocated);
  const total = normalizeResources(clusterTotal);
  let share = 0;
  for (const name of SCALAR_NAMES) {
    const totalMilli = toMilli(total[name]);
    if (totalMilli > 0) share = Math.max(share, toMilli(held[name]) / totalMilli);
  }
  return share;
}

interface Client {
  readonly weight: number;
  allocated: { cpus: number; mem: number; disk: number };
}

export class DrfSorter implements Sorter {
  private readonly clients = new Map<string, Client>();
  private readonly totalMilli: { cpus: number; mem: number; disk: number };

  constructor(clusterTotal: Resources) {
    this.totalMilli = milli(normalizeResources(clusterTotal));
  }

  add(client: string, weight: number, allocated: Resources): void {
    if (this.clients.has(client))
      throw new AllocatorInputError({ field: 'client', value: client, reason: 'added twice' });
    if (!(Number.isFinite(weight) && weight > 0)) {
      throw new AllocatorInputError({
        field: `weight of ${client}`,
        value: weight,
        reason: 'must be a finite number > 0',
      });
    }
    this.clients.set(client, { weight, allocated: milli(normalizeResources(allocated)) });
  }

  allocated(client: string, resources: Resources): void {
    const entry = this.get(client);
    const more = milli(normalizeResources(resources));
    for (const name of SCALAR_NAMES) entry.allocated[name] += more[name];
  }

  share(client: string): number {
    const entry = this.get(client);
    let share = 0;
    for (const name of SCALAR_NAMES) {
      const total = this.totalMilli[name];
      if (total > 0) share = Math.max(share, entry.allocated[name] / total);
    }
    return share / entry.weight;
  }

  sort(): string[] {
    const shares = new Map([...this.clients.keys()].map((id) => [id, this.share(id)]));
    return [...shares.keys()].sort((a, b) => shares.get(a)! - shares.get(b)! || compareIds(a, b));
  }

  private get(client: string): Client {
    const entry = this.clients.get(client);
    if (entry === undefined)
      throw new AllocatorInputError({ field: 'client', value: client, reason: 'unknown to the sorter' });
    return entry;
  }
}

export const drfSorter: SorterFactory = (clusterTotal) => new DrfSorter(clusterTotal);

function milli(r: Resources): { cpus: number; mem: number; disk: number } {
  return { cpus: toMilli(r.cpus), mem: toMilli(r.mem), disk: toMilli(r.disk) };
}
