/**
 * The one entry point to jax-js inside src/nn and src/agents. Importing the worker adapter first
 * guarantees jax-js sees a `Worker` class when it builds its wasm backend (see node-worker-adapter.ts);
 * wasm-features.ts enables relaxed SIMD (fused multiply-add) before jax-js probes for it.
 */
import './wasm-features.js';
import { removeNavigatorShim } from './node-worker-adapter.js';
import '@jax-js/jax';

removeNavigatorShim();

export * from '@jax-js/jax';
