/**
 * The suite's statistics without training: what it calls significant is honest on the null market
 * (unskilled policies are called significant at most ~alpha/2 of the time over many markets) and has
 * power where an edge is planted; its 60/20/20 splits are the documented bars.
 */
import { describe, expect, it } from 'vitest';
import { EQUAL_WEIGHT } from '../backtest/planted-benchmark.js';
import { randomWeights, timeSeriesMomentum, equalWeight } from '../backtest/strategies/index.js';
import { StrategyBenchmark } from '../backtest/strategy-benchmark.js';
import { plantedMarket } from '../data/planted-markets.js';
import { isCalledSignificant, learnCheckSplits } from './learn-check.js';

function called(name: 'null' | 'momentum', seed: number, strategy: 'random' | 'momentum'): boolean {
  const planted = plantedMarket(name, { seed, bars: 600 });
  const benchmark = new StrategyBenchmark(planted.market, { firstBar: 200, bootstrap: { samples: 50 } });
  benchmark.addStrategy('candidate', strategy === 'random' ? randomWeights({ seed, rebalance: 21 }) : timeSeriesMomentum({ lookback: 20 }));
  benchmark.addStrategy(EQUAL_WEIGHT, equalWeight());
  return isCalledSignificant(benchmark.statisticalTest('candidate', EQUAL_WEIGHT));
}

describe('learn-check statistics', () => {
  it('calls at most ~5 % of unskilled policies on null markets significantly ahead of equal weight', () => {
    const markets = 300;
    const falsePositives = Array.from({ length: markets }, (_, k) => called('null', 10_000 + k, 'random')).filter(Boolean).length;
    // Expected share alpha/2 = 2.5 % (7.5 of 300, binomial sd 2.7); 5 % would be 15.
    expect(falsePositives).toBeLessThanOrEqual(15);
  });

  it('has power where an edge is planted: the 20-day momentum rule is called significant on many momentum markets', () => {
    // 400 test bars are short: a Sharpe lead of ~2 over equal weight gives t ≈ 2, so about half the
    // markets (an unskilled rule: 2.5 %, i.e. 0.5 of 20).
    const hits = Array.from({ length: 20 }, (_, k) => called('momentum', 20_000 + k, 'momentum')).filter(Boolean).length;
    expect(hits).toBeGreaterThanOrEqual(5);
  });

  it('splits the bars 60/20/20 in time order', () => {
    expect(learnCheckSplits(2000)).toEqual({ train: { start: 0, end: 1200 }, validation: { start: 1200, end: 1600 }, test: { start: 1600, end: 2000 } });
    expect(learnCheckSplits(501)).toEqual({ train: { start: 0, end: 300 }, validation: { start: 300, end: 400 }, test: { start: 400, end: 501 } });
  });
});
