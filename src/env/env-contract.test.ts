import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import type { MarketData } from '../data/types.js';
import { checkEnv } from './check-env.js';
import type { FeatureTensor } from './feature-tensor.js';
import { MultiAssetEnv } from './multi-asset-env.js';
import { RollingCorrelation } from './correlation.js';
import { SingleAssetEnv } from './single-asset-env.js';
import { Box, Discrete } from './spaces.js';
import { VectorEnv } from './vector-env.js';
import { checkEnvSettled, marketFromCloses, randomMarket } from './test-helpers.js';

function noiseFeatures(market: MarketData, nFeatures: number, seed = 1): FeatureTensor {
  const rng = new Rng(seed);
  const values = new Float64Array(market.close.length * nFeatures);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return { names: Array.from({ length: nFeatures }, (_, f) => `f${f}`), values };
}

describe('spaces', () => {
  it('Box samples inside itself and rejects outside points', () => {
    const box = new Box(-1, 1, [3]);
    const rng = new Rng(1);
    for (let i = 0; i < 100; i++) expect(box.contains(box.sample(rng))).toBe(true);
    expect(box.contains([0, 0, 1.5])).toBe(false);
    expect(box.contains([0, Number.NaN, 0])).toBe(false);
    expect(box.contains([0, 0])).toBe(false);
  });
  it('Discrete samples 0..n−1', () => {
    const space = new Discrete(3);
    const rng = new Rng(2);
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) seen.add(space.sample(rng));
    expect([...seen].sort()).toEqual([0, 1, 2]);
    expect(space.contains(3)).toBe(false);
    expect(space.contains(1.5)).toBe(false);
  });
});

describe('checkEnv', () => {
  it('passes the multi-asset environment, including no allocation in step()', async () => {
    const market = randomMarket(1, 5, 300);
    const env = new MultiAssetEnv(market, noiseFeatures(market, 3), { lookback: 10, randomStart: true, episodeLength: 50, reward: { type: 'composite', components: [{ type: 'sharpe' }, { type: 'turnover_penalty', weight: 0.01 }] }, correlationPenalty: 0.01 });
    const report = await checkEnvSettled(env, { allocationSteps: 30_000 });
    expect(report.problems).toEqual([]);
    expect(report.garbageCollections).toBe(0);
  });
  it('passes the single-asset discrete environment', async () => {
    const market = randomMarket(2, 1, 200);
    const env = new SingleAssetEnv(market, noiseFeatures(market, 4), { lookback: 5, randomStart: true, episodeLength: 30, positions: [-1, -0.5, 0, 0.5, 1] });
    expect((await checkEnvSettled(env, { allocationSteps: 30_000 })).problems).toEqual([]);
  });
  it('reports an environment whose step allocates', () => {
    const market = randomMarket(3, 2, 100);
    const inner = new MultiAssetEnv(market, noiseFeatures(market, 2), { lookback: 3 });
    const leaky = {
      observationSpace: inner.observationSpace,
      actionSpace: inner.actionSpace,
      observationSize: inner.observationSize,
      reset: (args?: Parameters<typeof inner.reset>[0]) => inner.reset(args),
      step: (action: ArrayLike<number>) => ({ ...inner.step(Array.from(action)), garbage: new Float64Array(64) }),
      snapshot: () => inner.snapshot(),
      restore: (s: Parameters<typeof inner.restore>[0]) => inner.restore(s),
    };
    expect(checkEnv(leaky, { allocationSteps: 20_000 }).problems.join('\n')).toMatch(/step\(\) allocates/);
  });
});

describe('SingleAssetEnv', () => {
  it('holds the ladder position of the chosen action (short loses on a rise)', () => {
    const market = marketFromCloses(['X'], [[100, 100, 110, 121]]);
    const features = { names: ['one'], values: new Float64Array(4).fill(1) };
    const env = new SingleAssetEnv(market, features, { lookback: 1, tradingCost: 0, slippage: 0, initialCapital: 1000 });
    env.reset({ options: { start: 1 } });
    expect(env.step(0).info.portfolioValue).toBeCloseTo(900, 10); // short 1× through +10%
    expect(env.step(2).info.portfolioValue).toBeCloseTo(990, 10); // long 1× through +10%
    expect(() => new SingleAssetEnv(market, features, { lookback: 1 }).step(3)).toThrow();
  });
  it('trades one named asset of a multi-asset market', () => {
    const market = randomMarket(4, 3, 50);
    const env = new SingleAssetEnv(market, noiseFeatures(market, 2), { symbol: 'S1', lookback: 2 });
    expect(env.observationNames()[0]).toBe('features[t-1].S1.f0');
    expect(() => new SingleAssetEnv(market, noiseFeatures(market, 2), {})).toThrow(/name the one to trade/);
  });
});

describe('VectorEnv', () => {
  const market = randomMarket(5, 4, 120);
  const features = noiseFeatures(market, 2);
  const correlation = new RollingCorrelation(market.close, 4, 30);
  const make = (mode: 'same-step' | 'next-step' | 'disabled') =>
    new VectorEnv(3, (_, observationBuffer) => new MultiAssetEnv(market, features, { lookback: 4, randomStart: true, episodeLength: 3, correlation, observationBuffer }), { autoReset: mode });

  it('steps N environments into one [N × obsDim] buffer, each row equal to a lone environment', () => {
    const vec = make('same-step');
    vec.reset({ seed: 10 });
    const lone = new MultiAssetEnv(market, features, { lookback: 4, randomStart: true, episodeLength: 3 });
    lone.reset({ seed: 11 });
    const actions = new Float64Array(12).fill(0.2);
    vec.step(actions);
    const expected = lone.step([0.2, 0.2, 0.2, 0.2]);
    expect(Array.from(vec.observations.subarray(vec.observationSize, 2 * vec.observationSize))).toEqual(Array.from(expected.observation));
    expect(vec.rewards[1]).toBe(expected.reward);
  });
  it('same-step auto-reset keeps the final observation and restarts at once', () => {
    const vec = make('same-step');
    vec.reset({ seed: 1 });
    const actions = new Float64Array(12).fill(0.1);
    vec.step(actions);
    vec.step(actions);
    vec.step(actions);
    expect(Array.from(vec.truncated)).toEqual([1, 1, 1]);
    expect(Array.from(vec.hasFinal)).toEqual([1, 1, 1]);
    expect(vec.infos[0]!.episodeStep).toBe(0);
    expect(vec.finalValues[0]).toBeGreaterThan(0);
  });
  it('next-step auto-reset resets on the following call, ignoring its action', () => {
    const vec = make('next-step');
    vec.reset({ seed: 1 });
    const actions = new Float64Array(12).fill(0.1);
    for (let k = 0; k < 3; k++) vec.step(actions);
    expect(Array.from(vec.truncated)).toEqual([1, 1, 1]);
    vec.step(actions);
    expect(Array.from(vec.wasReset)).toEqual([1, 1, 1]);
    expect(Array.from(vec.rewards)).toEqual([0, 0, 0]);
    vec.step(actions);
    expect(vec.infos[0]!.episodeStep).toBe(1);
  });
  it('disabled auto-reset leaves finished environments until resetAt', () => {
    const vec = make('disabled');
    vec.reset({ seed: 1 });
    const actions = new Float64Array(12).fill(0.1);
    for (let k = 0; k < 4; k++) vec.step(actions);
    expect(Array.from(vec.truncated)).toEqual([1, 1, 1]);
    vec.resetAt(0);
    vec.step(actions);
    expect(vec.infos[0]!.episodeStep).toBe(1);
    expect(vec.truncated[1]).toBe(1);
  });
});
