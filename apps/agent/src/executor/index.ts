export * from './executor-errors';
export * from './marathon-environment';
export * from './process-executor';
export { isAlive, currentBootId, type ProcessIdentity } from './process-identity';
export * from './sandbox-layout';
export type { TaskCheckpoint } from './task-checkpoint';
export { inheritedEnvironment, taskEnvironment } from './task-environment';
export type { TaskExit } from './task-exit';
export * from './task-spec';
