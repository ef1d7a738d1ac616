import type { ClusterState, TaskRecord } from '@cairn/domain';

/**
 * Marathon's task JSON (`/v2/tasks`, `/v2/apps/{id}/tasks`, embedded in apps), with exactly the
 * fields marathon-python's MarathonTask accepts (notes §9). `servicePorts` are the ports of its
 * app's portDefinitions (what load balancers pair with `ports`); `healthCheckResults` is always
 * present, empty until a check reported.
 */
export function taskInfo(task: TaskRecord, state: ClusterState): Record<string, unknown> {
  const app = state.apps.get(task.appId);
  return {
    id: task.taskId,
    appId: task.appId,
    host: task.host,
    ports: task.ports,
    servicePorts: app ? app.portDefinitions.map((p) => p.port) : [],
    slaveId: task.agentId,
    stagedAt: task.stagedAt,
    startedAt: task.startedAt ?? undefined,
    state: task.state,
    version: task.appVersion,
    ipAddresses: [],
    healthCheckResults: healthCheckResults(task),
  };
}

/** Marathon's healthCheckResults: one per check that has reported, as of its last transition. */
function healthCheckResults(task: TaskRecord): Record<string, unknown>[] {
  return task.health.flatMap((result) =>
    result === null
      ? []
      : [
          {
            instanceId: task.taskId,
            taskId: task.taskId,
            alive: result.alive,
            consecutiveFailures: result.consecutiveFailures,
            firstSuccess: result.firstSuccess,
            lastSuccess: result.lastSuccess,
            lastFailure: result.lastFailure,
            lastFailureCause: result.lastFailureCause,
          },
        ],
  );
}

export function tasksByApp(state: ClusterState): Map<string, TaskRecord[]> {
  const grouped = new Map<string, TaskRecord[]>();
  for (const task of allTasks(state)) {
    const list = grouped.get(task.appId);
    if (list) list.push(task);
    else grouped.set(task.appId, [task]);
  }
  return grouped;
}

/** One app's tasks in Marathon's order, from the task table's per-app index (no walk of every task). */
export function tasksOfApp(state: ClusterState, appId: string): TaskRecord[] {
  return [...state.tasks.ofApp(appId)].sort(byStagedAt);
}

export function allTasks(state: ClusterState): TaskRecord[] {
  return [...state.tasks.values()].sort(byStagedAt);
}

/** Marathon's task order: staged time, then id. */
export function byStagedAt(a: TaskRecord, b: TaskRecord): number {
  return a.stagedAt === b.stagedAt ? (a.taskId < b.taskId ? -1 : 1) : a.stagedAt < b.stagedAt ? -1 : 1;
}
