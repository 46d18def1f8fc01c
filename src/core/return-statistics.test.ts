import { describe, expect, it } from 'vitest';
import { isBetterScore, maxDrawdown, sharpeRatio, sortinoRatio } from './return-statistics.js';

describe('return statistics (one definition for selection and reports)', () => {
  it('Sharpe of 0.01, 0.03, −0.01 by hand: mean 0.01, sample std 0.02, ×√252', () => {
    expect(sharpeRatio([0.01, 0.03, -0.01])).toBeCloseTo((0.01 / 0.02) * Math.sqrt(252), 12);
  });

  it('Sortino of the same: downside deviation √(0.0001/3), target the risk-free rate', () => {
    expect(sortinoRatio([0.01, 0.03, -0.01])).toBeCloseTo((0.01 * 252) / (Math.sqrt(0.0001 / 3) * Math.sqrt(252)), 10);
    // With rf 2.52% a year the per-day target is 0.0001: excess 0.0099, 0.0299, −0.0101.
    expect(sortinoRatio([0.01, 0.03, -0.01], 252, 0.0252)).toBeCloseTo((0.0099 * 252) / (Math.sqrt(0.0101 ** 2 / 3) * Math.sqrt(252)), 10);
  });

  it('is NaN, not 0 and not a throw, when undefined: one return, or a flat curve', () => {
    expect(sharpeRatio([0.01])).toBeNaN();
    expect(sharpeRatio([0, 0, 0])).toBeNaN();
    expect(maxDrawdown([])).toBeNaN();
  });

  it('max drawdown 100 → 120 → 90 → 130 is 25% of the 120 peak', () => {
    expect(maxDrawdown([100, 120, 90, 130])).toBeCloseTo(0.25, 15);
  });

  it('model selection: NaN never wins, and beats nothing', () => {
    expect(isBetterScore(0.5, null)).toBe(true);
    expect(isBetterScore(Number.NaN, null)).toBe(false);
    expect(isBetterScore(-1, Number.NaN)).toBe(true);
    expect(isBetterScore(0.4, 0.5)).toBe(false);
    expect(isBetterScore(0.6, 0.5)).toBe(true);
  });
});
