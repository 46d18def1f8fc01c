import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { marketFromCloses } from '../test-helpers.js';
import { buyAndHold, createStrategy, equalWeight, minVariance, minVarianceLongOnly, minVarianceUnconstrained, momentum, projectOntoSimplex, randomWeights, rebalanceMask, returnCovariance, smaCross } from './index.js';

const nan = Number.NaN;

describe('rebalance schedules', () => {
  it('rebalances monthly on the first bar of each new month, and at the first decision', () => {
    const time = Float64Array.from(['2020-01-30', '2020-01-31', '2020-02-03', '2020-02-04', '2020-03-02', '2021-03-01'], (d) => Date.parse(`${d}T00:00:00Z`));
    expect(Array.from(rebalanceMask(time, 1, 'monthly'))).toEqual([0, 1, 1, 0, 1, 1]);
    expect(Array.from(rebalanceMask(time, 0, 2))).toEqual([1, 0, 1, 0, 1, 0]);
    expect(Array.from(rebalanceMask(time, 3, 'daily'))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(() => rebalanceMask(time, 0, 0)).toThrow(/positive integer/);
  });
});

describe('baseline strategies (hand-computed targets)', () => {
  const three = marketFromCloses(['A', 'B', 'C'], [
    [10, 10, 10, 10, 10, 10],
    [10, 11, 12, 13, 12, 11],
    [10, 9, 14, 15, 13, 17],
  ]);

  it('buy and hold buys 1/N at the first decision only', () => {
    expect(Array.from(buyAndHold().targets(three, 2))).toEqual([nan, nan, nan, nan, nan, nan, 1 / 3, 1 / 3, 1 / 3, ...Array(9).fill(nan)]);
  });

  it('equal weight daily targets 1/N at every bar from the first decision', () => {
    const targets = equalWeight().targets(three, 4);
    expect(Array.from(targets.subarray(9))).toEqual(Array(9).fill(nan).map((_, i) => (i >= 3 ? 1 / 3 : nan)));
  });

  it('sma cross trades only when the fast average crosses the slow one', () => {
    // SMA2: –, 9.5, 8.5, 8.5, 10, 11.5, 11, 9; SMA3: –, –, 9, 8.667, 9.333, 10.667, 11, 10.
    // fast > slow at bars 4 and 5 only (bar 6 is equal): enter at 4, exit at 6; flat at the start.
    const one = marketFromCloses(['X'], [[10, 9, 8, 9, 11, 12, 10, 8]]);
    const targets = smaCross({ fast: 2, slow: 3, weight: 1 }).targets(one, 0);
    expect(Array.from(targets)).toEqual([0, nan, nan, nan, 1, nan, 0, nan]);
    // Starting inside the "on" state buys at once.
    expect(Array.from(smaCross({ fast: 2, slow: 3, weight: 1 }).targets(one, 5))).toEqual([nan, nan, nan, nan, nan, 1, 0, nan]);
    expect(() => smaCross({ fast: 5, slow: 5 })).toThrow(/fast < slow/);
  });

  it('momentum holds the best lookback-to-skip performer, cash before enough history, ties by symbol order', () => {
    // Bar 3: scores close[2]/close[0] − 1 = 0, 0.2, 0.4 → C. Bar 4: close[3]/close[1] = 0, 0.18, 0.67 → C.
    // Bar 5: close[4]/close[2] = 0, 0, −0.07 → A and B tie → A.
    const targets = momentum({ lookback: 3, skip: 1, top: 1, rebalance: 'daily' }).targets(three, 0);
    expect(Array.from(targets)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0]);
  });

  it('random weights are long-only, sum to one and follow the seed', () => {
    const a = randomWeights({ seed: 5, rebalance: 2 }).targets(three, 0);
    const b = randomWeights({ seed: 5, rebalance: 2 }).targets(three, 0);
    expect(Array.from(a)).toEqual(Array.from(b));
    for (const t of [0, 2, 4]) {
      const row = Array.from(a.subarray(t * 3, t * 3 + 3));
      expect(row.every((w) => w > 0)).toBe(true);
      expect(row.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 14);
    }
    expect(Number.isNaN(a[3])).toBe(true);
  });

  it('creates every named strategy and rejects unknown names', () => {
    for (const name of ['buy_and_hold', 'equal_weight_daily', 'equal_weight_monthly', 'sma_cross', 'momentum_12_1', 'min_variance', 'random']) expect(createStrategy(name).name).toBe(name);
    expect(() => createStrategy('magic')).toThrow(/unknown strategy "magic"; known: buy_and_hold/);
  });
});

