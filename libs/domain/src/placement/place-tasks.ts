import { normalizeResources, Resources, subtractResources } from '../resources';
import { fitTask } from './fit-task';
import { NoMatchReason } from './no-match-reason';
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
 * reasons, since this offer was never judged for them).
 */
export function placeTasks(
  queue: readonly QueuedLaunch[],
  offer: PlacementOffer,
  options: { maxInstances?: number } = {},
): OfferPlacement {
  const maxInstances = options.maxInstances ?? MAX_INSTANCES_PER_OFFER;
  checkQueue(queue, maxInstances);
  const launches: TaskLaunch[] = [];
  const reasonsByApp = new Map<string, NoMatchReason[]>();
  let remaining = normalizeResources(offer.resources);

  for (const { appId, demand, count } of queue) {
    for (let placed = 0; placed < count; placed++) {
      if (launches.length >= maxInstances) return { launches, remaining, reasonsByApp };
      const fit = fitTask(demand, { resources: remaining, capabilities: offer.capabilities });
      if (!fit.fits) {
        reasonsByApp.set(appId, fit.reasons);
        break;
      }
      launches.push({ appId, ports: fit.ports, resources: fit.resources });
      remaining = subtractResources(remaining, fit.resources);
    }
  }
  return { launches, remaining, reasonsByApp };
}

function checkQueue(queue: readonly QueuedLaunch[], maxInstances: number): void {
  if (!(Number.isInteger(maxInstances) && maxInstances >= 0)) {
    throw new PlacementInputError({ field: 'maxInstances', value: maxInstances, reason: 'must be an integer >= 0' });
  }
  const seen = new Set<string>();
  for (const { appId, count } of queue) {
    if (seen.has(appId))
      throw new PlacementInputError({ field: 'queue[].appId', value: appId, reason: 'queued twice' });
    seen.add(appId);
    if (!(Number.isInteger(count) && count >= 0)) {
      throw new PlacementInputError({ field: `count of ${appId}`, value: count, reason: 'must be an integer >= 0' });
    }
  }
}
