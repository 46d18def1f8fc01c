/**
 * The policy network shared by both algorithms: an MLP over the flat observation. A Gaussian head
 * (continuous target weights: a mean per asset and a state-independent log-std) or a categorical
 * head (logits over a discrete action ladder). Everything here is traceable inside `jit`.
 */
import type { Rng } from '../core/index.js';
import { ForwardContext, initLinear, linear } from '../nn/index.js';
import { squashedGaussianLogProbability } from '../nn/index.js';
import type { AutoregressiveGaussianHead, AutoregressiveHeadParams, DeepSeekPolicyNetwork, FeatureAttentionModule, FeatureAttentionParams, LinearParams, PolicyNetworkParams, TemporalEncoder, TemporalEncoderParams } from '../nn/index.js';
import { nn as jaxNn, numpy as np, random, tree } from '../nn/jax.js';
import type { Array } from '../nn/jax.js';
import { ErrorCodes, GrpoTraderError } from '../core/index.js';
import { perAssetInputWidth } from './policy-options.js';

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
  | { type: 'per_asset'; layout: PerAssetLayout; crossAsset: boolean; marketContext: boolean }
  | { type: 'temporal'; layout: PerAssetLayout; encoder: TemporalEncoder; featureAttention: FeatureAttentionModule | null }
  | DeepSeekEncoding;

/**
 * The specification's network end to end (`algorithm.policy: deepseek`, sections 2.1.1–2.1.3): the
 * feature window [lookback × assets·features] is re-weighted per bar by the FeatureAttentionModule
 * (2.1.2), encoded by the TemporalEncoder (2.1.1) into one state per bar, and read as memory by the
 * DeepSeekPolicyNetwork (2.1.3) — a transformer decoder whose target sequence is, per bar, the
 * re-weighted features followed by the rest of the observation (weights, recent returns, total
 * return) — whose last position feeds the action head: Gaussian means per asset, or action logits.
 */
export interface DeepSeekEncoding {
  type: 'deepseek';
  layout: PerAssetLayout;
  encoder: TemporalEncoder;
  featureAttention: FeatureAttentionModule;
  decoder: DeepSeekPolicyNetwork;
  /**
   * Autoregressive continuous actions (2.1.3's last bullet), or null: asset i's pre-tanh weight u_i
   * is drawn from N(m_i + μ_i, σ_i²) where m is the action head's output and (μ_i, log σ_i) come from
   * nn's AutoregressiveGaussianHead reading the decoder's states and u_0..u_{i−1}; the action is
   * tanh(u) and log π(u|s) = Σ_i log N(u_i; m_i + μ_i, σ_i) − log(1 − tanh² u_i).
   */
  autoregressive: AutoregressiveGaussianHead | null;
}

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

export type PolicyParams = {
  layers: LinearParams[];
  /** The MLP's output layer (absent for the deepseek policy, whose action head is `decoder.actionHead`). */
  output?: LinearParams;
  logStd: Array;
  temporal?: TemporalEncoderParams;
  featureAttention?: FeatureAttentionParams;
  decoder?: Omit<PolicyNetworkParams, 'logStd'>;
  autoregressive?: AutoregressiveHeadParams;
  /**
   * The per-asset encoder's cross-asset term: every asset's action adds a learned linear function of
   * every asset's latest features and weight (`mixing` [assets·(features + 1), assets], initially
   * zero) — how a follower comes to trade on its leader's last returns, which its own inputs do not
   * show. The latest bar only: over the whole window the term has lookback times the weights, and on
   * the planted markets it then fits noise (momentum's test Sharpe fell from 1.9 to −1.3).
   */
  crossAsset?: { mixing: Array };
};

/** What a decision drew on (deepseek policy): feature importances per bar and the attention over bars. */
export interface PolicyExplanation {
  /** Feature-attention importances [B, lookback, assets·features]; each bar's row sums to 1. */
  importance: Array;
  /** The last decoder layer's cross-attention from the decision position over the bars [B, lookback] (mean over heads). */
  temporal: Array;
}

/** Bounds of the Gaussian policy's log standard deviation (clipped wherever it is read). */
export const LOG_STD_MIN = -5;
export const LOG_STD_MAX = 1;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** PyTorch-default hidden layers; the output layer scaled by 0.01 so the first policy is near uniform / zero. */
export function initPolicy(rng: Rng, shape: PolicyShape): PolicyParams {
  const encoding = shape.encoding ?? null;
  if (encoding?.type === 'deepseek') return initDeepSeekPolicy(rng, shape, encoding);
  const layers: LinearParams[] = [];
  const perAsset = encoding?.type === 'per_asset' ? encoding.layout : null;
  let temporal: TemporalEncoderParams | undefined;
  let featureAttention: FeatureAttentionParams | undefined;
  let width = perAsset && encoding?.type === 'per_asset' ? perAssetInputWidth(perAsset, encoding.marketContext) : shape.observationSize;
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
  if (perAsset && encoding?.type === 'per_asset' && encoding.crossAsset) {
    params.crossAsset = { mixing: np.zeros([perAsset.assets * (perAsset.features + 1), perAsset.assets]) };
  }
  if (temporal) params.temporal = temporal;
  if (featureAttention) params.featureAttention = featureAttention;
  return params;
}

