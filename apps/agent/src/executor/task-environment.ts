import { marathonEnvironment } from './marathon-environment';
import type { TaskSpec } from './task-spec';

/**
 * The agent's environment as a task inherits it: as a Mesos executor inherits the agent's, minus
 * every CAIRN_* variable, so that the agent token (CAIRN_AGENT_TOKEN) and the agent's own settings
 * never reach a task.
 */
export function inheritedEnvironment(agentEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(agentEnv)) {
    if (value !== undefined && !name.startsWith('CAIRN_')) env[name] = value;
  }
  return env;
}

/** What the task process sees: the inherited environment under Marathon's (which wins). */
export function taskEnvironment(
  inherited: Record<string, string>,
  spec: TaskSpec,
  sandboxDir: string,
): Record<string, string> {
  return { ...inherited, ...marathonEnvironment(spec, { sandboxDir }) };
}
