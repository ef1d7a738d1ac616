import { addResources, countPorts, normalizeResources, Resources, sumResources } from '../resources';
import { toMilli } from '../resources/fixed-point';
import { isAllocatable } from './allocatable';
import { AllocatorInputError } from './allocator-errors';
import { drfSorter } from './drf-sorter';
import { activeFilters, OfferFilter } from './offer-filters';
import { compareIds, SorterFactory } from './sorter';

/** An agent as the allocator sees it. */
export interface AgentSlot {
  readonly agentId: string;
  /** free = total - used by tasks - outstanding offers. */
  readonly free: Resources;
  /** False while the agent is disconnected, draining or being removed: it is not offered. */
  readonly active: boolean;
}

/** A framework as the allocator sees it. */
export interface FrameworkDemand {
  readonly frameworkId: string;
  /** The role its offers are made for (carried into each offer; roles are not sorted separately yet). */
  readonly role: string;
  /** > 0; a framework with weight 2 is entitled to twice the share of one with weight 1. */
  readonly weight: number;
  /** What it holds now: resources of its tasks plus its outstanding offers, on every agent. */
  readonly allocated: Resources;
  /** True after SUPPRESS: it wants no offers (nothing to launch); REVIVE sets it back to false. */
  readonly suppressed: boolean;
  /**
   * The least an offer must hold to be of any use to it (its smallest waiting task), as Mesos 1.7's
   * framework `min_allocatable_resources`: an agent with less free is not offered to it, so a full
   * cluster does not make offers that can only come back declined. Absent: any allocatable agent.
   */
  readonly minOffer?: MinOffer;
}

/** Scalars an offer must hold at least, and how many ports. */
export interface MinOffer {
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly portCount: number;
}

/** One agent's free resources offered to one framework; the caller gives it an offer id. */
export interface OfferDraft {
  readonly frameworkId: string;
  readonly role: string;
  readonly agentId: string;
  readonly resources: Resources;
}

export interface AllocationInput {
  /**
   * The agents, in any order (sorted, and checked for repeated ids, here), or already in id
   * order with distinct ids (`inIdOrder`): then they are read only as far as the pass goes, so a
   * pass that stops at `maxOffers` builds no slot for the agents after it. `clusterTotal` is then
   * required (the default would read them all).
   */
  readonly agents: readonly AgentSlot[] | { readonly inIdOrder: Iterable<AgentSlot> };
  readonly frameworks: readonly FrameworkDemand[];
  /** The filters, or a lookup of the ones in force at `now` (a state's, read per agent offered). */
  readonly filters: readonly OfferFilter[] | FilterLookup;
  /** Decision time, ms since the epoch: only used to tell which filters are still in force. */
  readonly now: number;
  /**
   * What shares divide by. Default: Σ agents' free + Σ frameworks' allocated, which is the
   * cluster's total whenever every used resource belongs to a listed framework. Pass it when
   * that is not so (e.g. tasks of a removed framework still hold resources).
   */
  readonly clusterTotal?: Resources;
  /** Fairness; default DRF. */
  readonly sorter?: SorterFactory;
  /** At most this many offers in the pass (agents in id order; the rest wait for the next pass). */
  readonly maxOffers?: number;
}

/**
 * One allocation pass, Mesos style (`hierarchical.cpp`, `__allocate`): agents in id order; each
 * active agent with allocatable free resources is offered whole to ONE framework, the first in the
 * sorter's order that is not suppressed and has no filter in force for that agent. The sorter then
 * counts the offer as allocated, so the next agent goes to whoever is now most owed.
 *
 *   invariant: Σ offers of an agent in one pass <= its free resources (one offer, exactly `free`)
 *
 * Pure: the result depends only on the input (ties: framework id, then agent id order).
 */
export function allocate(input: AllocationInput): OfferDraft[] {
  return [...allocations(input)];
}

/**
 * `allocate`'s offers one at a time, as the caller takes them: a caller that stops (its demand
 * met) makes no more offers, and no agent after the last one offered is read. The same offers, in
 * the same order, as far as it goes. The input is checked when the first offer is asked for.
 */
