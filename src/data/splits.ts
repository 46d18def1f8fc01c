/** Train / validation / test splits by date, and walk-forward windows: every evaluation states its split. */
import { invalidArgument } from '../core/errors.js';
import { lowerBound, upperBound } from '../core/arrays.js';
import type { MarketData } from './types.js';
import { formatTimestamp, parseEndDate } from './dates.js';
import { sliceByIndex, type DateInput } from './market.js';

/** Where a split lies: bar indices `[start, end)` of the whole market and the dates of its first and last bars. */
export interface SplitRange {
  start: number;
  end: number;
  rows: number;
  first: string | undefined;
  last: string | undefined;
}

export interface SplitByDateOptions {
  /** Last date of the training split (inclusive; a date-only value covers its whole day). */
  trainEnd: DateInput;
  /** Last date of the validation split (inclusive). Omitted: no validation split, test follows train. */
  validationEnd?: DateInput;
  /** How messages name the two dates (default `trainEnd` / `validationEnd`; the CLI passes its flags). */
  labels?: { trainEnd: string; validationEnd: string };
}

export interface MarketSplits {
  train: MarketData;
  validation: MarketData;
  test: MarketData;
  ranges: { train: SplitRange; validation: SplitRange; test: SplitRange };
}

function range(time: Float64Array, start: number, end: number): SplitRange {
  return {
    start,
    end,
    rows: end - start,
    first: end > start ? formatTimestamp(time[start]!) : undefined,
    last: end > start ? formatTimestamp(time[end - 1]!) : undefined,
  };
}

/**
 * Where train (≤ trainEnd), validation (≤ validationEnd) and test (the rest) lie on a time axis, in
 * time order; refuses a validation end before the train end (the splits would overlap) and empty splits,
 * naming the dates.
 */
export function splitRangesByDate(time: Float64Array, options: SplitByDateOptions): MarketSplits['ranges'] {
  const labels = options.labels ?? { trainEnd: 'trainEnd', validationEnd: 'validationEnd' };
  const trainEnd = parseEndDate(options.trainEnd, labels.trainEnd);
  const validationEnd = options.validationEnd === undefined ? trainEnd : parseEndDate(options.validationEnd, labels.validationEnd);
  if (validationEnd < trainEnd) {
    throw invalidArgument(`${labels.validationEnd} ${String(options.validationEnd)} is before ${labels.trainEnd} ${String(options.trainEnd)}: the validation split would overlap the train split (validation must follow train, test follows validation)`);
  }
  const trainStop = upperBound(time, trainEnd);
  const validationStop = upperBound(time, validationEnd);
  const ranges = { train: range(time, 0, trainStop), validation: range(time, trainStop, validationStop), test: range(time, validationStop, time.length) };
  const span = time.length > 0 ? `${formatTimestamp(time[0]!)}..${formatTimestamp(time[time.length - 1]!)}` : 'no bars';
  if (ranges.train.rows === 0) throw invalidArgument(`train split is empty: ${labels.trainEnd} ${String(options.trainEnd)} is before the first bar (data spans ${span})`);
  if (ranges.test.rows === 0) throw invalidArgument(`test split is empty: nothing after ${String(options.validationEnd ?? options.trainEnd)} (data spans ${span})`);
  if (options.validationEnd !== undefined && ranges.validation.rows === 0) {
    throw invalidArgument(`validation split is empty: no bars between ${labels.trainEnd} ${String(options.trainEnd)} and ${labels.validationEnd} ${String(options.validationEnd)}`);
  }
  return ranges;
}

/** Split a market into train (≤ trainEnd), validation (≤ validationEnd) and test (the rest), in time order. */
export function splitByDate(market: MarketData, options: SplitByDateOptions): MarketSplits {
  const ranges = splitRangesByDate(market.time, options);
  return {
    train: sliceByIndex(market, ranges.train.start, ranges.train.end),
    validation: sliceByIndex(market, ranges.validation.start, ranges.validation.end),
    test: sliceByIndex(market, ranges.test.start, ranges.test.end),
    ranges,
  };
}

