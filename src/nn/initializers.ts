/**
 * Parameter initialisers matching PyTorch's defaults, drawn from the project's seeded `Rng` so the
 * same seed gives bit-identical weights on every platform.
 */
import type { Rng } from '../core/index.js';
import { numpy as np } from './jax.js';
import type { Array } from './jax.js';

/** Uniform(-bound, bound) values of the given shape as a jax array. */
export function uniformArray(rng: Rng, shape: number[], bound: number): Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = (rng.next() * 2 - 1) * bound;
  return np.array(data, { shape });
}

/** Normal(0, std²) values of the given shape. */
export function normalArray(rng: Rng, shape: number[], std = 1): Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal() * std;
  return np.array(data, { shape });
}

/** Constant-filled array. */
export function constantArray(shape: number[], value: number): Array {
  const size = shape.reduce((a, b) => a * b, 1);
  return np.array(new Float32Array(size).fill(value), { shape });
}

/**
 * PyTorch's `nn.Linear` default: kaiming_uniform(a=√5) on the weight, which is U(±1/√fanIn), and
 * U(±1/√fanIn) on the bias.
 */
export function linearBound(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}

/** Xavier/Glorot uniform bound, PyTorch's default for `nn.MultiheadAttention.in_proj_weight`. */
export function xavierBound(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}
