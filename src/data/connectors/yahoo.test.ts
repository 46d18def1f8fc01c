import { afterEach, describe, expect, it, vi } from 'vitest';
import { GrpoTraderError } from '../../core/errors.js';
import { fixtureYahooClient, loadFixture } from '../../../test/fixtures/connectors/fakes.js';
import { createYahooConnector } from './yahoo.js';
import type { YahooChartClient, YahooChartObject } from './yahoo.js';

const aapl = loadFixture<YahooChartObject>('yahoo-chart-aapl-1d.json');
const day = (text: string) => Date.parse(`${text}T00:00:00Z`);
const january = { symbol: 'AAPL', interval: '1d', from: day('2024-01-01'), to: day('2024-01-11') };

describe('Yahoo connector', () => {
  it('maps daily chart bars to the exchange-local date at UTC midnight, ascending', async () => {
    const connector = await createYahooConnector({ client: fixtureYahooClient({ AAPL: aapl }) });
    const { bars } = await connector.fetchBars(january);
    // 1704205800 s is 2024-01-02 14:30 UTC, the 09:30 New York open: the bar belongs to 2024-01-02.
    expect(Array.from(bars.time)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-10'].map(day));
    expect(bars.open[0]).toBe(187.14999389648438);
    expect(bars.close[5]).toBe(186.19000244140625);
    expect(bars.volume[1]).toBe(58414500);
    expect(bars.adjustedClose?.[0]).toBe(184.7342987060547);
  });

  it('dates a Tokyo daily bar (stamped 00:00 JST, the previous UTC day) by its local date, even on the first day', async () => {
    // 1704294000 s = 2024-01-03T15:00Z = 2024-01-04 00:00 in Tokyo.
    const chart: YahooChartObject = {
      meta: { gmtoffset: 32400 },
      timestamp: [1704294000, 1704380400],
      indicators: { quote: [{ open: [2650, 2700], high: [2720, 2750], low: [2640, 2690], close: [2700, 2745], volume: [1e7, 2e7] }] },
    };
    const connector = await createYahooConnector({ client: fixtureYahooClient({ '7203.T': chart }) });
    const { bars } = await connector.fetchBars({ symbol: '7203.T', interval: '1d', from: day('2024-01-04'), to: day('2024-01-05') });
    expect(Array.from(bars.time)).toEqual([day('2024-01-04')]);
    expect(bars.close[0]).toBe(2700);
  });

  it('drops the bar Yahoo returns with null prices and reports its date', async () => {
    const connector = await createYahooConnector({ client: fixtureYahooClient({ AAPL: aapl }) });
    const response = await connector.fetchBars(january);
    expect(response.droppedTimes).toEqual([day('2024-01-09')]);
    expect(response.bars.time.length).toBe(6);
  });

  it('sets a missing volume to 0 and says so, keeping the bar', async () => {
    const chart = structuredClone(aapl);
    chart.indicators.quote[0].volume![2] = null;
    const connector = await createYahooConnector({ client: fixtureYahooClient({ AAPL: chart }) });
    const response = await connector.fetchBars(january);
    expect(response.bars.volume[2]).toBe(0);
    expect(response.notes).toEqual(['volume missing on 1 bar(s), set to 0']);
  });

  it('keeps the later of two quotes Yahoo stamps on the same day (the live bar)', async () => {
    const chart = structuredClone(aapl);
    // Yahoo appends the latest regular-market quote with its own timestamp (16:00:01 New York).
    chart.timestamp!.push(1704920401);
    for (const field of ['open', 'high', 'low', 'close'] as const) chart.indicators.quote[0][field]!.push(186.5);
    chart.indicators.quote[0].volume!.push(46792908);
    chart.indicators.adjclose![0].adjclose!.push(185.6);
    const connector = await createYahooConnector({ client: fixtureYahooClient({ AAPL: chart }) });
    const { bars } = await connector.fetchBars({ ...january, to: day('2024-01-12') });
    expect(bars.time.length).toBe(6);
    expect(bars.time[5]).toBe(day('2024-01-10'));
    expect(bars.close[5]).toBe(186.5);
  });

  it('keeps intraday timestamps exact and splits long intraday ranges into windows Yahoo accepts', async () => {
    const client = fixtureYahooClient({
      'BTC-USD': {
        meta: { gmtoffset: 0 },
        timestamp: [1704067200, 1704070800],
        indicators: { quote: [{ open: [42280, 42470], high: [42550, 42770], low: [42260, 42430], close: [42470, 42610], volume: [0, 0] }] },
      },
    });
    const connector = await createYahooConnector({ client });
    const from = day('2024-01-01');
    const { bars } = await connector.fetchBars({ symbol: 'BTC-USD', interval: '1h', from, to: from + 120 * 86_400_000 });
    expect(Array.from(bars.time)).toEqual([1704067200000, 1704070800000]);
    // 120 days in windows of 59 days: 59 + 59 + 2.
    expect(client.calls.map((call) => (call.period2 - call.period1) / 86_400_000)).toEqual([59, 59, 2]);
  });

  it('turns a failed request into NETWORK_ERROR with one line naming source and symbol', async () => {
    const client: YahooChartClient = {
      chart: async () => { throw new Error('fetch failed\n    at node:internal/deps/undici'); },
    };
    const connector = await createYahooConnector({ client });
    const error = await connector.fetchBars(january).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GrpoTraderError);
    expect((error as GrpoTraderError).code).toBe('NETWORK_ERROR');
    expect((error as GrpoTraderError).message).toBe('yahoo: could not fetch AAPL 1d: fetch failed');
  });

  it('appends the cause of a bare "fetch failed" so the user sees why', async () => {
    const client: YahooChartClient = {
      chart: async () => { throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND query2.finance.yahoo.com') }); },
    };
    const connector = await createYahooConnector({ client });
    await expect(connector.fetchBars(january)).rejects.toThrow('yahoo: could not fetch AAPL 1d: fetch failed (getaddrinfo ENOTFOUND query2.finance.yahoo.com)');
  });

  it('reports a symbol Yahoo does not know as NOT_FOUND', async () => {
    const connector = await createYahooConnector({ client: fixtureYahooClient({}) });
    const error = (await connector.fetchBars({ ...january, symbol: 'NOPE' }).catch((caught: unknown) => caught)) as GrpoTraderError;
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('yahoo: unknown symbol NOPE 1d');
  });

  it('rejects an interval Yahoo does not serve', async () => {
    const connector = await createYahooConnector({ client: fixtureYahooClient({}) });
    expect(() => connector.checkInterval('4h')).toThrow(/yahoo: unsupported interval "4h"/);
  });

  it('flags a dividend inside the fetched range as revising earlier history', async () => {
    const chart = structuredClone(aapl);
    chart.events = { dividends: { '1704465000': { amount: 0.24, date: 1704465000 } } };
    const connector = await createYahooConnector({ client: fixtureYahooClient({ AAPL: chart }) });
    expect((await connector.fetchBars(january)).historyRevised).toBe(true);
    expect((await connector.fetchBars({ ...january, from: day('2024-01-08') })).historyRevised).toBe(false);
  });
});

describe('Yahoo connector on the installed yahoo-finance2 (offline: the chart endpoint answered through a stubbed fetch)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('builds its default client with no "Unsupported environment" warning on our Node, and reads the endpoint\'s answer', async () => {
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (input: string | URL) => {
      urls.push(String(input));
      return new Response(JSON.stringify({ chart: { result: [aapl], error: null } }), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const printed: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    const connector = await createYahooConnector();
    const { bars } = await connector.fetchBars(january);
    // yahoo-finance2 ≥ 3.6.6 warns on every construction that it wants Node ≥ 22 (our engines say 20.19).
    expect(printed.filter((line) => /Unsupported environment/.test(line))).toEqual([]);
    expect(urls).toHaveLength(1);
    const url = new URL(urls[0]!);
    expect(url.origin + url.pathname).toBe('https://query2.finance.yahoo.com/v8/finance/chart/AAPL');
    // One day of padding on each side of [2024-01-01, 2024-01-11), in seconds.
    expect(url.searchParams.get('period1')).toBe(String(day('2023-12-31') / 1000));
    expect(url.searchParams.get('period2')).toBe(String(day('2024-01-12') / 1000));
    expect(url.searchParams.get('interval')).toBe('1d');
    // The same bars as through the fixture client above: the library hands the result through unchanged.
    expect(Array.from(bars.time)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-10'].map(day));
    expect(bars.close[5]).toBe(186.19000244140625);
    expect(bars.adjustedClose?.[0]).toBe(184.7342987060547);
  });
});
