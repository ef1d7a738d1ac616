export * from './event-log';
export * from './errors';
export * from './kafka';
export * from './fs';
export * from './memory';
export * from './file';
export * from './snapshot';
