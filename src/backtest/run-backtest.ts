/**
 * The backtest runner (specification 8.1): any policy or strategy through the multi-asset
 * accounting of `src/env` (the same primitives as `simulateWeights` and `MultiAssetEnv`: costs on
 * traded notional, weights that drift with prices between decisions). One deterministic pass per
 * market: repeating a deterministic policy over the same data gives the same episode (defect 12),
 * so there is no `episodes` loop — run several markets or start bars when you want several episodes.
 */
import { GrpoTraderError, ErrorCodes, invalidArgument } from '../core/errors.js';
import { formatTimestamp } from '../data/dates.js';
import type { MarketData } from '../data/types.js';
import { advanceWeightsInto } from '../env/accounting.js';
import { normalizeWeightsInto } from '../env/normalize-weights.js';
import { simulateDefaults } from '../env/simulate-weights.js';
import type { BacktestOptions, BacktestResult, DecisionContext, Policy, ResolvedBacktestOptions, Strategy, TradeLog } from './types.js';

/** Accounting defaults: those of `simulate` and the specification's `StrategyBenchmark`. */
export const backtestDefaults: ResolvedBacktestOptions = { ...simulateDefaults };

/** Fill defaults and validate the accounting options. */
export function resolveBacktestOptions(options: BacktestOptions = {}): ResolvedBacktestOptions {
  const resolved = { ...backtestDefaults };
  for (const key of Object.keys(backtestDefaults) as (keyof ResolvedBacktestOptions)[]) {
    const value = options[key];
    if (value !== undefined) resolved[key] = value;
  }
  const check = (name: keyof ResolvedBacktestOptions, strict: boolean) => {
    const v = resolved[name];
    if (!(Number.isFinite(v) && (strict ? v > 0 : v >= 0))) throw invalidArgument(`${name} must be a ${strict ? 'positive' : 'non-negative'} number, got ${v}`);
  };
  check('initialCapital', true);
  check('tradingCost', false);
  check('slippage', false);
  check('maxPositionSize', true);
  check('maxAssetWeight', true);
  check('borrowCost', false);
  check('periodsPerYear', true);
  if (!Number.isFinite(resolved.cashRate)) throw invalidArgument(`cashRate must be a finite number, got ${resolved.cashRate}`);
  return resolved;
}

/** A policy that reads its decisions from a strategy's precomputed table. */
export function policyFromTargets(name: string, targets: Float64Array, nAssets: number): Policy {
  return {
    name,
    decideInto(out, context) {
      const base = context.bar * nAssets;
      let any = false;
      for (let a = 0; a < nAssets; a++) {
        const w = targets[base + a]!;
        out[a] = w;
        if (w === w) any = true;
      }
      return any;
    },
  };
}

/** Turn a strategy into a policy over one market (its table is computed here, once). */
export function strategyPolicy(strategy: Strategy, market: MarketData, firstBar = 0): Policy {
  const nAssets = market.symbols.length;
  const targets = strategy.targets(market, firstBar);
  if (targets.length !== market.time.length * nAssets) {
    throw new GrpoTraderError(ErrorCodes.internal, `strategy ${strategy.name} returned ${targets.length} targets, expected ${market.time.length} bars × ${nAssets} assets`);
  }
  return policyFromTargets(strategy.name, targets, nAssets);
}

function isStrategy(x: Policy | Strategy): x is Strategy {
  return typeof (x as Strategy).targets === 'function';
}

class TradeRecorder {
  count = 0;
  private capacity: number;
  bar: Int32Array;
  asset: Int32Array;
  weightBefore: Float64Array;
  weightAfter: Float64Array;
  notional: Float64Array;
  cost: Float64Array;

  constructor(capacity: number) {
    this.capacity = Math.max(16, capacity);
    this.bar = new Int32Array(this.capacity);
    this.asset = new Int32Array(this.capacity);
    this.weightBefore = new Float64Array(this.capacity);
    this.weightAfter = new Float64Array(this.capacity);
    this.notional = new Float64Array(this.capacity);
    this.cost = new Float64Array(this.capacity);
  }

  push(bar: number, asset: number, before: number, after: number, notional: number, cost: number): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    this.bar[i] = bar;
    this.asset[i] = asset;
    this.weightBefore[i] = before;
    this.weightAfter[i] = after;
    this.notional[i] = notional;
    this.cost[i] = cost;
  }

  private grow(): void {
    this.capacity *= 2;
    const growInt = (a: Int32Array) => {
      const b = new Int32Array(this.capacity);
      b.set(a);
      return b;
    };
    const growFloat = (a: Float64Array) => {
      const b = new Float64Array(this.capacity);
      b.set(a);
      return b;
    };
    this.bar = growInt(this.bar);
    this.asset = growInt(this.asset);
    this.weightBefore = growFloat(this.weightBefore);
    this.weightAfter = growFloat(this.weightAfter);
    this.notional = growFloat(this.notional);
    this.cost = growFloat(this.cost);
  }

  finish(): TradeLog {
    const n = this.count;
    return {
      count: n,
      bar: this.bar.slice(0, n),
      asset: this.asset.slice(0, n),
      weightBefore: this.weightBefore.slice(0, n),
      weightAfter: this.weightAfter.slice(0, n),
      notional: this.notional.slice(0, n),
      cost: this.cost.slice(0, n),
    };
  }
}

