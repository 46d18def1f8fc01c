/**
 * The reference points of the planted-market suite: the rules find the planted edge and none where
 * there is none; the oracle beats every rule on its market; the best rule is chosen on validation.
 */
import { describe, expect, it } from 'vitest';
import { plantedMarket, PLANTED_MARKET_NAMES } from '../data/planted-markets.js';
import { EQUAL_WEIGHT, evaluatePlantedBaselines, ORACLE, plantedRules } from './planted-benchmark.js';
import { StrategyBenchmark } from './strategy-benchmark.js';
import { timeSeriesMomentum } from './strategies/index.js';

function testSharpe(name: 'momentum' | 'null', seed: number): number {
  const planted = plantedMarket(name, { seed, bars: 1000 });
  const benchmark = new StrategyBenchmark(planted.market, { firstBar: 200 });
  benchmark.addStrategy('rule', timeSeriesMomentum({ lookback: 20 }));
  return benchmark.run().get('rule')!.summary.metrics.sharpe_ratio;
}

describe('planted benchmark', () => {
  it("finds the momentum market's edge with the 20-day sign rule, and none in the null market, over many seeds", () => {
    const seeds = Array.from({ length: 12 }, (_, k) => 7000 + k);
    const momentum = seeds.map((seed) => testSharpe('momentum', seed));
    const none = seeds.map((seed) => testSharpe('null', seed));
    const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
    // 800 bars of a ±0.2 %/day trend market: the rule's Sharpe is about 2.3 (docs/research.md); on the
    // null market it has none (0 before costs; flipping signs costs it about 0.4 of Sharpe).
    expect(mean(momentum)).toBeGreaterThan(1.5);
    expect(momentum.filter((s) => s > 0.5).length).toBeGreaterThanOrEqual(11);
    expect(mean(none)).toBeLessThan(0.3);
    expect(none.filter((s) => s > 0.5).length).toBeLessThanOrEqual(3);
    expect(mean(momentum) - mean(none)).toBeGreaterThan(1.5);
  });

  it('the oracle beats every simple rule on its market over a long test; in the null market it is equal weight', () => {
    for (const name of PLANTED_MARKET_NAMES) {
      const planted = plantedMarket(name, { bars: 8000, seed: 31 });
      const baselines = evaluatePlantedBaselines(planted, { validation: { start: 300, end: 2000 }, test: { start: 2000, end: 8000 } });
      expect(baselines.rules.map((r) => r.name)).toEqual(plantedRules(planted).map((r) => r.name));
      if (name === 'null') {
        expect(baselines.oracle.testSharpe).toBeCloseTo(baselines.equalWeight.testSharpe, 10);
        continue;
      }
      for (const rule of [...baselines.rules, baselines.equalWeight]) expect(baselines.oracle.testSharpe, `${name}: oracle vs ${rule.name}`).toBeGreaterThan(rule.testSharpe);
    }
  });

  it('selects the best rule on validation, never on test, and leaves the test benchmark ready for a policy', () => {
    const planted = plantedMarket('mean_reversion', { bars: 800 });
    const baselines = evaluatePlantedBaselines(planted, { validation: { start: 400, end: 600 }, test: { start: 600, end: 800 } });
    const bestValidation = Math.max(...baselines.rules.map((r) => r.validationSharpe));
    expect(baselines.bestRule.validationSharpe).toBe(bestValidation);
    expect(baselines.rules.find((r) => r.name === baselines.bestRule.name)).toEqual(baselines.bestRule);
    const names = baselines.test.names();
    expect(names).toContain(ORACLE);
    expect(names).toContain(EQUAL_WEIGHT);
    const run = baselines.test.run().get(baselines.bestRule.name)!;
    expect(run.result.period).toMatchObject({ bars: 200, split: 'test (out-of-sample)' });
    expect(run.summary.metrics.sharpe_ratio).toBe(baselines.bestRule.testSharpe);
  });
});