/** The deepseek policy's parameters: encoder, feature attention, decoder; its output layer scaled as the MLP's. */
function initDeepSeekPolicy(rng: Rng, shape: PolicyShape, encoding: DeepSeekEncoding): PolicyParams {
  const temporal = encoding.encoder.init(rng);
  const featureAttention = encoding.featureAttention.init(rng);
  const { logStd: _unused, ...decoder } = encoding.decoder.init(rng);
  _unused?.dispose();
  const raw = decoder.actionHead.output;
  decoder.actionHead.output = { weight: raw.weight.mul(0.01), bias: raw.bias.mul(0).add(shape.kind === 'gaussian' ? (shape.initialMean ?? 0) : 0) };
  const logStd = np.array(new Float32Array(shape.actionSize).fill(Math.log(shape.initialStd)), { shape: [shape.actionSize] });
  const params: PolicyParams = { layers: [], logStd, temporal, featureAttention, decoder };
  if (encoding.autoregressive) {
    // Corrections start near 0 and σ at initialStd: the first policy is the action head's means.
    const head = encoding.autoregressive.init(rng);
    const output = head.output;
    head.output = { weight: output.weight.mul(0.01), bias: output.bias.mul(0).add(np.array(Float32Array.of(0, Math.log(shape.initialStd)))) };
    params.autoregressive = head;
  }
  return params;
}

/**
 * The deepseek forward pass: [B, D] observations → Gaussian means or logits [B, A]; with `explain`,
 * also the feature importances and the decision's attention over the bars. Consumes params (but
 * logStd) and observations.
 */
function deepSeekOutput(params: PolicyParams, observations: Array, encoding: DeepSeekEncoding, context: ForwardContext, explain = false): [Array, PolicyExplanation | null] {
  if (params.autoregressive) tree.dispose(params.autoregressive);
  const [output, hidden, explanation] = deepSeekParts(params, observations, encoding, context, explain);
  hidden.dispose();
  return [output, explanation];
}

/**
 * The deepseek network's action-head output [B, A], its decoder states [B, L, hidden] and (with
 * `explain`) the explanation. Consumes params (but logStd and autoregressive) and observations.
 */
export function deepSeekParts(params: PolicyParams, observations: Array, encoding: DeepSeekEncoding, context: ForwardContext, explain = false): [Array, Array, PolicyExplanation | null] {
  const { lookback: L, assets: A, features: F } = encoding.layout;
  const size = observations.shape[1]!;
  const window = observations.ref.slice([], [0, L * A * F]).reshape([-1, L, A * F]);
  const rest = observations.slice([], [L * A * F, size]);
  const batch = rest.shape[0]!;
  const { weighted, attended, importance } = encoding.featureAttention.apply(params.featureAttention!, window, context);
  attended.dispose();
  const memory = encoding.encoder.encodeSequence(params.temporal!, weighted.ref, context);
  if (params.temporal!.pooling) tree.dispose(params.temporal!.pooling);
  const tokens = np.concatenate([weighted, np.broadcastTo(rest.reshape([batch, 1, size - L * A * F]), [batch, L, size - L * A * F])], -1);
  const crossAttention: Array[] | null = explain ? [] : null;
  const [output, hidden] = encoding.decoder.outputsAndStates(params.decoder!, tokens, context, memory, crossAttention);
  tree.dispose(params.layers);
  if (!explain) {
    importance.dispose();
    return [output, hidden, null];
  }
  const last = crossAttention!.pop()!;
  for (const weights of crossAttention!) weights.dispose();
  const temporal = last.slice([], L - 1).reshape([batch, L]);
  return [output, hidden, { importance, temporal }];
}

/**
 * The forward context of a training loss: dropout on, drawn from `key`, for the deepseek policy with
 * dropout > 0; otherwise evaluation (the key is released). Old, reference and acting passes always
 * run in evaluation mode, so dropout only perturbs the pass being differentiated.
 */
export function trainingContext(encoding: PolicyEncoding | null, key: Array): ForwardContext {
  if (encoding?.type === 'deepseek' && encoding.decoder.config.dropout > 0) return new ForwardContext(true, key);
  key.dispose();
  return ForwardContext.evaluation();
}

