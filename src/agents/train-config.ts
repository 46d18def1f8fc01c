/**
 * The training configuration (`grpo-trader train --config FILE`): one zod schema, every field with a
 * default, published as JSON Schema in schema/train-config.schema.json (scripts/make-train-schema.ts).
 */
import { z } from 'zod';
import { schemaError } from '../core/index.js';
import { parseTimestamp } from '../data/dates.js';
import { splitOrderProblem } from '../data/splits.js';
import { rewardConfigSchema } from '../rewards/index.js';
import { simulateDefaults as accounting } from '../env/simulate-weights.js';

const positiveInt = z.number().int().positive();
/**
 * An integer size in [minimum, maximum]. Every size that sizes an allocation is bounded, so a typo
 * (`envs: 1e9`) is one line naming the field instead of V8 running out of memory; the bound and its
 * reason are in the error and in the description the published JSON Schema carries. The bounds are
 * far above anything that trains on this machine's scale (the memory estimate of training-memory.ts
 * catches combinations that are each in bounds but too large together).
 */
function size(minimum: number, maximum: number, description: string, reason: string) {
  return z
    .number()
    .int()
    .min(minimum)
    .max(maximum, `must be at most ${maximum}: ${reason}`)
    .describe(`${description}. At most ${maximum}: ${reason}`);
}
const LAYERS = 'a deeper network does not train in this project\'s updates, and each layer multiplies the parameters and activations kept';
const HEADS = 'each head adds an attention map per sequence';
const nonNegative = z.number().finite().min(0);
const probability = z.number().finite().gt(0).lt(1);
const dateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').refine((text) => !Number.isNaN(parseTimestamp(text, 'iso')), 'not a calendar date (a month 01-12 and a day that month has)');

const range = z.strictObject({
  from: dateText.describe('First date (inclusive), YYYY-MM-DD'),
  to: dateText.describe('Last date (inclusive), YYYY-MM-DD'),
});

/**
 * The training environments' reward when `environment.reward` is unset: the mean–variance utility
 * r − (λ/2)r² at λ = MEAN_VARIANCE_RISK_AVERSION (docs/rewards.md). On the planted markets it lets the
 * policy learn to shed risk in turbulence, which the plain return does not reward (docs/research.md).
 */
export const TRAINING_REWARD_DEFAULT = { type: 'mean_variance' } as const;

export const dataSectionSchema = z.strictObject({
  /** Files or directories of OHLCV files, aligned on their common dates. Relative to the config file; `${NAME}` reads the environment. */
  paths: z
    .array(z.string().min(1))
    .min(1)
    .default(['${GRPO_TRADER_DATA}'])
    .describe('OHLCV files or directories, relative to the config file; ${NAME} is replaced by that environment variable (e.g. ${GRPO_TRADER_DATA}/us-equities-daily)'),
  symbols: z.array(z.string().min(1)).min(1).nullable().default(null).describe('Symbols to load (null: every file)'),
  features: z
    .union([z.enum(['normalized', 'all', 'returns']), z.array(z.string().min(1)).min(1)])
    .default('normalized')
    .describe('Feature columns of the policy input: normalized (the 12 causal *_norm indicators), all (the 21 raw indicators too), returns (ret_1, ret_5, ret_20, ret_60, vol_ratio: volatility-scaled returns), or a list of names from both'),
});

export const splitsSectionSchema = z
  .strictObject({
    train: range.default({ from: '2005-01-01', to: '2014-12-31' }),
    validation: range.nullable().default({ from: '2015-01-01', to: '2015-12-31' }),
    test: range.nullable().default({ from: '2016-01-01', to: '2017-12-31' }),
  })
  .superRefine((splits, context) => {
    const present = (['train', 'validation', 'test'] as const).filter((name) => splits[name] !== null);
    const problem = splitOrderProblem(present.map((name) => ({ name: `splits.${name}`, ...splits[name]! })));
    if (problem) context.addIssue({ code: 'custom', path: [present[problem.index]!, problem.bound], message: problem.message });
  })
  .describe('Train, validation and test dates: each split starts after the previous one ends (no overlap, in time order); validation and test may be null');

