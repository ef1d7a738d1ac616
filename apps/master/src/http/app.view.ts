import { isHealthy, isUnhealthy, lockingDeployments, type ClusterState, type TaskRecord } from '@cairn/domain';
import type { AppDefinition } from '@cairn/events';
import { taskInfo, tasksByApp } from './task.view';

const STAGED = new Set(['TASK_STAGING', 'TASK_STARTING']);

/**
 * Marathon's AppInfo: the stored definition plus the counts, tasks, deployments and last task
 * failure that Marathon always embeds. `deploymentIds` overrides the deployments read from the
 * state (a write answers with its own, which a later write may already have finished).
 */
export function appInfo(
  app: AppDefinition,
  state: ClusterState,
  tasks?: readonly TaskRecord[],
  deploymentIds?: readonly string[],
): Record<string, unknown> {
  const own = tasks ?? tasksByApp(state).get(app.id) ?? [];
  const failure = state.lastTaskFailure.get(app.id);
  const deployments = deploymentIds ?? lockingDeployments(state, [app.id]).map((d) => d.deploymentId);
  const withChecks = own.filter((t) => t.healthChecks.length > 0);
  return {
    ...app,
    tasksStaged: own.filter((t) => STAGED.has(t.state)).length,
    tasksRunning: own.filter((t) => t.state === 'TASK_RUNNING').length,
    tasksHealthy: withChecks.filter(isHealthy).length,
    tasksUnhealthy: withChecks.filter(isUnhealthy).length,
    deployments: deployments.map((id) => ({ id })),
    tasks: own.map(taskInfo),
    ...(failure ? { lastTaskFailure: failure } : {}),
  };
}

/** Every app's info, grouping the tasks once (not once per app). */
export function appInfos(apps: readonly AppDefinition[], state: ClusterState): Record<string, unknown>[] {
  const grouped = tasksByApp(state);
  return apps.map((app) => appInfo(app, state, grouped.get(app.id) ?? []));
}
