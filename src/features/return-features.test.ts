/**
 * The volatility-scaled return features against a hand calculation (a steady trend), a plain
 * re-statement of their formula (slices and sums, written apart from the bar-by-bar state), and a
 * perturbation of the future: a value at bar t never moves when a later close does.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { computeReturnFeatures, RETURN_FEATURE_NAMES, RETURN_FEATURE_WINDOW } from './return-features.js';

function randomWalk(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const close = new Float64Array(n);
  close[0] = 100;
  // A volatility that doubles half-way, so vol_ratio has something to show.
  for (let t = 1; t < n; t++) close[t] = close[t - 1]! * Math.exp((t > n / 2 ? 0.02 : 0.01) * rng.normal() + 0.0003);
  return close;
}

/** The features at bar t from the formula: log returns r_1..r_t, windows as slices. */
function reference(close: Float64Array, t: number): number[] {
  const r = (k: number) => Math.log(close[t - k]! / close[t - k - 1]!); // k = 0: bar t's return
  const rms = (n: number) => Math.sqrt(Array.from({ length: n }, (_, k) => r(k) ** 2).reduce((a, b) => a + b, 0) / n);
  const sigma = rms(60);
  const scaled = [1, 5, 20, 60].map((h) => Array.from({ length: h }, (_, k) => r(k)).reduce((a, b) => a + b, 0) / (sigma * Math.sqrt(h)));
  return [...scaled, rms(20) / rms(250) - 1];
}

describe('return features', () => {
  it('a steady trend: every scaled return is √h (h bars of one σ each) and the volatility ratio is 0', () => {
    const close = Float64Array.from({ length: 300 }, (_, t) => 50 * Math.exp(0.01 * t));
    const { names, columns } = computeReturnFeatures(close);
    expect(names).toEqual([...RETURN_FEATURE_NAMES]);
    for (const t of [250, 299]) {
      expect(columns[0]![t]).toBeCloseTo(1, 9);
      expect(columns[1]![t]).toBeCloseTo(Math.sqrt(5), 9);
      expect(columns[2]![t]).toBeCloseTo(Math.sqrt(20), 9);
      expect(columns[3]![t]).toBeCloseTo(Math.sqrt(60), 9);
      expect(columns[4]![t]).toBeCloseTo(0, 9);
    }
  });

  it('NaN until 250 returns exist (bar 250), then the formula', () => {
    const close = randomWalk(600, 3);
    const { columns } = computeReturnFeatures(close);
    expect(RETURN_FEATURE_WINDOW).toBe(250);
    for (const column of columns) {
      expect(Number.isNaN(column[249])).toBe(true);
      expect(Number.isFinite(column[250])).toBe(true);
    }
    for (const t of [250, 251, 299, 420, 599]) {
      const expected = reference(close, t);
      columns.forEach((column, f) => expect(column[t]).toBeCloseTo(expected[f]!, 10));
    }
    // The doubled volatility shows: the ratio is well above 0 soon after the change.
    expect(columns[4]![320]).toBeGreaterThan(0.4);
  });

  it('no look-ahead: changing every close after bar t leaves bars ≤ t unchanged, bit for bit', () => {
    const close = randomWalk(500, 9);
    const before = computeReturnFeatures(close).columns;
    for (const t of [260, 333, 498]) {
      const perturbed = close.slice();
      for (let u = t + 1; u < perturbed.length; u++) perturbed[u] = perturbed[u]! * (u % 2 ? 3 : 0.2);
      const after = computeReturnFeatures(perturbed).columns;
      before.forEach((column, f) => expect(Array.from(after[f]!.subarray(0, t + 1))).toEqual(Array.from(column.subarray(0, t + 1))));
    }
  });

  it('a constant price has no scale: 0, not ±Infinity or NaN', () => {
    const { columns } = computeReturnFeatures(new Float64Array(260).fill(7));
    for (const column of columns) expect(column[255]).toBe(0);
  });
});