export const environmentSectionSchema = z.strictObject({
  type: z.enum(['multi_asset', 'single_asset']).default('multi_asset'),
  /** single_asset: the asset to trade and the ladder of target weights. */
  symbol: z.string().min(1).nullable().default(null),
  positions: z
    .array(z.number().finite())
    .min(2)
    .max(256, 'must hold at most 256 positions: each is an action of the categorical policy, and a finer ladder is a continuous weight, for multi_asset')
    .default([-1, 0, 1])
    .describe('single_asset: the target weights the policy chooses among. At most 256: each is an action of the categorical policy, and a finer ladder is a continuous weight, for multi_asset'),
  // Training's own defaults, smaller than the environment's (lookback 30, full episodes, correlation
  // on): a 5-bar window and quarter-long episodes train in minutes on the Dow 30 (docs/agents.md).
  lookback: size(1, 2048, 'Bars of features in every observation, lookback × assets × features values', 'every rollout state stores the whole window, and 2048 bars is eight years of daily data').default(5),
  returnHistory: size(0, 2048, 'Recent portfolio returns in every observation', 'they are part of every stored observation').default(10),
  includeCorrelation: z.boolean().default(false),
  correlationLookback: size(2, 2048, 'Bars of the rolling correlation', 'the correlation keeps a window × assets buffer').default(30),
  correlationPenalty: nonNegative.default(0),
  episodeLength: positiveInt.default(63),
  initialCapital: z.number().finite().gt(0).default(accounting.initialCapital),
  tradingCost: nonNegative.default(accounting.tradingCost),
  slippage: nonNegative.default(accounting.slippage),
  maxPositionSize: z.number().finite().gt(0).default(accounting.maxPositionSize),
  maxAssetWeight: z.number().finite().gt(0).default(accounting.maxAssetWeight),
  actionBound: z.number().finite().gt(0).default(1),
  maxDrawdown: z.number().gt(0).max(1).nullable().default(null),
  reward: rewardConfigSchema.prefault(TRAINING_REWARD_DEFAULT).describe('Reward config (default { type: mean_variance, risk_aversion: 50 }: the return less (λ/2)·return², chosen on the planted-market suite), see docs/rewards.md'),
  nonFiniteFeatures: z.enum(['error', 'zero']).default('error'),
});

export const grpoSectionSchema = z.strictObject({
  groupSize: size(2, 1024, 'G: actions sampled and scored per state', 'every state stores G actions and their scores, and GRPO papers use 8 to 64').default(8),
  horizon: size(1, 4096, 'k: steps rolled from the snapshot to score each sampled action', 'each update steps envs × rolloutSteps × groupSize × horizon times').default(1),
  rolloutSteps: size(1, 4096, 'T: states collected per environment per update', 'every state of the batch is stored and goes through the network at once').default(16),
  epochs: positiveInt.default(2),
  advantageNormalization: z.enum(['std', 'mean']).default('std'),
  minGroupStd: nonNegative.default(1e-8),
  clipLow: probability.default(0.2),
  clipHigh: z.number().finite().gt(0).default(0.28),
  klCoefficient: nonNegative.default(0.04),
  referenceRefreshInterval: z.number().int().min(0).default(10),
  entropyCoefficient: nonNegative.default(0),
});

