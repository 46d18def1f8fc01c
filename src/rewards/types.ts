/**
 * The reward interface of the specification (5.2): `calculate(current, next, action, info)`, plus
 * `reset()` at every episode start (the specification's rewards kept history across episodes,
 * defect 11) and a flat state for environment snapshots.
 */

/** What a reward sees of the portfolio before and after a step. */
export interface PortfolioState {
  /** Portfolio value (before the step's costs for `current`, at the next bar's close for `next`). */
  portfolioValue: number;
}

/** The step facts a reward may use; environments pass their full step info, which has these fields. */
export interface RewardInfo {
  /** Σ|w* − w| of the step's rebalance, a fraction of the value before costs. */
  turnover: number;
  /** Trading cost paid, in currency. */
  cost: number;
  /** Traded notional, in currency. */
  tradedNotional: number;
}

export interface RewardFunction {
  /** The factory name of this reward (`return`, `sharpe`, ...). */
  readonly type: string;
  /** Reward for one step. */
  calculate(current: PortfolioState, next: PortfolioState, action: ArrayLike<number> | number, info: RewardInfo): number;
  /**
   * The same reward written into `out[0]`. Optional; environments prefer it because V8 boxes a
   * double returned from a call it does not inline (16 bytes per step), and a write does not.
   */
  calculateInto?(out: Float64Array, current: PortfolioState, next: PortfolioState, action: ArrayLike<number> | number, info: RewardInfo): void;
  /** Forget all history: called by the environment at every reset. */
  reset(): void;
  /** Number of float64 values `saveStateInto` writes. */
  readonly stateSize: number;
  saveStateInto(out: Float64Array, offset: number): void;
  loadState(source: Float64Array, offset: number): void;
}

/** Simple return next/current − 1; 0 when the current value is not positive (as 5.3.1). */
export function simpleReturn(current: PortfolioState, next: PortfolioState): number {
  const c = current.portfolioValue;
  return c <= 0 ? 0 : next.portfolioValue / c - 1;
}

/** Base of the built-in rewards: `calculate` delegates to the allocation-free `calculateInto`. */
export abstract class RewardBase implements RewardFunction {
  abstract readonly type: string;
  abstract readonly stateSize: number;
  private readonly result = new Float64Array(1);

  abstract calculateInto(out: Float64Array, current: PortfolioState, next: PortfolioState, action: ArrayLike<number> | number, info: RewardInfo): void;
  abstract reset(): void;
  abstract saveStateInto(out: Float64Array, offset: number): void;
  abstract loadState(source: Float64Array, offset: number): void;

  calculate(current: PortfolioState, next: PortfolioState, action: ArrayLike<number> | number = 0, info: RewardInfo = NO_INFO): number {
    this.calculateInto(this.result, current, next, action, info);
    return this.result[0]!;
  }
}

const NO_INFO: RewardInfo = Object.freeze({ turnover: 0, cost: 0, tradedNotional: 0 });
