/**
 * The specification's TemporalEncoder (2.1.1): feature embedding → positional encoding (max length
 * 200) with dropout → transformer encoder layers (post-norm, exact GELU, as PyTorch's defaults) →
 * temporal pooling. Pooling is attention pooling by default: a Linear(d, 1) scores each step,
 * softmax over valid steps, weighted sum. Mean pooling and the last step are alternatives.
 */
import { checkDimensions, invalidNetworkConfig, invalidNetworkInput } from './config-errors.js';
import { Rng, internalError } from '../core/index.js';
import { nn, numpy as np } from './jax.js';
import type { Array } from './jax.js';
import type { GeluForm } from './activation.js';
import type { ForwardContext } from './forward-context.js';
import { initLinear, linear } from './linear.js';
import type { LinearParams } from './linear.js';
import { MASKED, paddingBias, validMask } from './masks.js';
import { addPositions, DEFAULT_MAX_LENGTH, initLearnedPositions, sinusoidalEncoding } from './positional-encoding.js';
import { encoderLayer, initEncoderLayer } from './transformer-layers.js';
import type { EncoderLayerParams, TransformerLayerConfig } from './transformer-layers.js';

export type PoolingKind = 'attention' | 'mean' | 'last';
export type PositionalKind = 'sinusoidal' | 'learned';

export interface TemporalEncoderConfig {
  featureDim: number;
  hiddenDim: number;
  numHeads: number;
  numLayers: number;
  dropout: number;
  /** Feed-forward width; the specification uses hiddenDim × 4. */
  feedForward: number;
  maxLength: number;
  positional: PositionalKind;
  pooling: PoolingKind;
  normFirst: boolean;
  gelu: GeluForm;
  /**
   * Pad the whole input sequence to a multiple of this (masked); 1 (default) disables. Attention
   * pads its keys itself (attention.ts, KEY_MULTIPLE), which is what made padding fast, so padding
   * every layer is no longer needed; kept for configurations saved with it.
   */
  padToMultiple: number;
}

export type TemporalEncoderOptions = Partial<TemporalEncoderConfig> & Pick<TemporalEncoderConfig, 'featureDim' | 'hiddenDim'>;

/** Fill the specification's defaults: 4 heads, 2 layers, dropout 0.1, FF = 4·hidden, max length 200. */
export function temporalEncoderConfig(options: TemporalEncoderOptions): TemporalEncoderConfig {
  return {
    numHeads: 4,
    numLayers: 2,
    dropout: 0.1,
    feedForward: options.hiddenDim * 4,
    maxLength: DEFAULT_MAX_LENGTH,
    positional: 'sinusoidal',
    pooling: 'attention',
    normFirst: false,
    gelu: 'exact',
    padToMultiple: 1,
    ...options,
  };
}

export type TemporalEncoderParams = {
  featureEmbedding: LinearParams;
  /** Learned positional table [maxLength, d]; absent for sinusoidal encodings. */
  positions?: Array;
  layers: EncoderLayerParams[];
  /** Attention pooling scorer Linear(d, 1); absent for mean/last pooling. */
  pooling?: LinearParams;
};

/** The per-layer configuration an encoder config implies. */
export function encoderLayerConfig(config: TemporalEncoderConfig): TransformerLayerConfig {
  return {
    dModel: config.hiddenDim,
    numHeads: config.numHeads,
    feedForward: config.feedForward,
    dropout: config.dropout,
    gelu: config.gelu,
    normFirst: config.normFirst,
  };
}

export class TemporalEncoder {
  readonly config: TemporalEncoderConfig;

  constructor(options: TemporalEncoderOptions) {
    this.config = temporalEncoderConfig(options);
    const c = this.config;
    checkDimensions({ featureDim: c.featureDim, hiddenDim: c.hiddenDim, numHeads: c.numHeads, feedForward: c.feedForward, maxLength: c.maxLength, padToMultiple: c.padToMultiple }, { field: 'hiddenDim', value: c.hiddenDim, heads: c.numHeads });
    if (!Number.isInteger(c.numLayers) || c.numLayers < 0) throw invalidNetworkConfig('numLayers', c.numLayers, 'must be a non-negative integer');
    if (!(c.dropout >= 0 && c.dropout < 1)) throw invalidNetworkConfig('dropout', c.dropout, 'must be in [0, 1)');
  }

