/**
 * How much memory a training config will need on a market, estimated before anything is allocated,
 * and the check that refuses a config over the budget (src/core/memory-budget.ts) with one line
 * naming the field that dominates. The estimate follows what the code allocates:
 *
 * - environments: per environment its observation buffers (three copies of D values), one window
 *   view object per bar, and for single-asset environments their own copy of the asset's bars and
 *   features; plus the validation and test environments;
 * - rollout storage: envs × rolloutSteps states of D float32 values, and per state groupSize sampled
 *   actions with their scores, advantages and masks (GRPO) or one action, reward and next state
 *   (reward-penalty);
 * - network parameters × 16: on the device the weights, Adam's two moments, the reference policy,
 *   the gradients and an optimiser step's new copies (8); on the host a checkpoint's copies (8);
 * - activations of one update: every layer's output over the batch, kept for the backward pass, and
 *   the attention maps of transformer layers;
 * - the feature tensor: bars × assets × features float64 values, plus the per-asset frame of every
 *   indicator it is selected from.
 *
 * Each part names the config field it grows with; when a part grows with several (rollout storage:
 * envs, rolloutSteps, groupSize), the one furthest above its default is named, since that is the one
 * the user most likely raised. It is an estimate, meant to catch sizes that cannot fit, not to budget
 * megabytes. Measured on the Dow 30 (one update, max RSS above a tiny run's, against the estimate's
 * difference): a [1024, 1024] MLP with 32 envs × 32 steps × G 64, 369 MB measured for 388 MB
 * estimated; a [4096, 4096] MLP with 8 envs × 4 steps × G 8, 1.77 GB for 1.57 GB.
 */
import { checkMemoryEstimate, memoryEstimate, type MemoryEstimate, type MemoryPart } from '../core/index.js';
import { featureNames, NORMALIZED_FEATURE_NAMES, RETURN_FEATURE_NAMES } from '../features/index.js';
import { perAssetInputWidth, resolveEncoder } from './policy-options.js';
import { trainConfigSchema, type TrainConfig } from './train-config.js';

/** What the estimate needs to know of the market: its size. */
export interface MarketShape {
  assets: number;
  bars: number;
}

/** The schema's defaults, the yardstick for "furthest above its default". */
const DEFAULTS = trainConfigSchema.parse({});

/** A V8 typed-array view object (one per bar per environment, the feature windows), measured: ~106 bytes. */
const VIEW_BYTES = 112;
const FLOAT32 = 4;
const FLOAT64 = 8;
/**
 * Copies of every parameter at the high-water mark. In jax-js's memory: weights, Adam's two moments,
 * the reference policy and the gradients (5), and an Adam step's new weights and moments before the
 * old ones are released (3). On the host, a checkpoint's copies of weights, moments and reference,
 * read back and then serialised (8). Measured: a [4096, 4096] MLP on the Dow 30 (24 M parameters)
 * peaked 1.77 GB above a tiny run; 16 copies are 1.55 GB of that.
 */
const DEVICE_PARAMETER_COPIES = 8;
const HOST_PARAMETER_COPIES = 8;
/** Float32 tensors per action value in GRPO's log-probability and loss (differences, squares, ratios, their gradients). */
const LOSS_TENSORS_PER_ACTION = 16;
/** Float32 tensors per hidden unit kept for the backward pass (pre-activation, activation, gradient). */
const ACTIVATION_TENSORS = 3;

/** Number of feature columns a config's `data.features` selects. */
export function selectedFeatureCount(selection: TrainConfig['data']['features']): number {
  if (Array.isArray(selection)) return selection.length;
  return selection === 'normalized' ? NORMALIZED_FEATURE_NAMES.length : selection === 'returns' ? RETURN_FEATURE_NAMES.length : featureNames().length;
}

interface Factor {
  field: string;
  value: number;
  /** The default value; the factor's weight in naming is value / default. */
  typical: number;
  /** The value is a count of what the field lists (symbols, features), not the field's value: not quoted. */
  counted?: boolean;
}

/** The factor furthest above its default (ties: the first listed). */
function dominant(factors: Factor[]): Factor {
  return factors.reduce((best, factor) => (factor.value / factor.typical > best.value / best.typical ? factor : best));
}

function part(factors: Factor[], what: string, bytes: number, device = false): MemoryPart {
  const { field, value, counted } = dominant(factors);
  return { field, ...(counted ? {} : { value }), what, bytes, ...(device ? { device } : {}) };
}

/** Parameters of one transformer layer of width d and feed-forward f (attention projections, feed-forward, norms); a decoder layer has a second attention. */
function transformerLayerParameters(d: number, f: number, decoder: boolean): number {
  return (decoder ? 2 : 1) * (4 * d * d + 4 * d) + 2 * d * f + d + f + (decoder ? 6 : 4) * d;
}