/** The dropout key of optimiser step `step` in a run seeded `seed`: a function of both, so a resumed run draws the same masks. */
export function dropoutKey(seed: number, step: number): Array {
  return random.key((Math.imul(seed + 1, 0x9e3779b1) + step) >>> 0);
}

/** Means or logits and the explanation of each decision (deepseek policy; evaluation mode). Consumes params and observations. */
export function explainPolicyOutput(params: PolicyParams, observations: Array, encoding: PolicyEncoding | null): [Array, PolicyExplanation] {
  if (encoding?.type !== 'deepseek') throw new GrpoTraderError(ErrorCodes.unsupported, 'explanations need algorithm.policy: deepseek (its feature attention and decoder attention are what they report)', { location: { field: 'algorithm.policy' } });
  params.logStd.dispose();
  const [output, explanation] = deepSeekOutput(params, observations, encoding, ForwardContext.evaluation(), true);
  return [output, explanation!];
}

/**
 * Gaussian means or categorical logits [B, A] for observations [B, D] (consumes both). `context`
 * switches dropout on (training with a key); only the deepseek policy has dropout.
 */
export function policyOutput(params: PolicyParams, observations: Array, encoding: PolicyEncoding | null = null, context: ForwardContext = ForwardContext.evaluation()): Array {
  if (encoding?.type === 'deepseek') {
    params.logStd.dispose();
    return deepSeekOutput(params, observations, encoding, context)[0];
  }
  let x = observations;
  if (encoding?.type === 'per_asset') x = perAssetInputs(observations, encoding.layout, encoding.marketContext);
  if (encoding?.type === 'temporal' && params.temporal) x = temporalInputs(params.temporal, params.featureAttention ?? null, observations, encoding);
  else tree.dispose({ temporal: params.temporal, featureAttention: params.featureAttention });
  const cross = encoding?.type === 'per_asset' && params.crossAsset ? np.matmul(latestInputs(x.ref, encoding.layout), params.crossAsset.mixing) : null;
  if (!cross && params.crossAsset) tree.dispose(params.crossAsset);
  for (const layer of params.layers) x = np.tanh(linear(layer, x));
  let out = linear(params.output!, x);
  if (encoding?.type === 'per_asset') out = out.reshape([-1, encoding.layout.assets]);
  if (cross) out = out.add(cross);
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

/** Per-asset rows [B·A, lookback·features + 1] → [B, A·(features + 1)]: each asset's latest features and weight, asset by asset. */
function latestInputs(rows: Array, layout: PerAssetLayout): Array {
  const { lookback: L, assets: A, features: F } = layout;
  return rows.slice([], [(L - 1) * F, L * F + 1]).reshape([-1, A * (F + 1)]);
}

/**
 * [B, D] observations → [B·A, lookback·features + 1 (+ lookback·features)] rows, one per (state,
 * asset): the asset's feature window, its weight, and with `marketContext` the feature window
 * averaged over the assets — the same for every asset, so the network stays shared and blind to
 * which asset is which, yet sees the market's state (its volatility, its trend) with less noise than
 * one asset shows.
 */
function perAssetInputs(observations: Array, layout: PerAssetLayout, marketContext = false): Array {
  const { lookback: L, assets: A, features: F } = layout;
  const batch = observations.shape[0]!;
  const window = observations.ref.slice([], [0, L * A * F]).reshape([-1, L, A, F]);
  const weights = observations.slice([], [L * A * F, L * A * F + A]).reshape([-1, 1]);
  if (!marketContext) return np.concatenate([window.transpose([0, 2, 1, 3]).reshape([-1, L * F]), weights], -1);
  const market = np.broadcastTo(window.ref.mean(2).reshape([batch, 1, L * F]), [batch, A, L * F]).reshape([-1, L * F]);
  return np.concatenate([window.transpose([0, 2, 1, 3]).reshape([-1, L * F]), weights, market], -1);
}

/** The clamped log-std [A] (consumes params). */
export function policyLogStd(params: PolicyParams): Array {
  const logStd = np.clip(params.logStd, LOG_STD_MIN, LOG_STD_MAX);
  tree.dispose({ layers: params.layers, output: params.output, temporal: params.temporal, featureAttention: params.featureAttention, decoder: params.decoder, autoregressive: params.autoregressive, crossAsset: params.crossAsset });
  return logStd;
}

/** The policy's deterministic forward pass, (params, observations) → [mean, clipped log-std]: what acting jits and the ONNX export traces. */
export function policyForward(encoding: PolicyEncoding | null): (params: PolicyParams, observations: Array) => [Array, Array] {
  return (params, observations) => [policyOutput(tree.ref(params), observations, encoding), policyLogStd(params)];
}

/**
 * Log-probabilities of G actions per state and the per-state entropy.
 * Gaussian: actions [B, G, A] (the sampled pre-normalisation vectors); log π = Σ_a log N(x_a; μ_a, σ_a).
 * Categorical: actions are one-hot [B, G, n]; log π = Σ onehot · log_softmax(logits).
 * Returns [logProbs [B, G], entropy [B]]. Consumes everything.
 */
export function logProbsAndEntropy(
  kind: PolicyKind,
  params: PolicyParams,
  observations: Array,
  actions: Array,
  encoding: PolicyEncoding | null = null,
  context: ForwardContext = ForwardContext.evaluation(),
): [Array, Array] {
  if (kind === 'gaussian' && encoding?.type === 'deepseek' && encoding.autoregressive && params.autoregressive) {
    return autoregressiveLogProbsAndEntropy(params, observations, actions, encoding, encoding.autoregressive, context);
  }
  if (kind === 'gaussian') {
    const logStd = policyLogStd(tree.ref(params));
    const mean = policyOutput(params, observations, encoding, context); // [B, A]
    const batch = mean.shape[0]!;
    const size = mean.shape[1]!;
    const z = actions.sub(mean.reshape([batch, 1, size])).mul(np.exp(logStd.ref.mul(-1)));
    const logProbs = z.ref.mul(z).mul(-0.5).sum(-1).sub(logStd.ref.sum().add(size * HALF_LOG_TWO_PI));
    const entropy = np.broadcastTo(logStd.sum().add(size * (0.5 + HALF_LOG_TWO_PI)), [batch]);
    return [logProbs, entropy];
  }
  const logits = policyOutput(params, observations, encoding, context); // [B, n]
  const batch = logits.shape[0]!;
  const size = logits.shape[1]!;
  const logSoftmax = jaxNn.logSoftmax(logits, -1);
  const logProbs = actions.mul(logSoftmax.ref.reshape([batch, 1, size])).sum(-1);
  const entropy = np.exp(logSoftmax.ref).mul(logSoftmax).sum(-1).mul(-1);
  return [logProbs, entropy];
}

/**
 * Autoregressive log-probabilities of G pre-tanh action vectors per state, teacher-forced in one
 * pass: log π(u|s) = Σ_i [log N(u_i; m_i + μ_i(s, u_<i), σ_i(s, u_<i)) − log(1 − tanh² u_i)], and the
 * per-state entropy of the pre-tanh conditionals Σ_i (log σ_i + ½ + ½ log 2π), averaged over the
 * group. actions [B, G, A]. Consumes everything.
 */
function autoregressiveLogProbsAndEntropy(params: PolicyParams, observations: Array, actions: Array, encoding: DeepSeekEncoding, head: AutoregressiveGaussianHead, context: ForwardContext): [Array, Array] {
  const headParams = params.autoregressive!;
  params.logStd.dispose();
  const [batch, groups, size] = actions.shape as [number, number, number];
  const [base, hidden] = deepSeekParts(params, observations, encoding, context);
  const [, length, width] = hidden.shape as [number, number, number];
  const states = np.broadcastTo(hidden.reshape([batch, 1, length, width]), [batch, groups, length, width]).reshape([batch * groups, length, width]);
  const preTanh = actions.reshape([batch * groups, size]);
  const [corrections, logStds] = head.distribution(headParams, states, preTanh.ref, context);
  const means = corrections.add(np.broadcastTo(base.reshape([batch, 1, size]), [batch, groups, size]).reshape([batch * groups, size]));
  const entropy = logStds.ref.sum(-1).add(size * (0.5 + HALF_LOG_TWO_PI)).reshape([batch, groups]).mean(1);
  const logProbs = squashedGaussianLogProbability(means, logStds, preTanh).reshape([batch, groups]);
  return [logProbs, entropy];
}

/**
 * The deterministic autoregressive action u_i = m_i + μ_i(s, u_<i) for every asset, as one traceable
 * computation (A head passes, unrolled): what the reward-penalty critic bootstraps from. Pre-tanh
 * [B, A]. Consumes params and observations.
 */
export function autoregressiveMeans(params: PolicyParams, observations: Array, encoding: DeepSeekEncoding, head: AutoregressiveGaussianHead): Array {
  const headParams = params.autoregressive!;
  params.logStd.dispose();
  const [base, hidden] = deepSeekParts(params, observations, encoding, ForwardContext.evaluation());
  const [batch, size] = base.shape as [number, number];
  let values = np.zeros([batch, size]);
  for (let i = 0; i < size; i++) {
    const [corrections, logStds] = head.distribution(tree.ref(headParams), hidden.ref, values.ref, ForwardContext.evaluation());
    logStds.dispose();
    const unit = np.array(Float32Array.from({ length: size }, (_, j) => (j === i ? 1 : 0)), { shape: [1, size] });
    values = values.add(corrections.add(base.ref).mul(unit));
  }
  tree.dispose(headParams);
  hidden.dispose();
  base.dispose();
  return values;
}
