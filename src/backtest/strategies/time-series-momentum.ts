/**
 * Time-series momentum: each asset by the sign of its own return over the last `lookback` bars,
 * close_t / close_{t−lookback} − 1. Long/short: ±1/N per asset; long-only: 1/N in each asset whose
 * return is positive, the rest in cash. Rebalanced every bar; cash before `lookback` bars of history.
 */
import type { Strategy } from '../types.js';
import { emptyTargets, positiveInteger } from './schedule.js';

export interface TimeSeriesMomentumOptions {
  /** Return window in bars (default 20). */
  lookback?: number;
  /** Long the rising assets only, instead of long the rising and short the falling (default false). */
  longOnly?: boolean;
}

/** Per-asset trend following by the sign of the lookback return. */
export function timeSeriesMomentum(options: TimeSeriesMomentumOptions = {}): Strategy {
  const lookback = positiveInteger('time-series momentum lookback', options.lookback ?? 20);
  const longOnly = options.longOnly ?? false;
  return {
    name: `ts_momentum_${lookback}${longOnly ? '_long' : ''}`,
    targets(market, firstBar) {
      const n = market.symbols.length;
      const nBars = market.time.length;
      const targets = emptyTargets(nBars, n);
      const close = market.close;
      for (let t = firstBar; t < nBars; t++) {
        for (let a = 0; a < n; a++) {
          const i = t * n + a;
          if (t < lookback) {
            targets[i] = 0;
            continue;
          }
          const change = close[i]! / close[i - lookback * n]! - 1;
          const sign = change > 0 ? 1 : change < 0 ? -1 : 0;
          targets[i] = (longOnly ? Math.max(0, sign) : sign) / n;
        }
      }
      return targets;
    },
  };
}
