import type { HealthCheckSpec, LaunchTask, ReadinessCheckSpec } from '../protocol/agent-protocol';
import type { TaskSpec } from './task-executor';

/**
 * A TaskSpec with the task's checks. The process executor checkpoints the spec it is given whole
 * (`task.json`), so the checks are there again when a restarted agent adopts the task
 * (checksOfSpec). Absent when the task has none, so such a checkpoint is as before.
 */
export interface CheckedTaskSpec extends TaskSpec {
  healthChecks?: HealthCheckSpec[];
  readinessChecks?: ReadinessCheckSpec[];
}

/** A launch command's task → the executor's TaskSpec; `host` defaults to the agent's hostname. */
export function taskSpecOf(task: LaunchTask, agentHostname: string): CheckedTaskSpec {
  return {
    taskId: task.taskId,
    appId: task.appId,
    appVersion: task.appVersion,
    command: task.command.shell
      ? { shell: true, value: task.command.value }
      : { shell: false, args: [...task.command.args] },
    env: { ...task.env },
    ports: [...task.ports],
    ...(task.portNames === undefined ? {} : { portNames: task.portNames.map((name) => name ?? undefined) }),
    ...(task.requestedPorts === undefined ? {} : { requestedPorts: [...task.requestedPorts] }),
    host: task.host ?? agentHostname,
    ...(task.killGracePeriodSeconds === undefined ? {} : { killGracePeriodSeconds: task.killGracePeriodSeconds }),
    ...(task.healthChecks.length === 0 ? {} : { healthChecks: task.healthChecks.map((check) => ({ ...check })) }),
    ...(task.readinessChecks.length === 0
      ? {}
      : { readinessChecks: task.readinessChecks.map((check) => ({ ...check })) }),
    ...(task.fetch.length === 0 ? {} : { fetch: task.fetch.map((artifact) => ({ ...artifact })) }),
  };
}
