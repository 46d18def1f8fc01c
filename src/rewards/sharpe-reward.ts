import type { PortfolioState } from './types.js';
import { ReturnWindowReward } from './window-reward.js';

export interface SharpeRewardOptions {
  /** Annual risk-free rate; divided by 252 as in the specification. */
  riskFreeRate?: number;
  windowSize?: number;
  minPeriods?: number;
  scale?: number;
}

/**
 * 5.3.2: with at least `minPeriods` returns in the window, (r + 0.1 · Sharpe) · scale where
 * Sharpe = (mean − rf/252) / (population std + 1e-6) over the last `windowSize` returns (the
 * current one included); before that, r · scale. A degenerate step (current value ≤ 0) returns 0
 * and records nothing, as the specification does.
 */
export class SharpeReward extends ReturnWindowReward {
  readonly type = 'sharpe';
  readonly riskFreeRate: number;
  readonly windowSize: number;
  readonly minPeriods: number;
  readonly scale: number;

  constructor(options: SharpeRewardOptions = {}) {
    super(options.windowSize ?? 30);
    this.riskFreeRate = options.riskFreeRate ?? 0;
    this.windowSize = this.window.capacity;
    this.minPeriods = options.minPeriods ?? 5;
    this.scale = options.scale ?? 1;
  }

  calculateInto(out: Float64Array, current: PortfolioState, next: PortfolioState): void {
    if (current.portfolioValue <= 0) {
      out[0] = 0;
      return;
    }
    const dailyReturn = next.portfolioValue / current.portfolioValue - 1;
    this.window.values[this.window.position] = dailyReturn;
    this.window.advance();
    if (this.window.length < this.minPeriods) {
      out[0] = dailyReturn * this.scale;
      return;
    }
    // Mean and population std inline: helper calls returning doubles would box them.
    const values = this.window.values;
    const n = this.window.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[i]!;
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = values[i]! - mean;
      ss += d * d;
    }
    const std = Math.sqrt(ss / n) + 1e-6;
    const sharpe = (mean - this.riskFreeRate / 252) / std;
    out[0] = (dailyReturn + 0.1 * sharpe) * this.scale;
  }
}
