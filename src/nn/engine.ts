/**
 * The single place jax-js is initialised. `initEngine({ threads })` starts the wasm backend once;
 * with threads > 1 results are read asynchronously so kernels run on jax-js's worker pool, with
 * threads = 1 everything runs synchronously on the calling thread (lowest latency for batch-1 work).
 */
import { defaultDevice, init } from './jax.js';
import type { Array } from './jax.js';
import { configuredPoolSize, workerAdapterInstalled } from './node-worker-adapter.js';
import { relaxedSimd } from './wasm-features.js';
import { GrpoTraderError, ErrorCodes } from '../core/index.js';

export interface EngineOptions {
  /** Worker threads for kernels; 1 runs on the calling thread. Default 1. */
  threads?: number;
}

export interface EngineInfo {
  threads: number;
  poolSize: number;
  workerAdapter: boolean;
  /** Matrix kernels use wasm relaxed-SIMD fused multiply-add (see wasm-features.ts). */
  fusedMultiplyAdd: boolean;
}

let initialised: Promise<EngineInfo> | null = null;
let threads = 1;

/** Initialise jax-js on the wasm device. Idempotent: later calls may only change the thread mode. */
export async function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const requested = options.threads ?? 1;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new GrpoTraderError(ErrorCodes.invalidArgument, `threads must be a positive integer, got ${String(requested)}`, {
      location: { field: 'threads', value: String(requested) },
    });
  }
  const poolSize = workerAdapterInstalled ? configuredPoolSize() : 1;
  threads = Math.min(requested, poolSize);
  initialised ??= init('wasm').then(() => {
    defaultDevice('wasm');
    return { threads, poolSize, workerAdapter: workerAdapterInstalled, fusedMultiplyAdd: relaxedSimd };
  });
  const info = await initialised;
  return { ...info, threads };
}

/** Threads the engine currently dispatches to (1 = synchronous). */
export function engineThreads(): number {
  return threads;
}

/** Read an array into a Float32Array, consuming it; waits for the worker pool when threads > 1. */
export async function readArray(array: Array): Promise<Float32Array> {
  const data = threads > 1 ? await array.data() : array.dataSync();
  return toFloat32(data);
}

/** Synchronous read, consuming the array; only valid while the engine runs with one thread. */
export function readArraySync(array: Array): Float32Array {
  if (threads > 1) {
    array.dispose();
    throw new GrpoTraderError(ErrorCodes.invalidArgument, 'readArraySync needs initEngine({ threads: 1 }); use await readArray()', {
      location: { field: 'threads', value: String(threads) },
    });
  }
  return toFloat32(array.dataSync());
}

function toFloat32(data: ArrayLike<number>): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}
