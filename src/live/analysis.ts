/**
 * What a window of bars says about the market (the library form of `POST /v1/analysis`): the regime
 * at its last bar (causal detector over the window), each symbol's performance, the correlation of
 * daily returns, and the drift of a model's features against its training split (PSI per feature).
 */
import { populationStabilityIndex, type DriftReference } from '../core/drift-statistics.js';
import { computeMetrics, returnsFromValues } from '../backtest/metrics.js';
import { formatTimestamp } from '../data/dates.js';
import type { MarketData } from '../data/types.js';
import { buildFeatureTensor, type BuildFeatureTensorOptions } from '../env/feature-tensor.js';
import { detectRegimes } from '../online/regime-series.js';

/** PSI levels by the usual rule of thumb. */
export function driftLevel(psi: number | null): 'stable' | 'moderate' | 'major' | 'unknown' {
  if (psi === null || !Number.isFinite(psi)) return 'unknown';
  return psi < 0.1 ? 'stable' : psi < 0.25 ? 'moderate' : 'major';
}

export interface MarketAnalysis {
  first: string;
  last: string;
  bars: number;
  symbols: string[];
  regime: { label: number; stability: number; refits: number; labels: number[] } | null;
  metrics: Record<string, { total_return: number; annual_return: number; volatility: number; sharpe_ratio: number; max_drawdown: number }>;
  correlations: number[][];
  drift: { model: string; psi: Record<string, number | null>; max_psi: number | null; level: ReturnType<typeof driftLevel> } | null;
}

/** The regime the causal detector knows at the last bar (null when the window is too short for a first fit). */
export function lastRegime(market: MarketData): MarketAnalysis['regime'] {
  const series = detectRegimes(market);
  const last = series.labels.length - 1;
  const label = series.labels[last] ?? -1;
  return label < 0 ? null : { label, stability: series.stability[last]!, refits: series.refits.length, labels: series.labels };
}

/** Features' PSI against a model's training distribution (`reference` from its data.json). */
export function featureDrift(market: MarketData, features: BuildFeatureTensorOptions['features'], reference: Record<string, DriftReference | null>, model: string): NonNullable<MarketAnalysis['drift']> {
  const tensor = buildFeatureTensor(market, { features });
  const A = market.symbols.length;
  const F = tensor.names.length;
  const T = market.time.length;
  const psi: Record<string, number | null> = {};
  let max: number | null = null;
  tensor.names.forEach((name, f) => {
    const ref = reference[name];
    if (!ref) {
      psi[name] = null;
      return;
    }
    const values = new Float64Array(T * A);
    for (let i = 0; i < T * A; i++) values[i] = tensor.values[i * F + f]!;
    const value = populationStabilityIndex(ref, values);
    psi[name] = Number.isFinite(value) ? value : null;
    if (Number.isFinite(value) && (max === null || value > max)) max = value;
  });
  return { model, psi, max_psi: max, level: driftLevel(max) };
}

export function analyzeMarket(market: MarketData, drift: { model: string; features: BuildFeatureTensorOptions['features']; reference: Record<string, DriftReference | null> } | null = null): MarketAnalysis {
  const A = market.symbols.length;
  const T = market.time.length;
  const metrics: MarketAnalysis['metrics'] = {};
  const returns: Float64Array[] = [];
  market.symbols.forEach((symbol, a) => {
    const close = new Float64Array(T);
    for (let t = 0; t < T; t++) close[t] = market.close[t * A + a]!;
    const m = computeMetrics(close);
    metrics[symbol] = { total_return: m.total_return, annual_return: m.annual_return, volatility: m.volatility, sharpe_ratio: m.sharpe_ratio, max_drawdown: m.max_drawdown };
    returns.push(returnsFromValues(close));
  });
  const correlations = returns.map((x) => returns.map((y) => pearson(x, y)));
  return {
    first: formatTimestamp(market.time[0]!),
    last: formatTimestamp(market.time[T - 1]!),
    bars: T,
    symbols: [...market.symbols],
    regime: lastRegime(market),
    metrics,
    correlations,
    drift: drift ? featureDrift(market, drift.features, drift.reference, drift.model) : null,
  };
}

/** Pearson correlation (NaN when either series is constant or shorter than 2). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = Math.min(x.length, y.length);
  if (n < 2) return Number.NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}
