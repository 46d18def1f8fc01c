/**
 * Multi-head scaled dot-product attention with PyTorch `nn.MultiheadAttention` semantics: one packed
 * input projection, per-head softmax(Q·Kᵀ/√d_head + bias)·V, an output projection, dropout on the
 * attention weights in training.
 */
import type { Rng } from '../core/index.js';
import { nn, numpy as np } from './jax.js';
import type { Array } from './jax.js';
import { constantArray, linearBound, uniformArray, xavierBound } from './initializers.js';
import { linear } from './linear.js';
import type { LinearParams } from './linear.js';
import type { ForwardContext } from './forward-context.js';
import { MASKED } from './masks.js';

/**
 * Keys and values are padded (masked) to a multiple of this many positions. jax-js vectorises a
 * kernel only when its innermost extent is a multiple of 4, and the attention kernels' innermost
 * axis is the key axis: attention over 30 keys ran ten times slower than over 32. Padding inside
 * attention, rather than padding the whole sequence, keeps every other layer at the true length.
 */
export const KEY_MULTIPLE = 4;

/** inProjection packs the query, key and value projections: weight [d, 3d], bias [3d]. */
export type AttentionParams = { inProjection: LinearParams; outProjection: LinearParams };

export interface AttentionOptions {
  numHeads: number;
  /** Dropout on the attention weights (training only). */
  dropout?: number;
  /** Additive bias broadcastable to [batch, heads, queries, keys]: 0 keeps, a large negative masks. */
  bias?: Array | null;
  /** Return the attention weights averaged over heads, [batch, queries, keys]. */
  returnWeights?: boolean;
}

/** PyTorch's initialisation: Xavier-uniform packed projection, zero biases, default Linear output weight. */
export function initAttention(rng: Rng, dModel: number): AttentionParams {
  return {
    inProjection: {
      weight: uniformArray(rng, [dModel, 3 * dModel], xavierBound(dModel, 3 * dModel)),
      bias: constantArray([3 * dModel], 0),
    },
    outProjection: {
      weight: uniformArray(rng, [dModel, dModel], linearBound(dModel)),
      bias: constantArray([dModel], 0),
    },
  };
}

/**
 * Attention of `query` [B, L, d] over `keyValue` [B, S, d] (pass null for self-attention).
 * Consumes params, inputs and the bias. Returns [output, weights | null].
 */
export function multiHeadAttention(
  params: AttentionParams,
  query: Array,
  keyValue: Array | null,
  context: ForwardContext,
  options: AttentionOptions,
): [Array, Array | null] {
  const [batch, queryLength, dModel] = query.shape as [number, number, number];
  const numHeads = options.numHeads;
  const headDim = dModel / numHeads;
  // Slice the packed weight rather than the packed output: the gradient of an output slice is a
  // large strided scatter in jax-js, the gradient of a weight slice is tiny.
  const { weight, bias: inBias } = params.inProjection;
  const source = keyValue ?? query.ref;
  const keyLength = source.shape[1]!;
  const project = (input: Array, index: number, length: number): Array =>
    linear(
      { weight: weight.ref.slice([], [index * dModel, (index + 1) * dModel]), bias: inBias.ref.slice([index * dModel, (index + 1) * dModel]) },
      input,
    ).reshape([batch, length, numHeads, headDim]);
  const q = project(query, 0, queryLength);
  let k = project(source.ref, 1, keyLength);
  let v = project(source, 2, keyLength);
  weight.dispose();
  inBias.dispose();
  let bias = options.bias ?? null;
  const paddedLength = Math.ceil(keyLength / KEY_MULTIPLE) * KEY_MULTIPLE;
  if (paddedLength !== keyLength) {
    const extra = paddedLength - keyLength;
    k = np.concatenate([k, np.zeros([batch, extra, numHeads, headDim])], 1);
    v = np.concatenate([v, np.zeros([batch, extra, numHeads, headDim])], 1);
    bias =
      bias === null
        ? np.array(Float32Array.from({ length: paddedLength }, (_, i) => (i < keyLength ? 0 : MASKED)), { shape: [1, 1, 1, paddedLength] })
        : np.concatenate([bias, np.full([...bias.shape.slice(0, -1), extra], MASKED)], -1);
  }
  const dropout = options.dropout ?? 0;
  // jax-js's nn.dotProductAttention goes through einsum, which needs iterator helpers Node 20 lacks.
  const scale = 1 / Math.sqrt(headDim);
  let scores = np.matmul(q.transpose([0, 2, 1, 3]), k.transpose([0, 2, 3, 1])).mul(scale);
  if (bias !== null) scores = scores.add(bias);
  let probabilities = nn.softmax(scores, -1);
  let weights: Array | null = null;
  if (options.returnWeights) {
    weights = probabilities.ref.mean(1);
    if (paddedLength !== keyLength) weights = weights.slice([], [], [0, keyLength]);
  }
  probabilities = context.dropout(probabilities, dropout);
  const attended = np.matmul(probabilities, v.transpose([0, 2, 1, 3])).transpose([0, 2, 1, 3]);
  const output = linear(params.outProjection, attended.reshape([batch, queryLength, dModel]));
  return [output, weights];
}
