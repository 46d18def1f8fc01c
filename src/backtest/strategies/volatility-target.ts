/**
 * Volatility targeting of an equal-weight book: hold 1/N per asset scaled by
 * min(1, target / realised volatility), the realised volatility being the annualised standard
 * deviation (ddof 1) of the equal-weight book's returns over the last `window` bars. De-risks when
 * markets turn turbulent. Cash before `window` returns of history.
 */
import { invalidArgument } from '../../core/errors.js';
import type { Strategy } from '../types.js';
import { emptyTargets, positiveInteger } from './schedule.js';

export interface VolatilityTargetOptions {
  /** Realised-volatility window in bars (default 20; at least 2). */
  window?: number;
  /** Annualised volatility target (default 0.10). */
  target?: number;
  /** Bars per year, to annualise (default 252). */
  periodsPerYear?: number;
}

/** Equal weight, scaled down when its realised volatility exceeds the target. */
export function volatilityTarget(options: VolatilityTargetOptions = {}): Strategy {
  const window = positiveInteger('volatility-target window', options.window ?? 20);
  if (window < 2) throw invalidArgument(`volatility-target window must be at least 2 bars, got ${window}`);
  const target = options.target ?? 0.1;
  const periodsPerYear = options.periodsPerYear ?? 252;
  if (!(Number.isFinite(target) && target > 0)) throw invalidArgument(`volatility-target target must be a positive number, got ${target}`);
  if (!(Number.isFinite(periodsPerYear) && periodsPerYear > 0)) throw invalidArgument(`volatility-target periodsPerYear must be positive, got ${periodsPerYear}`);
  return {
    name: `volatility_target_${window}`,
    targets(market, firstBar) {
      const n = market.symbols.length;
      const nBars = market.time.length;
      const targets = emptyTargets(nBars, n);
      const close = market.close;
      // Equal-weight book return of each bar (row 0 has none).
      const book = new Float64Array(nBars);
      for (let t = 1; t < nBars; t++) {
        let sum = 0;
        for (let a = 0; a < n; a++) sum += close[t * n + a]! / close[(t - 1) * n + a]! - 1;
        book[t] = sum / n;
      }
      for (let t = firstBar; t < nBars; t++) {
        const row = t * n;
        if (t < window) {
          targets.fill(0, row, row + n);
          continue;
        }
        let mean = 0;
        for (let k = t - window + 1; k <= t; k++) mean += book[k]!;
        mean /= window;
        let squares = 0;
        for (let k = t - window + 1; k <= t; k++) squares += (book[k]! - mean) ** 2;
        const realised = Math.sqrt((squares / (window - 1)) * periodsPerYear);
        const exposure = realised > 0 ? Math.min(1, target / realised) : 1;
        targets.fill(exposure / n, row, row + n);
      }
      return targets;
    },
  };
}
