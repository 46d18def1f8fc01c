/**
 * The asynchronous-agent glue: `runAgentEpisode` with an async policy gives exactly what
 * `runEnvEpisode` gives with the same policy written synchronously, and the recorded weights replayed
 * through `runBacktest` (`replayPolicy`) give the same values, costs and trades.
 */
import { describe, expect, it } from 'vitest';
import { syntheticRegimeMarket } from '../data/synthetic.js';
import { buildFeatureTensor, MultiAssetEnv } from '../env/index.js';
import { replayPolicy, runAgentEpisode, targetsFromResult } from './agent-policy.js';
import { runBacktest } from './run-backtest.js';
import { runEnvEpisode } from './run-env-episode.js';

const { market } = syntheticRegimeMarket({ assets: 4, bars: 400, seed: 3 });
const features = buildFeatureTensor(market, { features: 'normalized' });
const makeEnv = () => new MultiAssetEnv(market, features, { lookback: 4, includeCorrelation: false, firstBar: 250, lastBar: 349, tradingCost: 0.001, slippage: 0.0005 });

/** A long/short policy that reads the observation (so replaying a wrong observation would show). */
function decide(observation: Float64Array): Float64Array {
  const out = new Float64Array(4);
  for (let a = 0; a < 4; a++) out[a] = Math.sin(observation[a * 3]! * 7 + a) * 0.6;
  return out;
}

describe('runAgentEpisode', () => {
  it('equals runEnvEpisode with the same policy written synchronously', async () => {
    const asynchronous = await runAgentEpisode(makeEnv(), async (observation) => Promise.resolve(decide(observation)), { name: 'a', split: 'test' });
    const synchronous = runEnvEpisode(makeEnv(), (observation) => decide(observation), { name: 'a', split: 'test' });
    expect(asynchronous.period).toEqual({ first: synchronous.period.first, last: synchronous.period.last, bars: 100, split: 'test' });
    expect(Array.from(asynchronous.value)).toEqual(Array.from(synchronous.value));
    expect(Array.from(asynchronous.weights)).toEqual(Array.from(synchronous.weights));
    expect(asynchronous.trades.count).toBe(synchronous.trades.count);
  });

  it('replays through runBacktest: same values, costs and trades; no decision on the last bar', async () => {
    const recorded = await runAgentEpisode(makeEnv(), (observation) => decide(observation));
    const table = targetsFromResult(recorded, market.time.length);
    expect(table.subarray(349 * 4, 350 * 4).every(Number.isNaN)).toBe(true);
    expect(table.subarray(249 * 4, 250 * 4).every(Number.isNaN)).toBe(true);
    const replayed = runBacktest(market, replayPolicy('agent', recorded, market.time.length), { firstBar: 250, endBar: 350, tradingCost: 0.001, slippage: 0.0005 });
    expect(replayed.value.length).toBe(recorded.value.length);
    for (let k = 0; k < replayed.value.length; k++) {
      expect(replayed.value[k]).toBeCloseTo(recorded.value[k]!, 6);
      expect(replayed.cost[k]).toBeCloseTo(recorded.cost[k]!, 6);
    }
    expect(replayed.trades.count).toBe(recorded.trades.count);
  });

  it('calls the policy once per decision and records those actions, even for a stateful policy', async () => {
    let calls = 0;
    const env = makeEnv();
    // Hidden state: calling the policy again in the replay would change the actions; the replay must use
    // the recorded ones, so the policy runs exactly once per decision bar (99 decisions over 100 bars).
    const result = await runAgentEpisode(env, () => {
      calls++;
      return new Float64Array(4).fill(calls % 2 === 0 ? 0.25 : 0);
    });
    expect(calls).toBe(99);
    expect(result.value.length).toBe(100);
  });
});
