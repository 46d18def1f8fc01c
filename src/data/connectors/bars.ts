import { GrpoTraderError, ErrorCodes } from '../../core/errors.js';
import type { OhlcvSeries } from '../types.js';
import type { BarColumns } from './types.js';

/** One bar as a row, the shape connectors build while parsing a response. */
export interface BarRow {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  adjustedClose?: number;
}

/** Columns from rows: sorted ascending by time; a later row with the same time replaces an earlier one. */
export function barsFromRows(rows: readonly BarRow[]): BarColumns {
  const byTime = new Map<number, BarRow>();
  for (const row of rows) byTime.set(row.time, row);
  const sorted = [...byTime.values()].sort((a, b) => a.time - b.time);
  const withAdjusted = sorted.length > 0 && sorted.every((row) => row.adjustedClose !== undefined);
  const columns: BarColumns = {
    time: Float64Array.from(sorted, (row) => row.time),
    open: Float64Array.from(sorted, (row) => row.open),
    high: Float64Array.from(sorted, (row) => row.high),
    low: Float64Array.from(sorted, (row) => row.low),
    close: Float64Array.from(sorted, (row) => row.close),
    volume: Float64Array.from(sorted, (row) => row.volume),
  };
  if (withAdjusted) columns.adjustedClose = Float64Array.from(sorted, (row) => row.adjustedClose as number);
  return columns;
}

/** Rows from columns (the inverse of `barsFromRows`). */
export function rowsFromBars(bars: BarColumns): BarRow[] {
  const rows: BarRow[] = [];
  for (let i = 0; i < bars.time.length; i++) {
    const row: BarRow = {
      time: bars.time[i], open: bars.open[i], high: bars.high[i], low: bars.low[i], close: bars.close[i], volume: bars.volume[i],
    };
    if (bars.adjustedClose) row.adjustedClose = bars.adjustedClose[i];
    rows.push(row);
  }
  return rows;
}

/** Union of two bar sets; where both have a bar at the same time, `newer` wins. */
export function mergeBars(older: BarColumns, newer: BarColumns): BarColumns {
  return barsFromRows([...rowsFromBars(older), ...rowsFromBars(newer)]);
}

/** The bars whose time lies in `[from, to)`. */
export function sliceBars(bars: BarColumns, from: number, to: number): BarColumns {
  let start = 0;
  while (start < bars.time.length && bars.time[start] < from) start++;
  let end = start;
  while (end < bars.time.length && bars.time[end] < to) end++;
  const sliced: BarColumns = {
    time: bars.time.slice(start, end),
    open: bars.open.slice(start, end),
    high: bars.high.slice(start, end),
    low: bars.low.slice(start, end),
    close: bars.close.slice(start, end),
    volume: bars.volume.slice(start, end),
  };
  if (bars.adjustedClose) sliced.adjustedClose = bars.adjustedClose.slice(start, end);
  return sliced;
}

/**
 * The bars as an `OhlcvSeries`. With `adjusted`, open/high/low/close are multiplied by
 * adjustedClose / close so the series is back-adjusted for splits and dividends (continuous across
 * them) like the shared data; volume is left as the source gave it.
 */
export function barsToSeries(bars: BarColumns, symbol: string, source: string, adjusted: boolean): OhlcvSeries {
  const series: OhlcvSeries = {
    symbol,
    source,
    time: bars.time.slice(),
    open: bars.open.slice(),
    high: bars.high.slice(),
    low: bars.low.slice(),
    close: bars.close.slice(),
    volume: bars.volume.slice(),
  };
  if (!adjusted) return series;
  const adjustedClose = bars.adjustedClose;
  if (!adjustedClose) {
    throw new GrpoTraderError(ErrorCodes.unsupported, `${source} gave no adjusted close for ${symbol}, so --adjusted cannot be applied`);
  }
  for (let i = 0; i < series.time.length; i++) {
    const factor = adjustedClose[i] / bars.close[i];
    series.open[i] *= factor;
    series.high[i] *= factor;
    series.low[i] *= factor;
    series.close[i] = adjustedClose[i];
  }
  return series;
}
