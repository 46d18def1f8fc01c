import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MultiAssetEnv } from './multi-asset-env.js';
import { simulateWeights } from './simulate-weights.js';
import { RollingCorrelation } from './correlation.js';
import type { FeatureTensor } from './feature-tensor.js';
import type { MarketData } from '../data/types.js';
import { Rng } from '../core/rng.js';
import { marketFromCloses, randomMarket } from './test-helpers.js';

/** Features that depend only on bar t's own close: f0 = close, f1 = 2·close. */
function closeFeatures(market: MarketData): FeatureTensor {
  const values = new Float64Array(market.close.length * 2);
  for (let i = 0; i < market.close.length; i++) {
    values[2 * i] = market.close[i]!;
    values[2 * i + 1] = 2 * market.close[i]!;
  }
  return { names: ['close', 'double'], values };
}

const prices = marketFromCloses(['A', 'B'], [
  [100, 100, 110, 99, 99],
  [50, 50, 50, 55, 60],
]);

describe('MultiAssetEnv accounting', () => {
  it('charges costs on traded notional and earns the next bar return (hand-computed)', () => {
    const env = new MultiAssetEnv(prices, closeFeatures(prices), { initialCapital: 1000, tradingCost: 0.001, slippage: 0.0005, lookback: 2, includeCorrelation: false, returnHistory: 2 });
    const { observation, info } = env.reset();
    expect(info.barIndex).toBe(1); // lookback 2 → first observation at bar 1
    expect(observation[env.observationLayout().segments[3]!.offset]).toBe(0);
    // bar 1 → 2: buy A fully: cost 1.5, then +10%
    let step = env.step([1, 0]);
    expect(step.info.cost).toBeCloseTo(1.5, 12);
    expect(step.info.tradedNotional).toBeCloseTo(1000, 12);
    expect(step.info.portfolioValue).toBeCloseTo(998.5 * 1.1, 10);
    expect(step.reward).toBeCloseTo((998.5 * 1.1) / 1000 - 1, 12);
    // bar 2 → 3: switch to B: turnover 2, cost 2·1098.35·0.0015, then B +10%
    step = env.step([0, 1]);
    expect(step.info.turnover).toBeCloseTo(2, 12);
    expect(step.info.portfolioValue).toBeCloseTo((1098.35 - 3.29505) * 1.1, 8);
    expect(Array.from(step.info.weightsBefore)).toEqual([1, 0]);
    expect(Array.from(step.info.weightsAfter)).toEqual([0, 1]);
  });

  it('matches simulateWeights when the same weights are acted on every bar', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 8, maxLength: 8 }), (seed, actions) => {
        const market = randomMarket(seed, 3, 10);
        const options = { initialCapital: 1000, tradingCost: 0.001, slippage: 0.0002, maxPositionSize: 1.5, maxAssetWeight: 0.7, cashRate: 0.05, borrowCost: 0.03 };
        const env = new MultiAssetEnv(market, closeFeatures(market), { ...options, lookback: 1, includeCorrelation: false });
        env.reset();
        const values: number[] = [];
        for (const action of actions) values.push(env.step(action).info.portfolioValue);
        const rows = { time: market.time.slice(0, 8), weights: Float64Array.from(actions.flat()) };
        const simulated = simulateWeights(market, rows, options);
        // The env reports the value at bar t+1 before that bar's costs; simulate after them: compare by adding back.
        for (let t = 0; t < 7; t++) expect(values[t]).toBeCloseTo(simulated.value[t + 1]! + simulated.cost[t + 1]!, 8);
      }),
      { numRuns: 50 },
    );
  });

  it('separates terminated (drawdown limit) from truncated (end of data, episode length)', () => {
    const env = new MultiAssetEnv(prices, closeFeatures(prices), { lookback: 1, includeCorrelation: false, tradingCost: 0, slippage: 0, maxDrawdown: 0.05 });
    env.reset({ options: { start: 2 } });
    // long A from 110 to 99: −10% → drawdown limit
    const step = env.step([1, 0]);
    expect([step.terminated, step.truncated]).toEqual([true, false]);
    expect(() => env.step([0, 0])).toThrow(/call reset/);
    env.reset({ options: { start: 3 } });
    const last = env.step([0, 0]);
    expect([last.terminated, last.truncated]).toEqual([false, true]);
    env.reset({ options: { start: 0, episodeLength: 2 } });
    expect(env.step([0, 0]).truncated).toBe(false);
    expect(env.step([0, 0]).truncated).toBe(true);
  });

  it('terminates when the account is wiped out', () => {
    const crash = marketFromCloses(['A'], [[100, 100, 300]]);
    const env = new MultiAssetEnv(crash, closeFeatures(crash), { lookback: 1, includeCorrelation: false, tradingCost: 0, slippage: 0 });
    env.reset({ options: { start: 1 } });
    const step = env.step([-1]);
    expect(step.info.portfolioValue).toBeCloseTo(-1000 * 100, 6);
    expect(step.terminated).toBe(true);
  });

  it('subtracts λ·max(0, Σ_{a≠b} w_a w_b ρ_ab) as the correlation penalty', () => {
    // A and B move together exactly → ρ = 1
    const together = marketFromCloses(['A', 'B'], [
      [100, 101, 99, 102, 104, 103],
      [50, 50.5, 49.5, 51, 52, 51.5],
    ]);
    const env = new MultiAssetEnv(together, closeFeatures(together), { lookback: 1, correlationLookback: 3, correlationPenalty: 0.1, tradingCost: 0, slippage: 0 });
    env.reset({ options: { start: 3 } });
    const step = env.step([0.5, 0.5]);
    expect(step.info.correlationPenalty).toBeCloseTo(0.1 * 2 * 0.25, 12);
    expect(step.reward).toBeCloseTo(step.info.portfolioReturn - 0.05, 12);
  });
});

