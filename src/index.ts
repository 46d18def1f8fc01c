export * from './core/index.js';
export * from './data/index.js';
export * from './features/index.js';
export * from './rewards/index.js';
export * from './env/index.js';
export * from './nn/index.js';
export * from './backtest/index.js';
export * from './store/index.js';
