/** Buy and hold: buy the starting weights at the first decision and never trade again. */
import { invalidArgument } from '../../core/errors.js';
import type { Strategy } from '../types.js';
import { emptyTargets } from './schedule.js';

export interface BuyAndHoldOptions {
  /** Starting weights in the market's symbol order; default equal weights 1/N. */
  weights?: readonly number[];
}

/** Equal (or given) weights bought at the first decision, then left to drift. */
export function buyAndHold(options: BuyAndHoldOptions = {}): Strategy {
  return {
    name: 'buy_and_hold',
    targets(market, firstBar) {
      const n = market.symbols.length;
      if (options.weights !== undefined && options.weights.length !== n) throw invalidArgument(`buy_and_hold weights has ${options.weights.length} values for ${n} assets`);
      const targets = emptyTargets(market.time.length, n);
      for (let a = 0; a < n; a++) targets[firstBar * n + a] = options.weights?.[a] ?? 1 / n;
      return targets;
    },
  };
}