/** The bar range [firstBar, endBar) of a run, validated. */
export function runRange(market: MarketData, options: Pick<BacktestOptions, 'firstBar' | 'endBar'>): { firstBar: number; endBar: number } {
  const nBars = market.time.length;
  const firstBar = options.firstBar ?? 0;
  const endBar = options.endBar ?? nBars;
  if (!Number.isInteger(firstBar) || firstBar < 0 || firstBar >= nBars) throw invalidArgument(`firstBar must be a bar index in 0..${nBars - 1}, got ${firstBar}`);
  if (!Number.isInteger(endBar) || endBar <= firstBar || endBar > nBars) throw invalidArgument(`endBar must be in ${firstBar + 1}..${nBars}, got ${endBar}`);
  return { firstBar, endBar };
}

/**
 * Run a policy or strategy over bars [firstBar, endBar) of a market. At each bar: the weights drift
 * from the previous close, the policy decides (NaN = keep), the target is normalised (4.2.3), the
 * turnover Σ|w* − w| is traded at the close for turnover·V·(tradingCost + slippage), and the target
 * applies to the post-cost value.
 */
export function runBacktest(market: MarketData, policyOrStrategy: Policy | Strategy, options: BacktestOptions = {}): BacktestResult {
  const o = resolveBacktestOptions(options);
  const { firstBar, endBar } = runRange(market, options);
  const nAssets = market.symbols.length;
  if (nAssets === 0) throw invalidArgument('the market has no assets');
  for (let i = firstBar * nAssets; i < endBar * nAssets; i++) {
    const c = market.close[i]!;
    if (!(c > 0 && Number.isFinite(c))) {
      const t = Math.floor(i / nAssets);
      throw new GrpoTraderError(ErrorCodes.invalidData, 'close must be a positive finite number', { location: { field: market.symbols[i % nAssets], value: `${formatTimestamp(market.time[t]!)}: ${c}` } });
    }
  }
  const policy = isStrategy(policyOrStrategy) ? strategyPolicy(policyOrStrategy, market, firstBar) : policyOrStrategy;
  const rows = endBar - firstBar;
  const weights = new Float64Array(nAssets);
  if (options.initialWeights !== undefined) {
    if (options.initialWeights.length !== nAssets) throw invalidArgument(`initialWeights has ${options.initialWeights.length} values, expected ${nAssets}`);
    for (let a = 0; a < nAssets; a++) {
      const w = options.initialWeights[a]!;
      if (!Number.isFinite(w)) throw invalidArgument(`initialWeights[${a}] is not a finite number: ${w}`);
      weights[a] = w;
    }
  }
  const result: BacktestResult = {
    name: policy.name,
    symbols: market.symbols.slice(),
    period: { first: formatTimestamp(market.time[firstBar]!), last: formatTimestamp(market.time[endBar - 1]!), bars: rows, split: options.split ?? 'all' },
    time: market.time.slice(firstBar, endBar),
    barIndex: new Int32Array(rows),
    value: new Float64Array(rows),
    returns: new Float64Array(rows),
    cost: new Float64Array(rows),
    turnover: new Float64Array(rows),
    weights: new Float64Array(rows * nAssets),
    trades: { count: 0, bar: new Int32Array(0), asset: new Int32Array(0), weightBefore: new Float64Array(0), weightAfter: new Float64Array(0), notional: new Float64Array(0), cost: new Float64Array(0) },
    initialCapital: o.initialCapital,
    initialWeights: weights.slice(),
    options: o,
  };
  const recorder = new TradeRecorder(rows);
  const target = new Float64Array(nAssets);
  const normalized = new Float64Array(nAssets);
  const portfolioReturn = new Float64Array(1);
  const costRate = o.tradingCost + o.slippage;
  const cashPerPeriod = o.cashRate / o.periodsPerYear;
  const borrowPerPeriod = o.borrowCost / o.periodsPerYear;
  let value = o.initialCapital;
  let previousValue = value;
  let bankrupt = false;
  const context = { market, bar: firstBar, firstBar, weights, value } satisfies DecisionContext;
  policy.reset?.(market, firstBar);
  for (let t = firstBar; t < endBar; t++) {
    const i = t - firstBar;
    if (t > firstBar && !bankrupt) {
      advanceWeightsInto(portfolioReturn, weights, market.close, t - 1, nAssets, cashPerPeriod, borrowPerPeriod);
      value *= 1 + portfolioReturn[0]!;
      if (value <= 0) {
        bankrupt = true;
        value = Math.max(0, value);
      }
    }
    if (!bankrupt) {
      target.fill(Number.NaN);
      context.bar = t;
      context.value = value;
      if (policy.decideInto(target, context)) {
        for (let a = 0; a < nAssets; a++) {
          const w = target[a]!;
          if (w !== w) target[a] = weights[a]!;
          else if (!Number.isFinite(w)) {
            throw new GrpoTraderError(ErrorCodes.invalidData, `policy ${policy.name} returned a non-finite weight`, { location: { field: market.symbols[a], value: `${formatTimestamp(market.time[t]!)}: ${w}` } });
          }
        }
        normalizeWeightsInto(normalized, target, o.maxPositionSize, o.maxAssetWeight);
        let turnover = 0;
        for (let a = 0; a < nAssets; a++) {
          const change = normalized[a]! - weights[a]!;
          if (change !== 0) {
            turnover += Math.abs(change);
            recorder.push(t, a, weights[a]!, normalized[a]!, change * value, Math.abs(change) * value * costRate);
          }
        }
        const cost = turnover * value * costRate;
        value -= cost;
        weights.set(normalized);
        result.cost[i] = cost;
        result.turnover[i] = turnover;
        if (value <= 0) {
          bankrupt = true;
          weights.fill(0);
        }
      }
    }
    result.barIndex[i] = t;
    result.value[i] = value;
    result.returns[i] = value / previousValue - 1;
    previousValue = value;
    result.weights.set(weights, i * nAssets);
  }
  result.trades = recorder.finish();
  return result;
}
