/**
 * The policy network shared by both algorithms: an MLP over the flat observation. A Gaussian head
 * (continuous target weights: a mean per asset and a state-independent log-std) or a categorical
 * head (logits over a discrete action ladder). Everything here is traceable inside `jit`.
 */
import type { Rng } from '../core/index.js';
import { ForwardContext, initLinear, linear } from '../nn/index.js';
import type { FeatureAttentionModule, FeatureAttentionParams, LinearParams, TemporalEncoder, TemporalEncoderParams } from '../nn/index.js';
import { nn as jaxNn, numpy as np, tree } from '../nn/jax.js';
import type { Array } from '../nn/jax.js';

export type PolicyKind = 'gaussian' | 'categorical';

export interface PolicyShape {
  kind: PolicyKind;
  observationSize: number;
  /** Assets (gaussian) or discrete actions (categorical). */
  actionSize: number;
  hiddenSizes: number[];
  /** Initial standard deviation of the Gaussian head. */
  initialStd: number;
  /** Initial Gaussian mean of every action (the output bias), e.g. 1/A to start at equal weight. Default 0. */
  initialMean?: number;
  /** How the observation is encoded; null = an MLP over the whole observation. */
  encoding?: PolicyEncoding | null;
}

/**
 * Non-default encoders. With `featureAttention`, nn's FeatureAttentionModule (2.1.2) first re-weights
 * each bar's assets·features values by learned importances before the temporal encoder. `per_asset`: one MLP shared by every asset over its own feature window and
 * weight (multi-asset Gaussian). `temporal`: nn's TemporalEncoder (the specification's 2.1.1
 * transformer with attention pooling) over the feature window as a sequence of `lookback` tokens of
 * assets·features values; its pooled state, concatenated with the rest of the observation
 * (weights, recent returns, total return), feeds the MLP.
 */
export type PolicyEncoding =
  | { type: 'per_asset'; layout: PerAssetLayout }
  | { type: 'temporal'; layout: PerAssetLayout; encoder: TemporalEncoder; featureAttention: FeatureAttentionModule | null };

/**
 * Where the per-asset encoder finds its inputs in the flat multi-asset observation
 * (docs/environments.md): the feature window [lookback × assets × features] at offset 0, then the
 * current weights [assets]. Asset a's input is its own window (lookback·features values) and weight.
 */
export interface PerAssetLayout {
  lookback: number;
  assets: number;
  features: number;
}

export type PolicyParams = { layers: LinearParams[]; output: LinearParams; logStd: Array; temporal?: TemporalEncoderParams; featureAttention?: FeatureAttentionParams };

const LOG_STD_MIN = -5;
const LOG_STD_MAX = 1;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** PyTorch-default hidden layers; the output layer scaled by 0.01 so the first policy is near uniform / zero. */
export function initPolicy(rng: Rng, shape: PolicyShape): PolicyParams {
  const layers: LinearParams[] = [];
  const encoding = shape.encoding ?? null;
  const perAsset = encoding?.type === 'per_asset' ? encoding.layout : null;
  let temporal: TemporalEncoderParams | undefined;
  let featureAttention: FeatureAttentionParams | undefined;
  let width = perAsset ? perAsset.lookback * perAsset.features + 1 : shape.observationSize;
  if (encoding?.type === 'temporal') {
    const { lookback, assets, features } = encoding.layout;
    temporal = encoding.encoder.init(rng);
    featureAttention = encoding.featureAttention?.init(rng);
    width = encoding.encoder.config.hiddenDim + shape.observationSize - lookback * assets * features;
  }
  for (const hidden of shape.hiddenSizes) {
    layers.push(initLinear(rng, width, hidden));
    width = hidden;
  }
  const raw = initLinear(rng, width, perAsset ? 1 : shape.actionSize);
  const output = { weight: raw.weight.mul(0.01), bias: raw.bias.mul(0).add(shape.kind === 'gaussian' ? (shape.initialMean ?? 0) : 0) };
  const logStd = np.array(new Float32Array(shape.actionSize).fill(Math.log(shape.initialStd)), { shape: [shape.actionSize] });
  const params: PolicyParams = { layers, output, logStd };
  if (temporal) params.temporal = temporal;
  if (featureAttention) params.featureAttention = featureAttention;
  return params;
}

