import type { LaunchTask } from '../protocol/agent-protocol';
import type { TaskSpec } from './task-executor';

/** A launch command's task → the executor's TaskSpec; `host` defaults to the agent's hostname. */
export function taskSpecOf(task: LaunchTask, agentHostname: string): TaskSpec {
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
  };
}
