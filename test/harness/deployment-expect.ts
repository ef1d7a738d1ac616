import { endsTask } from '@cairn/domain';
import type { TaskState } from '@cairn/events';
import type { Json } from './http-client';
import type { EventView, MasterApi } from './task-expect';
import { allEvents, appTasks } from './task-expect';
import { waitFor } from './wait-for';

/** What ends a task as the master counts it (Mesos's terminal states, and unreachable ones, replaced at once). */
const ends = (state: string) => endsTask(state as TaskState);

/** GET /v2/apps/{id}: the app as Marathon shows it, or undefined (404). */
export async function getApp(master: MasterApi, appId: string): Promise<Json | undefined> {
  const res = await master.http.get<{ app: Json }>(`/v2/apps${appId}`);
  return res.status === 200 ? res.body.app : undefined;
}

/**
 * Waits until no deployment touches the app and it runs `count` tasks, all TASK_RUNNING, healthy
 * (when it has checks) and of its current config version.
 */
export async function waitForSettled(
  master: MasterApi,
  appId: string,
  count: number,
  options: { timeoutMs?: number; healthy?: boolean; onTimeout?: () => string } = {},
): Promise<Json> {
  return waitFor(
    async () => {
      const app = await getApp(master, appId);
      if (!app || (app.deployments as Json[]).length > 0) return undefined;
      const tasks = await appTasks(master, appId);
      const current = app.versionInfo.lastConfigChangeAt as string;
      const ok =
        tasks.length === count &&
        tasks.every((t) => t.state === 'TASK_RUNNING' && t.version >= current) &&
        (!options.healthy || app.tasksHealthy === count);
      return ok ? app : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 60_000,
      intervalMs: 200,
      describe: `${appId} settled on ${count} running task(s) of its current version, no deployment`,
      onTimeout: async () => {
        const app = await getApp(master, appId).catch(() => undefined);
        const deployments = await master.http.get('/v1/deployments').catch(() => undefined);
        return [
          `app: ${JSON.stringify(app && { ...app, tasks: undefined })}`,
          `tasks: ${JSON.stringify(await appTasks(master, appId).catch((e: Error) => e.message))}`,
          `deployments: ${JSON.stringify(deployments?.body)}`,
          options.onTimeout?.() ?? '',
          master.describeLogs?.() ?? '',
        ].join('\n');
      },
    },
  );
}

export interface RollingRestartFold {
  /** Fewest healthy tasks right after a deployment's kill. */
  readonly minHealthyAfterKill: number;
  /** Most non-terminal tasks right after a launch. */
  readonly maxNonTerminalAfterLaunch: number;
  /** Launches per version. */
  readonly launchesByVersion: ReadonlyMap<string, number>;
  readonly deploymentKills: number;
}

/**
 * Folds the log's decisions about one app from `fromOffset` on, the way a reader of the topic
 * would: which tasks run, which are healthy (TaskHealthChanged of its one check), and what the
 * count was at each launch and each deployment kill.
 */
export async function foldRollingRestart(
  master: MasterApi,
  appId: string,
  fromOffset: number,
): Promise<RollingRestartFold> {
  const events = (await allEvents(master)).filter((e) => e.offset >= fromOffset);
  const before = (await allEvents(master)).filter((e) => e.offset < fromOffset);
  const tasks = new Map<string, { healthy: boolean; killed: boolean }>();
  // The tasks already running when the fold starts (all healthy: the caller waited for it).
  for (const e of before) applyTo(tasks, e, appId);
  let minHealthyAfterKill = Infinity;
  let maxNonTerminalAfterLaunch = 0;
  let deploymentKills = 0;
  const launchesByVersion = new Map<string, number>();
  for (const e of events) {
    applyTo(tasks, e, appId);
    if (e.type === 'TaskLaunched' && e.data.appId === appId) {
      const v = e.data.appVersion as string;
      launchesByVersion.set(v, (launchesByVersion.get(v) ?? 0) + 1);
      maxNonTerminalAfterLaunch = Math.max(maxNonTerminalAfterLaunch, tasks.size);
    }
    if (e.type === 'TaskKillRequested' && tasks.has(e.data.taskId) && String(e.data.reason).startsWith('deployment')) {
      deploymentKills++;
      const healthy = [...tasks.values()].filter((t) => t.healthy && !t.killed).length;
      minHealthyAfterKill = Math.min(minHealthyAfterKill, healthy);
    }
  }
  return { minHealthyAfterKill, maxNonTerminalAfterLaunch, launchesByVersion, deploymentKills };
}

function applyTo(tasks: Map<string, { healthy: boolean; killed: boolean }>, e: EventView, appId: string): void {
  const data = e.data as Json;
  switch (e.type) {
    case 'TaskLaunched':
      if (data.appId === appId) tasks.set(data.taskId, { healthy: false, killed: false });
      return;
    case 'TaskHealthChanged': {
      const task = tasks.get(data.taskId);
      if (task) task.healthy = data.alive;
      return;
    }
    case 'TaskKillRequested': {
      const task = tasks.get(data.taskId);
      if (task) task.killed = true;
      return;
    }
    case 'TaskStatusUpdated':
      if (ends(data.state)) tasks.delete(data.taskId);
      return;
    default:
      return;
  }
}

/**
 * Waits until no deployment is in progress: a deployment finishes on the tick after its tasks
 * run, which writes events; a test that compares end offsets starts after that.
 */
export async function waitForNoDeployment(master: MasterApi, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => ((await master.http.get<Json[]>('/v2/deployments')).body.length === 0 ? true : undefined), {
    timeoutMs,
    intervalMs: 50,
    describe: 'no deployment in progress',
  });
}
