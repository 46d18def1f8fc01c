import { GrpoTraderError, ErrorCodes, invalidArgument } from '../../core/errors.js';
import { barsFromRows, type BarRow } from './bars.js';
import { connectorError } from './connector-error.js';
import { intervalToMilliseconds } from './intervals.js';
import type { ConnectorRequest, ConnectorResponse, MarketDataConnector } from './types.js';

/** One ccxt candle: `[timestamp ms, open, high, low, close, volume]` (values may be missing on some exchanges). */
export type CcxtCandle = ReadonlyArray<number | null | undefined>;

/** What the connector needs from a ccxt exchange instance. */
export interface CcxtExchangeLike {
  id: string;
  has: Record<string, unknown>;
  /** Timeframes the exchange serves (keys such as `1m`, `1h`, `1d`). */
  timeframes?: Record<string, unknown> | undefined;
  /** Milliseconds between requests that ccxt's throttle enforces when `enableRateLimit` is on. */
  rateLimit?: number | undefined;
  fetchOHLCV(symbol: string, timeframe?: string, since?: number, limit?: number): Promise<CcxtCandle[]>;
}

export interface CcxtConnectorOptions {
  /** Injected exchange (tests); otherwise one is created from `exchangeId` with `enableRateLimit: true`. */
  exchange?: CcxtExchangeLike;
  /** A ccxt exchange id such as `binance`, `kraken`, `coinbase` (required without `exchange`). */
  exchangeId?: string;
  /** Candles asked for per request (default 1000; exchanges may return fewer). */
  pageLimit?: number;
  /** Safety stop against a misbehaving exchange (default 100,000 pages). */
  maxPages?: number;
}

/** Create a connector for any exchange ccxt supports; ccxt itself is imported only when no exchange is injected. */
export async function createCcxtConnector(options: CcxtConnectorOptions): Promise<MarketDataConnector> {
  const exchange = options.exchange ?? (await createCcxtExchange(options.exchangeId));
  const pageLimit = options.pageLimit ?? 1000;
  const maxPages = options.maxPages ?? 100_000;
  const source = `ccxt/${exchange.id}`;

  function checkInterval(interval: string): void {
    const timeframes = Object.keys(exchange.timeframes ?? {});
    if (timeframes.length > 0 && !timeframes.includes(interval)) {
      throw invalidArgument(`${source}: unsupported timeframe "${interval}" (supported: ${timeframes.join(', ')})`);
    }
    intervalToMilliseconds(interval);
  }

  async function fetchBars(request: ConnectorRequest): Promise<ConnectorResponse> {
    if (exchange.has.fetchOHLCV === false || exchange.has.fetchOHLCV === undefined) {
      throw new GrpoTraderError(ErrorCodes.unsupported, `${source}: the exchange does not serve OHLCV candles`);
    }
    checkInterval(request.interval);
    // The next bar opens at least this long after the last one (months vary in length).
    const shortestStep = intervalToMilliseconds(request.interval, 'shortest');
    const rows: BarRow[] = [];
    const droppedTimes: number[] = [];
    let missingVolume = 0;
    let requests = 0;
    let since = request.from;
    // Paginate forward by `since`: stop on an empty page, on no progress, or past the end. A short
    // page is not an end marker, since many exchanges cap pages below the limit asked for.
    while (since < request.to && requests < maxPages) {
      let page: CcxtCandle[];
      try {
        requests++;
        page = await exchange.fetchOHLCV(request.symbol, request.interval, since, pageLimit);
      } catch (error) {
        throw connectorError(source, request.symbol, request.interval, error, (error as { name?: unknown })?.name === 'BadSymbol');
      }
      if (!Array.isArray(page) || page.length === 0) break;
      let last = Number.NEGATIVE_INFINITY;
      for (const candle of page) {
        const time = candle?.[0];
        if (typeof time !== 'number' || !Number.isFinite(time)) {
          throw new GrpoTraderError(ErrorCodes.invalidData, `${source}: ${request.symbol} ${request.interval}: candle without a timestamp: ${JSON.stringify(candle)}`);
        }
        last = Math.max(last, time);
        if (time < request.from || time >= request.to) continue;
        const [, open, high, low, close, volume] = candle;
        if (!isPrice(open) || !isPrice(high) || !isPrice(low) || !isPrice(close)) {
          droppedTimes.push(time);
          continue;
        }
        if (!isPrice(volume)) missingVolume++;
        rows.push({ time, open, high, low, close, volume: isPrice(volume) ? volume : 0 });
      }
      if (last < since || last + shortestStep >= request.to) break;
      // One millisecond past the last candle rather than one interval: calendar months differ in length.
      since = last + 1;
    }
    const notes = missingVolume > 0 ? [`volume missing on ${missingVolume} bar(s), set to 0`] : [];
    return { bars: barsFromRows(rows), requests, droppedTimes, historyRevised: false, notes };
  }

  return { source, checkInterval, fetchBars };
}

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

async function createCcxtExchange(exchangeId: string | undefined): Promise<CcxtExchangeLike> {
  if (!exchangeId) throw invalidArgument('ccxt: an exchange id is required (e.g. --exchange binance)');
  // Imported here, not at the top: ccxt takes about half a second to load.
  const { default: ccxt } = await import('ccxt');
  if (!ccxt.exchanges.includes(exchangeId)) {
    throw invalidArgument(`ccxt: unknown exchange id "${exchangeId}" (ccxt ${ccxt.version} knows ${ccxt.exchanges.length}, e.g. binance, kraken, coinbase, bitstamp)`);
  }
  const ExchangeClass = (ccxt as unknown as Record<string, new (config: Record<string, unknown>) => CcxtExchangeLike>)[exchangeId];
  return new ExchangeClass({ enableRateLimit: true });
}
