import type { PortfolioState } from './types.js';
import { ReturnWindowReward } from './window-reward.js';

export interface DownsideDeviationRewardOptions {
  windowSize?: number;
  /** Minimum acceptable return per period. */
  target?: number;
  /** Weight λ of the downside deviation. */
  penaltyScale?: number;
  scale?: number;
}

/**
 * Return penalised by downside risk: (r − λ · DD) · scale, where DD = sqrt(mean(min(0, r_i − target)²))
 * over the last `windowSize` returns (current included) — the Sortino denominator, every return
 * counted (not only the negative ones; see spec defect 3).
 */
export class DownsideDeviationReward extends ReturnWindowReward {
  readonly type = 'downside_deviation';
  readonly windowSize: number;
  readonly target: number;
  readonly penaltyScale: number;
  readonly scale: number;

  constructor(options: DownsideDeviationRewardOptions = {}) {
    super(options.windowSize ?? 30);
    this.windowSize = this.window.capacity;
    this.target = options.target ?? 0;
    this.penaltyScale = options.penaltyScale ?? 1;
    this.scale = options.scale ?? 1;
  }

  calculateInto(out: Float64Array, current: PortfolioState, next: PortfolioState): void {
    // Inline, not simpleReturn(): a double returned from a call V8 does not inline is boxed.
    const r = current.portfolioValue <= 0 ? 0 : next.portfolioValue / current.portfolioValue - 1;
    this.window.values[this.window.position] = r;
    this.window.advance();
    let sum = 0;
    const n = this.window.length;
    for (let i = 0; i < n; i++) {
      const shortfall = Math.min(0, this.window.values[i]! - this.target);
      sum += shortfall * shortfall;
    }
    out[0] = (r - this.penaltyScale * Math.sqrt(sum / n)) * this.scale;
  }
}
