export { startSimulatedAgents } from './simulated-agents';
export type { SimulatedAgents, SimulatedAgentsStats } from './simulated-agents';
export { SimulatedAgentsError } from './simulated-options';
export type { SimulatedAgentsOptions } from './simulated-options';
export { SimulatedExecutor } from './simulated-executor';
export { taskFate, FAILED_EXIT_CODE } from './task-fate';
export type { TaskFate, FateSettings } from './task-fate';
