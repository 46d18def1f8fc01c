/**
 * Performance metrics over an equity curve (specification 8.2, with its Sortino defect fixed).
 * Conventions — values V_0..V_n, returns r_i = V_i/V_{i-1} − 1 (n of them), P periods per year,
 * rf per year, excess e_i = r_i − rf/P:
 *   total_return = V_n/V_0 − 1, annual_return = (1 + total_return)^(P/n) − 1
 *   volatility = std(r, ddof 1)·√P, sharpe_ratio = mean(e)/std(e, ddof 1)·√P
 *   sortino_ratio = mean(e)·P / (√mean(min(e, 0)²)·√P)
 *   max_drawdown = max_t (peak_t − V_t)/peak_t (positive fraction), calmar_ratio = annual_return/max_drawdown
 *   win_rate = positive / non-zero returns, profit_factor = Σ positive r / |Σ negative r|
 * Degenerate input gives NaN or ±Infinity, never a throw.
 */

export interface MetricsOptions {
  /** Periods per year (252 daily, 8760 hourly crypto). */
  periodsPerYear?: number;
  /** Annual risk-free rate. */
  riskFree?: number;
}

export interface PerformanceMetrics {
  total_return: number;
  annual_return: number;
  volatility: number;
  sharpe_ratio: number;
  sortino_ratio: number;
  max_drawdown: number;
  calmar_ratio: number;
  win_rate: number;
  profit_factor: number;
  periods: number;
}

export interface BenchmarkMetrics {
  excess_annual_return: number;
  beta: number;
  alpha: number;
  tracking_error: number;
  information_ratio: number;
}

import { invalidArgument } from '../core/errors.js';
import { maxDrawdown, meanOf, sharpeRatio, sortinoRatio, stdOf } from '../core/return-statistics.js';

export { maxDrawdown };

const defaults = { periodsPerYear: 252, riskFree: 0 } satisfies Required<MetricsOptions>;

/** Period returns r_i = V_i/V_{i−1} − 1 written into out (length values.length − 1). */
export function returnsInto(out: Float64Array, values: ArrayLike<number>): Float64Array {
  for (let i = 1; i < values.length; i++) out[i - 1] = values[i]! / values[i - 1]! - 1;
  return out;
}

/** Period returns of an equity curve. */
export function returnsFromValues(values: ArrayLike<number>): Float64Array {
  return returnsInto(new Float64Array(Math.max(0, values.length - 1)), values);
}

/** Drawdown series (peak − V)/peak written into out. */
export function drawdownInto(out: Float64Array, values: ArrayLike<number>): Float64Array {
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > peak) peak = v;
    out[i] = (peak - v) / peak;
  }
  return out;
}

/** All single-curve metrics of 8.2 from the equity values V_0..V_n. */
export function computeMetrics(values: ArrayLike<number>, options: MetricsOptions = {}): PerformanceMetrics {
  const { periodsPerYear: P, riskFree } = { ...defaults, ...options };
  const r = returnsFromValues(values);
  const n = r.length;
  const totalReturn = n === 0 ? Number.NaN : values[n]! / values[0]! - 1;
  const annualReturn = n === 0 ? Number.NaN : Math.pow(1 + totalReturn, P / n) - 1;
  let positive = 0;
  let nonZero = 0;
  let gains = 0;
  let losses = 0;
  for (let i = 0; i < n; i++) {
    const ri = r[i]!;
    if (ri !== 0) nonZero++;
    if (ri > 0) {
      positive++;
      gains += ri;
    } else if (ri < 0) {
      losses += ri;
    }
  }
  const mdd = maxDrawdown(values);
  return {
    total_return: totalReturn,
    annual_return: annualReturn,
    volatility: stdOf(r) * Math.sqrt(P),
    sharpe_ratio: sharpeRatio(r, P, riskFree),
    sortino_ratio: sortinoRatio(r, P, riskFree),
    max_drawdown: mdd,
    calmar_ratio: annualReturn / mdd,
    win_rate: nonZero === 0 ? Number.NaN : positive / nonZero,
    profit_factor: gains / Math.abs(losses),
    periods: n,
  };
}

/** Metrics relative to a benchmark's returns over the same periods (r and b aligned, equal length). */
export function computeBenchmarkMetrics(values: ArrayLike<number>, benchmarkValues: ArrayLike<number>, options: MetricsOptions = {}): BenchmarkMetrics {
  const { periodsPerYear: P, riskFree } = { ...defaults, ...options };
  if (values.length !== benchmarkValues.length) {
    throw invalidArgument(`computeBenchmarkMetrics: ${values.length} values but ${benchmarkValues.length} benchmark values`);
  }
  const r = returnsFromValues(values);
  const b = returnsFromValues(benchmarkValues);
  const n = r.length;
  const rfPeriod = riskFree / P;
  const meanR = meanOf(r);
  const meanB = meanOf(b);
  let cov = 0;
  let varB = 0;
  const active = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    cov += (r[i]! - meanR) * (b[i]! - meanB);
    varB += (b[i]! - meanB) ** 2;
    active[i] = r[i]! - b[i]!;
  }
  const beta = n < 2 ? Number.NaN : cov / (n - 1) / (varB / (n - 1));
  const trackingStd = stdOf(active);
  const ours = computeMetrics(values, options).annual_return;
  const theirs = computeMetrics(benchmarkValues, options).annual_return;
  return {
    excess_annual_return: ours - theirs,
    beta,
    alpha: (meanR - rfPeriod - beta * (meanB - rfPeriod)) * P,
    tracking_error: trackingStd * Math.sqrt(P),
    information_ratio: (meanOf(active) / trackingStd) * Math.sqrt(P),
  };
}
