/**
 * Lead–lag: trade each follower by the sign of its leader's return over the last `window` bars,
 * ±1/F per follower (F followers), leaders and unpaired assets in cash. The strategy is told which
 * asset leads which (`leaderOf`): a rule that knows the structure, not one that discovers it.
 */
import { invalidArgument } from '../../core/errors.js';
import type { Strategy } from '../types.js';
import { emptyTargets, positiveInteger } from './schedule.js';

export interface LeadLagOptions {
  /** Each asset's leader (index into the symbols), −1 for an asset that follows none. */
  leaderOf: ArrayLike<number>;
  /** Leader return window in bars (default 1). */
  window?: number;
}

/** Followers positioned by their leader's latest move. */
export function leadLag(options: LeadLagOptions): Strategy {
  const window = positiveInteger('lead-lag window', options.window ?? 1);
  const leaderOf = Int32Array.from(options.leaderOf);
  return {
    name: `lead_lag_${window}`,
    targets(market, firstBar) {
      const n = market.symbols.length;
      if (leaderOf.length !== n) throw invalidArgument(`lead-lag: leaderOf names ${leaderOf.length} assets, the market has ${n}`);
      for (const leader of leaderOf) if (!(leader >= -1 && leader < n)) throw invalidArgument(`lead-lag: leader ${leader} is not an asset index (0..${n - 1}) or −1`);
      const followers = leaderOf.reduce((count, leader) => count + (leader >= 0 ? 1 : 0), 0);
      const nBars = market.time.length;
      const targets = emptyTargets(nBars, n);
      const close = market.close;
      for (let t = firstBar; t < nBars; t++) {
        for (let a = 0; a < n; a++) {
          const leader = leaderOf[a]!;
          if (leader < 0 || t < window) {
            targets[t * n + a] = 0;
            continue;
          }
          const change = close[t * n + leader]! / close[(t - window) * n + leader]! - 1;
          targets[t * n + a] = (change > 0 ? 1 : change < 0 ? -1 : 0) / followers;
        }
      }
      return targets;
    },
  };
}
