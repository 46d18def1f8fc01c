import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simulateWeights } from './simulate-weights.js';
import { normalizeWeights } from './normalize-weights.js';
import { dayTime, marketFromCloses } from './test-helpers.js';

const noCosts = { initialCapital: 1000, tradingCost: 0, slippage: 0 };

describe('normalizeWeights', () => {
  it('scales to the gross cap first, then clips each weight', () => {
    // gross 1.6 > 1 → ×0.625 → (0.5, −0.375, 0.125) → clip 0.4
    const w = normalizeWeights([0.8, -0.6, 0.2], 1, 0.4);
    expect(Array.from(w)).toEqual([0.4, -0.375, 0.125]);
  });
  it('leaves weights inside both limits unchanged', () => {
    expect(Array.from(normalizeWeights([0.25, -0.25], 1, 0.5))).toEqual([0.25, -0.25]);
  });
  it('keeps gross exposure and each weight within the limits (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        (weights, maxPositionSize, maxAssetWeight) => {
          const w = normalizeWeights(weights, maxPositionSize, maxAssetWeight);
          let gross = 0;
          for (const x of w) {
            expect(Math.abs(x)).toBeLessThanOrEqual(maxAssetWeight);
            gross += Math.abs(x);
          }
          expect(gross).toBeLessThanOrEqual(maxPositionSize * (1 + 1e-12));
        },
      ),
    );
  });
});

describe('simulateWeights (hand-computed)', () => {
  const market = marketFromCloses(['A', 'B'], [
    [100, 110, 99],
    [50, 50, 55],
  ]);

  it('lets constant weights drift with prices at zero cost (share counts: 5 A, 10 B)', () => {
    const result = simulateWeights(market, { time: Float64Array.of(dayTime(0)), weights: Float64Array.of(0.5, 0.5) }, noCosts);
    // 5 A + 10 B: 500+500, 550+500, 495+550
    expect(result.value[0]).toBeCloseTo(1000, 10);
    expect(result.value[1]).toBeCloseTo(1050, 10);
    expect(result.value[2]).toBeCloseTo(1045, 10);
    // drifted weights after day 1: 550/1050 and 500/1050
    expect(result.weights[2]).toBeCloseTo(550 / 1050, 12);
    expect(result.weights[3]).toBeCloseTo(500 / 1050, 12);
    expect(Array.from(result.cost)).toEqual([0, 0, 0]);
  });

  it('rebalances every row back to its target (daily 50/50)', () => {
    const rows = { time: Float64Array.of(dayTime(0), dayTime(1), dayTime(2)), weights: Float64Array.of(0.5, 0.5, 0.5, 0.5, 0.5, 0.5) };
    const result = simulateWeights(market, rows, noCosts);
    // day 1: 1000·(1 + .5·.1 + 0) = 1050; day 2: 1050·(1 + .5·(−.1) + .5·.1) = 1050
    expect(result.value[1]).toBeCloseTo(1050, 10);
    expect(result.value[2]).toBeCloseTo(1050, 10);
    // turnover at day 1: |.5 − 550/1050| + |.5 − 500/1050|
    expect(result.turnover[1]).toBeCloseTo(2 * (50 / 1050 - 25 / 1050), 12);
  });

  it('charges (tradingCost + slippage) on traded notional before applying the weights', () => {
    const rows = { time: Float64Array.of(dayTime(0), dayTime(1)), weights: Float64Array.of(1, 0, 0, 1) };
    const result = simulateWeights(market, rows, { initialCapital: 1000, tradingCost: 0.001, slippage: 0.0005 });
    // day 0: buy 1000 of A: cost 1.5 → 998.5
    expect(result.cost[0]).toBeCloseTo(1.5, 12);
    expect(result.value[0]).toBeCloseTo(998.5, 10);
    // day 1: 998.5·1.1 = 1098.35; switch A→B trades 2·1098.35: cost 3.29505
    expect(result.cost[1]).toBeCloseTo(3.29505, 10);
    expect(result.value[1]).toBeCloseTo(1095.05495, 8);
    expect(result.turnover[1]).toBeCloseTo(2, 12);
    // day 2: B +10%
    expect(result.value[2]).toBeCloseTo(1204.560445, 7);
  });

  it('makes a short lose when the price rises (short 5 A against 1500 cash)', () => {
    const result = simulateWeights(market, { time: Float64Array.of(dayTime(0)), weights: Float64Array.of(-0.5, 0) }, noCosts);
    expect(result.value[1]).toBeCloseTo(1500 - 5 * 110, 10);
    expect(result.value[2]).toBeCloseTo(1500 - 5 * 99, 10);
    expect(result.weights[2]).toBeCloseTo(-550 / 950, 12);
  });

  it('pays cash interest on 1 − Σw and borrow cost on short notional', () => {
    const flat = marketFromCloses(['A'], [[100, 100]]);
    const result = simulateWeights(flat, { time: Float64Array.of(dayTime(0)), weights: Float64Array.of(-0.5) }, { ...noCosts, cashRate: 0.0252, borrowCost: 0.0504, periodsPerYear: 252 });
    // cash 1.5 × 0.0001 − short 0.5 × 0.0002 = +0.00005
    expect(result.value[1]).toBeCloseTo(1000.05, 10);
  });

  it('starts the output at the first weights date and names bad dates', () => {
    const result = simulateWeights(market, { time: Float64Array.of(dayTime(1)), weights: Float64Array.of(1, 0) }, noCosts);
    expect(Array.from(result.barIndex)).toEqual([1, 2]);
    expect(() => simulateWeights(market, { time: Float64Array.of(dayTime(7)), weights: Float64Array.of(1, 0) }, noCosts)).toThrow(/2020-01-08 is not a bar/);
    expect(() => simulateWeights(market, { time: Float64Array.of(dayTime(0)), weights: Float64Array.of(Number.NaN, 0) }, noCosts)).toThrow(/not a finite number/);
  });
});

