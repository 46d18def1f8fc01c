/**
 * A trained model's deterministic backtest (library form of `grpo-trader backtest`): the agent is
 * rebuilt exactly as in training, decides with its deterministic policy through an environment with
 * the training accounting, and the episode is recorded by `runEnvEpisode`. With `explain`, every
 * decision of a deepseek policy is explained as it is taken (feature importances per asset and
 * feature, attention over the window) — the series the report charts over time.
 */
import type { TrainedModelInfo } from '../agents/load-trained-model.js';
import type { DecisionExplanation } from '../agents/explain.js';
import { ErrorCodes, GrpoTraderError, invalidArgument } from '../core/errors.js';
import { formatTimestamp } from '../data/dates.js';
import { dateRangeIndices } from '../data/market.js';
import { loadMarket } from '../data/load-market.js';
import type { MarketData } from '../data/types.js';
import { buildFeatureTensor, type FeatureTensor } from '../env/feature-tensor.js';
import type { MultiAssetEnv } from '../env/multi-asset-env.js';
import { actionToWeights } from '../env/normalize-weights.js';
import { runAgentEpisode } from './agent-policy.js';
import type { BacktestResult } from './types.js';

/** Explanations of a run's decisions, one row per decision (the rows of the result but its last). */
export interface ExplanationSeries {
  symbols: string[];
  features: string[];
  lookback: number;
  /** Decision times (UTC ms). */
  time: Float64Array;
  /** [decisions × assets]: each asset's share of the feature attention, averaged over the window. */
  assetImportance: Float32Array;
  /** [decisions × assets·features]: the attention weight of each asset's feature, averaged over the window. */
  featureImportance: Float32Array;
  /** [decisions × lookback]: the decision's attention over the window's bars, oldest first. */
  temporal: Float32Array;
}

export interface ModelBacktest {
  result: BacktestResult;
  /** With `explain` (deepseek policies only), else null. */
  explanations: ExplanationSeries | null;
}

export interface ModelBacktestOptions {
  /** Series name of the result (default `agent`). */
  name?: string;
  /** Split label of the result (default `evaluation`). */
  split?: string;
  /** Explain every decision (needs a model trained with algorithm.policy: deepseek). */
  explain?: boolean;
}

/** A run directory's model description (the agents module, which brings jax-js, is loaded on use). */
export async function readModel(directory: string, checkpoint?: string): Promise<TrainedModelInfo> {
  const { readTrainedModel } = await import('../agents/load-trained-model.js');
  return readTrainedModel(directory, checkpoint);
}

/** Load `paths` restricted to the model's symbols, in the model's order; `symbols`, when given, must be the same. */
export async function loadModelMarket(info: TrainedModelInfo, paths: readonly string[], symbols: readonly string[] | null = null): Promise<{ market: MarketData; files: string[] }> {
  if (symbols && info.symbols && symbols.join(',') !== info.symbols.join(',')) {
    throw invalidArgument(`--symbols ${symbols.join(',')} do not match the model's symbols ${info.symbols.join(',')} (same names, same order)`);
  }
  const wanted = symbols ?? info.symbols;
  const { market, files } = await loadMarket(paths, wanted === null ? {} : { symbols: wanted });
  return { market, files };
}

/** Evaluated bars [start, end) of a date range; fewer than 2 is one clear error naming the data's dates. */
export function evaluationRange(market: MarketData, from?: string, to?: string): { start: number; end: number } {
  const { start, end } = dateRangeIndices(market.time, from, to);
  if (end - start < 2) {
    const day = (ms: number) => formatTimestamp(ms).slice(0, 10);
    throw invalidArgument(`no bars to evaluate between ${from ?? 'the start'} and ${to ?? 'the end'}: the data covers ${day(market.time[0]!)} .. ${day(market.time[market.time.length - 1]!)} (${market.time.length} aligned bars)`);
  }
  return { start, end };
}

/** The model's features on a market (computed once on the whole market: they are causal). */
export function modelFeatures(info: TrainedModelInfo, market: MarketData): FeatureTensor {
  return buildFeatureTensor(market, { features: info.config.data.features });
}

/** Whether a model's decisions can be explained (its policy is the specification's deepseek network). */
export function isExplainable(info: TrainedModelInfo): boolean {
  return info.config.algorithm.policy === 'deepseek';
}

/**
 * Run the model's deterministic policy over bars [start, end) of `market` (earlier bars are history);
 * the first decision is at `start` or, if later, the first bar with a full feature window.
 */