export const rewardPenaltySectionSchema = z.strictObject({
  rolloutSteps: size(1, 4096, 'States collected per environment per update', 'every state and next state of the batch is stored and goes through both networks at once').default(16),
  gamma: z.number().finite().min(0).max(1).default(0.99),
  rewardScale: nonNegative.default(0.5),
  penaltyScale: nonNegative.default(1),
  qLossCoefficient: nonNegative.default(1),
  /** Rewards are multiplied by this before entering the Q target (daily returns are ~1e-2). */
  rewardMultiplier: z.number().finite().gt(0).default(100),
  criticHidden: size(1, 8192, "Critic width (null: the first hidden size for reward_penalty; 128, the specification's hidden_dim, for deepseek_r1)", 'its square is the size of a weight matrix, kept about 16 times over').nullable().default(null),
  criticLayers: size(1, 32, 'Transformer layers of the distributional critic (spec 2.1.4: 2)', LAYERS).default(2),
  criticDropout: z.number().finite().min(0).lt(1).default(0.1).describe('Dropout of the distributional critic while training (spec 2.1.4: 0.1)'),
  critic: z.enum(['mlp', 'distributional']).default('mlp').describe('mlp: scalar Q(s, a); distributional: C51 critic (51 atoms on [valueMin, valueMax]), Q = its mean'),
  atoms: size(2, 1024, 'Atoms of the distributional critic (C51: 51)', 'every state stores a distribution over them').default(51),
  valueMin: z.number().finite().default(-10),
  valueMax: z.number().finite().default(10),
  entropyCoefficient: nonNegative.default(0.001),
  klCoefficient: nonNegative.default(0),
  referenceRefreshInterval: z.number().int().min(0).default(10),
  temperature: z.number().finite().gt(0).default(1),
  metaController: z.boolean().default(false),
  targetEntropy: z.number().finite().nullable().default(null),
  targetKl: nonNegative.default(0.01),
});

/** The specification's sizes (sections 2.1.1–2.1.3, and 3.2's hidden_dim=128) as this policy's defaults. */
export const deepSeekSectionSchema = z.strictObject({
  hiddenDim: size(8, 2048, 'd_model of the encoder, feature attention and decoder (spec: hidden_dim 128), a multiple of 8', 'a layer holds about 12 × hiddenDim² parameters, and training keeps each about 16 times over: weights, Adam moments, reference policy, gradients, copies for updates and checkpoints').multipleOf(8).default(128),
  encoderLayers: size(1, 32, 'TemporalEncoder layers (spec 2.1.1: 2)', LAYERS).default(2),
  encoderHeads: size(1, 64, 'TemporalEncoder heads (spec 2.1.1: 4)', HEADS).default(4),
  attentionHeads: size(1, 64, 'FeatureAttentionModule heads (spec 2.1.2: 4)', HEADS).default(4),
  decoderLayers: size(1, 32, 'DeepSeekPolicyNetwork decoder layers (spec 2.1.3: 4)', LAYERS).default(4),
  decoderHeads: size(1, 64, 'DeepSeekPolicyNetwork heads (spec 2.1.3: 8)', HEADS).default(8),
  feedForward: size(1, 16384, 'Feed-forward width of every transformer layer (null: 4 × hiddenDim, as the spec)', 'two hiddenDim × feedForward matrices per layer').nullable().default(null),
  dropout: z.number().finite().min(0).lt(1).default(0.1).describe('Dropout of every layer while training (spec: 0.1); seeded, off when acting'),
  autoregressive: z.boolean().default(false).describe("Continuous actions generated asset by asset, each conditioned on the weights already chosen (spec 2.1.3's last bullet; continuous actions)"),
});

