/** Reading and cutting `MarketData`: one asset's column, one asset's series, a date range. */
import { invalidArgument } from '../core/errors.js';
import { lowerBound, upperBound } from '../core/arrays.js';
import type { MarketData, OhlcvField, OhlcvSeries } from './types.js';
import { parseDate, parseEndDate } from './dates.js';

/** A date given by a user: `'YYYY-MM-DD'` (or an ISO datetime) or epoch ms. */
export type DateInput = string | number | Date;

/** Index of a symbol in the market; throws INVALID_ARGUMENT listing the symbols when absent. */
export function assetIndex(market: MarketData, symbol: string): number {
  const index = market.symbols.indexOf(symbol);
  if (index < 0) throw invalidArgument(`symbol ${symbol} is not in the market (${market.symbols.join(', ')})`);
  return index;
}

function checkAsset(market: MarketData, asset: number): void {
  if (!Number.isInteger(asset) || asset < 0 || asset >= market.symbols.length) {
    throw invalidArgument(`asset index ${asset} is out of range 0..${market.symbols.length - 1}`);
  }
}

/** One asset's field as a contiguous copy (the market itself is laid out `[time × asset]`). */
export function column(market: MarketData, field: OhlcvField, asset: number | string): Float64Array {
  const index = typeof asset === 'string' ? assetIndex(market, asset) : asset;
  checkAsset(market, index);
  return columnInto(new Float64Array(market.time.length), market, field, index);
}

/** Copy one asset's field into `out` (length ≥ bars); returns `out`. */
export function columnInto(out: Float64Array, market: MarketData, field: OhlcvField, asset: number): Float64Array {
  const nAssets = market.symbols.length;
  const values = market[field];
  const bars = market.time.length;
  if (out.length < bars) throw invalidArgument(`output buffer has ${out.length} slots, need ${bars}`);
  for (let t = 0, i = asset; t < bars; t++, i += nAssets) out[t] = values[i]!;
  return out;
}

/** One asset's bars as a series (copies). */
export function seriesFromMarket(market: MarketData, symbol: string): OhlcvSeries {
  const index = assetIndex(market, symbol);
  return {
    symbol,
    time: market.time.slice(),
    open: column(market, 'open', index),
    high: column(market, 'high', index),
    low: column(market, 'low', index),
    close: column(market, 'close', index),
    volume: column(market, 'volume', index),
  };
}

/** Bars `[start, end)` of the market (copies). */
export function sliceByIndex(market: MarketData, start: number, end: number): MarketData {
  const nAssets = market.symbols.length;
  const cut = (field: OhlcvField): Float64Array => market[field].slice(start * nAssets, end * nAssets);
  return {
    symbols: market.symbols.slice(),
    time: market.time.slice(start, end),
    open: cut('open'),
    high: cut('high'),
    low: cut('low'),
    close: cut('close'),
    volume: cut('volume'),
  };
}

/** Index range `[start, end)` of bars with `from ≤ time ≤ to` (a date-only `to` covers its whole day). */
export function dateRangeIndices(time: Float64Array, from?: DateInput, to?: DateInput): { start: number; end: number } {
  const start = from === undefined ? 0 : lowerBound(time, parseDate(from, 'from date'));
  const end = to === undefined ? time.length : upperBound(time, parseEndDate(to, 'to date'));
  return { start, end: Math.max(start, end) };
}

/** Bars between two dates, inclusive at both ends (a date-only `to` covers its whole day). */
export function sliceByDate(market: MarketData, from?: DateInput, to?: DateInput): MarketData {
  const { start, end } = dateRangeIndices(market.time, from, to);
  return sliceByIndex(market, start, end);
}

/** One series' bars between two dates, inclusive (copies). */
export function sliceSeriesByDate(series: OhlcvSeries, from?: DateInput, to?: DateInput): OhlcvSeries {
  const { start, end } = dateRangeIndices(series.time, from, to);
  const result: OhlcvSeries = {
    symbol: series.symbol,
    time: series.time.slice(start, end),
    open: series.open.slice(start, end),
    high: series.high.slice(start, end),
    low: series.low.slice(start, end),
    close: series.close.slice(start, end),
    volume: series.volume.slice(start, end),
  };
  if (series.source !== undefined) result.source = series.source;
  return result;
}
