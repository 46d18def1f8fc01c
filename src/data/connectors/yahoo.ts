import { GrpoTraderError, ErrorCodes, invalidArgument } from '../../core/errors.js';
import { barsFromRows, type BarRow } from './bars.js';
import { connectorError } from './connector-error.js';
import { isDailyOrLonger } from './intervals.js';
import type { ConnectorRequest, ConnectorResponse, MarketDataConnector } from './types.js';

/** The intervals Yahoo's chart API serves. */
export const YAHOO_INTERVALS = ['1m', '2m', '5m', '15m', '30m', '60m', '90m', '1h', '1d', '5d', '1wk', '1mo', '3mo'] as const;
export type YahooInterval = (typeof YAHOO_INTERVALS)[number];

/** The options this connector passes to `chart()`. */
export interface YahooChartQuery {
  period1: Date;
  period2: Date;
  interval: YahooInterval;
  events: string;
  includePrePost: boolean;
  return: 'object';
}

type Nullable<T> = T | null | undefined;

/** The subset of yahoo-finance2's `ChartResultObject` (from `chart(symbol, { return: 'object' })`) that we read. */
export interface YahooChartObject {
  meta: { gmtoffset?: Nullable<number>; [key: string]: unknown };
  timestamp?: Nullable<number[]>;
  indicators: {
    quote: Array<{ open?: Nullable<number>[]; high?: Nullable<number>[]; low?: Nullable<number>[]; close?: Nullable<number>[]; volume?: Nullable<number>[] }>;
    adjclose?: Array<{ adjclose?: Nullable<number>[] }>;
  };
  events?: {
    dividends?: Record<string, { date: Date | number | string; [key: string]: unknown }>;
    splits?: Record<string, { date: Date | number | string; [key: string]: unknown }>;
    [key: string]: unknown;
  };
}

/** What the connector needs from a Yahoo client: yahoo-finance2's `chart()` in object mode. */
export interface YahooChartClient {
  chart(symbol: string, query: YahooChartQuery): Promise<YahooChartObject>;
}

export interface YahooConnectorOptions {
  /** Injected client (tests, custom proxies); by default a `new YahooFinance()` from yahoo-finance2, imported lazily. */
  client?: YahooChartClient;
  /** Include pre- and post-market bars on intraday intervals (default false: regular session only). */
  includePrePost?: boolean;
}

const DAY = 86_400_000;

/** Yahoo limits how far one intraday request may span; longer ranges are fetched in windows of this many days. */
function windowDays(interval: string): number {
  if (interval === '1m') return 7;
  return isDailyOrLonger(interval) ? Number.POSITIVE_INFINITY : 59;
}

/** Create the Yahoo Finance connector (`chart()` of yahoo-finance2, imported only when no client is injected). */
export async function createYahooConnector(options: YahooConnectorOptions = {}): Promise<MarketDataConnector> {
  const client = options.client ?? (await defaultYahooClient());
  const includePrePost = options.includePrePost ?? false;
  const source = 'yahoo';

  function checkInterval(interval: string): void {
    if (!(YAHOO_INTERVALS as readonly string[]).includes(interval)) {
      throw invalidArgument(`yahoo: unsupported interval "${interval}" (supported: ${YAHOO_INTERVALS.join(', ')})`);
    }
  }

  async function fetchBars(request: ConnectorRequest): Promise<ConnectorResponse> {
    checkInterval(request.interval);
    const daily = isDailyOrLonger(request.interval);
    const span = windowDays(request.interval) * DAY;
    const rows: BarRow[] = [];
    const droppedTimes: number[] = [];
    let missingVolume = 0;
    let historyRevised = false;
    let requests = 0;
    for (let start = request.from; start < request.to; start += span) {
      const end = Math.min(request.to, start + span);
      // Daily bars are stamped at the session open, which for exchanges east of UTC falls on the
      // previous UTC day: ask one day wider on each side and keep bars by their exchange-local date.
      const pad = daily ? DAY : 0;
      let result: YahooChartObject;
      try {
        requests++;
        result = await client.chart(request.symbol, {
          period1: new Date(start - pad),
          period2: new Date(end + pad),
          interval: request.interval as YahooInterval,
          events: 'div|split',
          includePrePost,
          return: 'object',
        });
      } catch (error) {
        throw connectorError(source, request.symbol, request.interval, error, isYahooNotFound(error));
      }
      const parsed = parseChart(result, request, daily);
      rows.push(...parsed.rows);
      droppedTimes.push(...parsed.droppedTimes);
      missingVolume += parsed.missingVolume;
      historyRevised ||= parsed.historyRevised;
    }
    const notes = missingVolume > 0 ? [`volume missing on ${missingVolume} bar(s), set to 0`] : [];
    return { bars: barsFromRows(rows), requests, droppedTimes, historyRevised, notes };
  }

  return { source, checkInterval, fetchBars };
}