describe('minimum variance', () => {
  it('matches the two-asset closed form w₁ = (σ₂² − σ₁₂)/(σ₁² + σ₂² − 2σ₁₂)', () => {
    const w = minVarianceLongOnly(Float64Array.from([0.04, 0.006, 0.006, 0.01]), 2);
    expect(w[0]).toBeCloseTo(0.004 / 0.038, 9);
    expect(w[1]).toBeCloseTo(1 - 0.004 / 0.038, 9);
    expect(minVarianceUnconstrained(Float64Array.from([0.04, 0.006, 0.006, 0.01]), 2)[0]).toBeCloseTo(0.004 / 0.038, 12);
  });

  it('puts a corner solution at the bound when the unconstrained weight is negative', () => {
    const covariance = Float64Array.from([0.04, 0.018, 0.018, 0.01]);
    expect(minVarianceUnconstrained(covariance, 2)[0]).toBeCloseTo(-0.008 / 0.014, 12);
    const w = minVarianceLongOnly(covariance, 2);
    expect(w[0]).toBeCloseTo(0, 9);
    expect(w[1]).toBeCloseTo(1, 9);
  });

  it('satisfies the KKT conditions on an 8-asset covariance', () => {
    const rng = new Rng(11);
    const n = 8;
    const factors = Array.from({ length: 40 * n }, () => rng.normal(0, 0.01));
    const covariance = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < 40; k++) s += factors[k * n + i]! * factors[k * n + j]!;
      covariance[i * n + j] = s / 39 + (i === j ? 1e-5 * (i + 1) : 0);
    }
    const w = minVarianceLongOnly(covariance, n);
    const gradient = Array.from({ length: n }, (_, i) => w.reduce((s, wj, j) => s + covariance[i * n + j]! * wj, 0));
    const active = gradient.filter((_, i) => w[i]! > 1e-7);
    const level = active.reduce((s, g) => s + g, 0) / active.length;
    expect(w.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    for (let i = 0; i < n; i++) {
      expect(w[i]).toBeGreaterThanOrEqual(0);
      if (w[i]! > 1e-7) expect(Math.abs(gradient[i]! - level) / level).toBeLessThan(1e-5);
      else expect(gradient[i]! / level).toBeGreaterThan(1 - 1e-5);
    }
  });

  it('projects onto the simplex (hand case) and estimates covariance with ddof 1', () => {
    expect(Array.from(projectOntoSimplex(Float64Array.from([0.5, 0.5, 0.5])))).toEqual([1 / 3, 1 / 3, 1 / 3].map((x) => expect.closeTo(x, 15)));
    expect(Array.from(projectOntoSimplex(Float64Array.from([2, 0, -1])))).toEqual([1, 0, 0]);
    // Returns A: 0.1, −0.1, 0.1; B: 0, 0.1, 0 (closes below).
    const market = marketFromCloses(['A', 'B'], [[100, 110, 99, 108.9], [10, 10, 11, 11]]);
    const c = returnCovariance(market, 0, 3);
    expect(c[0]).toBeCloseTo(((0.2 / 3) ** 2 * 2 + (0.4 / 3) ** 2) / 2, 12);
    expect(c[1]).toBeCloseTo(((0.2 / 3) * (-1 / 30) * 2 + (-0.4 / 3) * (0.2 / 3)) / 2, 12);
    expect(c[3]).toBeCloseTo(((1 / 30) ** 2 * 2 + (0.2 / 3) ** 2) / 2, 12);
  });

  it('holds cash before the lookback, then the rolling solution; fit() fixes the training covariance', () => {
    const market = marketFromCloses(['A', 'B'], [[100, 110, 99, 108.9, 100, 120], [10, 10, 11, 11, 12, 11]]);
    const strategy = minVariance({ lookback: 3, rebalance: 'daily' });
    const targets = strategy.targets(market, 0);
    expect(Array.from(targets.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    const expected = minVarianceLongOnly(returnCovariance(market, 0, 3), 2);
    expect(Array.from(targets.subarray(6, 8))).toEqual(Array.from(expected));
    const fitted = strategy.fit!(marketFromCloses(['A', 'B'], [[100, 110, 99, 108.9], [10, 10, 11, 11]]));
    const fixed = fitted.targets(market, 2);
    expect(Array.from(fixed.subarray(4, 6))).toEqual(Array.from(expected));
    expect(Array.from(fixed.subarray(10, 12))).toEqual(Array.from(expected));
  });
});
