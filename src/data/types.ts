/**
 * The shapes every module shares. Timestamps are UTC epoch milliseconds in Float64Arrays (exact for
 * every date a market has seen); prices and volumes are float64.
 */

/** The OHLCV fields, in canonical order. */
export const OHLCV_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type OhlcvField = (typeof OHLCV_FIELDS)[number];

/** Bars as parallel columns: timestamps (UTC epoch ms) and the five OHLCV fields. */
export interface OhlcvColumns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** One asset's bars, sorted by time ascending (strictly increasing), one row per bar. */
export interface OhlcvSeries extends OhlcvColumns {
  symbol: string;
  /** Where the bars came from (file path or connector id), for messages. */
  source?: string;
}

/**
 * Several assets on one sorted time axis. Each field is laid out `[time × asset]`:
 * the value for bar t and asset a is at index `t * symbols.length + a`.
 */
export interface MarketData {
  symbols: readonly string[];
  /** Sorted, strictly increasing UTC epoch ms. */
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}
