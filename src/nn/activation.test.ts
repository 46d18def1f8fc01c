/**
 * GELU and erf against tabulated erf values (Abramowitz & Stegun, table 7.1) and Φ(x) + x·φ(x);
 * the vectorisable exp and softmax against Math.exp and a float64 softmax.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { erf, expNonPositive, gelu, softmax } from './activation.js';
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

describe('expNonPositive', () => {
  const ys = [0, -1e-7, -0.1, -0.5, -1, -Math.LN2, -2.5, -10, -17.3, -40, -80, -87, -87.3, -87.4, -88, -100, -1e9, 3];

  it('is exp(y) to 3e-7 relative down to float32’s smallest normal number, exactly 0 below, and 1 for y ≥ 0', () => {
    const out = readArraySync(expNonPositive(np.array(new Float32Array(ys))));
    ys.forEach((y, i) => {
      const yf = Math.fround(y);
      const expected = Math.exp(Math.min(yf, 0));
      if (yf * Math.LOG2E < -126) expect(out[i]).toBe(0);
      else expect(Math.abs(out[i]! / expected - 1)).toBeLessThan(3e-7);
    });
  });

  it('has gradient exp(y)', () => {
    const inside = ys.filter((y) => y <= 0 && y > -80);
    const gradient = readArraySync(grad((y: Array) => expNonPositive(y).sum())(np.array(new Float32Array(inside))));
    inside.forEach((y, i) => expect(Math.abs(gradient[i]! / Math.exp(Math.fround(y)) - 1)).toBeLessThan(3e-7));
  });
});

describe('softmax', () => {
  const rows = [
    [0.5, -1.25, 3, 0.125],
    [-1e9, 2, -1e9, 1], // masked entries (additive −1e9 bias) get exactly 0
    [40, 40, 40, 40],
  ];
  const reference = (row: number[]): number[] => {
    const max = Math.max(...row.map(Math.fround));
    const e = row.map((v) => Math.exp(Math.fround(v) - max));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / total);
  };
  const input = () => np.array(new Float32Array(rows.flat()), { shape: [3, 4] });

  it('equals a float64 softmax to 1e-6 and gives masked entries exactly 0', () => {
    const out = readArraySync(softmax(input()));
    rows.forEach((row, r) =>
      reference(row).forEach((p, c) => {
        const value = out[r * 4 + c]!;
        if (p === 0) expect(value).toBe(0);
        else expect(Math.abs(value - p)).toBeLessThan(1e-6);
      }),
    );
  });

  it('has the softmax gradient p·(g − Σ g·p)', () => {
    const weights = [0.3, -1.2, 2, 0.7];
    const loss = (x: Array) => softmax(x).mul(np.array(new Float32Array(weights))).sum();
    const gradient = readArraySync(grad(loss)(input()));
    rows.forEach((row, r) => {
      const p = reference(row);
      const mean = p.reduce((a, v, c) => a + v * weights[c]!, 0);
      p.forEach((pc, c) => expect(gradient[r * 4 + c]!).toBeCloseTo(pc * (weights[c]! - mean), 6));
    });
  });
});
