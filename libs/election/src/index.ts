export * from './election';
export * from './election-record';
export * from './election-timings';
export * from './election-transport';
export { ElectionRunner, type ElectionRunnerOptions, type ElectionLogSink } from './election-runner';
export * from './memory';
export * from './kafka';
export * from './sole/sole-election';