/** Gaussian means or categorical logits [B, A] for observations [B, D] (consumes both). */
export function policyOutput(params: PolicyParams, observations: Array, encoding: PolicyEncoding | null = null): Array {
  let x = observations;
  if (encoding?.type === 'per_asset') x = perAssetInputs(observations, encoding.layout);
  if (encoding?.type === 'temporal' && params.temporal) x = temporalInputs(params.temporal, params.featureAttention ?? null, observations, encoding);
  else tree.dispose({ temporal: params.temporal, featureAttention: params.featureAttention });
  for (const layer of params.layers) x = np.tanh(linear(layer, x));
  let out = linear(params.output, x);
  if (encoding?.type === 'per_asset') out = out.reshape([-1, encoding.layout.assets]);
  params.logStd.dispose();
  return out;
}

/** [B, D] → [B, hidden + D − L·A·F]: the pooled transformer state of the feature window, then the rest. */
function temporalInputs(
  params: TemporalEncoderParams,
  attentionParams: FeatureAttentionParams | null,
  observations: Array,
  encoding: { layout: PerAssetLayout; encoder: TemporalEncoder; featureAttention: FeatureAttentionModule | null },
): Array {
  const { lookback: L, assets: A, features: F } = encoding.layout;
  const size = observations.shape[1]!;
  let window = observations.ref.slice([], [0, L * A * F]).reshape([-1, L, A * F]);
  if (encoding.featureAttention && attentionParams) {
    const { weighted, attended, importance } = encoding.featureAttention.apply(attentionParams, window, ForwardContext.evaluation());
    attended.dispose();
    importance.dispose();
    window = weighted;
  } else if (attentionParams) tree.dispose(attentionParams);
  const rest = observations.slice([], [L * A * F, size]);
  const pooled = encoding.encoder.apply(params, window, ForwardContext.evaluation());
  return np.concatenate([pooled, rest], -1);
}

/** [B, D] observations → [B·A, lookback·features + 1] rows, one per (state, asset). */
function perAssetInputs(observations: Array, layout: PerAssetLayout): Array {
  const { lookback: L, assets: A, features: F } = layout;
  const window = observations.ref.slice([], [0, L * A * F]).reshape([-1, L, A, F]).transpose([0, 2, 1, 3]).reshape([-1, L * F]);
  const weights = observations.slice([], [L * A * F, L * A * F + A]).reshape([-1, 1]);
  return np.concatenate([window, weights], -1);
}

/** The clamped log-std [A] (consumes params). */
export function policyLogStd(params: PolicyParams): Array {
  const logStd = np.clip(params.logStd, LOG_STD_MIN, LOG_STD_MAX);
  tree.dispose({ layers: params.layers, output: params.output, temporal: params.temporal, featureAttention: params.featureAttention });
  return logStd;
}

/**
 * Log-probabilities of G actions per state and the per-state entropy.
 * Gaussian: actions [B, G, A] (the sampled pre-normalisation vectors); log π = Σ_a log N(x_a; μ_a, σ_a).
 * Categorical: actions are one-hot [B, G, n]; log π = Σ onehot · log_softmax(logits).
 * Returns [logProbs [B, G], entropy [B]]. Consumes everything.
 */
export function logProbsAndEntropy(kind: PolicyKind, params: PolicyParams, observations: Array, actions: Array, encoding: PolicyEncoding | null = null): [Array, Array] {
  if (kind === 'gaussian') {
    const logStd = policyLogStd(tree.ref(params));
    const mean = policyOutput(params, observations, encoding); // [B, A]
    const batch = mean.shape[0]!;
    const size = mean.shape[1]!;
    const z = actions.sub(mean.reshape([batch, 1, size])).mul(np.exp(logStd.ref.mul(-1)));
    const logProbs = z.ref.mul(z).mul(-0.5).sum(-1).sub(logStd.ref.sum().add(size * HALF_LOG_TWO_PI));
    const entropy = np.broadcastTo(logStd.sum().add(size * (0.5 + HALF_LOG_TWO_PI)), [batch]);
    return [logProbs, entropy];
  }
  const logits = policyOutput(params, observations, encoding); // [B, n]
  const batch = logits.shape[0]!;
  const size = logits.shape[1]!;
  const logSoftmax = jaxNn.logSoftmax(logits, -1);
  const logProbs = actions.mul(logSoftmax.ref.reshape([batch, 1, size])).sum(-1);
  const entropy = np.exp(logSoftmax.ref).mul(logSoftmax).sum(-1).mul(-1);
  return [logProbs, entropy];
}
