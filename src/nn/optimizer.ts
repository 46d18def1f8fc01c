/**
 * Adam and AdamW over parameter trees, with global-norm gradient clipping, written to run inside a
 * jitted training step. PyTorch's update rule (torch.optim.Adam / AdamW):
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
 *   p ← p − (lr/(1−β1ᵗ)) · m / (√v/√(1−β2ᵗ) + ε)
 * Adam adds weight decay to the gradient (g ← g + λp); AdamW decays the weights (p ← p·(1 − lr·λ)).
 * Clipping follows clip_grad_norm_: g ← g · min(1, maxNorm/(‖g‖₂ + 1e-6)).
 * Step-dependent scalars are computed on the host and passed in as one array, so the step compiles once.
 */
import { numpy as np, tree } from './jax.js';
import type { Array, JsTree } from './jax.js';

export interface AdamOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** true: AdamW (decoupled decay); false: Adam (L2 added to the gradient). */
  decoupledWeightDecay: boolean;
  /** Global gradient norm limit; null disables clipping. */
  maxGradNorm: number | null;
}

export const ADAM_DEFAULTS: AdamOptions = {
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maxGradNorm: null,
};

/** PyTorch's AdamW defaults (weight decay 0.01). */
export const ADAMW_DEFAULTS: AdamOptions = { ...ADAM_DEFAULTS, weightDecay: 0.01, decoupledWeightDecay: true };

/** Fill Adam defaults. */
export function adamOptions(options: Partial<AdamOptions> = {}): AdamOptions {
  return { ...ADAM_DEFAULTS, ...options };
}

/** Fill AdamW defaults. */
export function adamWOptions(options: Partial<AdamOptions> = {}): AdamOptions {
  return { ...ADAMW_DEFAULTS, ...options };
}

export type AdamState<P> = { m: P; v: P };

/** Zero moments shaped like params (does not consume params). */
export function initAdamState<P extends JsTree<Array>>(params: P): AdamState<P> {
  const zerosLike = (leaf: Array): Array => np.zeros(leaf.shape);
  return { m: tree.map(zerosLike, params) as P, v: tree.map(zerosLike, params) as P };
}

/**
 * Host-side scalars for step t (1-based) at learning rate lr:
 * [lr/(1−β1ᵗ), √(1−β2ᵗ), lr·λ (AdamW) or λ (Adam)].
 */
export function adamScalars(options: AdamOptions, step: number, learningRate: number): Float32Array {
  const biasCorrection1 = 1 - Math.pow(options.beta1, step);
  const biasCorrection2 = 1 - Math.pow(options.beta2, step);
  const decay = options.decoupledWeightDecay ? learningRate * options.weightDecay : options.weightDecay;
  return new Float32Array([learningRate / biasCorrection1, Math.sqrt(biasCorrection2), decay]);
}

/** Global L2 norm of a gradient tree (does not consume it). */
export function globalNorm(leaves: Array[]): Array {
  let total: Array | null = null;
  for (const leaf of leaves) {
    const squares = leaf.ref.mul(leaf.ref).sum();
    total = total === null ? squares : total.add(squares);
  }
  return np.sqrt(total ?? np.zeros([]));
}

/**
 * One Adam/AdamW update, traceable inside `jit`. Consumes params, grads, state and scalars;
 * returns the new params and state.
 */
export function adamUpdate<P extends JsTree<Array>>(
  params: P,
  grads: P,
  state: AdamState<P>,
  scalars: Array,
  options: AdamOptions,
): { params: P; state: AdamState<P> } {
  const [paramLeaves, definition] = tree.flatten(params);
  let [gradLeaves] = tree.flatten(grads);
  const [mLeaves] = tree.flatten(state.m);
  const [vLeaves] = tree.flatten(state.v);
  const stepSize = scalars.ref.slice(0);
  const biasCorrection2Sqrt = scalars.ref.slice(1);
  const decay = scalars.slice(2);
  if (options.maxGradNorm !== null) {
    const norm = globalNorm(gradLeaves);
    const factor = np.minimum(np.reciprocal(norm.add(1e-6)).mul(options.maxGradNorm), 1);
    gradLeaves = gradLeaves.map((g) => g.mul(factor.ref));
    factor.dispose();
  }
  const useDecay = options.weightDecay !== 0;
  const newParams: Array[] = [];
  const newM: Array[] = [];
  const newV: Array[] = [];
  for (let i = 0; i < paramLeaves.length; i++) {
    let p = paramLeaves[i]!;
    let g = gradLeaves[i]!;
    if (useDecay && !options.decoupledWeightDecay) g = g.add(p.ref.mul(decay.ref));
    if (useDecay && options.decoupledWeightDecay) p = p.ref.sub(p.mul(decay.ref));
    const m = mLeaves[i]!.mul(options.beta1).add(g.ref.mul(1 - options.beta1));
    const v = vLeaves[i]!.mul(options.beta2).add(g.ref.mul(g).mul(1 - options.beta2));
    const denominator = np.sqrt(v.ref).div(biasCorrection2Sqrt.ref).add(options.epsilon);
    newParams.push(p.sub(m.ref.div(denominator).mul(stepSize.ref)));
    newM.push(m);
    newV.push(v);
  }
  stepSize.dispose();
  biasCorrection2Sqrt.dispose();
  decay.dispose();
  return {
    params: tree.unflatten(definition, newParams) as P,
    state: { m: tree.unflatten(definition, newM) as P, v: tree.unflatten(definition, newV) as P },
  };
}
