export * from './memory-event-log';
export * from './memory-log-store';
