import { causedBy, CommandRejected, draft, EventDraft } from '../command';
import type { ClusterState, TaskRecord } from '../state';
import type { ReportTaskStatus } from './task.commands';
import { failureBackoff } from './backoff';

/**
 * A health or readiness transition from the agent that runs the checks. Only transitions reach
 * the log. A check that reaches its maxConsecutiveFailures (0 = never) after the grace period
 * gets its task killed and replaced, and, as in Marathon, the kill counts toward the app's
 * backoff (notes §5.7).
 */
export function decideCheckReport(command: ReportTaskStatus, task: TaskRecord, state: ClusterState): EventDraft[] {
  const events: EventDraft[] = [];
  const { health, readiness } = command;
  if (health) {
    const check = task.healthChecks[health.checkIndex];
    if (!check) {
      throw new CommandRejected(
        'invalid',
        `task '${task.taskId}' has no health check ${health.checkIndex} (it runs ${task.healthChecks.length})`,
      );
    }
    // A restarted agent runs its checks afresh and repeats a verdict the log already holds: no change.
    const known = task.health[health.checkIndex];
    const repeated =
      known !== null && known.alive === health.alive && known.consecutiveFailures === health.consecutiveFailures;
    const changed = draft(
      'TaskHealthChanged',
      { taskId: task.taskId, appId: task.appId, ...health, updateId: command.updateId },
      task.launchedBy,
    );
    if (!repeated) events.push(changed);
    const failed =
      !health.alive && check.maxConsecutiveFailures > 0 && health.consecutiveFailures >= check.maxConsecutiveFailures;
    if (failed && !task.killRequested) {
      const cause = health.lastFailureCause ?? 'no cause given';
      const because = repeated ? task.launchedBy : { draft: changed };
      events.push(
        draft(
          'TaskKillRequested',
          {
            taskId: task.taskId,
            agentId: task.agentId,
            reason: `health check ${health.checkIndex} (${check.protocol}) failed ${health.consecutiveFailures} times in a row: ${cause}`,
          },
          because,
        ),
        ...failureBackoff(task, state, command.meta.now).map((d) => causedBy(d, because)),
      );
    }
  }
  if (readiness && readiness.ready !== task.ready) {
    const updateId = health ? null : command.updateId;
    events.push(
      draft(
        'TaskReadinessChanged',
        { taskId: task.taskId, appId: task.appId, ...readiness, updateId },
        task.launchedBy,
      ),
    );
  }
  return events;
}
