export * from './fork-state';
export * from './decide-ahead';