/**
 * An independent reference: holdings in shares and cash, revalued at each close. An account whose
 * value reaches 0 or below is closed and keeps that value (the documented bankruptcy rule).
 */
function shareLedger(closes: number[][], rowWeights: (number[] | null)[], capital: number, costRate: number): { values: number[]; nearZero: boolean } {
  const nAssets = closes.length;
  const shares = new Array<number>(nAssets).fill(0);
  let cash = capital;
  const values: number[] = [];
  let nearZero = false;
  for (let t = 0; t < closes[0]!.length; t++) {
    if (values.length > 0 && values[values.length - 1]! <= 0) {
      values.push(values[values.length - 1]!);
      continue;
    }
    let value = cash;
    for (let a = 0; a < nAssets; a++) value += shares[a]! * closes[a]![t]!;
    if (Math.abs(value) < 1e-6 * capital) nearZero = true;
    const target = value > 0 ? rowWeights[t] : null; // a wiped-out account does not trade
    if (target) {
      let traded = 0;
      for (let a = 0; a < nAssets; a++) traded += Math.abs(target[a]! * value - shares[a]! * closes[a]![t]!);
      value -= traded * costRate;
      cash = value;
      for (let a = 0; a < nAssets; a++) {
        shares[a] = (target[a]! * value) / closes[a]![t]!;
        cash -= shares[a]! * closes[a]![t]!;
      }
    }
    values.push(value);
  }
  return { values, nearZero };
}

