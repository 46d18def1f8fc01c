/** The specification's two-layer heads: Linear(in, hidden) → GELU → Linear(hidden, out). */
import type { Rng } from '../core/index.js';
import type { Array } from './jax.js';
import { gelu } from './activation.js';
import type { GeluForm } from './activation.js';
import { initLinear, linear } from './linear.js';
import type { LinearParams } from './linear.js';

export type MlpHeadParams = { hidden: LinearParams; output: LinearParams };

/** PyTorch default initialisation of both layers. */
export function initMlpHead(rng: Rng, inFeatures: number, hiddenFeatures: number, outFeatures: number): MlpHeadParams {
  return { hidden: initLinear(rng, inFeatures, hiddenFeatures), output: initLinear(rng, hiddenFeatures, outFeatures) };
}

/** Apply to x [..., in] (consumed), returning pre-activation outputs [..., out]. */
export function mlpHead(params: MlpHeadParams, x: Array, form: GeluForm = 'exact'): Array {
  return linear(params.output, gelu(linear(params.hidden, x), form));
}
