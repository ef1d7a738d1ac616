export * from './envelope';
export * from './catalogue';
export * from './codec';
export * from './upcast';
export * from './format-level';
