/**
 * Options shared by every agent on the policy-gradient core (optimiser, schedule, policy network);
 * their defaults are the training config schema's.
 */
import { algorithmSectionSchema, trainConfigSchema } from './train-config.js';
import { constantSchedule, cosineSchedule, linearDecaySchedule, warmupSchedule, type LearningRateSchedule } from '../nn/index.js';

export type ScheduleKind = 'constant' | 'cosine' | 'linear';
export type EncoderName = 'auto' | 'mlp' | 'per_asset' | 'temporal';

export interface PolicyCoreOptions {
  learningRate: number;
  learningRateSchedule: ScheduleKind;
  warmupUpdates: number;
  /** Length of the schedule (cosine / linear decay), in updates. */
  totalUpdates: number;
  maxGradNorm: number | null;
  hiddenSizes: number[];
  /** Initial σ of the Gaussian policy (continuous actions). */
  initialStd: number;
  /** Initial Gaussian mean: 'zero' (all cash) or 'equal' (1/A in every asset, the equal-weight book). */
  initialMean: 'zero' | 'equal';
  /** 'auto': per_asset where the weights are continuous and multi-asset, else mlp; 'mlp': one MLP over the whole observation; 'per_asset': one MLP shared by every asset (multi-asset only); 'temporal': nn's TemporalEncoder over the feature window. */
  encoder: EncoderName;
  /** Width of the temporal encoder (d_model). */
  temporalHidden: number;
  /** With the temporal encoder: re-weight each bar's inputs by nn's FeatureAttentionModule first. */
  featureAttention: boolean;
  /** With the per-asset encoder: add a learned linear map from every asset's inputs to every asset's action. */
  crossAsset: boolean;
  /** With the per-asset encoder: each asset also reads the feature window averaged over the assets. */
  marketContext: boolean;
  /** 'mlp': the network `encoder` names; 'deepseek': the specification's network end to end, sized by `deepseek`. */
  policy: 'mlp' | 'deepseek';
  deepseek: DeepSeekPolicyOptions;
  seed: number;
}

/** Sizes of the deepseek policy (the config's algorithm.deepseek). */
export interface DeepSeekPolicyOptions {
  hiddenDim: number;
  encoderLayers: number;
  encoderHeads: number;
  attentionHeads: number;
  decoderLayers: number;
  decoderHeads: number;
  /** null: 4 × hiddenDim. */
  feedForward: number | null;
  dropout: number;
  /** Autoregressive continuous actions: asset i's weight conditioned on the weights chosen for assets < i. */
  autoregressive: boolean;
}

const algorithm = algorithmSectionSchema.parse({});

/** The config schema's defaults (src/agents/train-config.ts), the one place they are defined. */
export const POLICY_CORE_DEFAULTS: PolicyCoreOptions = {
  learningRate: algorithm.learningRate,
  learningRateSchedule: algorithm.learningRateSchedule,
  warmupUpdates: algorithm.warmupUpdates,
  totalUpdates: algorithm.scheduleUpdates,
  maxGradNorm: algorithm.maxGradNorm,
  hiddenSizes: algorithm.hiddenSizes,
  initialStd: algorithm.initialStd,
  initialMean: algorithm.initialMean,
  encoder: algorithm.encoder,
  temporalHidden: algorithm.temporalHidden,
  featureAttention: algorithm.featureAttention,
  crossAsset: algorithm.crossAsset,
  marketContext: algorithm.marketContext,
  policy: algorithm.policy,
  deepseek: algorithm.deepseek,
  seed: trainConfigSchema.shape.seed.parse(undefined),
};

/** Learning-rate schedule from options (in optimiser steps = updates × epochs). */
export function scheduleFromOptions(options: Pick<PolicyCoreOptions, 'learningRate' | 'learningRateSchedule' | 'warmupUpdates' | 'totalUpdates'>, stepsPerUpdate: number): LearningRateSchedule {
  const total = Math.max(1, options.totalUpdates * stepsPerUpdate);
  const warmup = options.warmupUpdates * stepsPerUpdate;
  if (options.learningRateSchedule === 'cosine') return cosineSchedule(options.learningRate, total, warmup);
  if (options.learningRateSchedule === 'linear') {
    const decay = linearDecaySchedule(options.learningRate, total);
    return warmup > 0 ? (step) => (step < warmup ? warmupSchedule(options.learningRate, warmup)(step) : decay(step)) : decay;
  }
  return warmup > 0 ? warmupSchedule(options.learningRate, warmup) : constantSchedule(options.learningRate);
}

/**
 * The encoder `auto` stands for: `per_asset` where the policy sets continuous weights of two or more
 * assets (the environment's per-asset layout), `mlp` otherwise. The planted-market suite's reason:
 * one network shared by the assets learns momentum, reversal and volatility regimes where one MLP
 * over the whole observation fits noise (docs/research.md).
 */
export function resolveEncoder(encoder: EncoderName, perAssetLayout: { assets: number } | null): Exclude<EncoderName, 'auto'> {
  if (encoder !== 'auto') return encoder;
  return perAssetLayout !== null && perAssetLayout.assets >= 2 ? 'per_asset' : 'mlp';
}

/** Width of a per-asset encoder row: the asset's window and weight, then (market context) the window averaged over the assets. */
export function perAssetInputWidth(layout: { lookback: number; features: number }, marketContext: boolean): number {
  return layout.lookback * layout.features * (marketContext ? 2 : 1) + 1;
}
