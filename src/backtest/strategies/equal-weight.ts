/** Equal weights 1/N, rebalanced on a schedule (daily, monthly, every n bars). */
import type { Strategy } from '../types.js';
import { emptyTargets, rebalanceMask, type RebalanceSchedule } from './schedule.js';

export interface EqualWeightOptions {
  rebalance?: RebalanceSchedule;
}

/** Rebalance to 1/N on each scheduled bar; weights drift in between. */
export function equalWeight(options: EqualWeightOptions = {}): Strategy {
  const rebalance = options.rebalance ?? 'daily';
  const name = rebalance === 'daily' ? 'equal_weight_daily' : rebalance === 'monthly' ? 'equal_weight_monthly' : `equal_weight_every_${rebalance}`;
  return {
    name,
    targets(market, firstBar) {
      const n = market.symbols.length;
      const mask = rebalanceMask(market.time, firstBar, rebalance);
      const targets = emptyTargets(market.time.length, n);
      for (let t = firstBar; t < market.time.length; t++) {
        if (mask[t]) targets.fill(1 / n, t * n, (t + 1) * n);
      }
      return targets;
    },
  };
}
