export * from './core/index.js';
export * from './data/index.js';
export * from './features/index.js';
