/**
 * The feature tensor of a growing market, computed bar by bar, equals the batch tensor of the same
 * bars exactly (NaN warm-up included), whatever the chunks the bars arrive in; the observation at
 * the last bar (`observe`) reads the same values as one `reset` reads at an earlier bar.
 */
import { describe, expect, it } from 'vitest';
import { sliceByIndex, syntheticRegimeMarket } from '../data/index.js';
import { buildFeatureTensor, FeatureTensorStream } from './feature-tensor.js';
import { MultiAssetEnv } from './multi-asset-env.js';

describe('FeatureTensorStream', () => {
  const market = syntheticRegimeMarket({ assets: 3, bars: 400, seed: 5 }).market;

  it.each([['normalized'], ['all'], ['returns'], [['RSI_norm', 'MACD', 'ATR_norm']], [['ret_5', 'RSI_norm', 'vol_ratio']]] as const)('equals buildFeatureTensor for %j, in uneven chunks', (features) => {
    const stream = new FeatureTensorStream(3, { features: features as never });
    let tensor = stream.extend(sliceByIndex(market, 0, 250));
    for (const end of [251, 260, 333, 400]) tensor = stream.extend(sliceByIndex(market, 0, end));
    const batch = buildFeatureTensor(market, { features: features as never });
    expect(tensor.names).toEqual(batch.names);
    expect(Array.from(tensor.values)).toEqual(Array.from(batch.values));
    expect(() => stream.extend(sliceByIndex(market, 0, 300))).toThrow(/already consumed/);
  });
});

describe('MultiAssetEnv.observe', () => {
  it('gives the observation of a fresh episode at that bar, and can read the last bar', () => {
    const market = syntheticRegimeMarket({ assets: 3, bars: 300, seed: 6 }).market;
    const features = buildFeatureTensor(market);
    const env = new MultiAssetEnv(market, features, { lookback: 4, returnHistory: 3 });
    const reset = Array.from(env.reset({ options: { start: 250, episodeLength: 5 } }).observation);
    expect(Array.from(env.observe(250))).toEqual(reset);
    const last = env.observe(299, [0.2, 0.3, 0.1]);
    const F = features.names.length;
    // The window ends at the last bar's features; the book follows it.
    expect(Array.from(last.subarray(3 * 3 * F, 4 * 3 * F))).toEqual(Array.from(features.values.subarray(299 * 3 * F, 300 * 3 * F)));
    expect(Array.from(last.subarray(4 * 3 * F, 4 * 3 * F + 3))).toEqual([0.2, 0.3, 0.1]);
    expect(() => env.observe(300)).toThrow(/outside/);
  });
});
