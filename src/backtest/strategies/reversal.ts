/**
 * Short-term reversal: bet against each asset's return over the last `window` bars. `sign`: −sign/N per
 * asset; `proportional`: weights ∝ −return, scaled so the gross exposure Σ|w| is 1 (bigger moves,
 * bigger bets). Rebalanced every bar; cash before `window` bars of history or when nothing moved.
 */
import { invalidArgument } from '../../core/errors.js';
import type { Strategy } from '../types.js';
import { emptyTargets, positiveInteger } from './schedule.js';

export interface ReversalOptions {
  /** Return window in bars (default 1). */
  window?: number;
  /** `sign` (default) or `proportional` to the return. */
  weighting?: 'sign' | 'proportional';
}

/** Long the recent losers, short the recent winners. */
export function reversal(options: ReversalOptions = {}): Strategy {
  const window = positiveInteger('reversal window', options.window ?? 1);
  const weighting = options.weighting ?? 'sign';
  if (weighting !== 'sign' && weighting !== 'proportional') throw invalidArgument(`reversal weighting must be sign or proportional, got ${String(weighting)}`);
  return {
    name: `reversal_${window}${weighting === 'proportional' ? '_proportional' : ''}`,
    targets(market, firstBar) {
      const n = market.symbols.length;
      const nBars = market.time.length;
      const targets = emptyTargets(nBars, n);
      const close = market.close;
      for (let t = firstBar; t < nBars; t++) {
        const row = t * n;
        if (t < window) {
          targets.fill(0, row, row + n);
          continue;
        }
        let gross = 0;
        for (let a = 0; a < n; a++) {
          const change = close[row + a]! / close[row - window * n + a]! - 1;
          const w = weighting === 'sign' ? (change > 0 ? -1 : change < 0 ? 1 : 0) / n : 0 - change;
          targets[row + a] = w;
          gross += Math.abs(w);
        }
        if (weighting === 'proportional') for (let a = 0; a < n; a++) targets[row + a] = gross > 0 ? targets[row + a]! / gross : 0;
      }
      return targets;
    },
  };
}
