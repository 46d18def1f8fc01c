/**
 * The simple causal rules of the planted-market suite and the oracle: hand-computed targets on tiny
 * markets, and the time rule (a rule's weight at bar t does not change when later bars change).
 */
import { describe, expect, it } from 'vitest';
import { plantedMarket, PLANTED_MARKET_NAMES } from '../../data/planted-markets.js';
import { checkNoLookAhead } from '../look-ahead.js';
import { plantedOracle, plantedRules } from '../planted-benchmark.js';
import { marketFromCloses } from '../test-helpers.js';
import { expectedReturnOracle, leadLag, reversal, timeSeriesMomentum, volatilityTarget } from './index.js';

const nan = Number.NaN;

describe('time-series momentum', () => {
  // A rises, B falls, C is flat over two bars.
  const market = marketFromCloses(['A', 'B', 'C'], [
    [10, 11, 12, 13],
    [10, 9, 8, 9],
    [10, 10, 10, 10],
  ]);

  it('holds ±1/N by the sign of the lookback return, cash before the lookback', () => {
    // Bar 2: A 12/10 > 1, B 8/10 < 1, C flat. Bar 3: A 13/11, B 9/9 = 1 (flat), C flat.
    const targets = timeSeriesMomentum({ lookback: 2 }).targets(market, 1);
    expect(Array.from(targets)).toEqual([nan, nan, nan, 0, 0, 0, 1 / 3, -1 / 3, 0, 1 / 3, 0, 0]);
    expect(timeSeriesMomentum({ lookback: 2 }).name).toBe('ts_momentum_2');
  });

  it('long-only keeps the rising assets at 1/N and the rest in cash', () => {
    const targets = timeSeriesMomentum({ lookback: 2, longOnly: true }).targets(market, 2);
    expect(Array.from(targets.subarray(6))).toEqual([1 / 3, 0, 0, 1 / 3, 0, 0]);
    expect(timeSeriesMomentum({ lookback: 40, longOnly: true }).name).toBe('ts_momentum_40_long');
    expect(() => timeSeriesMomentum({ lookback: 0 })).toThrow(/lookback must be a positive integer/);
  });
});

describe('reversal', () => {
  // One-bar returns at bar 1: A +10 %, B −20 %, C 0.
  const market = marketFromCloses(['A', 'B', 'C'], [
    [10, 11, 11],
    [10, 8, 8],
    [10, 10, 11],
  ]);

  it('sign: −sign(return)/N', () => {
    expect(Array.from(reversal({ window: 1 }).targets(market, 0))).toEqual([0, 0, 0, -1 / 3, 1 / 3, 0, 0, 0, -1 / 3]);
  });

  it('proportional: −return scaled to a gross exposure of 1; cash when nothing moved', () => {
    const targets = reversal({ window: 1, weighting: 'proportional' }).targets(market, 1);
    // −0.1 and +0.2 over a gross of 0.3.
    expect(targets[3]).toBeCloseTo(-1 / 3, 14);
    expect(targets[4]).toBeCloseTo(2 / 3, 14);
    expect(targets[5]).toBe(0);
    // Bar 2 over window 2: A 11/10, B 8/10, C 11/10 → −0.1, +0.2, −0.1 over 0.4.
    const two = reversal({ window: 2, weighting: 'proportional' }).targets(market, 2);
    expect(Array.from(two.subarray(6)).map((w) => Number(w.toFixed(12)))).toEqual([-0.25, 0.5, -0.25]);
    expect(Array.from(reversal({ window: 1, weighting: 'proportional' }).targets(marketFromCloses(['A'], [[5, 5]]), 1).subarray(1))).toEqual([0]);
    expect(() => reversal({ weighting: 'median' as 'sign' })).toThrow(/sign or proportional/);
  });
});

describe('lead–lag', () => {
  // A leads C; B leads nothing and follows nothing.
  const market = marketFromCloses(['A', 'B', 'C'], [
    [10, 11, 10.5, 10.5],
    [10, 20, 5, 40],
    [10, 10, 10, 10],
  ]);

  it("positions each follower by the sign of its leader's return, ±1/F, others in cash", () => {
    const rule = leadLag({ leaderOf: [-1, -1, 0], window: 1 });
    // Bar 1: A +; bar 2: A −; bar 3: A flat.
    expect(Array.from(rule.targets(market, 0))).toEqual([0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0]);
    // Window 2 at bar 2: 10.5/10 > 1; at bar 3: 10.5/11 < 1.
    expect(Array.from(leadLag({ leaderOf: [-1, -1, 0], window: 2 }).targets(market, 2).subarray(6))).toEqual([0, 0, 1, 0, 0, -1]);
  });

  it('rejects a leader map that does not fit the market', () => {
    expect(() => leadLag({ leaderOf: [-1, 0] }).targets(market, 0)).toThrow(/leaderOf names 2 assets, the market has 3/);
    expect(() => leadLag({ leaderOf: [-1, 5, 0] }).targets(market, 0)).toThrow(/leader 5 is not an asset index/);
  });
});

