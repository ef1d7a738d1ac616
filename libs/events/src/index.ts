export * from './envelope';
export * from './catalogue';
export * from './codec';
export { prepareDecodeValidators } from './decode-validators';
export { prepareEncodeChecks } from './encode-check';
export * from './upcast';
export * from './format-level';
export * from './query';
export * from './chain';
