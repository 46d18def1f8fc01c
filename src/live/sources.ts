/**
 * Where a live session's bars come from (specification 9.3): one interface, `MarketDataSource` —
 * the market so far (`initial`), then the market grown by any bars that became final (`poll`).
 *
 * - `PollingSource` asks a connector (Yahoo, ccxt, or any `MarketDataConnector`) for each symbol's
 *   bars since its last final one. A bar is counted **final only once the next one has started**
 *   (the newest bar a source returns may still be forming). Symbols are aligned on the times they
 *   all have; a time that some symbols have and another lacks while that one already has a later bar
 *   is a **gap**, reported (`onEvent`) and skipped. A failed request is retried with exponential
 *   backoff (`nextDelayMs`); the session's staleness alert covers a long outage, and no decision is
 *   taken without a new bar, so the book is held meanwhile.
 */
import { upperBound } from '../core/arrays.js';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { alignSeries } from '../data/align.js';
import type { BarColumns, MarketDataConnector } from '../data/connectors/types.js';
import type { MarketData, OhlcvSeries } from '../data/types.js';

export interface MarketDataSource {
  readonly name: string;
  /** The market up to now (final bars only). */
  initial(): Promise<MarketData>;
  /** The market grown by the bars that became final since the last call, or null when none did. */
  poll(): Promise<MarketData | null>;
  /** Milliseconds to wait before the next poll (longer after failures). */
  nextDelayMs(): number;
  /** Release connections (a websocket), when the source holds any. */
  close?(): Promise<void>;
}

export interface SourceEvent {
  kind: 'gap' | 'error' | 'recovered';
  message: string;
  symbol?: string;
  time?: number;
}

export interface PollingSourceOptions {
  symbols: readonly string[];
  interval: string;
  /** First bar time (UTC ms) of the history fetched at start. */
  from: number;
  /** Milliseconds between polls when all is well. */
  pollMs: number;
  /** Longest wait after repeated failures. */
  maxBackoffMs: number;
  now: () => number;
  onEvent: (event: SourceEvent) => void;
}

export const POLLING_DEFAULTS = { pollMs: 60_000, maxBackoffMs: 15 * 60_000 } as const;

const EMPTY = (): BarColumns => ({ time: new Float64Array(0), open: new Float64Array(0), high: new Float64Array(0), low: new Float64Array(0), close: new Float64Array(0), volume: new Float64Array(0) });

function concat(a: BarColumns, b: BarColumns, count: number): BarColumns {
  const join = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(x.length + count);
    out.set(x);
    out.set(y.subarray(0, count), x.length);
    return out;
  };
  return { time: join(a.time, b.time), open: join(a.open, b.open), high: join(a.high, b.high), low: join(a.low, b.low), close: join(a.close, b.close), volume: join(a.volume, b.volume) };
}

export class PollingSource implements MarketDataSource {
  readonly name: string;
  readonly options: PollingSourceOptions;
  private readonly finals = new Map<string, BarColumns>();
  /** Gaps are looked for after this time only (every earlier one has been reported). */
  private checkedUntil = Number.NEGATIVE_INFINITY;
  private readonly reported = new Set<string>();
  private failures = 0;
  private lastLength = 0;

  constructor(
    private readonly connector: MarketDataConnector,
    options: Partial<PollingSourceOptions> & Pick<PollingSourceOptions, 'symbols' | 'interval' | 'from'>,
  ) {
    this.options = { ...POLLING_DEFAULTS, now: () => Date.now(), onEvent: () => {}, ...options };
    if (this.options.symbols.length === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'a polling source needs at least one symbol', { location: { field: 'symbols' } });
    connector.checkInterval(this.options.interval);
    this.name = `${connector.source} ${this.options.interval} ${this.options.symbols.join(',')}`;
    for (const symbol of this.options.symbols) this.finals.set(symbol, EMPTY());
  }

  nextDelayMs(): number {
    const o = this.options;
    return this.failures === 0 ? o.pollMs : Math.min(o.maxBackoffMs, o.pollMs * 2 ** Math.min(this.failures, 20));
  }

  async initial(): Promise<MarketData> {
    await this.fetchNew();
    const market = this.align();
    if (!market || market.time.length === 0) throw new GrpoTraderError(ErrorCodes.invalidData, `${this.name}: no final bar since ${new Date(this.options.from).toISOString()}`, { location: { field: 'from' } });
    this.lastLength = market.time.length;
    return market;
  }

  async poll(): Promise<MarketData | null> {
    let grew: boolean;
    try {
      grew = await this.fetchNew();
    } catch (error) {
      this.failures++;
      this.options.onEvent({ kind: 'error', message: `${this.name}: ${(error as Error).message} (attempt ${this.failures}; next in ${Math.round(this.nextDelayMs() / 1000)} s)` });
      return null;
    }
    if (this.failures > 0) this.options.onEvent({ kind: 'recovered', message: `${this.name}: the source answers again after ${this.failures} failed polls` });
    this.failures = 0;
    if (!grew) return null;
    const market = this.align();
    if (!market || market.time.length <= this.lastLength) return null;
    this.lastLength = market.time.length;
    return market;
  }