/** Float32 values one transformer layer keeps per sequence for the backward pass: its activations and its attention maps. */
function transformerLayerActivations(length: number, d: number, f: number, heads: number): number {
  return length * (10 * d + 2 * f) + ACTIVATION_TENSORS * heads * length * length;
}

/** Estimate the memory a training run of `config` on a market of `shape` needs (see the file's comment). */
export function estimateTrainingMemory(config: TrainConfig, shape: MarketShape, options: { envs?: number } = {}): MemoryEstimate {
  const { environment: e, algorithm: a, training: t } = config;
  const single = e.type === 'single_asset';
  const A = single ? 1 : shape.assets;
  const F = selectedFeatureCount(config.data.features);
  const T = shape.bars;
  const N = options.envs ?? t.envs;
  const D = e.lookback * A * F + A + e.returnHistory + 1 + (!single && e.includeCorrelation ? A * A : 0);
  const actions = single ? e.positions.length : A;
  const grpo = a.type === 'grpo';
  const steps = grpo ? a.grpo.rolloutSteps : a.rewardPenalty.rolloutSteps;
  const stepsField = grpo ? 'algorithm.grpo.rolloutSteps' : 'algorithm.rewardPenalty.rolloutSteps';
  const G = grpo ? a.grpo.groupSize : 1;
  const B = N * steps;

  const envs: Factor = { field: 'training.envs', value: N, typical: DEFAULTS.training.envs };
  const lookback: Factor = { field: 'environment.lookback', value: e.lookback, typical: DEFAULTS.environment.lookback };
  const history: Factor = { field: 'environment.returnHistory', value: e.returnHistory, typical: DEFAULTS.environment.returnHistory };
  const symbols: Factor = { field: 'data.symbols', value: shape.assets, typical: 30, counted: true };
  const features: Factor = { field: 'data.features', value: F, typical: NORMALIZED_FEATURE_NAMES.length, counted: true };
  const rollout: Factor = { field: stepsField, value: steps, typical: grpo ? DEFAULTS.algorithm.grpo.rolloutSteps : DEFAULTS.algorithm.rewardPenalty.rolloutSteps };
  const group: Factor = { field: 'algorithm.grpo.groupSize', value: G, typical: grpo ? DEFAULTS.algorithm.grpo.groupSize : 1 };
  const observation = [lookback, symbols, features, history];

  // Environments: N training ones, one validation and one test.
  const environments = N + 2;
  const perEnvironment = 3 * D * FLOAT64 + T * VIEW_BYTES + (single ? T * (F + 6) * FLOAT64 : 0) + (e.nonFiniteFeatures === 'zero' ? T * A * F * FLOAT64 : 0);

  // Rollout storage on the host: observations, sampled actions, scores / advantages / masks (GRPO) or next states and rewards.
  const rolloutBytes = grpo ? B * D * FLOAT32 + B * G * (actions * FLOAT32 + FLOAT64 + 2 * FLOAT32) : B * (2 * D + actions + 2) * FLOAT32;

  // Network parameters.
  const network: { factors: Factor[]; parameters: number; activations: number }[] = [];
  const hidden = a.hiddenSizes;
  const widest: Factor = { field: 'algorithm.hiddenSizes', value: Math.max(...hidden), typical: DEFAULTS.algorithm.hiddenSizes[0]! };
  if (a.policy === 'deepseek') {
    const s = a.deepseek;
    const d = s.hiddenDim;
    const f = s.feedForward ?? 4 * d;
    const featureDim = A * F;
    const parameters =
      2 * featureDim * d + (D - e.lookback * featureDim + featureDim) * d + s.encoderLayers * transformerLayerParameters(d, f, false) + s.decoderLayers * transformerLayerParameters(d, f, true) + d * actions * 2 + (s.autoregressive ? transformerLayerParameters(d, f, true) + 3 * d : 0);
    const length = e.lookback + 1;
    const activations = B * ((s.encoderLayers + s.decoderLayers + 1) * transformerLayerActivations(length, d, f, Math.max(s.encoderHeads, s.decoderHeads, s.attentionHeads)) + length * featureDim * ACTIVATION_TENSORS);
    const width: Factor = { field: 'algorithm.deepseek.hiddenDim', value: d, typical: DEFAULTS.algorithm.deepseek.hiddenDim };
    const encoderLayers: Factor = { field: 'algorithm.deepseek.encoderLayers', value: s.encoderLayers, typical: DEFAULTS.algorithm.deepseek.encoderLayers };
    const decoderLayers: Factor = { field: 'algorithm.deepseek.decoderLayers', value: s.decoderLayers, typical: DEFAULTS.algorithm.deepseek.decoderLayers };
    const feedForward: Factor = { field: 'algorithm.deepseek.feedForward', value: f, typical: 4 * DEFAULTS.algorithm.deepseek.hiddenDim };
    network.push({ factors: [width, feedForward, encoderLayers, decoderLayers, ...observation], parameters, activations });
  } else {
    let input = D;
    let parameters = 0;
    let activations = 0;
    const factors = [widest, ...observation];
    const encoder = resolveEncoder(a.encoder, e.type === 'multi_asset' ? { assets: A } : null);
    if (encoder === 'per_asset') input = perAssetInputWidth({ lookback: e.lookback, features: F }, a.marketContext);
    if (encoder === 'temporal') {
      const d = a.temporalHidden;
      const featureDim = A * F;
      parameters += featureDim * d * (a.featureAttention ? 2 : 1) + transformerLayerParameters(d, 2 * d, false);
      activations += transformerLayerActivations(e.lookback, d, 2 * d, 4) * (a.featureAttention ? 2 : 1);
      input = d + D - e.lookback * featureDim;
      factors.push({ field: 'algorithm.temporalHidden', value: d, typical: DEFAULTS.algorithm.temporalHidden });
    }
    // per_asset runs the MLP once per asset.
    const rows = encoder === 'per_asset' ? A : 1;
    for (const width of hidden) {
      parameters += input * width + width;
      activations += rows * (input + ACTIVATION_TENSORS * width);
      input = width;
    }
    parameters += input * (encoder === 'per_asset' ? 1 : actions) + actions * 2;
    network.push({ factors, parameters, activations: B * activations });
  }
  if (!grpo) {
    const criticWidth = a.rewardPenalty.criticHidden ?? (a.type === 'deepseek_r1' ? 128 : hidden[0]!);
    const criticLayers = a.rewardPenalty.critic === 'distributional' ? a.rewardPenalty.criticLayers : 1;
    const atoms = a.rewardPenalty.critic === 'distributional' ? a.rewardPenalty.atoms : 1;
    const parameters = (D + actions) * criticWidth + criticLayers * transformerLayerParameters(criticWidth, 4 * criticWidth, false) + criticWidth * atoms;
    const activations = B * (D + actions + criticLayers * (10 * criticWidth + 8 * criticWidth) + ACTIVATION_TENSORS * atoms) * 2;
    const width: Factor = { field: 'algorithm.rewardPenalty.criticHidden', value: criticWidth, typical: 128 };
    const atomCount: Factor = { field: 'algorithm.rewardPenalty.atoms', value: atoms, typical: DEFAULTS.algorithm.rewardPenalty.atoms };
    network.push({ factors: [width, atomCount, ...observation], parameters, activations });
  }
  const parameters = network.reduce((sum, n) => sum + n.parameters, 0);
  const parameterFactors = network.flatMap((n) => n.factors);
  // One update's tensors: the batch on the device, GRPO's per-action loss terms, every layer's activations.
  const batchBytes = (B * D + B * G * actions * LOSS_TENSORS_PER_ACTION) * FLOAT32;
  const activationBytes = network.reduce((sum, n) => sum + n.activations, 0) * FLOAT32;

  // The feature tensor, and the frame of every indicator computed per asset before the selection.
  const featureBytes = T * shape.assets * F * FLOAT64 + T * featureNames().length * FLOAT64;

  return memoryEstimate([
    part([envs, lookback, symbols, features], `environments (${environments} × observation buffers and a window view per bar)`, environments * perEnvironment),
    part([envs, rollout, group, ...observation], `rollout storage (${N} envs × ${steps} rolloutSteps${grpo ? ` × ${G} groupSize` : ''} samples)`, rolloutBytes),
    part(parameterFactors, `network parameters (${parameters} × 8 on the device: weights, Adam moments, reference policy, gradients, an update's new copies)`, parameters * DEVICE_PARAMETER_COPIES * FLOAT32, true),
    part(parameterFactors, `checkpoint copies of the ${parameters} parameters (× 8, read back and serialised)`, parameters * HOST_PARAMETER_COPIES * FLOAT32),
    part([envs, rollout, group, ...parameterFactors], `activations of one update over ${B} states`, batchBytes + activationBytes, true),
    part([features, symbols], `feature tensor (${T} bars × ${shape.assets} assets × ${F} features)`, featureBytes),
  ]);
}

/**
 * Refuse a config whose estimate is over the memory limit, with one line naming the field that
 * dominates; `what` names the run in the message (default "training").
 */
export function checkTrainingMemory(config: TrainConfig, shape: MarketShape, options: { file?: string; envs?: number; limitBytes?: number; what?: string } = {}): MemoryEstimate {
  const estimate = estimateTrainingMemory(config, shape, options.envs === undefined ? {} : { envs: options.envs });
  checkMemoryEstimate(estimate, { what: options.what ?? 'training', ...(options.file === undefined ? {} : { file: options.file }), ...(options.limitBytes === undefined ? {} : { limitBytes: options.limitBytes }) });
  return estimate;
}
