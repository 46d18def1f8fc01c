import { describe, expect, it } from 'vitest';
import { syntheticRegimeMarket } from '../data/synthetic.js';
import { buildFeatureTensor } from '../env/feature-tensor.js';
import { MultiAssetEnv } from '../env/multi-asset-env.js';
import { runBacktest } from './run-backtest.js';
import { runEnvEpisode } from './run-env-episode.js';
import { tradeStatistics } from './trade-statistics.js';
import type { Strategy } from './types.js';

// Two years of business days for three assets (SYN01…SYN03).
const { market } = syntheticRegimeMarket({ assets: 3, bars: 502, seed: 5, start: '2011-01-03' });
const env = new MultiAssetEnv(market, buildFeatureTensor(market), { lookback: 5, includeCorrelation: false });

/** Alternate between two books every 10 bars — a stand-in for an agent's actions. */
function actionAt(bar: number): number[] {
  return Math.floor(bar / 10) % 2 === 0 ? [0.5, 0.3, 0.2] : [0.1, -0.2, 0.6];
}

describe('runEnvEpisode', () => {
  it('records the environment episode exactly as runBacktest runs the same decisions', () => {
    const result = runEnvEpisode(env, (_observation, info) => actionAt(info.barIndex), { name: 'agent' });
    const n = 3;
    const first = result.barIndex[0]!;
    const decisions: Strategy = {
      name: 'same',
      targets(m) {
        const targets = new Float64Array(m.time.length * n).fill(Number.NaN);
        for (let t = first; t < m.time.length; t++) targets.set(actionAt(t), t * n);
        return targets;
      },
    };
    const reference = runBacktest(market, decisions, { firstBar: first });
    const rows = result.value.length;
    expect(result.period.last).toBe(reference.period.last);
    expect(rows).toBe(reference.value.length);
    // Every row but the last (where the environment takes no decision) matches.
    for (let i = 0; i < rows - 1; i++) {
      expect(result.value[i]! / reference.value[i]! - 1).toBeLessThan(1e-12);
      expect(result.value[i]! / reference.value[i]! - 1).toBeGreaterThan(-1e-12);
      expect(result.cost[i]).toBeCloseTo(reference.cost[i]!, 8);
    }
    expect(result.value[rows - 1]! / (reference.value[rows - 1]! + reference.cost[rows - 1]!) - 1).toBeLessThan(1e-12);
    expect(result.trades.count).toBe(reference.trades.count - 3);
    // The second asset flips between long and short: the same round trips close on the same bars.
    const lastBar = result.barIndex[rows - 1]!;
    const ours = tradeStatistics(result, market).roundTrips;
    const theirs = tradeStatistics(reference, market).roundTrips.filter((trip) => trip.exitBar < lastBar);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.map((trip) => [trip.symbol, trip.entryBar, trip.exitBar])).toEqual(theirs.map((trip) => [trip.symbol, trip.entryBar, trip.exitBar]));
    ours.forEach((trip, k) => expect(trip.pnl).toBeCloseTo(theirs[k]!.pnl, 6));
  });

  it('observations handed to the policy are the environment\'s, one per decision bar', () => {
    const seen: number[] = [];
    const result = runEnvEpisode(env, (observation, info) => {
      seen.push(info.barIndex);
      expect(observation.length).toBe(env.observationSize);
      return [0.3, 0.3, 0.3];
    }, { start: env.minStart + 10, episodeLength: 50 });
    expect(seen).toEqual(Array.from({ length: 50 }, (_, k) => env.minStart + 10 + k));
    expect(result.value.length).toBe(51);
  });
});