describe('simulateWeights (properties)', () => {
  // A random walk with moves within ±50%; a short held over several bars can still lose the whole
  // account (e.g. −0.5 of the value short while the price triples), which the ledger models.
  const priceSeries = (nBars: number) =>
    fc
      .tuple(fc.double({ min: 1, max: 1000, noNaN: true }), fc.array(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { minLength: nBars - 1, maxLength: nBars - 1 }))
      .map(([first, moves]) => moves.reduce((series, move) => [...series, series[series.length - 1]! * move], [first]));
  const scenario = fc.integer({ min: 1, max: 4 }).chain((nAssets) =>
    fc.integer({ min: 2, max: 12 }).chain((nBars) =>
      fc.record({
        closes: fc.array(priceSeries(nBars), { minLength: nAssets, maxLength: nAssets }),
        rows: fc.array(fc.option(fc.array(fc.double({ min: -0.5 / nAssets, max: 1 / nAssets, noNaN: true }), { minLength: nAssets, maxLength: nAssets }), { nil: null }), { minLength: nBars, maxLength: nBars }),
        costRate: fc.double({ min: 0, max: 0.01, noNaN: true }),
      }),
    ),
  );

  function toRows(rows: (number[] | null)[], nAssets: number) {
    const time: number[] = [];
    const weights: number[] = [];
    rows.forEach((row, t) => {
      if (t === 0 || row) {
        time.push(dayTime(t));
        weights.push(...(row ?? new Array<number>(nAssets).fill(0)));
      }
    });
    return { time: Float64Array.from(time), weights: Float64Array.from(weights) };
  }

  it('agrees with a share-and-cash ledger on random prices, weights and costs', () => {
    fc.assert(
      fc.property(scenario, ({ closes, rows, costRate }) => {
        const nAssets = closes.length;
        const market = marketFromCloses(closes.map((_, a) => `S${a}`), closes);
        const filled = rows.map((row, t) => (t === 0 && !row ? new Array<number>(nAssets).fill(0) : row));
        const result = simulateWeights(market, toRows(filled, nAssets), { initialCapital: 1000, tradingCost: costRate, slippage: 0, maxPositionSize: 10, maxAssetWeight: 10 });
        const { values: expected, nearZero } = shareLedger(closes, filled, 1000, costRate);
        // An account within rounding of exactly 0 is on both sides of the bankruptcy rule at once
        // (one computation gives +1e-13, the other −1e-13, and only one then pays the next cost).
        fc.pre(!nearZero);
        // 1e-9 of the capital: both are float64 sums of values near 1,000 (they differ by ~1e-12 except
        // at a wipe-out, where one gives exactly 0 and the other a rounding residual).
        for (let t = 0; t < expected.length; t++) expect(Math.abs(result.value[t]! - expected[t]!)).toBeLessThan(1e-6);
      }),
    );
  });

  it('keeps the value constant when every weight is zero', () => {
    fc.assert(
      fc.property(scenario, ({ closes, rows, costRate }) => {
        const market = marketFromCloses(closes.map((_, a) => `S${a}`), closes);
        const zero = rows.map((row) => (row ? row.map(() => 0) : null));
        const result = simulateWeights(market, toRows(zero, closes.length), { initialCapital: 1000, tradingCost: costRate, slippage: costRate });
        for (const v of result.value) expect(v).toBe(1000);
      }),
    );
  });

  it('keeps the value constant with zero costs and unchanged prices', () => {
    fc.assert(
      fc.property(scenario, ({ closes, rows }) => {
        const flat = closes.map((series) => series.map(() => series[0]!));
        const market = marketFromCloses(flat.map((_, a) => `S${a}`), flat);
        const result = simulateWeights(market, toRows(rows, flat.length), noCosts);
        for (const v of result.value) expect(v).toBeCloseTo(1000, 9);
      }),
    );
  });

  it('creates no value from nothing: with unchanged prices the value never rises', () => {
    fc.assert(
      fc.property(scenario, ({ closes, rows, costRate }) => {
        const flat = closes.map((series) => series.map(() => series[0]!));
        const market = marketFromCloses(flat.map((_, a) => `S${a}`), flat);
        const result = simulateWeights(market, toRows(rows, flat.length), { initialCapital: 1000, tradingCost: costRate, slippage: 0 });
        let previous = 1000;
        for (const v of result.value) {
          expect(v).toBeLessThanOrEqual(previous * (1 + 1e-12));
          previous = v;
        }
      }),
    );
  });
});
