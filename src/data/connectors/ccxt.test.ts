import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GrpoTraderError } from '../../core/errors.js';
import { fakeExchange, loadFixture } from '../../../test/fixtures/connectors/fakes.js';
import { createCcxtConnector, type CcxtCandle } from './ccxt.js';

const candles = loadFixture<number[][]>('ccxt-binance-btcusdt-1h.json');
const first = candles[0][0];
const hour = 3_600_000;
const allOfThem = { symbol: 'BTC/USDT', interval: '1h', from: first, to: first + 24 * hour };

describe('ccxt connector', () => {
  it('maps [ms, o, h, l, c, v] candles to columns', async () => {
    const connector = await createCcxtConnector({ exchange: fakeExchange({ 'BTC/USDT': candles }) });
    const { bars } = await connector.fetchBars(allOfThem);
    expect(connector.source).toBe('ccxt/binance');
    expect(Array.from(bars.time)).toEqual(candles.map((candle) => candle[0]));
    expect(Array.from(bars.open)).toEqual(candles.map((candle) => candle[1]));
    expect(Array.from(bars.high)).toEqual(candles.map((candle) => candle[2]));
    expect(Array.from(bars.low)).toEqual(candles.map((candle) => candle[3]));
    expect(Array.from(bars.close)).toEqual(candles.map((candle) => candle[4]));
    expect(Array.from(bars.volume)).toEqual(candles.map((candle) => candle[5]));
    expect(bars.adjustedClose).toBeUndefined();
  });

  it('paginates by since across several pages until an empty page', async () => {
    const exchange = fakeExchange({ 'BTC/USDT': candles });
    const connector = await createCcxtConnector({ exchange, pageLimit: 4 });
    const response = await connector.fetchBars(allOfThem);
    expect(response.bars.time.length).toBe(10);
    // Each page starts 1 ms after the last candle received (candles at 0..3 h, 4..7 h, 8..9 h, then none).
    expect(exchange.calls.map((call) => call.since! - first)).toEqual([0, 3 * hour + 1, 7 * hour + 1, 9 * hour + 1]);
    expect(exchange.calls.every((call) => call.limit === 4 && call.timeframe === '1h')).toBe(true);
    expect(response.requests).toBe(4);
  });

  it('keeps paging when the exchange returns fewer candles than asked for', async () => {
    const exchange = fakeExchange({ 'BTC/USDT': candles }, { maxPerPage: 3 });
    const connector = await createCcxtConnector({ exchange, pageLimit: 1000 });
    const { bars } = await connector.fetchBars(allOfThem);
    expect(bars.time.length).toBe(10);
    expect(exchange.calls.map((call) => call.since! - first)).toEqual([0, 2 * hour + 1, 5 * hour + 1, 8 * hour + 1, 9 * hour + 1]);
  });

  it('stops at the end of the range without asking past it', async () => {
    const exchange = fakeExchange({ 'BTC/USDT': candles });
    const connector = await createCcxtConnector({ exchange, pageLimit: 2 });
    const { bars } = await connector.fetchBars({ ...allOfThem, to: first + 4 * hour });
    expect(bars.time.length).toBe(4);
    expect(exchange.calls.map((call) => call.since! - first)).toEqual([0, hour + 1]);
  });

  it('pages monthly candles without skipping short months', async () => {
    const months = ['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01'].map((text) => [Date.parse(`${text}T00:00:00Z`), 1, 2, 0.5, 1.5, 10]);
    const exchange = fakeExchange({ 'BTC/USDT': months }, { timeframes: { '1M': '1M' } });
    const connector = await createCcxtConnector({ exchange, pageLimit: 1 });
    const { bars } = await connector.fetchBars({ symbol: 'BTC/USDT', interval: '1M', from: months[0][0], to: Date.parse('2024-05-01T00:00:00Z') });
    expect(Array.from(bars.time)).toEqual(months.map((candle) => candle[0]));
  });

  it('returns exactly the candles in [from, to) whatever the page sizes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: -2, max: 11 }), fc.integer({ min: 1, max: 13 }),
        async (pageLimit, maxPerPage, startHour, length) => {
          const from = first + startHour * hour;
          const to = from + length * hour;
          const connector = await createCcxtConnector({ exchange: fakeExchange({ 'BTC/USDT': candles }, { maxPerPage }), pageLimit });
          const { bars } = await connector.fetchBars({ symbol: 'BTC/USDT', interval: '1h', from, to });
          expect(Array.from(bars.time)).toEqual(candles.map((candle) => candle[0]).filter((time) => time >= from && time < to));
        }),
      { numRuns: 60 },
    );
  });

  it('drops candles with missing prices and reports them; a missing volume becomes 0', async () => {
    const gappy: CcxtCandle[] = [candles[0], [candles[1][0], null, null, null, null, null], [...candles[2].slice(0, 5), undefined]];
    const connector = await createCcxtConnector({ exchange: fakeExchange({ 'BTC/USDT': gappy }) });
    const response = await connector.fetchBars(allOfThem);
    expect(Array.from(response.bars.time)).toEqual([candles[0][0], candles[2][0]]);
    expect(response.bars.volume[1]).toBe(0);
    expect(response.droppedTimes).toEqual([candles[1][0]]);
    expect(response.notes).toEqual(['volume missing on 1 bar(s), set to 0']);
  });

  it('turns a network failure into NETWORK_ERROR with one line naming exchange and symbol', async () => {
    const timeout = new Error('binance GET https://api.binance.com/api/v3/klines?symbol=BTCUSDT request timed out (10000 ms)');
    timeout.name = 'RequestTimeout';
    const connector = await createCcxtConnector({ exchange: fakeExchange({ 'BTC/USDT': candles }, { error: timeout }) });
    const error = (await connector.fetchBars(allOfThem).catch((caught: unknown) => caught)) as GrpoTraderError;
    expect(error).toBeInstanceOf(GrpoTraderError);
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.message).toBe(`ccxt/binance: could not fetch BTC/USDT 1h: ${timeout.message}`);
  });

  it('reports a market the exchange does not list as NOT_FOUND', async () => {
    const connector = await createCcxtConnector({ exchange: fakeExchange({}) });
    const error = (await connector.fetchBars({ ...allOfThem, symbol: 'NOPE/USDT' }).catch((caught: unknown) => caught)) as GrpoTraderError;
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toMatch(/^ccxt\/binance: unknown symbol NOPE\/USDT 1h: /);
  });

  it('rejects a timeframe the exchange does not offer, listing the ones it does', async () => {
    const connector = await createCcxtConnector({ exchange: fakeExchange({}, { timeframes: { '1h': '1h', '1d': '1d' } }) });
    expect(() => connector.checkInterval('3h')).toThrow('ccxt/binance: unsupported timeframe "3h" (supported: 1h, 1d)');
  });

  it('rejects an unknown exchange id with a clear message (real ccxt, no request made)', async () => {
    const error = (await createCcxtConnector({ exchangeId: 'nosuchexchange' }).catch((caught: unknown) => caught)) as GrpoTraderError;
    expect(error).toBeInstanceOf(GrpoTraderError);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/^ccxt: unknown exchange id "nosuchexchange" \(ccxt [\d.]+ knows \d+, e\.g\. binance/);
  });

  it('builds a real exchange by id without touching the network and checks its timeframes', async () => {
    const connector = await createCcxtConnector({ exchangeId: 'binance' });
    expect(connector.source).toBe('ccxt/binance');
    expect(() => connector.checkInterval('1h')).not.toThrow();
    expect(() => connector.checkInterval('7h')).toThrow(/unsupported timeframe "7h"/);
  });
});
