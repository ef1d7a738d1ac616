import { AgentFacts, Constraint, fieldValue, meetsConstraints } from '../constraints';
import { normalizeResources, Resources, subtractResources } from '../resources';
import { FitResult, fitTask } from './fit-task';
import { ConstraintMismatch, NoMatchReason } from './no-match-reason';
import { PlacementInputError } from './placement-errors';
import { PlacementOffer, TaskDemand } from './task-demand';

/**
 * Marathon's `--max_instances_per_offer` default: at most this many tasks start from one offer,
 * so one agent is not flooded with launches at once (and a zero-sized task with a huge count
 * cannot loop without end). The master passes its configured value.
 */
export const MAX_INSTANCES_PER_OFFER = 5;

/** One launch-queue entry: `count` more tasks of `appId` wanted, each needing `demand`. */
export interface QueuedLaunch {
  readonly appId: string;
  readonly demand: TaskDemand;
  readonly count: number;
  /** The app's placement constraints (`[field, operator, value?]`); absent or [] = none. */
  readonly constraints?: readonly Constraint[];
  /**
   * The agents of the app's current instances (non-terminal, not being killed), one entry per
   * instance, oldest first; absent = none. Tasks this offer launches are added as they are placed.
   */
  readonly placed?: readonly AgentFacts[];
  /** How many instances the app wants in all (GROUP_BY divides it); absent = placed + count. */
  readonly instances?: number;
}

export interface TaskLaunch {
  readonly appId: string;
  /** Host ports in portDefinition order ($PORT0, $PORT1, ...). */
  readonly ports: number[];
  /** What the task takes from the offer. */
  readonly resources: Resources;
}

export interface OfferPlacement {
  /** In queue order: an app's tasks together, apps as queued. */
  readonly launches: TaskLaunch[];
  /** The offer minus every launch: what the caller declines (or keeps) afterwards. */
  readonly remaining: Resources;
  /** For each app that wanted more tasks than this offer gave it: why its next task did not fit. */
  readonly reasonsByApp: Map<string, NoMatchReason[]>;
}

/**
 * Packs tasks into one offer: queue entries in order, each app's tasks one after another against
 * what is left, until an app's next task does not fit (its reasons are recorded and the next app
 * is tried) or `maxInstances` tasks are placed (then placement stops; apps not reached get no
 * reasons, since this offer was never judged for them). A task fits when the agent meets the
 * app's constraints, counting the app's tasks already placed on this offer (so `hostname:UNIQUE`
 * takes one task per offer), and fitTask fits it in what is left.
 */
export function placeTasks(
  queue: Iterable<QueuedLaunch>,
  offer: PlacementOffer,
  options: { maxInstances?: number } = {},
): OfferPlacement {
  const maxInstances = options.maxInstances ?? MAX_INSTANCES_PER_OFFER;
  checkMaxInstances(maxInstances);
  const launches: TaskLaunch[] = [];
  const reasonsByApp = new Map<string, NoMatchReason[]>();
  let remaining = normalizeResources(offer.resources);
  const agent: AgentFacts = { hostname: offer.hostname, attributes: offer.attributes };
  const seen = new Set<string>();
  // Misfits by demand while `remaining` stays as it is: apps of the same shape (a burst of alike
  // apps in a nearly full cluster) are judged once per offer, not once each.
  const misfits = new Map<string, FitResult>();

  // The queue is read only as far as placement goes (a caller may build its entries as they are
  // read): an offer filled by the first apps costs nothing for the hundreds queued behind them.
  for (const entry of queue) {
    if (launches.length >= maxInstances) break;
    checkEntry(entry, seen);
    const { appId, demand, count } = entry;
    // The app's instances as its constraints see them: those running, then each one placed here.
    const placed = [...(entry.placed ?? [])];
    const instances = entry.instances ?? placed.length + count;
    for (let launched = 0; launched < count; launched++) {
      if (launches.length >= maxInstances) return { launches, remaining, reasonsByApp };
      const unmet = unmetConstraint(entry.constraints ?? [], agent, placed, instances);
      const shape = demandKey(demand);
      let fit = misfits.get(shape);
      if (!fit) {
        fit = fitTask(demand, { resources: remaining, capabilities: offer.capabilities });
        if (!fit.fits) misfits.set(shape, fit);
      }
      if (unmet !== undefined || !fit.fits) {
        // Every reason, as fitTask gives them all; the constraint comes first, as in REASON_FUNNEL.
        reasonsByApp.set(appId, [...(unmet === undefined ? [] : [unmet]), ...(fit.fits ? [] : fit.reasons)]);
        break;
      }
      launches.push({ appId, ports: fit.ports, resources: fit.resources });
      remaining = subtractResources(remaining, fit.resources);
      misfits.clear();
      placed.push(agent);
    }
  }
  return { launches, remaining, reasonsByApp };
}

/** The first of the app's constraints the offer's agent does not meet, with the agent's value for its field. */
function unmetConstraint(
  constraints: readonly Constraint[],
  agent: AgentFacts,
  placed: readonly AgentFacts[],
  instances: number,
): ConstraintMismatch | undefined {
  if (constraints.length === 0) return undefined;
  const check = meetsConstraints(constraints, agent, placed, instances);
  if (check.ok) return undefined;
  const field = check.constraint[0] ?? '';
  const value = fieldValue(agent, field);
  const placedWithValue = value === undefined ? 0 : placed.filter((other) => fieldValue(other, field) === value).length;
  return {
    reason: 'UnfulfilledConstraint',
    constraint: [...check.constraint],
    ...(value === undefined ? {} : { value }),
    placedWithValue,
  };
}

/** What fitTask reads of a demand, as a key: equal keys fit the same offer the same way. */
function demandKey(demand: TaskDemand): string {
  const { cpus, mem, disk, portCount, requiredPorts, containerType } = demand;
  return `${cpus} ${mem} ${disk} ${portCount} ${requiredPorts?.join(',') ?? '-'} ${containerType ?? 'MESOS'}`;
}

function checkMaxInstances(maxInstances: number): void {
  if (!(Number.isInteger(maxInstances) && maxInstances >= 0)) {
    throw new PlacementInputError({ field: 'maxInstances', value: maxInstances, reason: 'must be an integer >= 0' });
  }
}

/** Each entry as it is read (`seen`: the app ids read before it). */
function checkEntry({ appId, count, instances }: QueuedLaunch, seen: Set<string>): void {
  if (seen.has(appId)) throw new PlacementInputError({ field: 'queue[].appId', value: appId, reason: 'queued twice' });
  seen.add(appId);
  if (!(Number.isInteger(count) && count >= 0)) {
    throw new PlacementInputError({ field: `count of ${appId}`, value: count, reason: 'must be an integer >= 0' });
  }
  if (instances !== undefined && !(Number.isInteger(instances) && instances >= 0)) {
    throw new PlacementInputError({
      field: `instances of ${appId}`,
      value: instances,
      reason: 'must be an integer >= 0',
    });
  }
}
