export * from './subjects';
export * from './event-filter';
