/** Layer normalisation over the last axis (PyTorch `nn.LayerNorm`, biased variance, eps 1e-5). */
import { numpy as np } from './jax.js';
import type { Array } from './jax.js';
import { constantArray } from './initializers.js';

export type LayerNormParams = { weight: Array; bias: Array };

/** Ones for the scale, zeros for the shift, like PyTorch. */
export function initLayerNorm(size: number): LayerNormParams {
  return { weight: constantArray([size], 1), bias: constantArray([size], 0) };
}

/** Normalise x over its last axis; consumes params and x. */
export function layerNorm(params: LayerNormParams, x: Array, epsilon = 1e-5): Array {
  const mean = x.ref.mean(-1, { keepdims: true });
  const centered = x.sub(mean);
  const variance = centered.ref.mul(centered.ref).mean(-1, { keepdims: true });
  return centered.div(np.sqrt(variance.add(epsilon))).mul(params.weight).add(params.bias);
}
