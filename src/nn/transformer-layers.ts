/**
 * Transformer encoder and decoder layers with PyTorch semantics (`nn.TransformerEncoderLayer`,
 * `nn.TransformerDecoderLayer`). Post-norm by default (PyTorch's `norm_first=False`, which the
 * specification uses); pre-norm with `normFirst: true`.
 */
import { invalidNetworkConfig } from './config-errors.js';
import type { Rng } from '../core/index.js';
import type { Array } from './jax.js';
import { gelu } from './activation.js';
import type { GeluForm } from './activation.js';
import { initAttention, multiHeadAttention } from './attention.js';
import type { AttentionParams } from './attention.js';
import type { ForwardContext } from './forward-context.js';
import { initLayerNorm, layerNorm } from './layer-norm.js';
import type { LayerNormParams } from './layer-norm.js';
import { initLinear, linear } from './linear.js';
import type { LinearParams } from './linear.js';

export interface TransformerLayerConfig {
  dModel: number;
  numHeads: number;
  feedForward: number;
  dropout: number;
  gelu: GeluForm;
  normFirst: boolean;
}

export type EncoderLayerParams = {
  selfAttention: AttentionParams;
  linear1: LinearParams;
  linear2: LinearParams;
  norm1: LayerNormParams;
  norm2: LayerNormParams;
};

export type DecoderLayerParams = {
  selfAttention: AttentionParams;
  crossAttention: AttentionParams;
  linear1: LinearParams;
  linear2: LinearParams;
  norm1: LayerNormParams;
  norm2: LayerNormParams;
  norm3: LayerNormParams;
};

/** Check that heads divide the model width. */
export function validateLayerConfig(config: TransformerLayerConfig): void {
  if (config.dModel % config.numHeads !== 0) {
    throw invalidNetworkConfig('dModel', config.dModel, `is not divisible by numHeads ${config.numHeads}`);
  }
}

/** Initialise an encoder layer as PyTorch does. */
export function initEncoderLayer(rng: Rng, config: TransformerLayerConfig): EncoderLayerParams {
  validateLayerConfig(config);
  return {
    selfAttention: initAttention(rng, config.dModel),
    linear1: initLinear(rng, config.dModel, config.feedForward),
    linear2: initLinear(rng, config.feedForward, config.dModel),
    norm1: initLayerNorm(config.dModel),
    norm2: initLayerNorm(config.dModel),
  };
}

/** Initialise a decoder layer as PyTorch does. */
export function initDecoderLayer(rng: Rng, config: TransformerLayerConfig): DecoderLayerParams {
  validateLayerConfig(config);
  return {
    selfAttention: initAttention(rng, config.dModel),
    crossAttention: initAttention(rng, config.dModel),
    linear1: initLinear(rng, config.dModel, config.feedForward),
    linear2: initLinear(rng, config.feedForward, config.dModel),
    norm1: initLayerNorm(config.dModel),
    norm2: initLayerNorm(config.dModel),
    norm3: initLayerNorm(config.dModel),
  };
}

function feedForward(params: { linear1: LinearParams; linear2: LinearParams }, x: Array, context: ForwardContext, config: TransformerLayerConfig): Array {
  // Training mode is when gradients are taken: GELU then precomputes its derivative (activation.ts).
  const hidden = context.dropout(gelu(linear(params.linear1, x), config.gelu, context.training), config.dropout);
  return context.dropout(linear(params.linear2, hidden), config.dropout);
}

/** One encoder layer over x [B, T, d]; `bias` is an additive attention mask (consumed). */
export function encoderLayer(
  params: EncoderLayerParams,
  x: Array,
  context: ForwardContext,
  config: TransformerLayerConfig,
  bias: Array | null = null,
): Array {
  const attentionOptions = { numHeads: config.numHeads, dropout: config.dropout, bias };
  if (config.normFirst) {
    const [attended] = multiHeadAttention(params.selfAttention, layerNorm(params.norm1, x.ref), null, context, attentionOptions);
    const h = x.add(context.dropout(attended, config.dropout));
    return h.ref.add(feedForward(params, layerNorm(params.norm2, h), context, config));
  }
  const [attended] = multiHeadAttention(params.selfAttention, x.ref, null, context, attentionOptions);
  const h = layerNorm(params.norm1, x.add(context.dropout(attended, config.dropout)));
  return layerNorm(params.norm2, h.ref.add(feedForward(params, h, context, config)));
}

/**
 * One decoder layer: masked self-attention over `target` [B, L, d], cross-attention over `memory`
 * [B, S, d], feed-forward. Biases are additive masks (consumed).
 */
export function decoderLayer(
  params: DecoderLayerParams,
  target: Array,
  memory: Array,
  context: ForwardContext,
  config: TransformerLayerConfig,
  targetBias: Array | null = null,
  memoryBias: Array | null = null,
  onCrossWeights: ((weights: Array) => void) | null = null,
): Array {
  const selfOptions = { numHeads: config.numHeads, dropout: config.dropout, bias: targetBias };
  const crossOptions = { numHeads: config.numHeads, dropout: config.dropout, bias: memoryBias, returnWeights: onCrossWeights !== null };
  // The cross-attention weights [B, target, memory] averaged over heads, when asked (explanations).
  const cross = (result: [Array, Array | null]): Array => {
    if (result[1]) onCrossWeights!(result[1]);
    return result[0];
  };
  if (config.normFirst) {
    const [selfAttended] = multiHeadAttention(params.selfAttention, layerNorm(params.norm1, target.ref), null, context, selfOptions);
    const h1 = target.add(context.dropout(selfAttended, config.dropout));
    const crossAttended = cross(multiHeadAttention(params.crossAttention, layerNorm(params.norm2, h1.ref), memory, context, crossOptions));
    const h2 = h1.add(context.dropout(crossAttended, config.dropout));
    return h2.ref.add(feedForward(params, layerNorm(params.norm3, h2), context, config));
  }
  const [selfAttended] = multiHeadAttention(params.selfAttention, target.ref, null, context, selfOptions);
  const h1 = layerNorm(params.norm1, target.add(context.dropout(selfAttended, config.dropout)));
  const crossAttended = cross(multiHeadAttention(params.crossAttention, h1.ref, memory, context, crossOptions));
  const h2 = layerNorm(params.norm2, h1.add(context.dropout(crossAttended, config.dropout)));
  return layerNorm(params.norm3, h2.ref.add(feedForward(params, h2, context, config)));
}
