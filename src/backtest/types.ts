/**
 * The shapes of a backtest. Time rule (DESIGN.md): a decision taken at bar t sees data up to and
 * including bar t's close, is traded at t's close and earns the return from t to t+1.
 */
import type { MarketData } from '../data/types.js';
import type { SimulateWeightsOptions } from '../env/index.js';

/** What a policy is told when it decides at bar `bar`. */
export interface DecisionContext {
  /**
   * The whole market. The contract: read bars ≤ `bar` only (`checkNoLookAhead` verifies it by
   * perturbing the future). It is not sliced per bar so that deciding allocates nothing.
   */
  readonly market: MarketData;
  /** Bar index of the decision (into `market`). */
  readonly bar: number;
  /** Index of the first decision of the run. */
  readonly firstBar: number;
  /** Current weights (drifted to this bar's close, before the decision). Read-only. */
  readonly weights: Float64Array;
  /** Portfolio value at this bar's close, before this decision's costs. */
  readonly value: number;
}

/**
 * Anything that decides target weights bar by bar: a baseline strategy's precomputed table, a
 * trained agent wrapping its observation builder, a user function. Deterministic for a given
 * market (a random policy draws from its own seeded generator).
 */
export interface Policy {
  readonly name: string;
  /** Called once before the first decision of a run. */
  reset?(market: MarketData, firstBar: number): void;
  /**
   * Write target weights for `context.bar` into `out` (length = assets; prefilled with NaN).
   * NaN = keep that asset's current (drifted) weight. Return false to trade nothing at this bar.
   */
  decideInto(out: Float64Array, context: DecisionContext): boolean;
}

/**
 * A strategy computes its whole table of target weights at once, vectorised: row t (`[bar × asset]`,
 * NaN = keep the current weight, a row of NaN = no trade) must depend on bars ≤ t only. Rows before
 * `firstBar` are ignored; at `firstBar` the strategy states its full starting portfolio.
 */
export interface Strategy {
  readonly name: string;
  /** Target weights `[bar × asset]` for the decisions at bars firstBar..end−1. */
  targets(market: MarketData, firstBar: number): Float64Array;
  /**
   * Walk-forward hook: a strategy fitted on a training slice (e.g. a covariance estimated there).
   * Returns a new strategy; the original is left unchanged.
   */
  fit?(train: MarketData): Strategy;
}

/** The accounting options of `simulateWeights` (costs, limits, cash and borrow rates) plus the run's range. */
export interface BacktestOptions extends SimulateWeightsOptions {
  /** First decision bar (index into the market); default 0. Earlier bars are history only. */
  firstBar?: number;
  /** One past the last bar of the run; default the market's length. */
  endBar?: number;
  /** Weights held before the first decision (default all cash). */
  initialWeights?: ArrayLike<number>;
  /** A label for the data split the run covers (reports say which dates each number covers). */
  split?: string;
}

/** One row per trade: an asset whose weight changed at a rebalance (struct of arrays). */
export interface TradeLog {
  /** Number of trades. */
  count: number;
  bar: Int32Array;
  asset: Int32Array;
  weightBefore: Float64Array;
  weightAfter: Float64Array;
  /** Signed traded notional (w* − w)·V, V the value before costs. */
  notional: Float64Array;
  /** Cost paid for this trade. */
  cost: Float64Array;
}

/** Which dates a result covers. */
export interface Period {
  first: string;
  last: string;
  bars: number;
  split: string;
}

/** A run's results, one row per bar of the run (bars firstBar..endBar−1). */
export interface BacktestResult {
  name: string;
  symbols: readonly string[];
  period: Period;
  time: Float64Array;
  barIndex: Int32Array;
  /** Portfolio value at each bar's close, after that bar's costs. */
  value: Float64Array;
  /** Net return of each bar: value[i]/value[i−1] − 1; row 0 against the initial capital. */
  returns: Float64Array;
  /** Cost paid at each bar's close. */
  cost: Float64Array;
  /** Σ|w* − w| at each bar's rebalance. */
  turnover: Float64Array;
  /** Weights held after each bar's decision `[row × asset]`. */
  weights: Float64Array;
  trades: TradeLog;
  initialCapital: number;
  /** Weights held before the first decision. */
  initialWeights: Float64Array;
  /** The accounting options used, defaults filled in. */
  options: ResolvedBacktestOptions;
}

export interface ResolvedBacktestOptions {
  initialCapital: number;
  tradingCost: number;
  slippage: number;
  maxPositionSize: number;
  maxAssetWeight: number;
  cashRate: number;
  borrowCost: number;
  periodsPerYear: number;
}
