export * from './command';
export * from './state';
export * from './state-hash';
export * from './decider';
export * from './apps/app.commands';
export * from './apps/app-defaults';
export * from './cluster/cluster.commands';
export * from './resources';
export * from './allocator';
export * from './placement';
export * from './constraints';
export * from './agents/agent.commands';
export { MAX_DRAIN_DEADLINE_SECONDS } from './agents/drain.decider';
export * from './tasks/task.commands';
export * from './tasks/task-states';
export * from './tasks/backoff';
export * from './scheduler/scheduler.commands';
export * from './scheduler/launch-queue';
export { APPS_FRAMEWORK_ID, DECLINE_REFUSE_MS } from './scheduler/tick.decider';
export * from './deployments/deployment.commands';
export * from './deployments/plan';
export * from './deployments/reconcile';
export * from './deployments/task-health';
export {
  bucketsOf,
  deploymentLaunches,
  groupTasksByApp,
  lockingDeployments,
  MAX_RUNNING_DEPLOYMENTS,
} from './deployments/deployment.decider';
export * from './apps/kill-selection';
export * from './tasks/check-specs';
export * from './dry-run';
export * from './groups/group.commands';
export * from './groups/group-path';
export { appsWithin, childAppsOf, childGroupsOf, groupExists, inheritedDependencies } from './groups/group-tree';
