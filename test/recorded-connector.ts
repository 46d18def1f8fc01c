/**
 * A market-data connector that serves recorded bars (files read once) as a live source would: only
 * bars that have opened by its clock `now`, the newest of them possibly still forming. Tests drive
 * the clock; no network.
 */
import type { ConnectorRequest, ConnectorResponse, MarketDataConnector } from '../src/data/connectors/types.js';
import type { MarketData } from '../src/data/types.js';

export class RecordedConnector implements MarketDataConnector {
  readonly source = 'recorded';
  now = 0;
  requests = 0;
  /** Symbols whose bars at these times are missing (a gap in the feed). */
  readonly missing = new Map<string, Set<number>>();
  /** Fail this many next requests (a flaky source). */
  failNext = 0;

  constructor(private readonly market: MarketData) {}

  checkInterval(interval: string): void {
    if (interval !== '1d') throw new Error(`recorded bars are daily, not ${interval}`);
  }

  async fetchBars(request: ConnectorRequest): Promise<ConnectorResponse> {
    this.requests++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('recorded source: connection reset');
    }
    const m = this.market;
    const A = m.symbols.length;
    const a = m.symbols.indexOf(request.symbol);
    const rows: number[] = [];
    for (let t = 0; t < m.time.length; t++) {
      const time = m.time[t]!;
      if (time >= request.from && time < request.to && time <= this.now && !this.missing.get(request.symbol)?.has(time)) rows.push(t);
    }
    const column = (field: 'open' | 'high' | 'low' | 'close' | 'volume') => Float64Array.from(rows, (t) => m[field][t * A + a]!);
    return { bars: { time: Float64Array.from(rows, (t) => m.time[t]!), open: column('open'), high: column('high'), low: column('low'), close: column('close'), volume: column('volume') }, requests: 1, droppedTimes: [], historyRevised: false, notes: [] };
  }
}
