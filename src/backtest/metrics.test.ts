import { describe, expect, it } from 'vitest';
import { computeBenchmarkMetrics, computeMetrics, maxDrawdown } from './metrics.js';

// Expected values are worked by hand from the definitions (see the comments), not from the code.
describe('computeMetrics', () => {
  // V = 100, 110, 99, 108.9 → r = 0.1, −0.1, 0.1 (n = 3).
  const values = [100, 110, 99, 108.9];

  it('computes return, volatility and Sharpe from the definitions', () => {
    const m = computeMetrics(values, { periodsPerYear: 252 });
    expect(m.total_return).toBeCloseTo(0.089, 12);
    expect(m.annual_return).toBeCloseTo(Math.pow(1.089, 252 / 3) - 1, 9);
    // mean r = 0.1/3; deviations 0.0667, −0.1333, 0.0667 → ss = 0.02667, var = 0.013333, std = 0.11547.
    const std = Math.sqrt(((0.2 / 3) ** 2 * 2 + (0.4 / 3) ** 2) / 2);
    expect(std).toBeCloseTo(0.1154700538, 9);
    expect(m.volatility).toBeCloseTo(std * Math.sqrt(252), 9);
    expect(m.sharpe_ratio).toBeCloseTo((0.1 / 3 / std) * Math.sqrt(252), 9);
  });

  it('annualises Sortino with the downside deviation over all periods', () => {
    const m = computeMetrics(values, { periodsPerYear: 252 });
    // min(e,0)² = 0, 0.01, 0 → mean 0.01/3 → DD = 0.057735; sortino = (0.1/3)·252 / (0.057735·√252).
    const dd = Math.sqrt(0.01 / 3);
    expect(m.sortino_ratio).toBeCloseTo(((0.1 / 3) * 252) / (dd * Math.sqrt(252)), 9);
  });

  it('measures drawdown from the running peak, and calmar from it', () => {
    const m = computeMetrics(values);
    expect(m.max_drawdown).toBeCloseTo(0.1, 12); // 110 → 99
    expect(m.calmar_ratio).toBeCloseTo(m.annual_return / 0.1, 9);
    expect(maxDrawdown([1, 2, 1, 3, 0.75, 4])).toBeCloseTo(0.75, 12);
  });

  it('counts win rate over non-zero returns and the profit factor', () => {
    const m = computeMetrics([100, 110, 110, 99, 108.9]);
    expect(m.win_rate).toBeCloseTo(2 / 3, 12);
    expect(m.profit_factor).toBeCloseTo(0.2 / 0.1, 12);
  });

  it('subtracts the per-period risk-free rate from excess returns', () => {
    const m = computeMetrics(values, { periodsPerYear: 4, riskFree: 0.04 });
    // e = 0.09, −0.11, 0.09; mean 0.0233.., std unchanged.
    const std = Math.sqrt(((0.2 / 3) ** 2 * 2 + (0.4 / 3) ** 2) / 2);
    expect(m.sharpe_ratio).toBeCloseTo(((0.07 / 3) / std) * 2, 9);
  });

  it('gives NaN or Infinity for degenerate input and never throws', () => {
    const one = computeMetrics([100]);
    expect(Number.isNaN(one.total_return)).toBe(true);
    expect(Number.isNaN(one.sharpe_ratio)).toBe(true);
    const flat = computeMetrics([100, 100, 100]);
    expect(flat.total_return).toBe(0);
    expect(Number.isNaN(flat.sharpe_ratio)).toBe(true);
    expect(Number.isNaN(flat.win_rate)).toBe(true);
    const up = computeMetrics([100, 101, 102]);
    expect(up.profit_factor).toBe(Number.POSITIVE_INFINITY);
    expect(up.sortino_ratio).toBe(Number.POSITIVE_INFINITY);
    expect(up.calmar_ratio).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('computeBenchmarkMetrics', () => {
  it('computes beta, alpha, tracking error and information ratio by the definitions', () => {
    // r = 0.1, −0.1, 0.1 ; b = 0.05, −0.05, 0.0
    const ours = [100, 110, 99, 108.9];
    const bench = [100, 105, 99.75, 99.75];
    const m = computeBenchmarkMetrics(ours, bench, { periodsPerYear: 252 });
    // mean b = 0; cov(r,b) = [(0.0667)(0.05) + (−0.1333)(−0.05) + 0]/2 = 0.005; var b = 0.005/2·... = (0.0025+0.0025)/2 = 0.0025.
    expect(m.beta).toBeCloseTo(0.005 / 0.0025, 9);
    expect(m.alpha).toBeCloseTo((0.1 / 3 - 2 * 0) * 252, 9);
    // active = 0.05, −0.05, 0.1: mean 0.0333, std = sqrt(((0.01667)²+(0.08333)²+(0.06667)²)/2)
    const te = Math.sqrt(((0.05 / 3) ** 2 + (0.25 / 3) ** 2 + (0.2 / 3) ** 2) / 2);
    expect(m.tracking_error).toBeCloseTo(te * Math.sqrt(252), 9);
    expect(m.information_ratio).toBeCloseTo((0.1 / 3 / te) * Math.sqrt(252), 9);
  });
});