  /** Fresh parameters (PyTorch default initialisation) from a seed or Rng. */
  init(seed: number | Rng): TemporalEncoderParams {
    const rng = typeof seed === 'number' ? new Rng(seed) : seed;
    const c = this.config;
    const params: TemporalEncoderParams = {
      featureEmbedding: initLinear(rng, c.featureDim, c.hiddenDim),
      layers: globalThis.Array.from({ length: c.numLayers }, () => initEncoderLayer(rng, encoderLayerConfig(c))),
    };
    if (c.positional === 'learned') params.positions = initLearnedPositions(rng, c.maxLength, c.hiddenDim);
    if (c.pooling === 'attention') params.pooling = initLinear(rng, c.hiddenDim, 1);
    return params;
  }

  /**
   * Encode x [B, T, featureDim] into per-step states [B, T, d]. `paddingBias` [B, 1, 1, T] masks
   * padded steps as keys (see masks.ts). Consumes params (except pooling), x and the bias.
   */
  encodeSequence(params: TemporalEncoderParams, x: Array, context: ForwardContext, paddingBias: Array | null = null): Array {
    const c = this.config;
    const length = x.shape[1]!;
    let h = linear(params.featureEmbedding, x);
    h = addPositions(h, params.positions ?? sinusoidalEncoding(Math.min(length, c.maxLength), c.hiddenDim));
    h = context.dropout(h, c.dropout);
    const layerConfig = encoderLayerConfig(c);
    for (let i = 0; i < params.layers.length; i++) {
      const bias = paddingBias === null ? null : i === params.layers.length - 1 ? paddingBias : paddingBias.ref;
      h = encoderLayer(params.layers[i]!, h, context, layerConfig, bias);
    }
    if (params.layers.length === 0) paddingBias?.dispose();
    return h;
  }

  /**
   * Pool states [B, T, d] into [B, d]. `validWeights` [B, T] (1 valid, 0 padded) excludes padding.
   * Returns [pooled, poolingWeights [B, T]]. Consumes its arguments.
   */
  pool(pooling: LinearParams | undefined, states: Array, validWeights: Array | null = null): [Array, Array] {
    const [batch, length] = states.shape as [number, number, number];
    let weights: Array;
    if (this.config.pooling === 'attention') {
      if (!pooling) throw internalError('attention pooling needs its scorer parameters');
      let scores = linear(pooling, states.ref).reshape([batch, length]);
      if (validWeights !== null) scores = scores.add(validWeights.sub(1).mul(-MASKED));
      weights = nn.softmax(scores, -1);
    } else if (validWeights !== null) {
      if (this.config.pooling === 'last') throw invalidNetworkInput('pooling', 'last', 'cannot be combined with padding lengths');
      weights = validWeights.ref.div(validWeights.sum(-1, { keepdims: true }));
    } else {
      const data = new Float32Array(batch * length);
      for (let b = 0; b < batch; b++) {
        if (this.config.pooling === 'mean') data.fill(1 / length, b * length, (b + 1) * length);
        else data[b * length + length - 1] = 1;
      }
      weights = np.array(data, { shape: [batch, length] });
    }
    const pooled = weights.ref.reshape([batch, length, 1]).mul(states).sum(1);
    return [pooled, weights];
  }

  /** Encode and pool: x [B, T, F] → [B, d]. Consumes params and inputs. */
  apply(params: TemporalEncoderParams, x: Array, context: ForwardContext, lengths: ArrayLike<number> | null = null): Array {
    const [pooled, weights] = this.applyWithWeights(params, x, context, lengths);
    weights.dispose();
    return pooled;
  }

  /**
   * Like apply, also returning the pooling weights [B, T] (which steps the summary drew on).
   * Sequences whose length is not a multiple of `padToMultiple` (when > 1) are padded with masked
   * steps, excluded from attention and pooling, so the result is mathematically unchanged.
   */
  applyWithWeights(params: TemporalEncoderParams, x: Array, context: ForwardContext, lengths: ArrayLike<number> | null = null): [Array, Array] {
    const [batch, length, features] = x.shape as [number, number, number];
    const multiple = this.config.padToMultiple;
    const padded = multiple > 1 ? Math.ceil(length / multiple) * multiple : length;
    if (padded !== length) x = np.concatenate([x, np.zeros([batch, padded - length, features])], 1);
    const masked = lengths !== null || padded !== length;
    const validLengths = lengths ?? new Float64Array(batch).fill(length);
    const bias = masked ? paddingBias(validLengths, padded) : null;
    const valid = masked ? validMask(validLengths, padded) : null;
    const { pooling, ...rest } = params;
    const states = this.encodeSequence(rest, x, context, bias);
    const [pooled, weights] = this.pool(pooling, states, valid);
    return [pooled, padded === length ? weights : weights.slice([], [0, length])];
  }
}

