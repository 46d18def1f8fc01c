/**
 * Causal z-scores for the `*_norm` columns. The specification z-scores with the mean and std of the
 * whole series (known defect 2: every value sees the future); here the statistics at bar t come only
 * from bars at or before t (rolling, expanding), or from a fixed training range (fitted).
 * z = (x - mean) / (std_ddof1 + 1e-9), as the specification. Non-finite inputs (warm-up NaN, x/0
 * infinities) are missing: they are skipped by the statistics and their z is NaN.
 */
import { invalidArgument } from '../core/errors.js';
import { NORMALIZATION_EPSILON } from './normalize-constants.js';
import { rollingZScoreInto } from './z-score.js';

export { NORMALIZATION_EPSILON };

/** How `*_norm` columns are computed. */
export type NormalizationOptions =
  | { method: 'rolling'; window?: number; minPeriods?: number }
  | { method: 'expanding'; minPeriods?: number }
  | { method: 'fitted'; fitStart: number; fitEnd: number }
  | { method: 'none' };

export type ResolvedNormalization =
  | { method: 'rolling'; window: number; minPeriods: number }
  | { method: 'expanding'; minPeriods: number }
  | { method: 'fitted'; fitStart: number; fitEnd: number }
  | { method: 'none' };

export const DEFAULT_NORMALIZATION_WINDOW = 252;
export const DEFAULT_NORMALIZATION_MIN_PERIODS = 20;

/** Fill defaults and validate; the only place normalisation defaults live. */
export function resolveNormalization(options: NormalizationOptions = { method: 'rolling' }): ResolvedNormalization {
  switch (options.method) {
    case 'rolling': {
      const window = options.window ?? DEFAULT_NORMALIZATION_WINDOW;
      const minPeriods = options.minPeriods ?? Math.min(DEFAULT_NORMALIZATION_MIN_PERIODS, window);
      requireInteger('window', window, 2);
      requireInteger('minPeriods', minPeriods, 1);
      if (minPeriods > window) throw invalidArgument(`normalisation minPeriods (${minPeriods}) exceeds the window (${window})`);
      return { method: 'rolling', window, minPeriods };
    }
    case 'expanding': {
      const minPeriods = options.minPeriods ?? DEFAULT_NORMALIZATION_MIN_PERIODS;
      requireInteger('minPeriods', minPeriods, 1);
      return { method: 'expanding', minPeriods };
    }
    case 'fitted':
      requireInteger('fitStart', options.fitStart, 0);
      requireInteger('fitEnd', options.fitEnd, options.fitStart + 2);
      return { method: 'fitted', fitStart: options.fitStart, fitEnd: options.fitEnd };
    case 'none':
      return { method: 'none' };
    default:
      throw invalidArgument(`unknown normalisation method ${JSON.stringify((options as { method: unknown }).method)}; expected rolling, expanding, fitted or none`);
  }
}

function requireInteger(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw invalidArgument(`normalisation ${name} must be an integer >= ${minimum}, got ${value}`);
  }
}

/** Mean and sample std (ddof 1) of the finite values of x[start, end): the fitted scaler. */
export function fitScaler(x: ArrayLike<number>, start: number, end: number): { mean: number; std: number; count: number } {
  if (end > x.length) throw invalidArgument(`normalisation fit range [${start}, ${end}) exceeds the ${x.length} bars`);
  let sum = 0;
  let count = 0;
  for (let i = start; i < end; i++) {
    const value = x[i]!;
    if (value - value === 0) { sum += value; count++; }
  }
  const mean = count > 0 ? sum / count : Number.NaN;
  let squares = 0;
  for (let i = start; i < end; i++) {
    const value = x[i]!;
    if (value - value === 0) { const d = value - mean; squares += d * d; }
  }
  return { mean, std: count > 1 ? Math.sqrt(squares / (count - 1)) : Number.NaN, count };
}

/** z-score x into out with the resolved method. Statistics for bar t use only bars <= t (rolling, expanding) or the fit range (fitted). */
export function zScoreInto(out: Float64Array, x: ArrayLike<number>, normalization: ResolvedNormalization): Float64Array {
  const n = x.length;
  if (normalization.method === 'none') {
    out.fill(Number.NaN);
    return out;
  }
  if (normalization.method === 'fitted') {
    const { mean, std } = fitScaler(x, normalization.fitStart, normalization.fitEnd);
    const divisor = std + NORMALIZATION_EPSILON;
    for (let i = 0; i < n; i++) {
      const value = x[i]!;
      out[i] = value - value === 0 ? (value - mean) / divisor : Number.NaN;
    }
    return out;
  }
  const window = normalization.method === 'rolling' ? normalization.window : Number.POSITIVE_INFINITY;
  return rollingZScoreInto(out, x, window, normalization.minPeriods);
}
