/**
 * The typed-array boundary: code outside nn/ and agents/ calls a model through a Predictor with a
 * Float32Array and a shape, and gets a Float32Array back. The forward pass is jitted once per input
 * shape; the Predictor owns the parameters it is given.
 */
import { internalError } from '../core/index.js';
import { invalidNetworkInput } from './config-errors.js';
import { jit, numpy as np, tree } from './jax.js';
import type { Array, JsTree, OwnedFunction } from './jax.js';
import { readArray, readArraySync } from './engine.js';

/** A pure forward pass: (params, input) → output. Must consume its arguments. */
export type ForwardFunction<P> = (params: P, input: Array) => Array;

export class Predictor<P extends JsTree<Array>> {
  private params: P | null;
  private readonly compiled: OwnedFunction<(params: P, input: Array) => Array>;

  /** Takes ownership of params. */
  constructor(params: P, forward: ForwardFunction<P>) {
    this.params = params;
    this.compiled = jit(forward as never) as unknown as OwnedFunction<(params: P, input: Array) => Array>;
  }

  private run(input: Float32Array, shape: number[]): Array {
    if (!this.params) throw internalError('Predictor has been disposed');
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== input.length) throw invalidNetworkInput('input.length', input.length, `shape [${shape.join(', ')}] needs ${size} values`);
    return this.compiled(tree.ref(this.params), np.array(input, { shape }));
  }

  /** Forward pass on a typed array; waits for the worker pool when the engine uses threads. */
  async predict(input: Float32Array, shape: number[]): Promise<Float32Array> {
    return readArray(this.run(input, shape));
  }

  /** Synchronous forward pass (engine with one thread only): lowest latency for batch-1 calls. */
  predictSync(input: Float32Array, shape: number[]): Float32Array {
    return readArraySync(this.run(input, shape));
  }

  /** Replace the parameters (takes ownership; the old ones are freed). */
  setParams(params: P): void {
    if (this.params) tree.dispose(this.params);
    this.params = params;
  }

  /** Free parameters and the compiled program. */
  dispose(): void {
    if (this.params) tree.dispose(this.params);
    this.params = null;
    this.compiled.dispose();
  }
}
