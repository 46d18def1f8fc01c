import type { PortfolioState } from './types.js';
import { RewardBase } from './types.js';

export interface DifferentialSharpeRewardOptions {
  /** Adaptation rate η of the exponential moving moments. */
  eta?: number;
  scale?: number;
}

/**
 * The differential Sharpe ratio of Moody & Saffell (1998/2001): with exponential moving moments
 * A_t = A + η(R − A), B_t = B + η(R² − B), the reward is
 * D_t = (B·ΔA − ½·A·ΔB) / (B − A²)^{3/2}, using the moments before the update. When the variance
 * B − A² is not yet positive (the first step) the reward is 0.
 */
export class DifferentialSharpeReward extends RewardBase {
  readonly type = 'differential_sharpe';
  readonly stateSize = 2;
  readonly eta: number;
  readonly scale: number;
  private a = 0;
  private b = 0;

  constructor(options: DifferentialSharpeRewardOptions = {}) {
    super();
    this.eta = options.eta ?? 0.01;
    this.scale = options.scale ?? 1;
  }

  calculateInto(out: Float64Array, current: PortfolioState, next: PortfolioState): void {
    // Inline, not simpleReturn(): a double returned from a call V8 does not inline is boxed.
    const r = current.portfolioValue <= 0 ? 0 : next.portfolioValue / current.portfolioValue - 1;
    const deltaA = r - this.a;
    const deltaB = r * r - this.b;
    const variance = this.b - this.a * this.a;
    const d = variance > 1e-12 ? (this.b * deltaA - 0.5 * this.a * deltaB) / variance ** 1.5 : 0;
    this.a += this.eta * deltaA;
    this.b += this.eta * deltaB;
    out[0] = d * this.scale;
  }

  reset(): void {
    this.a = 0;
    this.b = 0;
  }

  saveStateInto(out: Float64Array, offset: number): void {
    out[offset] = this.a;
    out[offset + 1] = this.b;
  }

  loadState(source: Float64Array, offset: number): void {
    this.a = source[offset]!;
    this.b = source[offset + 1]!;
  }
}
