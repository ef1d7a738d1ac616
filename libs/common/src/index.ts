export * from './clock';
export * from './ids';
export * from './canonical-json';
export * from './iso-time';
export * from './local-master-url';