export async function backtestModel(info: TrainedModelInfo, market: MarketData, features: FeatureTensor, start: number, end: number, options: ModelBacktestOptions = {}): Promise<ModelBacktest> {
  if (info.config.environment.type !== 'multi_asset') {
    throw invalidArgument(`${info.directory}: backtest supports multi_asset models; this one is ${info.config.environment.type}`);
  }
  // Loaded on use: the agents bring jax-js, which the rest of this module does not need.
  const { loadTrainedModel } = await import('../agents/load-trained-model.js');
  const model = await loadTrainedModel(info, market, features);
  const explained: DecisionExplanation[] = [];
  const input = new Float32Array(model.agent.observationSize);
  try {
    const env = model.makeEnv({ firstBar: start, lastBar: end - 1 }) as MultiAssetEnv;
    const chooser = options.explain
      ? async (observation: Float64Array) => {
          for (let i = 0; i < input.length; i++) input[i] = observation[i]!;
          explained.push((await model.agent.explain(input, 1))[0]!);
          return model.chooser(observation);
        }
      : model.chooser;
    const result = await runAgentEpisode(env, chooser, { name: options.name ?? 'agent', split: options.split ?? 'evaluation' });
    return { result, explanations: options.explain ? explanationSeries(explained, result) : null };
  } finally {
    model.dispose();
  }
}

/** Stack per-decision explanations into series aligned with the result's decision rows. */
function explanationSeries(explained: DecisionExplanation[], result: BacktestResult): ExplanationSeries {
  const first = explained[0];
  const decisions = explained.length;
  const A = first?.symbols.length ?? 0;
  const F = first?.features.length ?? 0;
  const L = first?.lookback ?? 0;
  const series: ExplanationSeries = {
    symbols: first?.symbols ?? [],
    features: first?.features ?? [],
    lookback: L,
    time: result.time.slice(0, decisions),
    assetImportance: new Float32Array(decisions * A),
    featureImportance: new Float32Array(decisions * A * F),
    temporal: new Float32Array(decisions * L),
  };
  explained.forEach((e, row) => {
    series.assetImportance.set(e.assetImportance, row * A);
    series.featureImportance.set(e.featureImportance, row * A * F);
    series.temporal.set(e.temporal, row * L);
  });
  return series;
}

/** One decision explained: the bar, the deterministic action and what the policy attended to. */
export interface ExplainedDecision extends DecisionExplanation {
  /** The decision bar's date (the last bar on or before the requested date). */
  date: string;
  bar: number;
  /** The deterministic action, before the environment clips it to ±actionBound and normalises it. */
  action: number[];
  /** The target weights the action holds (`actionToWeights`, as the environment and the server turn it). */
  weights: number[];
}

/**
 * Explain the model's decision at the close of `date` (or the last bar before it), taken as the first
 * decision of an episode starting there with the portfolio in cash — the state a fresh backtest from
 * that date would see. Needs a deepseek policy.
 */
export async function explainDecision(info: TrainedModelInfo, market: MarketData, features: FeatureTensor, date: string): Promise<ExplainedDecision> {
  if (!isExplainable(info)) {
    throw new GrpoTraderError(ErrorCodes.unsupported, `the model was trained with algorithm.policy: ${info.config.algorithm.policy}; explanations need algorithm.policy: deepseek (its feature and decoder attention are what they report)`, {
      location: { file: info.directory, field: 'algorithm.policy', value: info.config.algorithm.policy },
    });
  }
  const { end } = dateRangeIndices(market.time, undefined, date);
  const bar = end - 1;
  const day = (t: number) => formatTimestamp(market.time[t]!).slice(0, 10);
  if (bar < 0) throw invalidArgument(`--date ${date} is before the data's first date ${day(0)}`);
  const { loadTrainedModel } = await import('../agents/load-trained-model.js');
  const model = await loadTrainedModel(info, market, features);
  try {
    const env = model.makeEnv({ firstBar: 0, lastBar: market.time.length - 1 }) as MultiAssetEnv;
    const earliest = env.reset().info.barIndex;
    if (bar < earliest) throw invalidArgument(`--date ${date}: the first decision with a full feature window is at ${day(earliest)} (indicator warm-up plus lookback)`);
    if (bar >= market.time.length - 1) throw invalidArgument(`--date ${date}: the last bar ${day(bar)} has no next bar to trade into; choose an earlier date`);
    const observation = env.reset({ options: { start: bar, episodeLength: 1 } }).observation;
    const input = Float32Array.from(observation);
    const [explanation] = await model.agent.explain(input, 1);
    const action = Array.from(await model.chooser(Float64Array.from(observation)));
    return { ...explanation!, date: day(bar), bar, action, weights: Array.from(actionToWeights(action, env.config)) };
  } finally {
    model.dispose();
  }
}
