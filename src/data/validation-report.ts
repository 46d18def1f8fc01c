/** What validating an OHLCV file reports: every problem, the warnings, the repairs done, the dialect detected. */
import { excerpt } from '../core/errors.js';
import type { OhlcvSeries } from './types.js';
import type { DateFormat } from './dates.js';

/** Every kind of problem that makes a file unusable until fixed or repaired. */
export type ProblemKind =
  | 'unreadable-file'
  | 'no-header'
  | 'no-rows'
  | 'missing-column'
  | 'unterminated-quote'
  | 'wrong-cell-count'
  | 'empty-cell'
  | 'not-a-number'
  | 'unparsable-number'
  | 'unparsable-date'
  | 'non-positive-price'
  | 'high-below-low'
  | 'open-outside-range'
  | 'close-outside-range'
  | 'negative-volume'
  | 'duplicate-timestamp'
  | 'unsorted-timestamp';

/** One problem, located as precisely as the file allows. */
export interface Problem {
  kind: ProblemKind;
  file: string;
  /** 1-based line in a CSV file, or 1-based row number in a Parquet file. */
  line?: number;
  field?: string;
  /** The cell's text as written in the file. */
  value?: string;
  /** What is wrong, in words. */
  message: string;
}

export type WarningKind = 'zero-volume' | 'newest-first' | 'out-of-order-rows' | 'skipped-lines' | 'ignored-column' | 'volume-column' | 'date-format' | 'adjusted-prices' | 'unnamed-date-column';

/** Something a user should know that does not stop the file from loading. */
export interface Warning {
  kind: WarningKind;
  message: string;
  count: number;
  /** Lines (or Parquet rows) concerned, first 100 at most. */
  lines?: number[];
  /** Timestamps concerned (formatted), first 100 at most. */
  dates?: string[];
}

export type RepairKind = 'drop-invalid-rows' | 'sort' | 'drop-duplicates';

/** A repair the caller asked for and that changed the data. */
export interface Repair {
  kind: RepairKind;
  message: string;
  count: number;
  /** Lines dropped or moved (all of them). */
  lines: number[];
}

/** How the file was read. */
export interface Dialect {
  format: 'csv' | 'parquet';
  delimiter?: string;
  /** 1-based line of the header row (0 when the file has none). */
  headerLine?: number;
  dateFormat?: DateFormat;
  /** The file's column name used for each field. */
  columns: Record<string, string>;
  order: 'ascending' | 'newest-first' | 'mixed' | 'empty';
}

/** The result of `validateOhlcvFile` / `inspectOhlcvCsv`: never thrown, always returned. */
export interface ValidationReport {
  file: string;
  symbol: string;
  /** Data rows read (before any repair). */
  rows: number;
  problems: Problem[];
  warnings: Warning[];
  repairs: Repair[];
  dialect: Dialect;
  /** The loaded series, present exactly when `problems` is empty. */
  series?: OhlcvSeries;
}

/** `file:line: field "value": what is wrong`, omitting what is unknown. */
export function formatProblem(problem: Problem): string {
  let text = problem.file;
  if (problem.line !== undefined) text += `:${problem.line}`;
  text += ':';
  if (problem.field !== undefined) text += ` ${problem.field}`;
  if (problem.value !== undefined) text += ` ${JSON.stringify(excerpt(problem.value))}`;
  if (problem.field !== undefined || problem.value !== undefined) text += ':';
  return `${text} ${problem.message}`;
}
