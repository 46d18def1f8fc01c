export * from './errors.js';
export * from './rng.js';
export * from './ring-buffer.js';
export * from './arrays.js';
export * from './fs.js';
export * from './return-statistics.js';
export * from './config-error.js';
export * from './drift-statistics.js';
