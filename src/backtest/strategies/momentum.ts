/**
 * Cross-sectional momentum "12-1": on each rebalance, rank assets by their return from `lookback`
 * bars ago to `skip` bars ago (252 and 21: twelve months, skipping the last month's reversal) and
 * hold the `top` best in equal weights. Before `lookback` bars of history exist it holds cash.
 */
import { invalidArgument } from '../../core/errors.js';
import type { Strategy } from '../types.js';
import { emptyTargets, positiveInteger, rebalanceMask, type RebalanceSchedule } from './schedule.js';

export interface MomentumOptions {
  lookback?: number;
  skip?: number;
  /** How many assets to hold; default ⌈N/3⌉. */
  top?: number;
  rebalance?: RebalanceSchedule;
}

/** 12-1 momentum, long the top assets, rebalanced monthly by default. */
export function momentum(options: MomentumOptions = {}): Strategy {
  const lookback = positiveInteger('momentum lookback', options.lookback ?? 252);
  const skip = options.skip ?? 21;
  if (!(Number.isInteger(skip) && skip >= 0 && skip < lookback)) throw invalidArgument(`momentum skip must be an integer in 0..${lookback - 1}, got ${skip}`);
  if (options.top !== undefined) positiveInteger('momentum top', options.top);
  const rebalance = options.rebalance ?? 'monthly';
  return {
    name: 'momentum_12_1',
    targets(market, firstBar) {
      const n = market.symbols.length;
      const nBars = market.time.length;
      const top = Math.min(n, options.top ?? Math.ceil(n / 3));
      const mask = rebalanceMask(market.time, firstBar, rebalance);
      const targets = emptyTargets(nBars, n);
      const score = new Float64Array(n);
      const order = Array.from({ length: n }, (_, a) => a);
      for (let t = firstBar; t < nBars; t++) {
        if (!mask[t]) continue;
        const row = t * n;
        if (t < lookback) {
          targets.fill(0, row, row + n);
          continue;
        }
        for (let a = 0; a < n; a++) score[a] = market.close[(t - skip) * n + a]! / market.close[(t - lookback) * n + a]! - 1;
        // Ties broken by symbol order, so the choice is deterministic.
        order.sort((x, y) => score[y]! - score[x]! || x - y);
        targets.fill(0, row, row + n);
        for (let k = 0; k < top; k++) targets[row + order[k]!] = 1 / top;
      }
      return targets;
    },
  };
}
