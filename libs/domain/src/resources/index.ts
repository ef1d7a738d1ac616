export * from './resources';
export * from './port-ranges';
export * from './parse-resources';
export * from './format-resources';
export * from './resource-errors';
export { SCALAR_SCALE } from './fixed-point';