interface ParsedChart {
  rows: BarRow[];
  droppedTimes: number[];
  missingVolume: number;
  historyRevised: boolean;
}

/** Map one chart() result to rows, dropping bars with missing prices; bars outside the request are ignored. */
export function parseChart(result: YahooChartObject, request: ConnectorRequest, daily: boolean): ParsedChart {
  const where = `yahoo: ${request.symbol} ${request.interval}`;
  const timestamps = result.timestamp ?? [];
  const quote = result.indicators?.quote?.[0];
  const adjclose = result.indicators?.adjclose?.[0]?.adjclose;
  const offsetSeconds = result.meta?.gmtoffset ?? 0;
  const parsed: ParsedChart = { rows: [], droppedTimes: [], missingVolume: 0, historyRevised: false };
  if (timestamps.length === 0) return parsed;
  if (!quote) throw new GrpoTraderError(ErrorCodes.invalidData, `${where}: chart response has timestamps but no quote indicators`);
  for (const field of ['open', 'high', 'low', 'close', 'volume'] as const) {
    const column = quote[field];
    if (!column || column.length !== timestamps.length) {
      throw new GrpoTraderError(ErrorCodes.invalidData, `${where}: chart response field ${field} has ${column?.length ?? 0} values for ${timestamps.length} timestamps`);
    }
  }
  const toTime = (seconds: number): number => (daily ? exchangeDate(seconds, offsetSeconds) : seconds * 1000);
  for (let i = 0; i < timestamps.length; i++) {
    const time = toTime(timestamps[i]);
    if (time < request.from || time >= request.to) continue;
    const open = quote.open![i];
    const high = quote.high![i];
    const low = quote.low![i];
    const close = quote.close![i];
    const adjusted = adjclose ? adjclose[i] : undefined;
    if (!isPrice(open) || !isPrice(high) || !isPrice(low) || !isPrice(close) || (adjclose && !isPrice(adjusted))) {
      parsed.droppedTimes.push(time);
      continue;
    }
    let volume = quote.volume![i];
    if (typeof volume !== 'number' || !Number.isFinite(volume)) {
      volume = 0;
      parsed.missingVolume++;
    }
    const row: BarRow = { time, open, high, low, close, volume };
    if (adjclose) row.adjustedClose = adjusted as number;
    parsed.rows.push(row);
  }
  for (const kind of ['dividends', 'splits'] as const) {
    for (const event of Object.values(result.events?.[kind] ?? {})) {
      const seconds = eventSeconds(event.date);
      if (seconds === undefined) continue;
      const time = toTime(seconds);
      if (time >= request.from && time < request.to) parsed.historyRevised = true;
    }
  }
  return parsed;
}

/** UTC midnight of the exchange-local calendar date of a bar (Yahoo stamps daily bars at the session open). */
function exchangeDate(seconds: number, offsetSeconds: number): number {
  return Math.floor((seconds + offsetSeconds) / 86_400) * DAY;
}

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function eventSeconds(date: Date | number | string): number | undefined {
  if (date instanceof Date) return Math.floor(date.getTime() / 1000);
  if (typeof date === 'number') return date;
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function isYahooNotFound(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /no data found|delisted|not found/i.test(message);
}

async function defaultYahooClient(): Promise<YahooChartClient> {
  // Imported here, not at the top, so commands that never fetch do not pay for loading it.
  const { default: YahooFinance } = await import('yahoo-finance2');
  const yahooFinance = new YahooFinance({
    suppressNotices: ['yahooSurvey'],
    // yahoo-finance2 logs notices with console.log; keep stdout clean for --json.
    logger: {
      info: (...args: unknown[]) => console.error(...args),
      warn: (...args: unknown[]) => console.error(...args),
      error: (...args: unknown[]) => console.error(...args),
      dir: (...args: unknown[]) => console.error(...args),
      debug: () => undefined,
    },
  });
  return {
    chart: async (symbol, query) => (await yahooFinance.chart(symbol, query)) as unknown as YahooChartObject,
  };
}
