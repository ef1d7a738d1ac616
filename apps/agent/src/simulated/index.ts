export { noSimulatedAgentsStats, startSimulatedAgents } from './simulated-agents';
export type { SimulatedAgents, SimulatedAgentsStats } from './simulated-agents';
export { SimulatedAgentsError } from './simulated-options';
export type { SimulatedAgentsOptions } from './simulated-options';
export { SimulatedExecutor } from './simulated-executor';
export { taskFate, FAILED_EXIT_CODE } from './task-fate';
export type { TaskFate, FateSettings } from './task-fate';
export { SimulatedChecks, SIMULATED_FAILURE_CAUSE } from './simulated-checks';
export {
  resolveSimulatedConnection,
  SIMULATED_AGENT_RESOURCES,
  SIMULATED_HOSTNAME_PREFIX,
} from './simulated-cli-options';
export type { SimulatedConnection, SimulatedConnectionFlags } from './simulated-cli-options';
export { MAX_READY_TIMEOUT_MS } from './simulated-options';
export { AgentOptionsError } from '../agent-errors';
