import type { CairnEvent } from '@cairn/events';
import { causedBy, CommandRejected, draft, EventDraft } from '../command';
import { appliedUpdateIdsBound, ClusterState, Ownership, TaskRecord } from '../state';
import { failureBackoff } from './backoff';
import type { ReportTaskStatus } from './task.commands';
import { decideCheckReport } from './check-report.decider';
import { endsTask } from './task-states';

/**
 * A status update from an agent. A duplicate (same update id) changes nothing; an update for a
 * task the log does not place on that agent is refused. A terminal state the master did not ask
 * for is a failure: the app's next launch is delayed (backoff).
 */
export function decideTaskStatus(command: ReportTaskStatus, state: ClusterState): EventDraft[] {
  if (state.appliedUpdateIds.has(command.updateId)) return [];
  const task = state.tasks.get(command.taskId);
  if (!task || task.agentId !== command.agentId) {
    throw new CommandRejected('conflict', `task '${command.taskId}' is not known on agent '${command.agentId}'`);
  }
  if (command.health || command.readiness) return decideCheckReport(command, task, state);
  // What an agent says of a task belongs to the chain that launched it.
  const status = draft(
    'TaskStatusUpdated',
    {
      taskId: command.taskId,
      agentId: command.agentId,
      state: command.state,
      updateId: command.updateId,
      reason: command.reason,
      message: command.message,
      exitCode: command.exitCode,
    },
    task.launchedBy,
  );
  if (!endsTask(command.state) || task.killRequested) return [status];
  return [status, ...failureBackoff(task, state, command.meta.now).map((d) => causedBy(d, { draft: status }))];
}

export function evolveTask(state: ClusterState, event: CairnEvent, ownership: Ownership = 'shared'): void {
  switch (event.type) {
    case 'TaskLaunched': {
      state.tasksLaunched++;
      const data = event.data;
      // Every member named, not `{ ...data, state, … }`: V8 gives each object made by a spread
      // plus new members a hidden class of its own, and 200,000 tasks with 200,000 classes cost
      // memory and make every read of a task a slow lookup (see ARCHITECTURE.md, "Record shapes").
      state.tasks.set(data.taskId, {
        taskId: data.taskId,
        appId: data.appId,
        appVersion: data.appVersion,
        agentId: data.agentId,
        host: data.host,
        offerId: data.offerId,
        resources: data.resources,
        ports: data.ports,
        portNames: data.portNames,
        command: data.command,
        env: data.env,
        killGracePeriodSeconds: data.killGracePeriodSeconds,
        healthChecks: data.healthChecks,
        readinessChecks: data.readinessChecks,
        fetch: data.fetch,
        state: 'TASK_STAGING',
        stagedAt: event.at,
        startedAt: null,
        killRequested: false,
        health: event.data.healthChecks.map(() => null),
        ready: event.data.readinessChecks.length === 0,
        launchedBy: { eventId: event.id, correlationId: event.correlationId },
        unreachable: null,
      });
      return;
    }
    case 'TaskUnreachable': {
      const task = state.tasks.get(event.data.taskId);
      if (!task) return;
      const unreachable = {
        since: event.at,
        inactiveAfterSeconds: event.data.inactiveAfterSeconds,
        expungeAfterSeconds: event.data.expungeAfterSeconds,
        inactive: false,
        by: { eventId: event.id, correlationId: event.correlationId },
      };
      state.tasks.set(task.taskId, { ...task, state: 'TASK_UNREACHABLE', unreachable });
      return;
    }
    case 'TaskUnreachableInactive': {
      const task = state.tasks.get(event.data.taskId);
      if (!task?.unreachable) return;
      state.tasks.set(task.taskId, { ...task, unreachable: { ...task.unreachable, inactive: true } });
      return;
    }
    case 'TaskHealthChanged':
    case 'TaskReadinessChanged':
      return applyCheckReport(state, event, ownership);
    case 'TaskStatusUpdated':
      return applyStatus(state, event.data, event.at, ownership);
    case 'TaskKillRequested': {
      const task = state.tasks.get(event.data.taskId);
      if (!task) return;
      if (ownership === 'owned')
        state.tasks.mutate(task.taskId, (t) => ((t as Mutable<TaskRecord>).killRequested = true));
      else state.tasks.set(task.taskId, { ...task, killRequested: true });
      return;
    }
    case 'LaunchDelayed':
      state.launchDelays.set(event.data.appId, {
        failures: event.data.failures,
        untilMs: Date.parse(event.data.until),
      });
      return;
    case 'LaunchDelayReset':
      state.launchDelays.delete(event.data.appId);
      return;
    default:
      return;
  }
}

function applyStatus(
  state: ClusterState,
  data: Extract<CairnEvent, { type: 'TaskStatusUpdated' }>['data'],
  at: string,
  ownership: Ownership,
): void {
  if (data.updateId !== null) rememberUpdateId(state, data.updateId);
  const task = state.tasks.get(data.taskId);
  if (!task) return;
  if (endsTask(data.state)) {
    state.tasks.delete(data.taskId);
    if (!task.killRequested) {
      state.lastTaskFailure.set(task.appId, {
        appId: task.appId,
        taskId: task.taskId,
        host: task.host,
        slaveId: task.agentId,
        state: data.state,
        message: data.message ?? (data.exitCode !== null ? `exited with code ${data.exitCode}` : data.state),
        timestamp: at,
        version: task.appVersion,
      });
    }
    return;
  }
  const startedAt = data.state === 'TASK_RUNNING' && task.startedAt === null ? at : task.startedAt;
  // A word about the task from its agent: it is reachable again (adopted back, if it was unreachable).
  if (ownership === 'owned') {
    state.tasks.mutate(data.taskId, (t) => {
      const owned = t as Mutable<TaskRecord>;
      owned.state = data.state;
      owned.startedAt = startedAt;
      owned.unreachable = null;
    });
    return;
  }
  state.tasks.set(data.taskId, { ...task, state: data.state, startedAt, unreachable: null });
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function applyCheckReport(
  state: ClusterState,
  event: Extract<CairnEvent, { type: 'TaskHealthChanged' | 'TaskReadinessChanged' }>,
  ownership: Ownership,
): void {
  if (event.data.updateId !== null) rememberUpdateId(state, event.data.updateId);
  const task = state.tasks.get(event.data.taskId);
  if (!task) return;
  const next = ownership === 'owned' ? (task as Mutable<TaskRecord>) : { ...task };
  if (event.type === 'TaskReadinessChanged') {
    next.ready = event.data.ready;
  } else {
    const { checkIndex, alive, consecutiveFailures, firstSuccess, lastSuccess, lastFailure, lastFailureCause } =
      event.data;
    const health = [...task.health];
    health[checkIndex] = { alive, consecutiveFailures, firstSuccess, lastSuccess, lastFailure, lastFailureCause };
    next.health = health;
  }
  // In place (owned) is allowed here: health and readiness are not indexed by the task table.
  state.tasks.set(task.taskId, next);
}

export function rememberUpdateId(state: ClusterState, updateId: string): void {
  state.appliedUpdateIds.add(updateId);
  const bound = appliedUpdateIdsBound(state);
  // Oldest first; more than one when the bound shrank with the tasks.
  while (state.appliedUpdateIds.size > bound) {
    const oldest = state.appliedUpdateIds.values().next().value as string;
    state.appliedUpdateIds.delete(oldest);
  }
}