export function* allocations(input: AllocationInput): Generator<OfferDraft, void, undefined> {
  const agents = agentsInIdOrder(input);
  checkUniqueFrameworks(input.frameworks);
  const wanting = input.frameworks
    .filter((framework) => !framework.suppressed)
    .sort((a, b) => compareIds(a.frameworkId, b.frameworkId));
  const maxOffers = input.maxOffers ?? Infinity;
  if (wanting.length === 0 || maxOffers <= 0) return;

  const sorter = (input.sorter ?? drfSorter)(
    input.clusterTotal ?? clusterTotalOf(input.agents as readonly AgentSlot[], input.frameworks),
  );
  for (const framework of wanting) sorter.add(framework.frameworkId, framework.weight, framework.allocated);
  const roleOf = new Map(wanting.map((framework) => [framework.frameworkId, framework.role]));
  const minOfferOf = new Map(wanting.map((framework) => [framework.frameworkId, framework.minOffer]));
  const ofUse = (frameworkId: string, free: Resources) => {
    const min = minOfferOf.get(frameworkId);
    return min === undefined || holdsMinOffer(free, min);
  };
  const isFiltered =
    typeof input.filters === 'function'
      ? (frameworkId: string, agentId: string) => (input.filters as FilterLookup)(frameworkId, agentId, input.now)
      : activeFilters(input.filters, input.now);

  let made = 0;
  for (const agent of agents) {
    if (!agent.active || !isAllocatable(agent.free)) continue;
    const frameworkId = sorter.sort().find((id) => !isFiltered(id, agent.agentId) && ofUse(id, agent.free));
    if (frameworkId === undefined) continue;
    const resources = normalizeResources(agent.free);
    sorter.allocated(frameworkId, resources);
    yield { frameworkId, role: roleOf.get(frameworkId)!, agentId: agent.agentId, resources };
    if (++made >= maxOffers) return;
  }
}

/** Whether `free` holds at least `min` (scalars compared in thousandths). */
export function holdsMinOffer(free: Resources, min: MinOffer): boolean {
  const r = normalizeResources(free);
  return (
    toMilli(r.cpus) >= toMilli(min.cpus) &&
    toMilli(r.mem) >= toMilli(min.mem) &&
    toMilli(r.disk) >= toMilli(min.disk) &&
    countPorts(r.ports) >= min.portCount
  );
}

/**
 * Whether a framework is refused an agent at `now` (Mesos's filters, looked up where they are
 * kept instead of listed): the allocator asks only about the agents it reaches.
 */
export type FilterLookup = (frameworkId: string, agentId: string, now: number) => boolean;

/** The agents in id order: a list is sorted (and checked) here, a caller's ordered source is read lazily. */
function agentsInIdOrder(input: AllocationInput): Iterable<AgentSlot> {
  if (!Array.isArray(input.agents)) {
    if (input.clusterTotal === undefined) {
      throw new AllocatorInputError({
        field: 'clusterTotal',
        value: undefined,
        reason: 'required when the agents are given in id order (they are not all read)',
      });
    }
    return (input.agents as { readonly inIdOrder: Iterable<AgentSlot> }).inIdOrder;
  }
  const agents = input.agents as readonly AgentSlot[];
  const agentId = duplicate(agents.map((agent) => agent.agentId));
  if (agentId !== undefined)
    throw new AllocatorInputError({ field: 'agents[].agentId', value: agentId, reason: 'listed twice' });
  return [...agents].sort((a, b) => compareIds(a.agentId, b.agentId));
}

/** total = Σ free + Σ allocated (see AllocationInput.clusterTotal). */
function clusterTotalOf(agents: readonly AgentSlot[], frameworks: readonly FrameworkDemand[]): Resources {
  return addResources(
    sumResources(agents.map((agent) => ({ ...agent.free, ports: [] }))),
    sumResources(frameworks.map((framework) => ({ ...framework.allocated, ports: [] }))),
  );
}

function checkUniqueFrameworks(frameworks: readonly FrameworkDemand[]): void {
  const frameworkId = duplicate(frameworks.map((framework) => framework.frameworkId));
  if (frameworkId !== undefined) {
    throw new AllocatorInputError({ field: 'frameworks[].frameworkId', value: frameworkId, reason: 'listed twice' });
  }
}

function duplicate(ids: readonly string[]): string | undefined {
  const seen = new Set<string>();
  return ids.find((id) => seen.size === seen.add(id).size);
}