export const algorithmSectionSchema = z.strictObject({
  type: z.enum(['grpo', 'reward_penalty', 'deepseek_r1']).default('grpo').describe('grpo: group-relative; reward_penalty: the specification 3.2 GRPOAgent; deepseek_r1: 3.3'),
  hiddenSizes: z
    .array(size(1, 8192, 'Width of a hidden layer', 'a hidden layer holds width × previous width parameters, and training keeps each about 16 times over: weights, Adam moments, reference policy, gradients, copies for updates and checkpoints'))
    .min(1)
    .max(16, `must hold at most 16 layers: ${LAYERS}`)
    .default([64])
    .describe(`Widths of the MLP's hidden layers. At most 16 layers of at most 8192 units: ${LAYERS}`),
  initialStd: z.number().finite().gt(0).default(0.1).describe('Initial σ of the Gaussian policy per asset (0.1: chosen on the planted-market suite with the mean_variance reward; 0.3 fills the gross cap with noise, so the policy cannot learn to hold cash)'),
  policy: z.enum(['mlp', 'deepseek']).default('mlp').describe("mlp: the network named by encoder; deepseek: the specification's network end to end (temporal encoder, feature attention, transformer-decoder policy, action head), sized by algorithm.deepseek"),
  deepseek: deepSeekSectionSchema.default(deepSeekSectionSchema.parse({})),
  encoder: z
    .enum(['auto', 'mlp', 'per_asset', 'temporal'])
    .default('auto')
    .describe(
      'auto: per_asset for continuous multi-asset weights, mlp otherwise (the planted-market suite: per_asset learns momentum and volatility regimes where the whole-observation MLP overfits); mlp: one MLP over the whole observation; per_asset: one MLP shared by every asset over its own feature window and weight; temporal: transformer over the feature window (experimental)',
    ),
  temporalHidden: size(4, 2048, 'd_model of the temporal encoder (4 heads), a multiple of 4', 'a layer holds about 8 × temporalHidden² parameters, each kept about 16 times over').multipleOf(4).default(32),
  featureAttention: z.boolean().default(false).describe('temporal encoder only: re-weight each bar by a feature-attention module first'),
  crossAsset: z.boolean().default(false).describe("per_asset encoder only: add a learned linear map (initially zero) from every asset's latest features and weight to every asset's action, so one asset can trade on another's last returns (a lead–lag)"),
  marketContext: z.boolean().default(false).describe("per_asset encoder only: each asset also reads the feature window averaged over the assets (the market's state, the same for every asset)"),
  initialMean: z.enum(['zero', 'equal']).default('equal').describe('Initial mean of the Gaussian policy: equal (1/A per asset: start from the equal-weight book and learn tilts from it; on the planted markets it learns volatility regimes, 0.87 vs 0.57 test Sharpe from cash) or zero (cash)'),
  learningRate: z.number().finite().gt(0).default(1e-3),
  learningRateSchedule: z.enum(['constant', 'cosine', 'linear']).default('constant'),
  warmupUpdates: z.number().int().min(0).default(0),
  scheduleUpdates: positiveInt.default(200).describe('Length of the cosine/linear learning-rate schedule, in updates (independent of training.updates so --resume stays exact)'),
  maxGradNorm: z.number().finite().gt(0).nullable().default(1),
  grpo: grpoSectionSchema.default(grpoSectionSchema.parse({})),
  rewardPenalty: rewardPenaltySectionSchema.default(rewardPenaltySectionSchema.parse({})),
});

export const trainingSectionSchema = z.strictObject({
  updates: positiveInt.default(200).describe('Total updates (with --resume the run continues up to this total)'),
  envs: size(1, 1024, 'Parallel environments', 'they step one after another on one thread, so more add memory, observation buffers and a window view per bar each, and not speed').default(8),
  evalInterval: positiveInt.default(10).describe('Updates between validation runs'),
  patience: z.number().int().min(0).default(10).describe('Validation runs without improvement before stopping (0: never stop early)'),
  checkpointInterval: positiveInt.default(25).describe('Updates between checkpoints'),
  threads: size(1, 256, 'jax-js worker threads', 'each is a worker with its own WebAssembly instance, and jax-js uses at most its pool size anyway').default(1),
});

export const trainConfigSchema = z.strictObject({
  seed: z.number().int().min(0).default(0),
  data: dataSectionSchema.default(dataSectionSchema.parse({})),
  splits: splitsSectionSchema.default(splitsSectionSchema.parse({})),
  environment: environmentSectionSchema.default(environmentSectionSchema.parse({})),
  algorithm: algorithmSectionSchema.default(algorithmSectionSchema.parse({})),
  training: trainingSectionSchema.default(trainingSectionSchema.parse({})),
});

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** Validate a parsed config object; errors name the file and the field path. */
export function parseTrainConfig(input: unknown, file = '<config>'): TrainConfig {
  const parsed = trainConfigSchema.safeParse(input ?? {});
  // The location carries file and field; the CLI prints it before the message.
  if (!parsed.success) throw schemaError(parsed.error.issues, { file, input });
  return parsed.data;
}

/** The JSON Schema of the config (draft 2020-12), as published in schema/. */
export function trainConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(trainConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
