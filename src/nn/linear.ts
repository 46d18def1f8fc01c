/** Affine layer y = x·W + b, with W stored as [in, out] (the transpose of PyTorch's layout). */
import type { Rng } from '../core/index.js';
import { numpy as np } from './jax.js';
import type { Array } from './jax.js';
import { linearBound, uniformArray } from './initializers.js';

export type LinearParams = { weight: Array; bias: Array };

/** PyTorch `nn.Linear` default initialisation: weight and bias U(±1/√in). */
export function initLinear(rng: Rng, inFeatures: number, outFeatures: number): LinearParams {
  const bound = linearBound(inFeatures);
  return { weight: uniformArray(rng, [inFeatures, outFeatures], bound), bias: uniformArray(rng, [outFeatures], bound) };
}

/** Apply to x of shape [..., in]; consumes params and x. */
export function linear(params: LinearParams, x: Array): Array {
  const shape = x.shape;
  const inFeatures = shape[shape.length - 1]!;
  const outFeatures = params.weight.shape[1]!;
  if (shape.length === 2) return np.matmul(x, params.weight).add(params.bias);
  // One 2-D matmul is faster in jax-js's wasm backend than a batched one.
  const rows = shape.slice(0, -1);
  const flat = x.reshape([-1, inFeatures]);
  return np.matmul(flat, params.weight).add(params.bias).reshape([...rows, outFeatures]);
}
