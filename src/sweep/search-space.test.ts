/**
 * Search spaces and samplers: config paths set in a copy; the grid is every combination; random
 * draws are seeded and inside their domains (log-uniform uniform in log space); TPE finds a toy
 * optimum better than random search with the same budget; median pruning by a hand example.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { gridAssignment, gridOf, gridSize, randomAssignment, SearchSpaceSchema, shouldPrune, tpeAssignment, withParameters, type SearchSpace, type TrialResult } from './search-space.js';

describe('search spaces', () => {
  it('parses domains and refuses bad ones with the path', () => {
    expect(SearchSpaceSchema.safeParse({ 'algorithm.learningRate': { loguniform: [1e-4, 1e-2] } }).success).toBe(true);
    const bad = SearchSpaceSchema.safeParse({ 'algorithm.learningRate': { loguniform: [0, 1] } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error!.issues[0]!.path)).toBe('["algorithm.learningRate","loguniform"]');
    expect(SearchSpaceSchema.safeParse({ 'x y': { int: [1, 2] } }).success).toBe(false);
  });

  it('sets parameters at their paths in a copy of the config', () => {
    const base = { algorithm: { learningRate: 0.1, grpo: { groupSize: 4 } }, seed: 0 };
    const out = withParameters(base, { 'algorithm.learningRate': 0.01, 'algorithm.grpo.horizon': 5 });
    expect(out).toEqual({ algorithm: { learningRate: 0.01, grpo: { groupSize: 4, horizon: 5 } }, seed: 0 });
    expect(base.algorithm.learningRate).toBe(0.1);
    expect(() => withParameters(base, { 'seed.x': 1 })).toThrow(/not an object/);
  });

  it('enumerates the grid of choices and ints, and refuses continuous domains', () => {
    const grid = gridOf({ a: { choices: ['x', 'y'] }, b: { int: [1, 3] } });
    expect(grid).toEqual([
      { a: 'x', b: 1 }, { a: 'x', b: 2 }, { a: 'x', b: 3 },
      { a: 'y', b: 1 }, { a: 'y', b: 2 }, { a: 'y', b: 3 },
    ]);
    expect(() => gridOf({ c: { uniform: [0, 1] } })).toThrow(/grid search needs finite domains: c/);
  });

  it('computes any combination of a grid from its index, so a huge grid is never listed; refuses to list one past the trial bound', () => {
    const space: SearchSpace = { a: { choices: ['x', 'y'] }, b: { int: [1, 3] }, c: { choices: [true, false] } };
    expect(gridSize(space)).toBe(12);
    gridOf(space).forEach((assignment, index) => expect(gridAssignment(space, index)).toEqual(assignment));
    // a varies slowest: indices 6..11 have a = y; within them b = 1 at 6 and 7, c alternating from true.
    expect(gridAssignment(space, 7)).toEqual({ a: 'y', b: 1, c: false });
    const huge: SearchSpace = { n: { int: [1, 1_000_000_000] }, m: { int: [0, 999_999_999] } };
    expect(gridSize(huge)).toBe(1e18);
    expect(gridAssignment(huge, 1_000_000_001)).toEqual({ n: 2, m: 1 });
    expect(() => gridOf(huge)).toThrow(/the grid of the space has 1000000000000000000 combinations, more than 10000 can be listed/);
  });

  it('draws random assignments inside their domains, reproducibly, log-uniform uniform in log space', () => {
    const space: SearchSpace = { lr: { loguniform: [1e-4, 1] }, n: { int: [2, 5] }, u: { uniform: [-1, 1] }, c: { choices: [true, false] } };
    const draws = Array.from({ length: 4000 }, (_, i) => randomAssignment(space, new Rng(i)));
    expect(randomAssignment(space, new Rng(7))).toEqual(randomAssignment(space, new Rng(7)));
    for (const d of draws) {
      expect(d['lr']).toBeGreaterThanOrEqual(1e-4);
      expect(d['lr']).toBeLessThanOrEqual(1);
      expect([2, 3, 4, 5]).toContain(d['n']);
    }
    // Uniform on [ln 1e-4, 0]: the mean of ln(lr) is ln(1e-4)/2 ≈ −4.605 (sd of the mean ≈ 0.04).
    const meanLog = draws.reduce((s, d) => s + Math.log(d['lr'] as number), 0) / draws.length;
    expect(meanLog).toBeCloseTo(Math.log(1e-4) / 2, 0);
  });

  it('TPE beats random search on a toy objective with the same budget (over 10 seeds)', () => {
    // Best at x = 1.3, lr = 1e-3; k does not matter (TPE treats parameters independently, and a
    // categorical that early luck made look good can stay stuck: see the module comment).
    const space: SearchSpace = { x: { uniform: [-5, 5] }, lr: { loguniform: [1e-5, 1e-1] }, k: { choices: ['a', 'b', 'c', 'd'] } };
    const objective = (p: Record<string, unknown>) => -(((p['x'] as number) - 1.3) ** 2) - (Math.log10(p['lr'] as number) + 3) ** 2;
    const run = (seed: number, tpe: boolean) => {
      const rng = new Rng(seed);
      const trials: TrialResult[] = [];
      for (let t = 0; t < 40; t++) {
        const params = tpe ? tpeAssignment(space, trials, rng) : randomAssignment(space, rng);
        trials.push({ params, objective: objective(params) });
      }
      return Math.max(...trials.map((t) => t.objective));
    };
    const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
    const tpe = seeds.map((s) => run(s, true));
    const random = seeds.map((s) => run(s, false));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(tpe)).toBeGreaterThan(median(random));
    expect(tpe.filter((v, i) => v > random[i]!).length).toBeGreaterThanOrEqual(6);
  });

  it('prunes a trial below the median of the others at the same step', () => {
    // Others 1, 2, 3, 4, 5: median 3.
    expect(shouldPrune(2.9, [1, 2, 3, 4, 5], { maximize: true })).toBe(true);
    expect(shouldPrune(3.1, [1, 2, 3, 4, 5], { maximize: true })).toBe(false);
    expect(shouldPrune(2.9, [1, 2, 3, 4, 5], { maximize: false })).toBe(false);
    expect(shouldPrune(0, [1, 2, 3], { maximize: true })).toBe(false);
    expect(shouldPrune(Number.NaN, [1, 2, 3, 4, 5], { maximize: true })).toBe(true);
  });

  it('takes lists as choices (hidden sizes) in every sampler, compared by value', () => {
    const space: SearchSpace = { 'algorithm.hiddenSizes': { choices: [[32], [64, 64]] } };
    expect(gridOf(space)).toEqual([{ 'algorithm.hiddenSizes': [32] }, { 'algorithm.hiddenSizes': [64, 64] }]);
    // Ten trials where [64, 64] always won: TPE proposes it (l/g of [64, 64] is 11/12 ÷ 1/2 against 1/12 ÷ 1/2).
    const trials: TrialResult[] = Array.from({ length: 12 }, (_, i) => ({ params: { 'algorithm.hiddenSizes': JSON.parse(JSON.stringify(i < 6 ? [64, 64] : [32])) as number[] }, objective: i < 6 ? 1 : 0 }));
    for (let seed = 0; seed < 5; seed++) expect(tpeAssignment(space, trials, new Rng(seed), { startupTrials: 4 })['algorithm.hiddenSizes']).toEqual([64, 64]);
  });
});
