/** The random baseline: long-only random weights summing to 1, redrawn on a schedule from a seeded generator. */
import { Rng } from '../../core/rng.js';
import type { Strategy } from '../types.js';
import { emptyTargets, rebalanceMask, type RebalanceSchedule } from './schedule.js';

export interface RandomWeightsOptions {
  seed?: number;
  /** Default every 21 bars (about monthly). */
  rebalance?: RebalanceSchedule;
}

/**
 * Weights u_a / Σu with u_a ~ U(0, 1), redrawn at each scheduled bar. The draws depend only on the
 * seed and the number of rebalances so far, never on prices.
 */
export function randomWeights(options: RandomWeightsOptions = {}): Strategy {
  const seed = options.seed ?? 0;
  const rebalance = options.rebalance ?? 21;
  return {
    name: 'random',
    targets(market, firstBar) {
      const n = market.symbols.length;
      const rng = new Rng(seed);
      const mask = rebalanceMask(market.time, firstBar, rebalance);
      const targets = emptyTargets(market.time.length, n);
      for (let t = firstBar; t < market.time.length; t++) {
        if (!mask[t]) continue;
        let sum = 0;
        for (let a = 0; a < n; a++) {
          const u = 1 - rng.next(); // in (0, 1], so the sum is never 0
          targets[t * n + a] = u;
          sum += u;
        }
        for (let a = 0; a < n; a++) targets[t * n + a] /= sum;
      }
      return targets;
    },
  };
}
