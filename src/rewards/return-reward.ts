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
