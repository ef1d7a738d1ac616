import { CommandRejected, draft, EventDraft } from '../command';
import { scaleDecision } from '../apps/app.decider';
import { withDeployment } from '../deployments/deployment.decider';
import type { AppChange } from '../deployments/plan';
import type { ClusterState, TaskRecord } from '../state';
import type { KillTasks } from './task.commands';

/** The reason a user's kill records (Marathon's kill API gives none). */
export const KILLED_ON_REQUEST = 'killed on request';

/**
 * Kills the named tasks. A task already being killed is not asked again (its kill stands). With
 * `scale`, every app that loses tasks is scaled down by as many, in one deployment.
 */
export function decideKillTasks({ taskIds, scale, force, meta }: KillTasks, state: ClusterState): EventDraft[] {
  const tasks: TaskRecord[] = [];
  for (const taskId of new Set(taskIds)) {
    const task = state.tasks.get(taskId);
    if (!task) throw new CommandRejected('not-found', `Task '${taskId}' does not exist`);
    if (!task.killRequested) tasks.push(task);
  }
  const kill = (task: TaskRecord) =>
    draft('TaskKillRequested', { taskId: task.taskId, agentId: task.agentId, reason: KILLED_ON_REQUEST });
  if (!scale) return tasks.map(kill);

  const byApp = new Map<string, TaskRecord[]>();
  for (const task of tasks) byApp.set(task.appId, [...(byApp.get(task.appId) ?? []), task]);
  const events: EventDraft[] = [];
  const changes = new Map<string, AppChange>();
  for (const [appId, killed] of [...byApp].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const app = state.apps.get(appId);
    const instances = Math.max(0, (app?.instances ?? 0) - killed.length);
    if (!app || instances === app.instances) {
      events.push(...killed.map(kill)); // the app is going, or already wants none: nothing to scale
      continue;
    }
    const decision = scaleDecision(app, instances, meta.now, killed.map(kill));
    events.push(...decision.events);
    changes.set(appId, decision.change!);
  }
  if (changes.size === 0) return events;
  return withDeployment(state, meta, changes, force, events);
}
