/**
 * Walk-forward evaluation: rolling (or anchored) train/test windows; on each window the strategy is
 * refitted on the training bars only (`fit(train)`, or a factory that trains an agent) and trades the
 * test bars that follow. The test windows are stitched into one out-of-sample run through the same
 * accounting (positions carry over from one window to the next, as a live portfolio would), and every
 * number says which dates it covers.
 */
import { invalidArgument } from '../core/errors.js';
import { sliceByIndex } from '../data/market.js';
import { walkForwardWindows, type SplitRange, type WalkForwardOptions, type WalkForwardWindow } from '../data/splits.js';
import type { MarketData } from '../data/types.js';
import { computeMetrics, type PerformanceMetrics } from './metrics.js';
import { policyFromTargets, runBacktest } from './run-backtest.js';
import { summarizeBacktest, type BacktestSummary } from './summarize.js';
import type { BacktestOptions, BacktestResult, DecisionContext, Policy, Strategy } from './types.js';

/** Builds what trades a window's test bars from its training slice (e.g. trains an agent). */
export type WindowFactory = (train: MarketData, window: WalkForwardWindow) => Strategy | Policy;

export interface WalkForwardBacktestOptions extends Omit<BacktestOptions, 'firstBar' | 'endBar' | 'split'>, WalkForwardOptions {
  riskFree?: number;
}

export interface WalkForwardWindowReport {
  index: number;
  /** Bars and dates the strategy was fitted on. */
  train: SplitRange;
  /** Bars and dates it traded; the metrics cover these dates. */
  test: SplitRange;
  /** Whether the strategy was refitted on this window's training bars. */
  fitted: boolean;
  metrics: PerformanceMetrics;
}

export interface WalkForwardReport {
  name: string;
  windows: WalkForwardWindowReport[];
  /** The stitched out-of-sample run (first test bar .. last test bar). */
  result: BacktestResult;
  /** Its metrics and trade statistics, split `walk-forward out-of-sample`. */
  summary: BacktestSummary;
}

function isStrategy(x: Strategy | Policy): x is Strategy {
  return typeof (x as Strategy).targets === 'function';
}

/** A policy reading a table computed on a slice that starts at market bar `offset`. */
function offsetPolicy(name: string, targets: Float64Array, nAssets: number, offset: number): Policy {
  const inner = policyFromTargets(name, targets, nAssets);
  const context: { -readonly [K in keyof DecisionContext]: DecisionContext[K] } = { market: undefined as unknown as MarketData, bar: 0, firstBar: 0, weights: new Float64Array(0), value: 0 };
  return {
    name,
    decideInto(out, outer) {
      context.market = outer.market;
      context.bar = outer.bar - offset;
      context.firstBar = outer.firstBar - offset;
      context.weights = outer.weights;
      context.value = outer.value;
      return inner.decideInto(out, context);
    },
  };
}

/**
 * Walk-forward backtest of a strategy (refitted with `fit` when it has one) or of a factory called with
 * each window's training slice. A strategy without `fit` has nothing to retrain and runs as one
 * continuous strategy over the test bars. Test windows must not overlap (stepBars ≥ testBars); bars
 * between windows (stepBars > testBars) hold their positions without trading (a continuous strategy
 * keeps trading through them).
 */
export function walkForwardBacktest(market: MarketData, subject: Strategy | WindowFactory, options: WalkForwardBacktestOptions): WalkForwardReport {
  const { trainBars, trainDays, testBars, stepBars, anchored, riskFree, ...backtestOptions } = options;
  const windowOptions: WalkForwardOptions = { testBars };
  if (trainBars !== undefined) windowOptions.trainBars = trainBars;
  if (trainDays !== undefined) windowOptions.trainDays = trainDays;
  if (stepBars !== undefined) windowOptions.stepBars = stepBars;
  if (anchored !== undefined) windowOptions.anchored = anchored;
  if ((stepBars ?? testBars) < testBars) throw invalidArgument(`walk-forward test windows overlap: stepBars ${stepBars} < testBars ${testBars}`);
  const windows = [...walkForwardWindows(market, windowOptions)];
  if (windows.length === 0) throw invalidArgument(`no complete walk-forward window fits in ${market.time.length} bars (test ${testBars} bars after ${trainBars ?? `${trainDays} days`} of training)`);
  const n = market.symbols.length;
  const fittedFlags: boolean[] = [];
  let name = '';
  // A strategy with nothing to fit runs as one continuous strategy over the test bars (restarting it
  // each window would, e.g., make buy-and-hold rebalance at every window start).
  const continuous = typeof subject !== 'function' && subject.fit === undefined;
  if (continuous) {
    name = subject.name;
    for (const _window of windows) fittedFlags.push(false);
  }
  const policies = continuous ? [] : windows.map((window) => {
    const train = sliceByIndex(market, window.train.start, window.train.end);
    let chosen: Strategy | Policy;
    if (typeof subject === 'function') {
      chosen = subject(train, window);
      fittedFlags.push(true);
    } else {
      chosen = subject.fit ? subject.fit(train) : subject;
      fittedFlags.push(subject.fit !== undefined);
    }
    name = chosen.name;
    if (!isStrategy(chosen)) return chosen;
    // The strategy sees its training bars as history and the test bars, nothing later.
    const visible = sliceByIndex(market, window.train.start, window.test.end);
    return offsetPolicy(chosen.name, chosen.targets(visible, window.test.start - window.train.start), n, window.train.start);
  });
  const firstBar = windows[0]!.test.start;
  const endBar = windows[windows.length - 1]!.test.end;
  let current = -1;
  const switching: Policy = {
    name,
    decideInto(out, context) {
      while (current + 1 < windows.length && context.bar >= windows[current + 1]!.test.start) {
        current++;
        policies[current]!.reset?.(context.market, windows[current]!.test.start);
      }
      const window = windows[current];
      if (window === undefined || context.bar >= window.test.end) return false;
      return policies[current]!.decideInto(out, context);
    },
  };
  const result = runBacktest(market, continuous ? (subject as Strategy) : switching, { ...backtestOptions, firstBar, endBar, split: 'walk-forward out-of-sample' });
  const metricsOptions: { periodsPerYear: number; riskFree?: number } = { periodsPerYear: result.options.periodsPerYear };
  if (riskFree !== undefined) metricsOptions.riskFree = riskFree;
  const reports = windows.map((window, k): WalkForwardWindowReport => {
    // A window's returns start from the previous close (the first window from its own first close).
    const from = Math.max(0, window.test.start - firstBar - (k === 0 ? 0 : 1));
    const to = window.test.end - firstBar;
    return { index: window.index, train: window.train, test: window.test, fitted: fittedFlags[k]!, metrics: computeMetrics(result.value.subarray(from, to), metricsOptions) };
  });
  return { name, windows: reports, result, summary: summarizeBacktest(result, market, metricsOptions) };
}