describe('MultiAssetEnv observation', () => {
  it('has a named layout that covers the observation exactly', () => {
    const market = randomMarket(3, 3, 40);
    const env = new MultiAssetEnv(market, closeFeatures(market), { lookback: 4, returnHistory: 3 });
    const layout = env.observationLayout();
    expect(layout.segments.map((s) => s.name)).toEqual(['features', 'weights', 'portfolio_returns', 'total_return', 'correlation']);
    let offset = 0;
    for (const segment of layout.segments) {
      expect(segment.offset).toBe(offset);
      offset += segment.length;
    }
    expect(offset).toBe(env.observationSize);
    const names = env.observationNames();
    expect(names.length).toBe(env.observationSize);
    expect(names[0]).toBe('features[t-3].S0.close');
    expect(names[4 * 3 * 2 - 1]).toBe('features[t].S2.double');
    expect(names.at(-1)).toBe('correlation.S2.S2');
  });

  it('puts the feature window, weights, returns, total return and correlation where the layout says', () => {
    const market = randomMarket(5, 3, 40);
    const env = new MultiAssetEnv(market, closeFeatures(market), { lookback: 4, returnHistory: 3, correlationLookback: 10, tradingCost: 0, slippage: 0 });
    env.reset({ options: { start: 20 } });
    env.step([0.2, -0.3, 0.1]);
    const { observation: obs, info } = env.step([0.2, 0.3, 0.1]);
    const t = 22;
    const names = env.observationNames();
    const at = (name: string) => obs[names.indexOf(name)]!;
    expect(at('features[t].S1.close')).toBe(market.close[t * 3 + 1]);
    expect(at('features[t-3].S2.double')).toBe(2 * market.close[(t - 3) * 3 + 2]!);
    expect(at('weights.S1')).toBe(info.weights[1]);
    expect(at('portfolio_returns[t]')).toBeCloseTo(info.portfolioReturn, 15);
    expect(at('portfolio_returns[t-2]')).toBe(0);
    expect(at('total_return')).toBeCloseTo(info.portfolioValue / 100_000 - 1, 15);
    // correlation by the textbook sums formula over the 10 returns ending at t
    const r = (a: number, s: number) => market.close[s * 3 + a]! / market.close[(s - 1) * 3 + a]! - 1;
    let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (let s = t - 9; s <= t; s++) {
      const x = r(0, s), y = r(2, s);
      sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
    }
    const n = 10;
    const expected = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    expect(at('correlation.S0.S2')).toBeCloseTo(expected, 10);
    expect(at('correlation.S2.S0')).toBe(at('correlation.S0.S2'));
    expect(at('correlation.S1.S1')).toBe(1);
  });

  it('never lets a later bar change an earlier observation (perturb the future)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 12, max: 30 }), (seed, cut) => {
        const market = randomMarket(seed, 3, 32);
        const future = { ...market, close: market.close.slice() };
        for (let i = (cut + 1) * 3; i < future.close.length; i++) future.close[i] = future.close[i]! * 1.7;
        const options = { lookback: 3, correlationLookback: 8, returnHistory: 4, correlationPenalty: 0.05 };
        const envs = [new MultiAssetEnv(market, closeFeatures(market), options), new MultiAssetEnv(future, closeFeatures(future), options)];
        const trace = envs.map((env) => {
          const observations: number[][] = [Array.from(env.reset({ options: { start: 5 } }).observation)];
          const rewards: number[] = [];
          for (let t = 5; t < cut; t++) {
            const step = env.step([0.3, -0.2, 0.4]);
            observations.push(Array.from(step.observation));
            if (t < cut - 1) rewards.push(step.reward);
          }
          return { observations, rewards };
        });
        expect(trace[1]).toEqual(trace[0]);
      }),
      { numRuns: 30 },
    );
  });
});

