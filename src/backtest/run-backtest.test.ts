import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticRegimeMarket } from '../data/synthetic.js';
import { simulateWeights } from '../env/simulate-weights.js';
import { checkNoLookAhead } from './look-ahead.js';
import { runBacktest } from './run-backtest.js';
import { buyAndHold, createStrategy, equalWeight, minVariance, momentum, STRATEGY_NAMES } from './strategies/index.js';
import { marketFromCloses } from './test-helpers.js';
import type { Policy, Strategy } from './types.js';

function tableStrategy(name: string, rows: Record<number, number[]>): Strategy {
  return {
    name,
    targets(market) {
      const n = market.symbols.length;
      const targets = new Float64Array(market.time.length * n).fill(Number.NaN);
      for (const [bar, weights] of Object.entries(rows)) targets.set(weights, Number(bar) * n);
      return targets;
    },
  };
}

const small = marketFromCloses(['A', 'B'], [
  [100, 110, 99, 99],
  [50, 50, 55, 60],
]);

// Three years of business days for five assets (SYN01…SYN05): the properties below hold on any prices.
const synthetic = syntheticRegimeMarket({ assets: 5, bars: 756, seed: 12, start: '2012-01-03' }).market;

describe('runBacktest accounting', () => {
  it('charges costs on traded notional and lets weights drift (hand-computed)', () => {
    // Day 0: buy A with 1000: cost 1000·0.0015 = 1.5 → 998.5. Day 1: A +10% → 1098.35; switch to B:
    // turnover 2, cost 2·1098.35·0.0015 = 3.29505 → 1095.05495. Day 2: B +10% → 1204.560445. Day 3: B ×60/55.
    const result = runBacktest(small, tableStrategy('switch', { 0: [1, 0], 1: [0, 1] }), { initialCapital: 1000, tradingCost: 0.001, slippage: 0.0005 });
    const expected = [998.5, 1095.05495, 1204.560445, (1204.560445 * 60) / 55];
    result.value.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 7));
    expect(Array.from(result.cost)).toEqual([1.5, expect.closeTo(3.29505, 9), 0, 0]);
    expect(Array.from(result.turnover)).toEqual([1, 2, 0, 0]);
    expect(result.returns[0]).toBeCloseTo(-0.0015, 12);
    expect(result.returns[2]).toBeCloseTo(0.1, 12);
    expect(result.trades.count).toBe(3);
    expect(Array.from(result.trades.asset)).toEqual([0, 0, 1]);
    expect(Array.from(result.trades.notional)).toEqual([1000, expect.closeTo(-1098.35, 9), expect.closeTo(1098.35, 9)]);
    expect(result.period).toEqual({ first: '2020-01-01', last: '2020-01-04', bars: 4, split: 'all' });
  });

  it('matches simulateWeights (the environment accounting) bit for bit on full weight rows', () => {
    const nBars = synthetic.time.length;
    const n = synthetic.symbols.length;
    const strategy = createStrategy('random', { seed: 7 });
    const targets = strategy.targets(synthetic, 0);
    // Rows with a decision, as simulate's weights table.
    const bars: number[] = [];
    for (let t = 0; t < nBars; t++) if (!Number.isNaN(targets[t * n]!)) bars.push(t);
    const rows = { time: Float64Array.from(bars, (t) => synthetic.time[t]!), weights: new Float64Array(bars.length * n) };
    bars.forEach((t, k) => rows.weights.set(targets.subarray(t * n, (t + 1) * n), k * n));
    const reference = simulateWeights(synthetic, rows, { tradingCost: 0.001, slippage: 0.0002 });
    const ours = runBacktest(synthetic, strategy, { tradingCost: 0.001, slippage: 0.0002 });
    expect(Array.from(ours.value)).toEqual(Array.from(reference.value));
    expect(Array.from(ours.cost)).toEqual(Array.from(reference.cost));
    expect(Array.from(ours.weights)).toEqual(Array.from(reference.weights));
  });

  it('reproduces a share ledger for buy-and-hold on synthetic prices', () => {
    const capital = 100_000;
    const result = runBacktest(synthetic, buyAndHold(), { initialCapital: capital });
    const n = synthetic.symbols.length;
    const afterCost = capital * (1 - 0.0006); // turnover 1 at the first close
    const shares = Array.from({ length: n }, (_, a) => afterCost / n / synthetic.close[a]!);
    for (let t = 0; t < synthetic.time.length; t++) {
      let value = 0;
      for (let a = 0; a < n; a++) value += shares[a]! * synthetic.close[t * n + a]!;
      expect(result.value[t]! / value - 1).toBeLessThan(1e-12);
      expect(result.value[t]! / value - 1).toBeGreaterThan(-1e-12);
    }
    expect(result.trades.count).toBe(n);
  });

  it('keeps an asset whose target is NaN at its drifted weight and does not trade it', () => {
    // Day 0: 50/50. Day 1: A→0, B NaN (keep). B's weight drifted to 0.5·1/(0.5·1.1 + 0.5) on day 1.
    const result = runBacktest(small, tableStrategy('partial', { 0: [0.5, 0.5], 1: [0, Number.NaN] }), { tradingCost: 0, slippage: 0 });
    const drifted = 0.5 / (0.5 * 1.1 + 0.5);
    expect(result.weights[2]).toBe(0);
    expect(result.weights[3]).toBeCloseTo(drifted, 15);
    expect(result.turnover[1]).toBeCloseTo(1 - drifted, 15);
    expect(result.trades.count).toBe(3);
    expect(result.trades.asset[2]).toBe(0);
  });

  it('starts at firstBar, ignores earlier rows and says which dates it covers', () => {
    const result = runBacktest(small, equalWeight({ rebalance: 'monthly' }), { firstBar: 1, endBar: 3, split: 'test' });
    expect(result.period).toEqual({ first: '2020-01-02', last: '2020-01-03', bars: 2, split: 'test' });
    expect(Array.from(result.barIndex)).toEqual([1, 2]);
    expect(result.trades.bar[0]).toBe(1);
  });

  it('carries initial weights into the first bar (no trade when the target equals them)', () => {
    const result = runBacktest(small, tableStrategy('hold', { 0: [Number.NaN, Number.NaN] }), { initialWeights: [1, 0], tradingCost: 0, slippage: 0 });
    expect(result.value[3]).toBeCloseTo(100_000 * 0.99, 9);
    expect(result.trades.count).toBe(0);
  });

  it('rejects bad ranges, weights and policies with clear errors', () => {
    expect(() => runBacktest(small, buyAndHold(), { firstBar: 4 })).toThrow(/firstBar must be a bar index in 0..3/);
    expect(() => runBacktest(small, buyAndHold(), { firstBar: 2, endBar: 2 })).toThrow(/endBar must be in 3..4/);
    expect(() => runBacktest(small, buyAndHold(), { tradingCost: -1 })).toThrow(/tradingCost must be a non-negative number/);
    expect(() => runBacktest(small, buyAndHold(), { initialWeights: [1] })).toThrow(/initialWeights has 1 values, expected 2/);
    const bad: Policy = { name: 'bad', decideInto: (out) => (out.fill(Number.POSITIVE_INFINITY), true) };
    expect(() => runBacktest(small, bad)).toThrow(/policy bad returned a non-finite weight/);
  });

  it('creates no value from nothing: zero costs and flat prices keep the value whatever the weights', () => {
    const flat = marketFromCloses(['A', 'B', 'C'], [Array(30).fill(10), Array(30).fill(20), Array(30).fill(5)]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
        const result = runBacktest(flat, createStrategy('random', { seed }), { tradingCost: 0, slippage: 0 });
        return result.value.every((v) => Math.abs(v - 100_000) < 1e-6);
      }),
      { numRuns: 30 },
    );
  });

  it('never ends higher when costs rise, for the same decisions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 0.01, noNaN: true }), (seed, extra) => {
        const strategy = createStrategy('random', { seed });
        const cheap = runBacktest(synthetic, strategy, { tradingCost: 0.0005 });
        const dear = runBacktest(synthetic, strategy, { tradingCost: 0.0005 + extra });
        return dear.value[dear.value.length - 1]! <= cheap.value[cheap.value.length - 1]! + 1e-9;
      }),
      { numRuns: 10 },
    );
  });
});

