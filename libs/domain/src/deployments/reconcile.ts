import type { AppDefinition } from '@cairn/events';
import { inMaintenance, type AgentRecord, type TaskRecord } from '../state';
import { selectScaleDownVictims } from '../apps/kill-selection';
import type { DeploymentAction } from './plan';
import { isHealthy, isHealthyAndReady } from './task-health';

/**
 * What one deployment action wants now (Nomad's reconcile buckets): how many tasks of the app's
 * current version to launch, which tasks to kill, whether the action is done, and what it waits
 * for. Level-triggered and pure: computed afresh from the folded state on every tick, so a new
 * leader or a restarted master carries on from the log without any memory of earlier passes.
 */
export interface AppBuckets {
  readonly launch: number;
  readonly kill: readonly TaskRecord[];
  readonly done: boolean;
  /** In words, for /v2/deployments and /v1: null when done. */
  readonly waitingFor: string | null;
}

/** `tasks`: the app's non-terminal tasks (any state, being killed or not). */
export function reconcileAction(
  action: DeploymentAction,
  app: AppDefinition | undefined,
  tasks: readonly TaskRecord[],
  agents: ReadonlyMap<string, AgentRecord> = new Map(),
): AppBuckets {
  switch (action.action) {
    case 'StartApplication':
      return { launch: 0, kill: [], done: true, waitingFor: null };
    case 'StopApplication':
      return stop(tasks);
    case 'ScaleApplication':
      return app ? scale(app, tasks, agents) : stop(tasks);
    case 'RestartApplication':
      return app ? restart(app, tasks, agents) : stop(tasks);
    default: {
      const _exhaustive: never = action.action;
      return _exhaustive;
    }
  }
}

function stop(tasks: readonly TaskRecord[]): AppBuckets {
  const live = tasks.filter((t) => !t.killRequested);
  const done = tasks.length === 0;
  return { launch: 0, kill: live, done, waitingFor: done ? null : `${tasks.length} tasks to end` };
}

/** ScaleApplication: reach `instances` tasks, all healthy and ready (surplus killed in Marathon's order). */
function scale(app: AppDefinition, tasks: readonly TaskRecord[], agents: ReadonlyMap<string, AgentRecord>): AppBuckets {
  const n = app.instances;
  const live = tasks.filter((t) => !t.killRequested);
  const kill = selectScaleDownVictims(app, live, live.length - n, agents);
  const launch = Math.max(0, n - live.length);
  const ready = live.filter(isHealthyAndReady).length;
  const done = tasks.length === n && ready === n;
  return { launch, kill, done, waitingFor: done ? null : progress(n, ready, tasks.length - live.length) };
}

/** The bounds of a rolling restart (notes §5.4), computed without Marathon's floating-point drift. */
export function restartBounds(app: AppDefinition): { minHealthy: number; maxCapacity: number; capacity: number } {
  const n = app.instances;
  const { minimumHealthCapacity, maximumOverCapacity } = app.upgradeStrategy;
  // 10 × 0.6 is 6.000000000000001 in doubles: Marathon's ceil makes it 7. Round to 1e-9 first.
  const minHealthy = Math.ceil(roundNine(n * minimumHealthCapacity));
  const maxCapacity = Math.floor(roundNine(n * (1 + maximumOverCapacity)));
  // Marathon's special case (e.g. 1/0): one temporary extra instance, or nothing could move.
  const capacity = minHealthy === maxCapacity ? maxCapacity + 1 : maxCapacity;
  return { minHealthy, maxCapacity, capacity };
}

/**
 * RestartApplication: replace every task of an older config version, or on an agent in
 * maintenance (an agent drain is a restart of the tasks there), by one of the current version
 * elsewhere without dropping below `minHealthy` healthy tasks and without ever running more than
 * `capacity` tasks (counting those still being killed). Old tasks that are not healthy are
 * killed at once (they add no health, and Marathon waiting on them is how its restarts
 * deadlocked, notes §8); healthy old ones only while the healthy count stays above minHealthy,
 * so each new task that becomes healthy and ready pays for one more old kill. Done when exactly
 * `instances` tasks remain, all new, healthy and ready.
 */
function restart(
  app: AppDefinition,
  tasks: readonly TaskRecord[],
  agents: ReadonlyMap<string, AgentRecord>,
): AppBuckets {
  const n = app.instances;
  const { minHealthy, capacity } = restartBounds(app);
  const current = app.versionInfo.lastConfigChangeAt;
  const isNew = (t: TaskRecord) => t.appVersion >= current && !inMaintenance(agents.get(t.agentId));
  const live = tasks.filter((t) => !t.killRequested);
  const oldLive = live.filter((t) => !isNew(t));
  const newLive = live.filter(isNew);
  const oldHealthy = oldLive.filter(isHealthy);
  const newReady = newLive.filter(isHealthyAndReady);

  const kill: TaskRecord[] = oldLive.filter((t) => !isHealthy(t));
  const healthyKills = Math.min(oldHealthy.length, oldHealthy.length + newReady.length - minHealthy);
  kill.push(...selectScaleDownVictims({ killSelection: 'OLDEST_FIRST' }, oldHealthy, healthyKills));
  // A surplus of new tasks (a forced deployment left too many) goes too, in Marathon's order.
  kill.push(...selectScaleDownVictims(app, newLive, newLive.length - n));

  const launch = Math.max(0, Math.min(n - newLive.length, capacity - tasks.length));
  const done = tasks.length === n && newReady.length === n;
  if (done) return { launch: 0, kill: [], done, waitingFor: null };
  const old = tasks.length - newLive.length;
  return {
    launch,
    kill,
    done,
    waitingFor: `${newReady.length} of ${n} new tasks healthy and ready, ${old} old tasks left`,
  };
}

function progress(n: number, ready: number, dying: number): string {
  return `${ready} of ${n} tasks healthy and ready` + (dying > 0 ? `, ${dying} being killed` : '');
}

function roundNine(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