describe('MultiAssetEnv state', () => {
  it('restores a snapshot so G candidate actions are evaluated k steps ahead from one state', () => {
    const market = randomMarket(11, 4, 60);
    const env = new MultiAssetEnv(market, closeFeatures(market), { lookback: 5, reward: { type: 'sharpe', min_periods: 2 }, randomStart: true, episodeLength: 40 });
    env.reset({ seed: 7 });
    for (let i = 0; i < 5; i++) env.step([0.1 * i, -0.1, 0.2, 0]);
    const saved = env.snapshot();
    const observation = Float64Array.from(env.snapshot() && env.restore(saved));
    const rollout = (first: number[]) => {
      env.restore(saved);
      const out: number[] = [];
      let step = env.step(first);
      out.push(step.reward, ...step.observation);
      for (let k = 0; k < 3; k++) {
        step = env.step([0.25, 0.25, -0.25, 0.25]);
        out.push(step.reward, ...step.observation);
      }
      return out;
    };
    const candidates = [[1, 0, 0, 0], [0, 0, 0, 0], [-0.5, 0.5, 0.5, -0.5]];
    const first = candidates.map(rollout);
    const again = candidates.map(rollout);
    expect(again).toEqual(first);
    expect(first[0]).not.toEqual(first[1]);
    expect(Array.from(env.restore(saved))).toEqual(Array.from(observation));
  });

  it('gives bit-identical trajectories for the same seed and random starts', () => {
    const market = randomMarket(2, 3, 80);
    const run = () => {
      const env = new MultiAssetEnv(market, closeFeatures(market), { lookback: 5, randomStart: true, episodeLength: 10 });
      const rng = new Rng(99);
      const trace: number[] = [];
      for (let episode = 0; episode < 3; episode++) {
        trace.push(env.reset(episode === 0 ? { seed: 5 } : {}).info.barIndex);
        let done = false;
        while (!done) {
          const step = env.step(env.actionSpace.sample(rng));
          trace.push(step.reward, ...step.observation);
          done = step.terminated || step.truncated;
        }
      }
      return trace;
    };
    expect(run()).toEqual(run());
  });

  it('rejects a feature gap after the warm-up unless told to zero it', () => {
    const market = randomMarket(4, 2, 20);
    const features = closeFeatures(market);
    features.values[0] = Number.NaN; // warm-up: fine
    features.values[(10 * 2 + 0) * 2 + 1] = Number.NaN; // bar 10, asset 0, feature 1
    expect(() => new MultiAssetEnv(market, features, { lookback: 2 })).toThrow(/feature double of S0 is NaN at 2020-01-11 \(bar 10\)/);
    const env = new MultiAssetEnv(market, features, { lookback: 2, nonFiniteFeatures: 'zero' });
    expect(env.minStart).toBe(2);
  });

  it('keeps every episode inside firstBar .. lastBar (a split)', () => {
    const market = randomMarket(9, 2, 100);
    const env = new MultiAssetEnv(market, closeFeatures(market), { lookback: 3, firstBar: 40, lastBar: 60, randomStart: true });
    env.reset({ seed: 3 });
    for (let episode = 0; episode < 20; episode++) {
      let info = env.reset().info;
      expect(info.barIndex).toBeGreaterThanOrEqual(40);
      let done = false;
      while (!done) {
        const step = env.step([0.5, -0.5]);
        info = step.info;
        done = step.terminated || step.truncated;
      }
      expect(info.barIndex).toBe(60);
    }
    expect(() => env.reset({ options: { start: 39 } })).toThrow(/outside 40 .. 59/);
  });

  it('shares one correlation cache between environments', () => {
    const market = randomMarket(8, 3, 30);
    const correlation = new RollingCorrelation(market.close, 3, 30);
    const a = new MultiAssetEnv(market, closeFeatures(market), { lookback: 2, correlation });
    expect(a.correlation).toBe(correlation);
  });
});
