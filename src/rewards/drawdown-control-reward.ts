import type { PortfolioState } from './types.js';
import { RewardBase } from './types.js';

export interface DrawdownControlRewardOptions {
  maxDrawdown?: number;
  penaltyScale?: number;
  scale?: number;
}

/**
 * 5.3.3: (r − penalty) · scale, penalty = (drawdown − maxDrawdown) · penaltyScale when the drawdown
 * of the next value from the running peak exceeds maxDrawdown. As in the specification the peak is
 * updated with the current (pre-step) value; unlike it, the peak resets with the episode.
 */
export class DrawdownControlReward extends RewardBase {
  readonly type = 'drawdown';
  readonly stateSize = 1;
  readonly maxDrawdown: number;
  readonly penaltyScale: number;
  readonly scale: number;
  private peakValue = 0;

  constructor(options: DrawdownControlRewardOptions = {}) {
    super();
    this.maxDrawdown = options.maxDrawdown ?? 0.05;
    this.penaltyScale = options.penaltyScale ?? 2;
    this.scale = options.scale ?? 1;
  }

  calculateInto(out: Float64Array, current: PortfolioState, next: PortfolioState): void {
    const currentValue = current.portfolioValue;
    const nextValue = next.portfolioValue;
    this.peakValue = Math.max(this.peakValue, currentValue);
    const drawdown = this.peakValue === 0 ? 0 : (this.peakValue - nextValue) / this.peakValue;
    const dailyReturn = currentValue <= 0 ? 0 : nextValue / currentValue - 1;
    const penalty = drawdown > this.maxDrawdown ? (drawdown - this.maxDrawdown) * this.penaltyScale : 0;
    out[0] = (dailyReturn - penalty) * this.scale;
  }

  reset(): void {
    this.peakValue = 0;
  }

  saveStateInto(out: Float64Array, offset: number): void {
    out[offset] = this.peakValue;
  }

  loadState(source: Float64Array, offset: number): void {
    this.peakValue = source[offset]!;
  }
}
