import { GrpoTraderError, ErrorCodes, invalidArgument } from '../../core/errors.js';
import type { OhlcvSeries } from '../types.js';
import { barsToSeries, mergeBars, sliceBars } from './bars.js';
import { cacheFilePath, readCacheEntry, writeCacheEntry, type CacheEntry } from './cache.js';
import { intervalToMilliseconds } from './intervals.js';
import type { BarColumns, ConnectorRequest, MarketDataConnector } from './types.js';

export interface FetchWithCacheOptions {
  /** Cache directory; `undefined` disables the cache (every call goes to the source). */
  cacheDirectory?: string;
  /** Ignore what is cached and fetch the whole range again (the cache is then rewritten). */
  refresh?: boolean;
  /** Back-adjust open/high/low/close by adjustedClose / close (sources that provide it: Yahoo). */
  adjusted?: boolean;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/** How the cache served a fetch. */
export type CacheStatus = 'hit' | 'partial' | 'miss' | 'refresh' | 'corrupted' | 'disabled';

export interface FetchReport {
  series: OhlcvSeries;
  source: string;
  symbol: string;
  interval: string;
  /** Bars in the returned series served from the cache without asking the source again. */
  fromCache: number;
  /** Bars in the returned series fetched in this call. */
  fetched: number;
  /** Remote requests made. */
  requests: number;
  cache: CacheStatus;
  cacheFile: string | undefined;
  /** Times (ms) of bars the source returned with missing prices, dropped. */
  droppedTimes: number[];
  /** Remarks worth showing the user (corrupted cache, refetch after a split, missing volume). */
  notes: string[];
}

/**
 * Fetch a symbol's bars in `[from, to)` through the on-disk cache: a cache covering the range answers
 * without any request; otherwise only the bars after the last cached one are fetched (that bar
 * included, since it may have been partial). A range starting before the cached one, or a split or
 * dividend reported since the last cached bar (which revises adjusted history), refetches everything.
 */
export async function fetchWithCache(connector: MarketDataConnector, request: ConnectorRequest, options: FetchWithCacheOptions = {}): Promise<FetchReport> {
  const now = (options.now ?? Date.now)();
  const { symbol, interval, from, to } = request;
  if (!(from < to)) throw invalidArgument(`${connector.source}: empty range for ${symbol}: from ${iso(from)} is not before to ${iso(to)}`);
  connector.checkInterval(interval);
  const step = intervalToMilliseconds(interval);
  const key = { source: connector.source, symbol, interval };
  const cacheFile = options.cacheDirectory === undefined ? undefined : cacheFilePath(options.cacheDirectory, connector.source, symbol, interval);
  const notes: string[] = [];
  const droppedTimes: number[] = [];
  const fetchedTimes = new Set<number>();
  let requests = 0;
  let status: CacheStatus = cacheFile === undefined ? 'disabled' : options.refresh ? 'refresh' : 'miss';

  let cached: CacheEntry | undefined;
  if (cacheFile !== undefined && !options.refresh) {
    try {
      cached = await readCacheEntry(cacheFile, key);
    } catch (error) {
      if (!(error instanceof GrpoTraderError && error.code === ErrorCodes.corrupted)) throw error;
      notes.push(`${error.message} (${cacheFile}); refetching`);
      status = 'corrupted';
    }
  }

  const fetchRange = async (rangeFrom: number, rangeTo: number) => {
    const response = await connector.fetchBars({ symbol, interval, from: rangeFrom, to: rangeTo });
    requests += response.requests;
    droppedTimes.push(...response.droppedTimes);
    notes.push(...response.notes);
    for (const time of response.bars.time) fetchedTimes.add(time);
    return response;
  };

  let bars: BarColumns;
  let coveredFrom: number;
  let coveredTo: number;
  if (cached && from >= cached.coveredFrom) {
    bars = cached.bars;
    coveredFrom = cached.coveredFrom;
    coveredTo = cached.coveredTo;
    const lastTime = bars.time.length > 0 ? bars.time[bars.time.length - 1] : undefined;
    const lastMayBePartial = lastTime !== undefined && lastTime + step > cached.fetchedAt;
    const tailFrom = lastTime ?? coveredTo;
    if ((to > coveredTo || (lastMayBePartial && to > tailFrom)) && tailFrom < to) {
      const tail = await fetchRange(tailFrom, to);
      if (tail.historyRevised) {
        notes.push(`split or dividend reported since the last cached bar: refetching the whole cached range`);
        fetchedTimes.clear();
        const whole = await fetchRange(coveredFrom, Math.max(to, coveredTo));
        bars = whole.bars;
      } else {
        bars = mergeBars(bars, tail.bars);
      }
      coveredTo = Math.max(coveredTo, Math.min(to, now));
      status = 'partial';
    } else {
      status = 'hit';
    }
  } else {
    // No usable cache, or the request starts before it: fetch the whole span so adjusted prices
    // all come from one response and agree with each other.
    const end = cached ? Math.max(to, cached.coveredTo) : to;
    const response = await fetchRange(from, end);
    bars = response.bars;
    coveredFrom = from;
    coveredTo = Math.min(end, now);
  }

  if (cacheFile !== undefined && status !== 'hit') {
    await writeCacheEntry(cacheFile, { ...key, coveredFrom, coveredTo, fetchedAt: now, bars });
  }

  const window = sliceBars(bars, from, to);
  let fetched = 0;
  for (const time of window.time) if (fetchedTimes.has(time)) fetched++;
  return {
    series: barsToSeries(window, symbol, connector.source, options.adjusted ?? false),
    source: connector.source,
    symbol,
    interval,
    fromCache: window.time.length - fetched,
    fetched,
    requests,
    cache: status,
    cacheFile,
    droppedTimes,
    notes,
  };
}

function iso(time: number): string {
  return Number.isFinite(time) ? new Date(time).toISOString() : String(time);
}
