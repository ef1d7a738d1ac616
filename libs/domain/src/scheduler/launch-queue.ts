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

/** Tasks that count towards an app's instances: not terminal, not being killed. */
export function activeTaskCount(state: ClusterState, appId: string): number {
  let n = 0;
  for (const task of state.tasks.values()) if (task.appId === appId && !task.killRequested) n++;
  return n;
}

/**
 * The launch queue, derived from the state (never stored): every app with fewer active tasks than
 * instances, in app id order (deterministic).
 */
export function launchQueue(state: ClusterState, now: number): QueuedApp[] {
  const active = new Map<string, number>();
  for (const task of state.tasks.values()) {
    if (!task.killRequested) active.set(task.appId, (active.get(task.appId) ?? 0) + 1);
  }
  const queue: QueuedApp[] = [];
  for (const app of [...state.apps.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const count = app.instances - (active.get(app.id) ?? 0);
    if (count <= 0) continue;
    const delay = state.launchDelays.get(app.id);
    queue.push({ app, demand: taskDemand(app), count, delayedUntilMs: delay && delay.untilMs > now ? delay.untilMs : null });
  }
  return queue;
}

export function taskDemand(app: AppDefinition): TaskDemand {
  const container = app.container as { type?: string } | undefined;
  const requiredPorts = app.requirePorts ? app.portDefinitions.map((p) => p.port).filter((p) => p > 0) : undefined;
  return {
    cpus: app.cpus,
    mem: app.mem,
    disk: app.disk,
    portCount: app.portDefinitions.length,
    requiredPorts: requiredPorts && requiredPorts.length ? requiredPorts : undefined,
    containerType: container?.type === 'DOCKER' ? 'DOCKER' : 'MESOS',
  };
}