describe('determinism and the time rule', () => {
  it('gives bit-identical results for the same seed and different ones for another', () => {
    const a = runBacktest(synthetic, createStrategy('random', { seed: 3 }));
    const b = runBacktest(synthetic, createStrategy('random', { seed: 3 }));
    const c = runBacktest(synthetic, createStrategy('random', { seed: 4 }));
    expect(Array.from(a.value)).toEqual(Array.from(b.value));
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(a.value[a.value.length - 1]).not.toBe(c.value[c.value.length - 1]);
  });

  it.each(STRATEGY_NAMES)('%s: targets up to bar k do not change when bars after k change', (name) => {
    const strategy = () => (name === 'momentum_12_1' || name === 'min_variance' ? createStrategyShort(name) : createStrategy(name));
    for (const bar of [60, 200, 400, 700]) {
      expect(checkNoLookAhead(strategy, synthetic, bar, { firstBar: 5 })).toEqual({ ok: true, firstDifference: undefined });
    }
  });

  it('a backtest run up to bar k does not change when bars after k change', () => {
    const policy: () => Policy = () => {
      // A per-bar policy using today's close against yesterday's: long the day's best asset.
      return {
        name: 'best_today',
        decideInto(out, { market, bar }) {
          const n = market.symbols.length;
          if (bar === 0) return false;
          let best = 0;
          for (let a = 1; a < n; a++) if (market.close[bar * n + a]! / market.close[(bar - 1) * n + a]! > market.close[bar * n + best]! / market.close[(bar - 1) * n + best]!) best = a;
          out.fill(0);
          out[best] = 1;
          return true;
        },
      };
    };
    for (const bar of [10, 300, 600]) expect(checkNoLookAhead(policy, synthetic, bar).ok).toBe(true);
  });

  it('catches a strategy that peeks at the next close', () => {
    const cheat: Strategy = {
      name: 'cheat',
      targets(market) {
        const n = market.symbols.length;
        const targets = new Float64Array(market.time.length * n).fill(0);
        for (let t = 0; t + 1 < market.time.length; t++) targets[t * n] = market.close[(t + 1) * n]! > market.close[t * n]! ? 1 : 0;
        return targets;
      },
    };
    const report = checkNoLookAhead(cheat, synthetic, 100);
    expect(report.ok).toBe(false);
    expect(report.firstDifference).toBe(100);
  });
});

