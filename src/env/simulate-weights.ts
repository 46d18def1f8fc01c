/**
 * Apply a table of target weights to market data through the multi-asset accounting (no policy,
 * no observation): the core of `grpo-trader simulate` and the reference the environment is tested
 * against.
 */
import { GrpoTraderError, ErrorCodes } from '../core/errors.js';
import { formatTimestamp } from '../data/dates.js';
import type { MarketData } from '../data/types.js';
import { advanceWeightsInto, turnoverOf } from './accounting.js';
import { normalizeWeightsInto } from './normalize-weights.js';

/** Target weights by date: `weights` is `[row × asset]` in the market's symbol order. */
export interface WeightRows {
  /** UTC epoch ms of each row, strictly increasing, each one a bar of the market. */
  time: Float64Array;
  weights: Float64Array;
}

export interface SimulateWeightsOptions {
  initialCapital?: number;
  /** Commission per unit of traded notional. */
  tradingCost?: number;
  /** Slippage per unit of traded notional. */
  slippage?: number;
  /** Cap on gross exposure Σ|w| (4.2.3). */
  maxPositionSize?: number;
  /** Cap on each |w|. */
  maxAssetWeight?: number;
  /** Annual rate earned by cash (1 − Σw), paid per bar as cashRate / periodsPerYear. */
  cashRate?: number;
  /** Annual rate paid on short notional, per bar as borrowCost / periodsPerYear. */
  borrowCost?: number;
  periodsPerYear?: number;
}

export const simulateDefaults = {
  initialCapital: 100_000,
  tradingCost: 0.0005,
  slippage: 0.0001,
  maxPositionSize: 1,
  maxAssetWeight: 1,
  cashRate: 0,
  borrowCost: 0,
  periodsPerYear: 252,
} satisfies Required<SimulateWeightsOptions>;

/** One row per bar from the first weights date on. */
export interface SimulationResult {
  time: Float64Array;
  /** Bar index into the market of each output row. */
  barIndex: Int32Array;
  /** Portfolio value at the bar's close, after that bar's costs. */
  value: Float64Array;
  /** Trading cost paid at the bar's close (0 when the bar has no weights row). */
  cost: Float64Array;
  /** Σ|w* − w| at the bar's rebalance, a fraction of the value before costs. */
  turnover: Float64Array;
  /** The weights held after the bar's close (after any rebalance), `[row × asset]`. */
  weights: Float64Array;
}

/** Run the weight rows through the accounting; each row's weights are acted on at its bar's close. */
export function simulateWeights(market: MarketData, rows: WeightRows, options: SimulateWeightsOptions = {}): SimulationResult {
  const o = { ...simulateDefaults, ...stripUndefined(options) };
  validateOptions(o);
  const nAssets = market.symbols.length;
  const nBars = market.time.length;
  const nRows = rows.time.length;
  if (nRows === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'no weights rows to simulate');
  if (rows.weights.length !== nRows * nAssets) {
    throw new GrpoTraderError(ErrorCodes.invalidArgument, `weights has ${rows.weights.length} values, expected ${nRows} rows × ${nAssets} assets`);
  }
  const rowBar = new Int32Array(nRows);
  for (let k = 0; k < nRows; k++) {
    const bar = findBar(market.time, rows.time[k]!);
    if (bar < 0) {
      throw new GrpoTraderError(ErrorCodes.invalidData, `weights date ${formatTimestamp(rows.time[k]!)} is not a bar of the market data (${formatTimestamp(market.time[0]!)} .. ${formatTimestamp(market.time[nBars - 1]!)})`, {
        location: { line: k + 2, field: 'date', value: formatTimestamp(rows.time[k]!) },
      });
    }
    if (k > 0 && bar <= rowBar[k - 1]!) {
      throw new GrpoTraderError(ErrorCodes.invalidData, 'weights dates must be strictly increasing', {
        location: { line: k + 2, field: 'date', value: formatTimestamp(rows.time[k]!) },
      });
    }
    rowBar[k] = bar;
  }
  for (let i = 0; i < rows.weights.length; i++) {
    if (!Number.isFinite(rows.weights[i])) {
      const k = Math.floor(i / nAssets);
      throw new GrpoTraderError(ErrorCodes.invalidData, 'weight is not a finite number', {
        location: { line: k + 2, field: market.symbols[i % nAssets], value: String(rows.weights[i]) },
      });
    }
  }

  const first = rowBar[0]!;
  const count = nBars - first;
  const result: SimulationResult = {
    time: market.time.slice(first),
    barIndex: new Int32Array(count),
    value: new Float64Array(count),
    cost: new Float64Array(count),
    turnover: new Float64Array(count),
    weights: new Float64Array(count * nAssets),
  };
  const costRate = o.tradingCost + o.slippage;
  const cashPerPeriod = o.cashRate / o.periodsPerYear;
  const borrowPerPeriod = o.borrowCost / o.periodsPerYear;
  const weights = new Float64Array(nAssets);
  const target = new Float64Array(nAssets);
  const portfolioReturn = new Float64Array(1);
  let value = o.initialCapital;
  let row = 0;
  let bankrupt = false;
  for (let t = first; t < nBars; t++) {
    const i = t - first;
    if (t > first && !bankrupt) {
      advanceWeightsInto(portfolioReturn, weights, market.close, t - 1, nAssets, cashPerPeriod, borrowPerPeriod);
      value *= 1 + portfolioReturn[0]!;
      if (value <= 0) bankrupt = true;
    }
    if (row < nRows && rowBar[row] === t) {
      if (!bankrupt) {
        normalizeWeightsInto(target, rows.weights.subarray(row * nAssets, (row + 1) * nAssets), o.maxPositionSize, o.maxAssetWeight);
        const turnover = turnoverOf(weights, target);
        const cost = turnover * value * costRate;
        value -= cost;
        weights.set(target);
        result.cost[i] = cost;
        result.turnover[i] = turnover;
        if (value <= 0) {
          bankrupt = true;
          weights.fill(0);
        }
      }
      row++;
    }
    result.barIndex[i] = t;
    result.value[i] = value;
    result.weights.set(weights, i * nAssets);
  }
  return result;
}

function findBar(time: Float64Array, target: number): number {
  let lo = 0;
  let hi = time.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = time[mid]!;
    if (v === target) return mid;
    if (v < target) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function validateOptions(o: Required<SimulateWeightsOptions>): void {
  const positive = (name: string, v: number) => {
    if (!(Number.isFinite(v) && v > 0)) throw new GrpoTraderError(ErrorCodes.invalidArgument, `${name} must be a positive number, got ${v}`);
  };
  const nonNegative = (name: string, v: number) => {
    if (!(Number.isFinite(v) && v >= 0)) throw new GrpoTraderError(ErrorCodes.invalidArgument, `${name} must be a non-negative number, got ${v}`);
  };
  positive('initialCapital', o.initialCapital);
  nonNegative('tradingCost', o.tradingCost);
  nonNegative('slippage', o.slippage);
  positive('maxPositionSize', o.maxPositionSize);
  positive('maxAssetWeight', o.maxAssetWeight);
  nonNegative('cashRate', o.cashRate);
  nonNegative('borrowCost', o.borrowCost);
  positive('periodsPerYear', o.periodsPerYear);
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
