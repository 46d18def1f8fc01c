import type { PortfolioState, RewardInfo } from './types.js';
import { RewardBase } from './types.js';

/** −scale · turnover of the step (Σ|w* − w|); meant as a component of a composite reward. */
export class TurnoverPenalty extends RewardBase {
  readonly type = 'turnover_penalty';
  readonly stateSize = 0;
  constructor(readonly scale = 1) {
    super();
  }
  calculateInto(out: Float64Array, _current: PortfolioState, _next: PortfolioState, _action: unknown, info: RewardInfo): void {
    out[0] = -this.scale * info.turnover;
  }
  reset(): void {}
  saveStateInto(): void {}
  loadState(): void {}
}
