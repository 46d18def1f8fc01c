/**
 * A policy that acts on environment observations (a trained agent) backtested through the environment
 * itself: one deterministic episode of a `MultiAssetEnv`, recorded in the same `BacktestResult` shape as
 * `runBacktest`, so metrics, trade statistics, comparison, store and reports apply unchanged.
 */
import { formatTimestamp } from '../data/dates.js';
import type { MultiAssetEnv } from '../env/multi-asset-env.js';
import type { StepInfo } from '../env/types.js';
import type { BacktestResult, TradeLog } from './types.js';

/** Maps the observation at bar t (data ≤ t) to an action (target weights in the action box). */
export type ObservationPolicy = (observation: Float64Array, info: StepInfo) => ArrayLike<number>;

export interface EnvEpisodeOptions {
  /** Bar of the first decision (default: the environment's first usable bar). */
  start?: number;
  /** Steps (default: to the end of the data or of the environment's `lastBar`). */
  episodeLength?: number | null;
  name?: string;
  split?: string;
}

/**
 * Run one episode and record one row per decision bar (value after that bar's costs, cost, turnover,
 * weights after the decision, trades) plus a last row for the final bar, where no decision is taken.
 */
export function runEnvEpisode(env: MultiAssetEnv, policy: ObservationPolicy, options: EnvEpisodeOptions = {}): BacktestResult {
  const resetOptions: { start?: number; episodeLength?: number | null } = {};
  if (options.start !== undefined) resetOptions.start = options.start;
  if (options.episodeLength !== undefined) resetOptions.episodeLength = options.episodeLength;
  let { observation, info } = env.reset({ options: resetOptions });
  const n = env.nAssets;
  const bars: number[] = [];
  const values: number[] = [];
  const costs: number[] = [];
  const turnovers: number[] = [];
  const weightRows: number[] = [];
  const trades = { bar: [] as number[], asset: [] as number[], before: [] as number[], after: [] as number[], notional: [] as number[], cost: [] as number[] };
  const costRate = env.config.tradingCost + env.config.slippage;
  const initialWeights = Float64Array.from(info.weights);
  for (;;) {
    const bar = info.barIndex;
    const step = env.step(policy(observation, info));
    const done = step.terminated || step.truncated;
    const i = step.info;
    bars.push(bar);
    values.push(i.valueBeforeCosts - i.cost);
    costs.push(i.cost);
    turnovers.push(i.turnover);
    for (let a = 0; a < n; a++) {
      const before = i.weightsBefore[a]!;
      const after = i.weightsAfter[a]!;
      weightRows.push(after);
      if (after !== before) {
        trades.bar.push(bar);
        trades.asset.push(a);
        trades.before.push(before);
        trades.after.push(after);
        trades.notional.push((after - before) * i.valueBeforeCosts);
        trades.cost.push(Math.abs(after - before) * i.valueBeforeCosts * costRate);
      }
    }
    observation = step.observation;
    info = step.info;
    if (done) {
      bars.push(i.barIndex);
      values.push(i.portfolioValue);
      costs.push(0);
      turnovers.push(0);
      for (let a = 0; a < n; a++) weightRows.push(i.weights[a]!);
      break;
    }
  }
  const time = Float64Array.from(bars, (t) => env.market.time[t]!);
  const log: TradeLog = {
    count: trades.bar.length,
    bar: Int32Array.from(trades.bar),
    asset: Int32Array.from(trades.asset),
    weightBefore: Float64Array.from(trades.before),
    weightAfter: Float64Array.from(trades.after),
    notional: Float64Array.from(trades.notional),
    cost: Float64Array.from(trades.cost),
  };
  const value = Float64Array.from(values);
  const returns = new Float64Array(value.length);
  for (let k = 0; k < value.length; k++) returns[k] = value[k]! / (k === 0 ? env.config.initialCapital : value[k - 1]!) - 1;
  const c = env.config;
  return {
    name: options.name ?? 'policy',
    symbols: env.market.symbols.slice(),
    period: { first: formatTimestamp(time[0]!), last: formatTimestamp(time[time.length - 1]!), bars: time.length, split: options.split ?? 'all' },
    time,
    barIndex: Int32Array.from(bars),
    value,
    returns,
    cost: Float64Array.from(costs),
    turnover: Float64Array.from(turnovers),
    weights: Float64Array.from(weightRows),
    trades: log,
    initialCapital: c.initialCapital,
    initialWeights,
    options: { initialCapital: c.initialCapital, tradingCost: c.tradingCost, slippage: c.slippage, maxPositionSize: c.maxPositionSize, maxAssetWeight: c.maxAssetWeight, cashRate: c.cashRate, borrowCost: c.borrowCost, periodsPerYear: c.periodsPerYear },
  };
}
