import type { ClusterState, TaskRecord } from '@cairn/domain';
import type { AppDefinition } from '@cairn/events';
import { taskInfo, tasksByApp } from './task.view';

const STAGED = new Set(['TASK_STAGING', 'TASK_STARTING']);

/**
 * Marathon's AppInfo: the stored definition plus the counts, tasks, deployments and last task
 * failure that Marathon always embeds. Health checks are not run yet: healthy/unhealthy are 0.
 */
export function appInfo(
  app: AppDefinition,
  state: ClusterState,
  tasks?: readonly TaskRecord[],
): Record<string, unknown> {
  const own = tasks ?? tasksByApp(state).get(app.id) ?? [];
  const failure = state.lastTaskFailure.get(app.id);
  return {
    ...app,
    tasksStaged: own.filter((t) => STAGED.has(t.state)).length,
    tasksRunning: own.filter((t) => t.state === 'TASK_RUNNING').length,
    tasksHealthy: 0,
    tasksUnhealthy: 0,
    deployments: [],
    tasks: own.map(taskInfo),
    ...(failure ? { lastTaskFailure: failure } : {}),
  };
}

/** Every app's info, grouping the tasks once (not once per app). */
export function appInfos(apps: readonly AppDefinition[], state: ClusterState): Record<string, unknown>[] {
  const grouped = tasksByApp(state);
  return apps.map((app) => appInfo(app, state, grouped.get(app.id) ?? []));
}
