import { beforeAll, describe, expect, it } from 'vitest';
import { loadMarket, syntheticRegimeMarket, type MarketData } from '../data/index.js';
import { describeRealData, realDataPath } from '../../test/real-data.js';
import { buildFeatureTensor, type FeatureTensor } from './feature-tensor.js';
import { checkEnvSettled } from './test-helpers.js';
import { MultiAssetEnv } from './multi-asset-env.js';
import { simulateWeights } from './simulate-weights.js';

/** The same checks on real prices and on a synthetic market with realistic OHLCV (needs > 1500 bars). */
function environmentChecks(load: () => MarketData | Promise<MarketData>): void {
  let market: MarketData;
  let features: FeatureTensor;

  beforeAll(async () => {
    market = await load();
    features = buildFeatureTensor(market);
  });

  it('builds the 12 causal *_norm features per asset and passes checkEnv', async () => {
    expect(features.names).toHaveLength(12);
    expect(features.names.every((name) => name.endsWith('_norm'))).toBe(true);
    const env = new MultiAssetEnv(market, features, { lookback: 30, randomStart: true, episodeLength: 252, reward: { type: 'differential_sharpe' } });
    const report = await checkEnvSettled(env, { allocationSteps: 20_000 });
    expect(report.problems).toEqual([]);
  });

  it('builds a feature tensor whose rows before a bar ignore every later bar', () => {
    const cut = 1500;
    const nAssets = market.symbols.length;
    const perturbed: MarketData = { ...market, close: market.close.slice(), high: market.high.slice(), low: market.low.slice(), volume: market.volume.slice() };
    for (let i = (cut + 1) * nAssets; i < market.close.length; i++) {
      perturbed.close[i] = perturbed.close[i]! * 1.5;
      perturbed.high[i] = perturbed.high[i]! * 1.5;
      perturbed.low[i] = perturbed.low[i]! * 1.5;
      perturbed.volume[i] = perturbed.volume[i]! * 3;
    }
    const after = buildFeatureTensor(perturbed);
    const rowSize = nAssets * features.names.length;
    expect(Array.from(after.values.subarray(0, (cut + 1) * rowSize))).toEqual(Array.from(features.values.subarray(0, (cut + 1) * rowSize)));
  });

  it('holds equal weights bought once like a buy-and-hold share ledger', () => {
    const nAssets = market.symbols.length;
    const first = 100;
    const result = simulateWeights(market, { time: market.time.slice(first, first + 1), weights: new Float64Array(nAssets).fill(1 / nAssets) }, { initialCapital: 1_000_000, tradingCost: 0, slippage: 0 });
    const shares = Array.from({ length: nAssets }, (_, a) => 1_000_000 / nAssets / market.close[first * nAssets + a]!);
    for (const t of [first, first + 1, 1000, market.time.length - 1]) {
      let value = 0;
      for (let a = 0; a < nAssets; a++) value += shares[a]! * market.close[t * nAssets + a]!;
      expect(result.value[t - first]! / value).toBeCloseTo(1, 11);
    }
  });
}

describeRealData('us-equities-daily', 'environments on real data (us-equities-daily)', () => {
  environmentChecks(async () => (await loadMarket([realDataPath('us-equities-daily')], { symbols: ['AAPL', 'MSFT', 'XOM', 'JPM'] })).market);
});

describe('environments on a synthetic market (SYN01…SYN04)', () => {
  environmentChecks(() => syntheticRegimeMarket({ assets: 4, bars: 2000, seed: 17 }).market);
});