function createStrategyShort(name: 'momentum_12_1' | 'min_variance'): Strategy {
  // Shorter windows so the 3-year test market exercises the signal, not only the warm-up.
  return name === 'momentum_12_1' ? momentum({ lookback: 120, skip: 10 }) : minVariance({ lookback: 60 });
}

describe('runEpisodes', () => {
  it('runs distinct start bars and refuses to average repeats of the same episode', async () => {
    const { runEpisodes } = await import('./run-episodes.js');
    const report = runEpisodes(synthetic, () => createStrategy('sma_cross'), [{ firstBar: 0, endBar: 200 }, { firstBar: 200, endBar: 400 }]);
    expect(report.episodes.map((e) => e.period.first)).toEqual([report.episodes[0]!.period.first, report.episodes[1]!.period.first]);
    expect(report.episodes[1]!.result.barIndex[0]).toBe(200);
    expect(report.mean.total_return).toBeCloseTo((report.episodes[0]!.metrics.total_return + report.episodes[1]!.metrics.total_return) / 2, 15);
    expect(() => runEpisodes(synthetic, () => createStrategy('sma_cross'), [{ firstBar: 0, endBar: 200 }, { firstBar: 0, endBar: 200 }])).toThrow(/repeats the same episode/);
  });
});

describe('weight limits', () => {
  it('keeps every decision within the gross and per-asset caps, whatever the policy asks', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 5, maxLength: 5 }), fc.double({ min: 0.2, max: 2, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }), (asked, gross, perAsset) => {
        const policy: Policy = { name: 'asks', decideInto: (out) => (out.set(asked), true) };
        const result = runBacktest(synthetic, policy, { maxPositionSize: gross, maxAssetWeight: perAsset, endBar: 20 });
        for (let i = 0; i < result.value.length; i++) {
          const row = result.weights.subarray(i * 5, i * 5 + 5);
          if (row.reduce((s, w) => s + Math.abs(w), 0) > gross + 1e-12) return false;
          if (row.some((w) => Math.abs(w) > perAsset + 1e-12)) return false;
        }
        return true;
      }),
      { numRuns: 40 },
    );
  });
});
