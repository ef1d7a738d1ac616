import type { StatusUpdateBody } from '../status/status-update-queue';
import type { TaskExit } from './task-executor';

/** Mesos `TaskStatus.Reason` names the agent uses. */
export const Reason = {
  /** The command exited non-zero or died of a signal nobody asked for. */
  CommandFailed: 'REASON_COMMAND_EXECUTOR_FAILED',
  /** The wrapper ended without recording an exit status. */
  ExecutorTerminated: 'REASON_EXECUTOR_TERMINATED',
  /** The task's container could not be set up: Mesos's reason for a fetch that failed (uri in the message). */
  ContainerLaunchFailed: 'REASON_CONTAINER_LAUNCH_FAILED',
  /** The launch was refused before anything ran (bad task id, empty command, a check that cannot run). */
  TaskInvalid: 'REASON_TASK_INVALID',
  /** A TASK_RUNNING update carrying a health check transition (`health`), as Mesos sends them. */
  HealthCheckStatusUpdated: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
  /** A TASK_RUNNING update carrying a readiness check result (`readiness`): Mesos's name for check updates. */
  CheckStatusUpdated: 'REASON_TASK_CHECK_STATUS_UPDATED',
} as const;

/**
 * How a task's end is reported, as Mesos's command executor does: a kill that was asked for is
 * TASK_KILLED whatever the exit code; otherwise exit 0 is TASK_FINISHED and anything else
 * TASK_FAILED with the code; a task that vanished without a status is TASK_FAILED without one.
 */
export function statusForExit(exit: TaskExit, killRequested: boolean, at: string): StatusUpdateBody {
  const base = { taskId: exit.taskId, pid: null, at };
  if (exit.kind === 'lost') {
    return killRequested
      ? { ...base, state: 'TASK_KILLED', reason: null, message: `killed (${exit.reason})`, exitCode: null }
      : { ...base, state: 'TASK_FAILED', reason: Reason.ExecutorTerminated, message: exit.reason, exitCode: null };
  }
  const how = exit.kind === 'signaled' ? `killed by ${exit.signal}` : `exited with status ${exit.exitCode}`;
  if (killRequested) return { ...base, state: 'TASK_KILLED', reason: null, message: how, exitCode: exit.exitCode };
  if (exit.kind === 'exited' && exit.exitCode === 0) {
    return { ...base, state: 'TASK_FINISHED', reason: null, message: how, exitCode: 0 };
  }
  return { ...base, state: 'TASK_FAILED', reason: Reason.CommandFailed, message: how, exitCode: exit.exitCode };
}
