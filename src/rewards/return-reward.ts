import type { PortfolioState } from './types.js';
import { RewardBase } from './types.js';

/** 5.3.1: (next / current − 1) · scale. Stateless. */
export class ReturnReward extends RewardBase {
  readonly type = 'return';
  readonly stateSize = 0;
  constructor(readonly scale = 1) {
    super();
  }
  calculateInto(out: Float64Array, current: PortfolioState, next: PortfolioState): void {
    const c = current.portfolioValue;
    out[0] = c <= 0 ? 0 : (next.portfolioValue / c - 1) * this.scale;
  }
  reset(): void {}
  saveStateInto(): void {}
  loadState(): void {}
}

/** Log return ln(next / current) · scale; −Infinity is avoided: 0 when either value is not positive. */
export class LogReturnReward extends RewardBase {
  readonly type = 'log_return';
  readonly stateSize = 0;
  constructor(readonly scale = 1) {
    super();
  }
  calculateInto(out: Float64Array, current: PortfolioState, next: PortfolioState): void {
    const c = current.portfolioValue;
    const n = next.portfolioValue;
    if (c <= 0) {
      out[0] = 0;
      return;
    }
    // A wiped-out account gets the log of a tiny positive value instead of −Infinity.
    out[0] = Math.log(Math.max(n, c * 1e-12) / c) * this.scale;
  }
  reset(): void {}
  saveStateInto(): void {}
  loadState(): void {}
}

/**
 * Quadratic (mean–variance) utility of the step's return r = next / current − 1:
 *   (r − (λ/2)·r²) · scale,
 * whose expectation is E[r] − (λ/2)·(Var[r] + E[r]²): a return counts less the more the book
 * swings. Maximised per step by the mean–variance book w = μ/(λ·Σ) — de-risking when volatility
 * rises, which a plain return never rewards. λ = `riskAversion` in daily-return units (see
 * docs/rewards.md for its scale). Stateless.
 */
export class MeanVarianceReward extends RewardBase {
  readonly type = 'mean_variance';
  readonly stateSize = 0;
  constructor(
    readonly riskAversion: number,
    readonly scale = 1,
  ) {
    super();
  }
  calculateInto(out: Float64Array, current: PortfolioState, next: PortfolioState): void {
    const c = current.portfolioValue;
    const r = c <= 0 ? 0 : next.portfolioValue / c - 1;
    out[0] = (r - 0.5 * this.riskAversion * r * r) * this.scale;
  }
  reset(): void {}
  saveStateInto(): void {}
  loadState(): void {}
}
