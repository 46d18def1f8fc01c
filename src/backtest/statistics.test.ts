import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { bootstrapSharpeDifference, deflatedSharpeRatio, pairedCohensD, pairedTTest, probabilisticSharpeRatio, wilcoxonSignedRank } from './statistics.js';
import { binomialUpperBound, logGamma, normalCdf, normalQuantile, studentTCritical, studentTTwoSidedP } from './distributions.js';

// Reference values computed with SciPy by scripts/make-statistics-fixtures.py.
interface Reference {
  cases: { name: string; a: number[]; b: number[]; ttest: { statistic: number; pvalue: number }; wilcoxon: { statistic: number; pvalue: number }; cohens_d: number }[];
  deflated: { returns: number[]; trials: number; variance: number; sr0: number; dsr: number; psr0: number };
  distributions: {
    t_two_sided: { t: number; df: number; p: number }[];
    normal_cdf: { x: number; p: number }[];
    normal_quantile: { p: number; x: number }[];
    log_gamma: { x: number; y: number }[];
  };
}
const reference = JSON.parse(readFileSync(new URL('../../test/fixtures/statistics/reference.json', import.meta.url), 'utf8')) as Reference;

function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(1e-300, Math.abs(expected)));
}

describe('distribution functions match SciPy', () => {
  it('Student t two-sided p-values', () => {
    for (const { t, df, p } of reference.distributions.t_two_sided) expectRelative(studentTTwoSidedP(t, df), p, 1e-9);
  });
  it('normal CDF and quantile', () => {
    for (const { x, p } of reference.distributions.normal_cdf) expectRelative(normalCdf(x), p, 1e-12);
    for (const { p, x } of reference.distributions.normal_quantile) expectRelative(normalQuantile(p), x, 1e-12);
  });
  it('Student t critical values (scipy.stats.t.ppf(1 − alpha/2, df))', () => {
    const cases: [number, number, number][] = [[0.05, 1, 12.706204736174694], [0.05, 2, 4.302652729749462], [0.05, 4, 2.7764451051977934], [0.05, 29, 2.045229642132703], [0.1, 9, 1.833112932656237]];
    for (const [alpha, df, t] of cases) expectRelative(studentTCritical(alpha, df), t, 1e-9);
    expect(studentTCritical(0.05, 0)).toBeNaN();
  });
  it('binomial upper confidence bounds (scipy.stats.beta.ppf(0.95, k + 1, n − k))', () => {
    const cases: [number, number, number][] = [[0, 5, 0.450719728346941], [1, 10, 0.39416330243650466], [2, 20, 0.28261852488586087], [0, 1, 0.95]];
    for (const [k, n, p] of cases) expectRelative(binomialUpperBound(k, n), p, 1e-9);
    // k = 0 has the closed form 1 − (1 − confidence)^(1/n).
    expectRelative(binomialUpperBound(0, 40, 0.9), 1 - 0.1 ** (1 / 40), 1e-9);
    expect(binomialUpperBound(3, 3)).toBe(1);
    expect(binomialUpperBound(4, 3)).toBeNaN();
  });
  it('log gamma', () => {
    for (const { x, y } of reference.distributions.log_gamma) expect(Math.abs(logGamma(x) - y)).toBeLessThan(1e-12 * Math.max(1, Math.abs(y)));
  });
});

describe('paired tests match SciPy', () => {
  for (const c of reference.cases) {
    it(`${c.name}: paired t-test, Wilcoxon signed-rank, Cohen's d`, () => {
      const t = pairedTTest(c.a, c.b);
      expectRelative(t.statistic, c.ttest.statistic, 1e-10);
      expectRelative(t.pValue, c.ttest.pvalue, 1e-8);
      const w = wilcoxonSignedRank(c.a, c.b);
      expect(w.statistic).toBe(c.wilcoxon.statistic);
      expectRelative(w.pValue, c.wilcoxon.pvalue, 1e-8);
      expectRelative(pairedCohensD(c.a, c.b), c.cohens_d, 1e-10);
    });
  }

  it('rejects samples of different lengths', () => {
    expect(() => pairedTTest([1, 2], [1])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('Sharpe ratio inference', () => {
  it('deflated and probabilistic Sharpe ratios match the formula evaluated with SciPy', () => {
    const { returns, trials, variance, sr0, dsr, psr0 } = reference.deflated;
    const result = deflatedSharpeRatio(returns, trials, variance);
    expectRelative(result.expectedMaxSharpe, sr0, 1e-10);
    expectRelative(result.deflatedSharpe, dsr, 1e-9);
    expectRelative(probabilisticSharpeRatio(returns, 0), psr0, 1e-9);
  });

  it('bootstrap interval of the Sharpe difference covers the estimate, is reproducible, and excludes 0 for a clear winner', () => {
    const a = reference.cases[2]!.a;
    const shifted = a.map((x) => x - 0.004);
    const one = bootstrapSharpeDifference(a, shifted, { samples: 500, seed: 1 });
    const two = bootstrapSharpeDifference(a, shifted, { samples: 500, seed: 1 });
    expect(two).toEqual(one);
    expect(one.lower).toBeLessThanOrEqual(one.estimate);
    expect(one.upper).toBeGreaterThanOrEqual(one.estimate);
    expect(one.lower).toBeGreaterThan(0);
  });
});
