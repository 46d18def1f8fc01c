import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const streamA = Array.from({ length: 100 }, () => a.next());
    const streamB = Array.from({ length: 100 }, () => b.next());
    const streamC = Array.from({ length: 100 }, () => c.next());
    expect(streamB).toEqual(streamA);
    expect(streamC).not.toEqual(streamA);
  });

  it('produces uniforms in [0, 1) with the moments of a uniform distribution', () => {
    const rng = new Rng(7);
    const n = 200_000;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      sumSquares += x * x;
    }
    const mean = sum / n;
    // Uniform(0,1): mean 1/2, variance 1/12; tolerances are ~5 standard errors.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sumSquares / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('draws integers without bias across all residues', () => {
    const rng = new Rng(3);
    const counts = new Array<number>(7).fill(0);
    const n = 70_000;
    for (let i = 0; i < n; i++) counts[rng.int(7)]!++;
    // Chi-square with 6 degrees of freedom: 22.46 is the 0.999 quantile.
    const expected = n / 7;
    const chiSquare = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(22.46);
  });

  it('draws standard normals with mean 0 and variance 1', () => {
    const rng = new Rng(11);
    const n = 100_000;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.normal();
      sum += x;
      sumSquares += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sumSquares / n - 1)).toBeLessThan(0.03);
  });

  it('restores its complete state, including a cached normal', () => {
    const rng = new Rng(5);
    rng.normal();
    const state = rng.getState();
    const after = [rng.normal(), rng.next(), rng.int(10)];
    rng.setState(state);
    expect([rng.normal(), rng.next(), rng.int(10)]).toEqual(after);
  });

  it('rejects an empty integer range', () => {
    expect(() => new Rng(1).int(0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
