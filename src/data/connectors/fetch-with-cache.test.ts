import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeExchange, fixtureYahooClient, loadFixture } from '../../../test/fixtures/connectors/fakes.js';
import { createCcxtConnector } from './ccxt.js';
import { fetchWithCache } from './fetch-with-cache.js';
import { createYahooConnector, type YahooChartObject } from './yahoo.js';

const candles = loadFixture<number[][]>('ccxt-binance-btcusdt-1h.json');
const aapl = loadFixture<YahooChartObject>('yahoo-chart-aapl-1d.json');
const first = candles[0][0];
const hour = 3_600_000;
const day = (text: string) => Date.parse(`${text}T00:00:00Z`);
const tenHours = { symbol: 'BTC/USDT', interval: '1h', from: first, to: first + 10 * hour };

let cacheDirectory: string;
beforeEach(async () => { cacheDirectory = await mkdtemp(join(tmpdir(), 'grpo-connectors-')); });
afterEach(async () => { await rm(cacheDirectory, { recursive: true, force: true }); });

async function binance(candleList: number[][], pageLimit = 1000) {
  const exchange = fakeExchange({ 'BTC/USDT': candleList });
  return { exchange, connector: await createCcxtConnector({ exchange, pageLimit }) };
}

describe('fetchWithCache', () => {
  it('stores fetched bars under source/symbol/interval and answers the same request from disk without a call', async () => {
    const now = () => first + 11 * hour;
    const one = await binance(candles);
    const miss = await fetchWithCache(one.connector, tenHours, { cacheDirectory, now });
    expect(miss.cache).toBe('miss');
    expect(miss.fetched).toBe(10);
    expect(miss.cacheFile).toBe(join(cacheDirectory, 'ccxt', 'binance', 'BTC-USDT', '1h.json'));

    const two = await binance(candles);
    const hit = await fetchWithCache(two.connector, tenHours, { cacheDirectory, now });
    expect(two.exchange.calls).toEqual([]);
    expect(hit.cache).toBe('hit');
    expect(hit.fromCache).toBe(10);
    expect(hit.fetched).toBe(0);
    expect(Array.from(hit.series.close)).toEqual(candles.map((candle) => candle[4]));
    expect(hit.series.symbol).toBe('BTC/USDT');
    expect(hit.series.source).toBe('ccxt/binance');
  });

  it('answers a sub-range of what is cached without a call', async () => {
    const now = () => first + 11 * hour;
    await fetchWithCache((await binance(candles)).connector, tenHours, { cacheDirectory, now });
    const two = await binance(candles);
    const hit = await fetchWithCache(two.connector, { ...tenHours, from: first + 2 * hour, to: first + 5 * hour }, { cacheDirectory, now });
    expect(two.exchange.calls).toEqual([]);
    expect(Array.from(hit.series.time)).toEqual([2, 3, 4].map((h) => first + h * hour));
  });

  it('later fetches ask only from the last cached bar, which replaces the partial one', async () => {
    // First run at 05:30: the exchange has bars 00:00..05:00, the last one still open.
    const partial = candles.slice(0, 6).map((candle) => [...candle]);
    partial[5][4] = 42500; // close as of 05:30
    partial[5][5] = 100;
    const early = await binance(partial);
    await fetchWithCache(early.connector, { ...tenHours, to: first + 24 * hour }, { cacheDirectory, now: () => first + 5.5 * hour });

    const later = await binance(candles);
    const report = await fetchWithCache(later.connector, { ...tenHours, to: first + 24 * hour }, { cacheDirectory, now: () => first + 10.5 * hour });
    expect(later.exchange.calls.map((call) => call.since)).toEqual([first + 5 * hour, first + 9 * hour + 1]);
    expect(report.cache).toBe('partial');
    expect(report.fromCache).toBe(5);
    expect(report.fetched).toBe(5);
    expect(Array.from(report.series.close)).toEqual(candles.map((candle) => candle[4]));
    expect(report.series.volume[5]).toBe(candles[5][5]);
  });

  it('refetches a last bar that was still open when cached even if the range is otherwise covered', async () => {
    const partial = candles.slice(0, 3).map((candle) => [...candle]);
    const early = await binance(partial);
    // The request ends at 03:00 but the fetch happened at 02:30, inside the 02:00 bar.
    await fetchWithCache(early.connector, { ...tenHours, to: first + 3 * hour }, { cacheDirectory, now: () => first + 2.5 * hour });
    const later = await binance(candles);
    await fetchWithCache(later.connector, { ...tenHours, to: first + 3 * hour }, { cacheDirectory, now: () => first + 4 * hour });
    expect(later.exchange.calls.map((call) => call.since)).toEqual([first + 2 * hour]);
  });

  it('--refresh ignores the cache and fetches the whole range again', async () => {
    const now = () => first + 11 * hour;
    await fetchWithCache((await binance(candles)).connector, tenHours, { cacheDirectory, now });
    const two = await binance(candles);
    const report = await fetchWithCache(two.connector, tenHours, { cacheDirectory, now, refresh: true });
    expect(report.cache).toBe('refresh');
    expect(two.exchange.calls.map((call) => call.since)).toEqual([first]);
    expect(report.fetched).toBe(10);
  });

  it('fetches everything again when the request starts before the cached range', async () => {
    const now = () => first + 11 * hour;
    await fetchWithCache((await binance(candles)).connector, { ...tenHours, from: first + 5 * hour }, { cacheDirectory, now });
    const two = await binance(candles);
    const report = await fetchWithCache(two.connector, tenHours, { cacheDirectory, now });
    expect(two.exchange.calls.map((call) => call.since)).toEqual([first]);
    expect(report.series.time.length).toBe(10);
  });

  it('detects a corrupted cache file, says so, refetches and rewrites it', async () => {
    const now = () => first + 11 * hour;
    const miss = await fetchWithCache((await binance(candles)).connector, tenHours, { cacheDirectory, now });
    const text = await readFile(miss.cacheFile!, 'utf8');
    await writeFile(miss.cacheFile!, text.replace('42475.23', '42475.24'));

    const two = await binance(candles);
    const report = await fetchWithCache(two.connector, tenHours, { cacheDirectory, now });
    expect(report.cache).toBe('corrupted');
    expect(report.notes[0]).toMatch(/^corrupted cache file: checksum mismatch \(truncated or edited\) \(.*1h\.json\); refetching$/);
    expect(two.exchange.calls.map((call) => call.since)).toEqual([first]);
    expect(report.series.close[0]).toBe(42475.23);

    const three = await binance(candles);
    expect((await fetchWithCache(three.connector, tenHours, { cacheDirectory, now })).cache).toBe('hit');
  });

  it('detects a truncated cache file', async () => {
    const now = () => first + 11 * hour;
    const miss = await fetchWithCache((await binance(candles)).connector, tenHours, { cacheDirectory, now });
    const text = await readFile(miss.cacheFile!, 'utf8');
    await writeFile(miss.cacheFile!, text.slice(0, text.length - 40));
    const report = await fetchWithCache((await binance(candles)).connector, tenHours, { cacheDirectory, now });
    expect(report.cache).toBe('corrupted');
    expect(report.series.time.length).toBe(10);
  });

  it('refetches the whole cached range when Yahoo reports a dividend since the last cached bar', async () => {
    const january = { symbol: 'AAPL', interval: '1d', from: day('2024-01-01'), to: day('2024-01-11') };
    const initial = await createYahooConnector({ client: fixtureYahooClient({ AAPL: aapl }) });
    await fetchWithCache(initial, january, { cacheDirectory, now: () => day('2024-01-10') + 22 * hour });

    // A month later: a 0.24 dividend went ex on 2024-02-09, so Yahoo now reports every earlier
    // adjusted close lower by the factor 1 - 0.24 / 188.85 (the previous close).
    const factor = 1 - 0.24 / 188.85;
    const later = structuredClone(aapl);
    later.indicators.adjclose![0].adjclose = later.indicators.quote[0].close!.map((close) => (close == null ? null : close * factor));
    later.timestamp!.push(1707489000);
    for (const field of ['open', 'high', 'low', 'close'] as const) later.indicators.quote[0][field]!.push(188.65);
    later.indicators.quote[0].volume!.push(45155200);
    later.indicators.adjclose![0].adjclose!.push(188.65);
    later.events = { dividends: { '1707489000': { amount: 0.24, date: 1707489000 } } };
    const client = fixtureYahooClient({ AAPL: later });
    const connector = await createYahooConnector({ client });
    const report = await fetchWithCache(connector, { ...january, to: day('2024-02-10') }, { cacheDirectory, now: () => day('2024-02-10') + 22 * hour, adjusted: true });

    // From the last cached bar, then everything (each padded by a day; see the Yahoo connector).
    expect(client.calls.map((call) => new Date(call.period1 + 86_400_000).toISOString().slice(0, 10))).toEqual(['2024-01-10', '2024-01-01']);
    expect(report.notes).toContain('split or dividend reported since the last cached bar: refetching the whole cached range');
    expect(report.fromCache).toBe(0);
    expect(report.series.close[0]).toBeCloseTo(185.63999938964844 * factor, 9);
  });

  it('with adjusted, scales open/high/low by adjusted close / close (hand-computed)', async () => {
    const client = fixtureYahooClient({
      XYZ: {
        meta: { gmtoffset: 0 },
        timestamp: [1704153600],
        indicators: { quote: [{ open: [101], high: [110], low: [90], close: [100], volume: [1000] }], adjclose: [{ adjclose: [99] }] },
      },
    });
    const connector = await createYahooConnector({ client });
    const report = await fetchWithCache(connector, { symbol: 'XYZ', interval: '1d', from: day('2024-01-01'), to: day('2024-01-03') }, { adjusted: true });
    expect(report.cache).toBe('disabled');
    expect(report.series.open[0]).toBeCloseTo(99.99, 12);
    expect(report.series.high[0]).toBeCloseTo(108.9, 12);
    expect(report.series.low[0]).toBeCloseTo(89.1, 12);
    expect(report.series.close[0]).toBe(99);
    expect(report.series.volume[0]).toBe(1000);
  });

  it('rejects --adjusted for a source without an adjusted close', async () => {
    const { connector } = await binance(candles);
    await expect(fetchWithCache(connector, tenHours, { adjusted: true })).rejects.toThrow('ccxt/binance gave no adjusted close for BTC/USDT');
  });

  it('rejects an empty range', async () => {
    const { connector } = await binance(candles);
    await expect(fetchWithCache(connector, { ...tenHours, to: first })).rejects.toThrow(/empty range for BTC\/USDT/);
  });
});