  /** Each symbol's bars after its last final one; all but the newest are final (the newest may still be forming). Whether any symbol grew. */
  private async fetchNew(): Promise<boolean> {
    const now = this.options.now();
    let grew = false;
    for (const symbol of this.options.symbols) {
      const have = this.finals.get(symbol)!;
      const from = have.time.length > 0 ? have.time[have.time.length - 1]! + 1 : this.options.from;
      const response = await this.connector.fetchBars({ symbol, interval: this.options.interval, from, to: now + 1 });
      const bars = response.bars;
      const final = Math.max(0, bars.time.length - 1);
      if (final > 0) {
        this.finals.set(symbol, concat(have, bars, final));
        grew = true;
      }
    }
    return grew;
  }

  /** The symbols on the times they all have; a time missing for a symbol that has moved past it is a gap. */
  private align(): MarketData | null {
    const series: OhlcvSeries[] = this.options.symbols.map((symbol) => ({ symbol, ...this.finals.get(symbol)!, source: this.name }));
    if (series.some((s) => s.time.length === 0)) return null;
    const market = alignSeries(series).market;
    // Only the times after the last check: each is reported once.
    const since = this.checkedUntil;
    const sets = series.map((s) => new Set(s.time.subarray(upperBound(s.time, since))));
    const union = new Set<number>();
    for (const set of sets) for (const t of set) union.add(t);
    series.forEach((s, i) => {
      const last = s.time[s.time.length - 1]!;
      for (const t of union) {
        const key = `${s.symbol}@${t}`;
        if (t >= last || sets[i]!.has(t) || this.reported.has(key)) continue;
        this.reported.add(key);
        this.options.onEvent({ kind: 'gap', symbol: s.symbol, time: t, message: `${s.symbol} has no bar at ${new Date(t).toISOString()} while another symbol has, and ${s.symbol} has a later one: that time is skipped` });
      }
    });
    this.checkedUntil = Math.max(since, Math.min(...series.map((s) => s.time[s.time.length - 1]!)));
    return market;
  }
}

/** What the websocket source needs from a ccxt pro exchange. */
export interface WatchExchangeLike {
  id: string;
  has: Record<string, unknown>;
  /** Resolves with the symbol's recent candles whenever the exchange pushes an update. */
  watchOHLCV(symbol: string, timeframe?: string): Promise<unknown[]>;
  close?(): Promise<void>;
}

/**
 * ccxt's websocket feed (`watchOHLCV`, where the exchange offers it) as the trigger: `poll` waits
 * for the exchange to push a candle update for any symbol, then reads the bars that became final
 * through the REST `PollingSource` — the same final-bar rule, alignment and gap reports. A failed
 * watch is reported and the source falls back to polling with backoff until a watch succeeds again.
 */
export class WatchingSource implements MarketDataSource {
  readonly name: string;
  private failures = 0;
  private lastFetch = Number.NEGATIVE_INFINITY;

  /**
   * `minIntervalMs`: the least time between two REST reads — a forming candle is pushed many times a
   * minute, and each push would otherwise cost a request per symbol.
   */
  constructor(
    private readonly polling: PollingSource,
    private readonly exchange: WatchExchangeLike,
    private readonly minIntervalMs = 1_000,
  ) {
    if (!exchange.has['watchOHLCV']) throw new GrpoTraderError(ErrorCodes.unsupported, `ccxt/${exchange.id}: the exchange has no websocket candles (watchOHLCV); use polling`, { location: { field: 'live' } });
    this.name = `${polling.name} (websocket)`;
  }

  initial(): Promise<MarketData> {
    return this.polling.initial();
  }

  async poll(): Promise<MarketData | null> {
    const { symbols, interval, onEvent } = this.polling.options;
    try {
      await Promise.race(symbols.map((symbol) => this.exchange.watchOHLCV(symbol, interval)));
      if (this.failures > 0) onEvent({ kind: 'recovered', message: `${this.name}: the websocket answers again after ${this.failures} failures` });
      this.failures = 0;
    } catch (error) {
      this.failures++;
      onEvent({ kind: 'error', message: `${this.name}: watchOHLCV failed (${(error as Error).message}); polling meanwhile` });
    }
    const wait = this.lastFetch + this.minIntervalMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.lastFetch = Date.now();
    return this.polling.poll();
  }

  nextDelayMs(): number {
    // A watch waits by itself; after a failed one, poll on the REST source's schedule.
    return this.failures > 0 ? this.polling.nextDelayMs() : 0;
  }

  async close(): Promise<void> {
    await this.exchange.close?.();
  }
}