/** A split named for messages (e.g. `splits.validation`) and its inclusive dates, as YYYY-MM-DD. */
export interface DatedSplit {
  name: string;
  from: string;
  to: string;
}

/** The first problem of a dated split, and which of its dates it is about. */
export interface SplitOrderProblem {
  /** Index of the split the problem is about in the list given. */
  index: number;
  bound: 'from' | 'to';
  message: string;
}

/**
 * Splits meant to follow each other in time (train, then validation, then test) must each start no
 * later than they end and start after the previous one ends: a validation split that overlaps the
 * training split scores the policy on bars it learned from (an inflated validation Sharpe that selects
 * the wrong model). Returns the first problem, naming both splits and their dates, or null.
 * Dates are compared as YYYY-MM-DD text (which sorts as time).
 */
export function splitOrderProblem(splits: readonly DatedSplit[]): SplitOrderProblem | null {
  const show = (split: DatedSplit) => `${split.name} ${split.from} .. ${split.to}`;
  for (const [index, split] of splits.entries()) {
    if (split.from > split.to) return { index, bound: 'to', message: `${show(split)} ends before it starts` };
    const previous = splits[index - 1];
    if (previous === undefined) continue;
    if (split.to < previous.from) {
      return { index, bound: 'from', message: `${show(split)} comes before ${show(previous)}: splits must be in time order (${splits.map((s) => s.name).join(', ')})` };
    }
    if (split.from <= previous.to) {
      return { index, bound: 'from', message: `${show(split)} overlaps ${show(previous)}: ${split.name} must start after ${previous.to}` };
    }
  }
  return null;
}

export interface WalkForwardOptions {
  /** Training window length in bars (rolling). Give this or `trainDays`. */
  trainBars?: number;
  /** Training window length in calendar days before the test window's first bar. */
  trainDays?: number;
  /** Test window length in bars. */
  testBars: number;
  /** Bars between consecutive test windows' starts (default `testBars`: back-to-back test windows). */
  stepBars?: number;
  /** Anchored: every training window starts at bar 0 and grows (expanding window). */
  anchored?: boolean;
}

export interface WalkForwardWindow {
  index: number;
  /** Bar indices `[start, end)` and dates of the first and last bar. */
  train: SplitRange;
  test: SplitRange;
}

const MS_PER_DAY = 86_400_000;

function positiveInteger(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value <= 0)) throw invalidArgument(`${name} must be a positive integer, got ${value}`);
}

/**
 * Walk-forward windows over a time axis: training always ends where its test window starts (no
 * overlap, no look-ahead); only complete test windows are produced.
 */
export function* walkForwardWindows(marketOrTime: MarketData | Float64Array, options: WalkForwardOptions): Generator<WalkForwardWindow> {
  const time = marketOrTime instanceof Float64Array ? marketOrTime : marketOrTime.time;
  const { trainBars, trainDays, testBars } = options;
  const stepBars = options.stepBars ?? testBars;
  positiveInteger(trainBars, 'trainBars');
  positiveInteger(testBars, 'testBars');
  positiveInteger(stepBars, 'stepBars');
  if (trainDays !== undefined && !(trainDays > 0)) throw invalidArgument(`trainDays must be positive, got ${trainDays}`);
  if ((trainBars === undefined) === (trainDays === undefined)) throw invalidArgument('give exactly one of trainBars and trainDays');
  const n = time.length;
  if (n === 0) return;
  let testStart = trainBars !== undefined ? trainBars : lowerBound(time, time[0]! + trainDays! * MS_PER_DAY);
  let index = 0;
  while (testStart + testBars <= n) {
    let trainStart: number;
    if (options.anchored) trainStart = 0;
    else if (trainBars !== undefined) trainStart = testStart - trainBars;
    else trainStart = lowerBound(time, time[testStart]! - trainDays! * MS_PER_DAY);
    yield { index, train: range(time, trainStart, testStart), test: range(time, testStart, testStart + testBars) };
    index++;
    testStart += stepBars;
  }
}