describe('volatility targeting', () => {
  it('scales equal weight by min(1, target / realised volatility of its returns)', () => {
    // Equal-weight book returns of a single asset: +1 %, −1 %, +1 %.
    const market = marketFromCloses(['A'], [[100, 101, 99.99, 100.9899]]);
    const rule = volatilityTarget({ window: 2, target: 0.1, periodsPerYear: 252 });
    const targets = rule.targets(market, 0);
    // Bar 2: returns +0.01, −0.01 → std (ddof 1) = √2·0.01, annualised √(2·252)·0.01 ≈ 0.2245.
    const realised = Math.sqrt(2e-4 * 252);
    expect(targets[0]).toBe(0);
    expect(targets[1]).toBe(0);
    expect(targets[2]).toBeCloseTo(0.1 / realised, 12);
    // A calm book is held in full.
    expect(Array.from(volatilityTarget({ window: 2, target: 10 }).targets(market, 3).subarray(3))).toEqual([1]);
    expect(() => volatilityTarget({ window: 1 })).toThrow(/at least 2 bars/);
    expect(() => volatilityTarget({ target: 0 })).toThrow(/positive number/);
  });
});

describe('expected-return oracle', () => {
  const market = marketFromCloses(['A', 'B'], [
    [10, 10, 10],
    [10, 10, 10],
  ]);
  const expectedReturn = Float64Array.from([0.002, -0.001, 0.001, 0.001, 0, 0]);
  const variance = Float64Array.from([1e-4, 1e-4, 1e-4, 1e-4, 1e-4, 1e-4]);

  it('holds m/v at the running mean signal strength, capped at the gross exposure', () => {
    const targets = expectedReturnOracle({ expectedReturn, variance }).targets(market, 0);
    // Strengths Σ|m/v|: 30, 20, 0; running means 30, 25, 50/3.
    // Bar 0: (20, −10)/30 → gross 1. Bar 1: (10, 10)/25 = 0.4 each (gross 0.8, under the cap). Bar 2: nothing to hold.
    expect(Array.from(targets).map((w) => Number(w.toFixed(12)))).toEqual([0.666666666667, -0.333333333333, 0.4, 0.4, 0, 0]);
  });

  it('sign weighting holds ±gross/N; the truth must cover the market', () => {
    expect(Array.from(expectedReturnOracle({ expectedReturn, variance, weighting: 'sign', grossExposure: 2 }).targets(market, 1).subarray(2))).toEqual([1, 1, 0, 0]);
    expect(() => expectedReturnOracle({ expectedReturn: expectedReturn.subarray(0, 4), variance: variance.subarray(0, 4) }).targets(market, 0)).toThrow(/truth covers 2 bars × 2 assets, the market 3 bars/);
  });
});

describe('the time rule', () => {
  it("the oracle's weights at bar t do not change when the truth after t changes", () => {
    const planted = plantedMarket('mean_reversion', { bars: 300 });
    const n = planted.market.symbols.length;
    const base = expectedReturnOracle({ expectedReturn: planted.truth.expectedReturn, variance: planted.truth.variance }).targets(planted.market, 50);
    for (const bar of [60, 200]) {
      const expectedReturn = planted.truth.expectedReturn.slice();
      const variance = planted.truth.variance.slice();
      for (let i = (bar + 1) * n; i < expectedReturn.length; i++) {
        expectedReturn[i] = -3 * expectedReturn[i]!;
        variance[i] = 0.5 * variance[i]!;
      }
      const perturbed = expectedReturnOracle({ expectedReturn, variance }).targets(planted.market, 50);
      expect(Array.from(perturbed.subarray(0, (bar + 1) * n)), `bar ${bar}`).toEqual(Array.from(base.subarray(0, (bar + 1) * n)));
      expect(Array.from(perturbed.subarray((bar + 1) * n))).not.toEqual(Array.from(base.subarray((bar + 1) * n)));
    }
  });

  it("no rule's or oracle's weight at bar t changes when prices after t change", () => {
    for (const name of PLANTED_MARKET_NAMES) {
      const planted = plantedMarket(name, { bars: 260 });
      for (const strategy of [...plantedRules(planted), plantedOracle(planted)]) {
        for (const bar of [70, 150]) expect(checkNoLookAhead(strategy, planted.market, bar, { firstBar: 65 }), `${name}: ${strategy.name} at bar ${bar}`).toEqual({ ok: true, firstDifference: undefined });
      }
    }
  });
});
