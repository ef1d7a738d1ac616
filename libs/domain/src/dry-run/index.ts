export * from './fork-state';
export * from './decide-ahead';
export * from './copy-on-write';
