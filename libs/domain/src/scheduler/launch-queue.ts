import type { AppDefinition } from '@cairn/events';
import type { TaskDemand } from '../placement';
import type { ClusterState } from '../state';

/** One app's unmet demand: `count` more tasks wanted now. */
export interface QueuedApp {
  readonly app: AppDefinition;
  readonly demand: TaskDemand;
  readonly count: number;
  /** Backoff: no launch before this time (ms), or null. */
  readonly delayedUntilMs: number | null;
}

/** Tasks that count towards an app's instances: not terminal, not being killed, not inactive. */
export function activeTaskCount(state: ClusterState, appId: string): number {
  return state.tasks.activeCount(appId);
}

/**
 * The launch queue, derived from the state (never stored), in app id order (deterministic): every
 * app with fewer active tasks than instances, except that an app a deployment is working on wants
 * what the deployment's reconciler says (`deploymentLaunches`, see deployments/reconcile.ts) and
 * nothing else, so the two rules never fight.
 */
export function launchQueue(
  state: ClusterState,
  now: number,
  deploymentLaunches: ReadonlyMap<string, number> = new Map(),
): QueuedApp[] {
  // Sorted once they are few: only apps that want launches.
  return launchQueueInAnyOrder(state, now, deploymentLaunches).sort((a, b) => (a.app.id < b.app.id ? -1 : 1));
}

/**
 * The launch queue in no particular order, for a caller that orders it itself (the allocation
 * pass sorts it by active tasks, then id): a burst's tick would otherwise sort 10,000 apps twice.
 */
export function launchQueueInAnyOrder(
  state: ClusterState,
  now: number,
  deploymentLaunches: ReadonlyMap<string, number> = new Map(),
): QueuedApp[] {
  const queue: QueuedApp[] = [];
  // The candidates come from the tables' indexes: the apps short of instances, and those a
  // deployment works on. The queue reads no task, and only the definitions of apps that want launches.
  const candidates = new Set(state.apps.shortOfInstances());
  for (const appId of deploymentLaunches.keys()) candidates.add(appId);
  for (const appId of candidates) {
    const instances = state.apps.instances().get(appId);
    if (instances === undefined) continue; // a deployment's app that is gone
    const count = deploymentLaunches.get(appId) ?? instances - state.tasks.activeCount(appId);
    if (count <= 0) continue;
    const app = state.apps.get(appId)!;
    const delay = state.launchDelays.get(app.id);
    queue.push({
      app,
      demand: taskDemand(app),
      count,
      delayedUntilMs: delay && delay.untilMs > now ? delay.untilMs : null,
    });
  }
  return queue;
}

/** What one task of the app needs: a pure function of the definition (never changed in place), so remembered per definition. */
export function taskDemand(app: AppDefinition): TaskDemand {
  let demand = TASK_DEMANDS.get(app);
  if (!demand) TASK_DEMANDS.set(app, (demand = taskDemandOf(app)));
  return demand;
}
const TASK_DEMANDS = new WeakMap<AppDefinition, TaskDemand>();

function taskDemandOf(app: AppDefinition): TaskDemand {
  const container = app.container as { type?: string } | undefined;
  // With requirePorts the declared ports are the host ports; 0 still means "any free port".
  const requiredPorts = app.requirePorts ? app.portDefinitions.map((p) => p.port) : undefined;
  return {
    cpus: app.cpus,
    mem: app.mem,
    disk: app.disk,
    portCount: app.portDefinitions.length,
    requiredPorts: requiredPorts && requiredPorts.some((p) => p > 0) ? requiredPorts : undefined,
    containerType: needsImageRuntime(app, container) ? 'DOCKER' : 'MESOS',
  };
}

/**
 * Agents advertise `MESOS` (plain processes). A DOCKER container, or any container app without
 * cmd or args (it would run its image's entrypoint), needs an image runtime no agent has yet,
 * so it waits in the queue with UnsupportedContainer.
 */
function needsImageRuntime(app: AppDefinition, container: { type?: string } | undefined): boolean {
  if (container?.type === 'DOCKER') return true;
  const hasCommand = typeof app.cmd === 'string' || (Array.isArray(app.args) && app.args.length > 0);
  return !hasCommand;
}
