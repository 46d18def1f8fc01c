/**
 * Several episodes of one deterministic policy — honest only when they differ (defect 12): each
 * episode is a distinct bar range (or market); repeating the same range is refused instead of averaged.
 */
import { invalidArgument } from '../core/errors.js';
import type { MarketData } from '../data/types.js';
import { computeMetrics, type PerformanceMetrics } from './metrics.js';
import { runBacktest } from './run-backtest.js';
import type { BacktestOptions, BacktestResult, Policy, Strategy } from './types.js';

export interface Episode {
  firstBar: number;
  endBar: number;
}

export interface EpisodesReport {
  episodes: { period: BacktestResult['period']; metrics: PerformanceMetrics; result: BacktestResult }[];
  /** Mean and sample standard deviation (ddof 1) of each metric across episodes. */
  mean: Record<string, number>;
  std: Record<string, number>;
}

/** Run a policy (a fresh one per episode, from `make`) over distinct bar ranges of one market. */
export function runEpisodes(market: MarketData, make: () => Policy | Strategy, episodes: readonly Episode[], options: Omit<BacktestOptions, 'firstBar' | 'endBar'> = {}): EpisodesReport {
  if (episodes.length === 0) throw invalidArgument('runEpisodes needs at least one episode');
  const seen = new Set<string>();
  for (const e of episodes) {
    const key = `${e.firstBar}:${e.endBar}`;
    if (seen.has(key)) throw invalidArgument(`episode ${key} is repeated: a deterministic policy on the same bars repeats the same episode, so averaging copies means nothing`);
    seen.add(key);
  }
  const runs = episodes.map((e) => {
    const result = runBacktest(market, make(), { ...options, firstBar: e.firstBar, endBar: e.endBar });
    return { period: result.period, metrics: computeMetrics(result.value, { periodsPerYear: result.options.periodsPerYear }), result };
  });
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  for (const key of Object.keys(runs[0]!.metrics) as (keyof PerformanceMetrics)[]) {
    const xs = runs.map((r) => r.metrics[key]);
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    mean[key] = m;
    std[key] = xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)) : Number.NaN;
  }
  return { episodes: runs, mean, std };
}
