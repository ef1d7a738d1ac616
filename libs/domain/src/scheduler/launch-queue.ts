import type { AppDefinition } from '@cairn/events';
import type { TaskDemand } from '../placement';
import type { ClusterState } from '../state';
import type { DeploymentLaunches } from '../deployments/deployment.decider';

/** One app's unmet demand: `count` more tasks wanted now. */
export interface QueuedApp {
  readonly app: AppDefinition;
  /**
   * What a tick's allocation pass reads of every waiting app, copied here once: with 10,000 apps
   * waiting, each pass over their definitions (scattered in the heap) cost milliseconds in cache
   * misses alone, while these small records are read from memory allocated together.
   */
  readonly appId: string;
  /** The app has placement constraints (its placed instances are looked up). */
  readonly constrained: boolean;
  /** Its active tasks now (the fair order's key). */
  readonly active: number;
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
  deploymentLaunches: DeploymentLaunches = new Map(),
): QueuedApp[] {
  // Sorted once they are few: only apps that want launches.
  return launchQueueInAnyOrder(state, now, deploymentLaunches).sort((a, b) => (a.appId < b.appId ? -1 : 1));
}

/**
 * The launch queue in no particular order, for a caller that orders it itself (the allocation
 * pass sorts it by active tasks, then id): a burst's tick would otherwise sort 10,000 apps twice.
 */
export function launchQueueInAnyOrder(
  state: ClusterState,
  now: number,
  deploymentLaunches: DeploymentLaunches = new Map(),
): QueuedApp[] {
  const queue: QueuedApp[] = [];
  // The candidates come from the tables' indexes: the apps short of instances, and those a
  // deployment works on. The queue reads no task, and only the definitions of apps that want launches.
  const candidates = new Set(state.apps.shortOfInstances());
  for (const appId of deploymentLaunches.keys()) candidates.add(appId);
  for (const appId of candidates) {
    const instances = state.apps.instances().get(appId);
    if (instances === undefined) continue; // a deployment's app that is gone
    const active = state.tasks.activeCount(appId);
    const count = deploymentLaunches.get(appId) ?? instances - active;
    if (count <= 0) continue;
    const app = state.apps.get(appId)!;
    const delay = state.launchDelays.get(appId);
    const facts = queuedFacts(app);
    queue.push({
      app,
      appId,
      constrained: facts.constrained,
      active,
      demand: facts.demand,
      count,
      delayedUntilMs: delay && delay.untilMs > now ? delay.untilMs : null,
    });
  }
  return queue;
}

/** What one task of the app needs: a pure function of the definition (never changed in place), so remembered per definition. */
export function taskDemand(app: AppDefinition): TaskDemand {
  return queuedFacts(app).demand;
}

/** What the queue reads of a definition, remembered per definition: one lookup per app and tick. */
function queuedFacts(app: AppDefinition): { demand: TaskDemand; constrained: boolean } {
  let facts = QUEUED_FACTS.get(app);
  if (!facts) QUEUED_FACTS.set(app, (facts = { demand: taskDemandOf(app), constrained: app.constraints.length > 0 }));
  return facts;
}
const QUEUED_FACTS = new WeakMap<AppDefinition, { demand: TaskDemand; constrained: boolean }>();

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
