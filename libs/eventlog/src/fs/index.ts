export * from './fs.port';
export * from './node-fs';
export * from './mem-fs';
