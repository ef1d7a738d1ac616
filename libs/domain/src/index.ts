export * from './command';
export * from './state';
export * from './decider';
export * from './apps/app.commands';
export * from './apps/app-defaults';
export * from './cluster/cluster.commands';
