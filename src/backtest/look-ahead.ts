/**
 * Checking the time rule by perturbing the future: a strategy's targets (or a policy's whole run) up to
 * bar k must not change when any bar after k changes.
 */
import { Rng } from '../core/rng.js';
import { OHLCV_FIELDS, type MarketData } from '../data/types.js';
import { runBacktest } from './run-backtest.js';
import type { BacktestOptions, Policy, Strategy } from './types.js';

/**
 * A copy of the market whose bars after `bar` are scaled (bars ≤ `bar` untouched): by a constant factor
 * when `factor` is given, else by random factors in [0.5, 1.5] per bar and asset.
 */
export function perturbFuture(market: MarketData, bar: number, seed = 1, factor?: number): MarketData {
  const rng = new Rng(seed);
  const n = market.symbols.length;
  const copy: MarketData = { ...market, symbols: market.symbols.slice(), time: market.time.slice() };
  for (const field of OHLCV_FIELDS) copy[field] = market[field].slice();
  for (let t = bar + 1; t < market.time.length; t++) {
    for (let a = 0; a < n; a++) {
      const scale = factor ?? rng.uniform(0.5, 1.5);
      for (const field of OHLCV_FIELDS) copy[field][t * n + a] = market[field][t * n + a]! * scale;
    }
  }
  return copy;
}

export interface LookAheadReport {
  ok: boolean;
  /** First bar ≤ `bar` whose decision (or value) changed, if any. */
  firstDifference: number | undefined;
}

/**
 * Compare a strategy's targets (rows firstBar..bar) or a policy's backtest (values, weights and costs at
 * bars ≤ bar) on the market and on copies whose future is perturbed (every later bar halved, doubled,
 * then scaled at random). NaN equals NaN; everything else must be bit-identical.
 */
export function checkNoLookAhead(subject: Strategy | Policy | (() => Strategy | Policy), market: MarketData, bar: number, options: BacktestOptions & { seed?: number } = {}): LookAheadReport {
  const make = typeof subject === 'function' ? subject : () => subject;
  for (const factor of [0.5, 2, undefined]) {
    const report = compareWithFuture(make, market, perturbFuture(market, bar, options.seed ?? 1, factor), bar, options);
    if (!report.ok) return report;
  }
  return { ok: true, firstDifference: undefined };
}

function compareWithFuture(make: () => Strategy | Policy, market: MarketData, perturbed: MarketData, bar: number, options: BacktestOptions): LookAheadReport {
  const firstBar = options.firstBar ?? 0;
  const n = market.symbols.length;
  const first = make();
  if (typeof (first as Strategy).targets === 'function') {
    const a = (first as Strategy).targets(market, firstBar);
    const b = (make() as Strategy).targets(perturbed, firstBar);
    for (let t = firstBar; t <= bar; t++) {
      for (let k = 0; k < n; k++) if (!Object.is(a[t * n + k], b[t * n + k])) return { ok: false, firstDifference: t };
    }
    return { ok: true, firstDifference: undefined };
  }
  const runA = runBacktest(market, first, options);
  const runB = runBacktest(perturbed, make(), options);
  for (let i = 0; i + firstBar <= bar && i < runA.value.length; i++) {
    let same = Object.is(runA.value[i], runB.value[i]) && Object.is(runA.cost[i], runB.cost[i]);
    for (let k = 0; k < n && same; k++) same = Object.is(runA.weights[i * n + k], runB.weights[i * n + k]);
    if (!same) return { ok: false, firstDifference: i + firstBar };
  }
  return { ok: true, firstDifference: undefined };
}
