/** GELU and erf against tabulated erf values (Abramowitz & Stegun, table 7.1) and Φ(x) + x·φ(x). */
import { beforeAll, describe, expect, it } from 'vitest';
import { erf, gelu } from './activation.js';
import { initEngine, readArraySync } from './engine.js';
import { grad, jvp, numpy as np } from './jax.js';
import type { Array } from './jax.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

// erf at z, to 10 digits from published tables.
const ERF_TABLE: [number, number][] = [
  [0, 0],
  [0.1, 0.1124629160],
  [0.5, 0.5204998778],
  [1, 0.8427007929],
  [1.5, 0.9661051465],
  [2, 0.9953222650],
  [3, 0.9999779095],
  [5, 1],
];

describe('erf', () => {
  it('matches tabulated values (odd, saturating beyond 4) to float32 precision', () => {
    const z = ERF_TABLE.flatMap(([v]) => [v, -v]);
    const expected = ERF_TABLE.flatMap(([, e]) => [e, -e]);
    const out = readArraySync(erf(np.array(new Float32Array(z))));
    out.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThan(3e-7));
  });

  it('is within 3e-7 of the Maclaurin series of erf on a dense grid over [−4.5, 4.5]', () => {
    // erf x = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1)), summed in float64 (cancellation < 1e-8 for |x| ≤ 4).
    const series = (x: number): number => {
      if (Math.abs(x) > 4) return Math.sign(x);
      let term = x;
      let sum = x;
      for (let n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
        term *= (-x * x) / n;
        sum += term / (2 * n + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    const grid = Float32Array.from({ length: 901 }, (_, i) => -4.5 + i * 0.01);
    const out = readArraySync(erf(np.array(grid)));
    grid.forEach((x, i) => expect(Math.abs(out[i]! - series(x))).toBeLessThan(3e-7));
  });
});

describe('exact GELU', () => {
  const points = ERF_TABLE.filter(([z]) => z <= 3).flatMap(([z, e]) => [
    { x: z * Math.SQRT2, erf: e },
    { x: -z * Math.SQRT2, erf: -e },
  ]);
  const x = () => np.array(new Float32Array(points.map((p) => p.x)));
  const phi = (p: { erf: number }) => 0.5 * (1 + p.erf);
  const slope = (p: { x: number; erf: number }) => phi(p) + (p.x * Math.exp(-p.x * p.x / 2)) / Math.sqrt(2 * Math.PI);

  it('is x·Φ(x)', () => {
    const out = readArraySync(gelu(x()));
    points.forEach((p, i) => expect(Math.abs(out[i]! - p.x * phi(p))).toBeLessThan(1e-6 * Math.max(1, Math.abs(p.x))));
  });

  it('has gradient Φ(x) + x·φ(x) in reverse and forward mode', () => {
    const reverse = readArraySync(grad((input: Array) => gelu(input).sum())(x()));
    const [, tangent] = jvp((input: Array) => gelu(input), [x()], [np.ones([points.length])]);
    const forward = readArraySync(tangent);
    points.forEach((p, i) => {
      expect(reverse[i]).toBeCloseTo(slope(p), 6);
      expect(forward[i]).toBeCloseTo(slope(p), 6);
    });
  });

  it('gives the same values in its inference form, whose gradient is also Φ(x) + x·φ(x)', () => {
    const trained = readArraySync(gelu(x()));
    const inferred = readArraySync(gelu(x(), 'exact', false));
    inferred.forEach((value, i) => expect(Math.abs(value - trained[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(points[i]!.x))));
    const reverse = readArraySync(grad((input: Array) => gelu(input, 'exact', false).sum())(x()));
    points.forEach((p, i) => expect(reverse[i]).toBeCloseTo(slope(p), 5));
  });

  it('stays within 1e-3 of the tanh form', () => {
    const exact = readArraySync(gelu(x()));
    const tanh = readArraySync(gelu(x(), 'tanh'));
    exact.forEach((value, i) => expect(Math.abs(value - tanh[i]!)).toBeLessThan(1e-3));
  });
});

