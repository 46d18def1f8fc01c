/**
 * The contract every market-data connector fulfils. A connector only talks to its remote source;
 * caching, range bookkeeping and adjustment live in `fetchWithCache`, so every source gets them alike.
 */

import type { OhlcvColumns } from '../types.js';

/** Bars as parallel columns, sorted ascending and de-duplicated by time (UTC epoch ms). */
export interface BarColumns extends OhlcvColumns {
  /** Dividend- and split-adjusted close where the source provides one (Yahoo), else absent. */
  adjustedClose?: Float64Array;
}

/** What to fetch: one symbol at one interval, bars whose open time lies in `[from, to)`. */
export interface ConnectorRequest {
  symbol: string;
  interval: string;
  /** Inclusive start, UTC epoch ms. */
  from: number;
  /** Exclusive end, UTC epoch ms. */
  to: number;
}

export interface ConnectorResponse {
  bars: BarColumns;
  /** Number of remote calls made (pages). */
  requests: number;
  /** Bars the source returned with missing (null or non-finite) prices, dropped; their times in ms. */
  droppedTimes: number[];
  /**
   * True when the source reported a corporate action (split or dividend) in the range, which
   * revises earlier adjusted (and, on Yahoo, split-adjusted raw) prices: cached history is stale.
   */
  historyRevised: boolean;
  /** Human-readable remarks for progress output (e.g. volume missing and set to 0). */
  notes: string[];
}

/** A remote source of OHLCV bars. */
export interface MarketDataConnector {
  /** Source id used in messages and in the cache path, e.g. `yahoo` or `ccxt/binance`. */
  readonly source: string;
  /** Throws `GrpoTraderError` (INVALID_ARGUMENT) if the source cannot serve this interval. */
  checkInterval(interval: string): void;
  /** Fetch every bar in the request's range, paginating as needed. */
  fetchBars(request: ConnectorRequest): Promise<ConnectorResponse>;
}
