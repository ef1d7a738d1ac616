/**
 * `cairn agent`: the entry points the CLI (apps/cli/src/commands/agent.command.ts) wires up.
 *
 *   const options = parseAgentOptions(process.argv.slice(3), process.env); // throws AgentOptionsError (usage)
 *   const agent = await startAgent(options);
 *   process.once('SIGTERM', () => void agent.close());                    // tasks keep running
 *   process.exitCode = await agent.done;
 */
export { startAgent, AgentExitCode, KILL_ALL_GRACE_PERIOD_SECONDS } from './agent';
export type { AgentDependencies, RunningAgent } from './agent';
export {
  parseAgentOptions,
  resolveAgentOptions,
  DEFAULT_FILES_PORT,
  DEFAULT_MASTER_URL,
  TOKEN_ENV,
} from './config/agent-options';
export type { AgentFlags, AgentOptions, ResourceOverrides } from './config/agent-options';
export {
  AgentError,
  AgentOptionsError,
  AgentTokenRefusedError,
  AgentCheckpointError,
  WorkDirLockedError,
} from './agent-errors';
export type { TaskExecutor } from './tasks/task-executor';
