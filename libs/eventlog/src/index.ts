export * from './event-log';
export * from './errors';
