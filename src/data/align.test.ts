import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { alignSeries } from './align.js';
import { loadMarket } from './load-market.js';
import { column } from './market.js';
import type { OhlcvSeries } from './types.js';
import { GrpoTraderError } from '../core/errors.js';
import { describeRealData, realDataPath } from '../../test/real-data.js';
import { writeSyntheticCsvs } from '../../test/synthetic-files.js';

/** date → raw line cells, read with plain string splitting (independent of the loader). */
function rawRows(symbol: string): Map<string, string[]> {
  const lines = readFileSync(realDataPath('us-equities-daily', `${symbol}.csv`), 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((line) => [line.split(',')[0]!, line.split(',')]));
}

const DAY = 86_400_000;

function makeSeries(symbol: string, days: number[], priceBase = 100): OhlcvSeries {
  const n = days.length;
  return {
    symbol,
    time: Float64Array.from(days, (day) => day * DAY),
    open: Float64Array.from(days, (day) => priceBase + day),
    high: Float64Array.from(days, (day) => priceBase + day + 1),
    low: Float64Array.from(days, (day) => priceBase + day - 1),
    close: Float64Array.from(days, (day) => priceBase + day + 0.5),
    volume: new Float64Array(n).fill(1000),
  };
}

describeRealData('us-equities-daily', 'alignment on the real gaps of us-equities-daily', () => {
  const symbols = ['AAPL', 'CVX', 'SPY', 'TRV'];
  let EQUITIES: string;
  beforeAll(() => {
    EQUITIES = realDataPath('us-equities-daily');
  });

  it('intersection keeps exactly the dates every file has, in order, and reports who lacked what', async () => {
    const { market, report } = await loadMarket([EQUITIES], { symbols });
    const raw = symbols.map(rawRows);
    const expected = [...raw[0]!.keys()].filter((date) => raw.every((rows) => rows.has(date))).sort();
    const got = Array.from(market.time, (ms) => new Date(ms).toISOString().slice(0, 10));
    expect(got).toEqual(expected);
    expect(got[0]).toBe('2005-02-25');
    expect(got[got.length - 1]).toBe('2017-11-10');
    expect(got).not.toContain('2011-02-17');
    expect(got).not.toContain('2010-11-19');
    expect(report.droppedDates).toEqual(['2010-11-19', '2011-02-17']);
    const bySymbol = Object.fromEntries(report.assets.map((asset) => [asset.symbol, asset]));
    // Missing = dates some file has, inside this file's own span, that this file lacks.
    const union = [...new Set(raw.flatMap((rows) => [...rows.keys()]))].sort();
    symbols.forEach((symbol, i) => {
      const own = [...raw[i]!.keys()].sort();
      const expectedMissing = union.filter((date) => date > own[0]! && date < own[own.length - 1]! && !raw[i]!.has(date));
      expect(bySymbol[symbol]!.missing, symbol).toEqual(expectedMissing);
    });
    expect(bySymbol.SPY!.missing).toEqual(['2011-02-17']);
    expect(bySymbol.TRV!.missing).toEqual(['2011-02-17']);
    expect(bySymbol.CVX!.missing).toContain('2010-11-19');
    expect(bySymbol.AAPL!.dropped.inside).toEqual(['2010-11-19', '2011-02-17']);
    expect(bySymbol.AAPL!.dropped.beforeStart).toBe(raw[0]!.size - expected.length - 2);
    // Values land in the right asset slot: AAPL's close on the last day, read from the raw line.
    const aaplClose = column(market, 'close', 'AAPL');
    expect(aaplClose[aaplClose.length - 1]).toBe(Number(raw[0]!.get('2017-11-10')![4]));
  });

  it('ffill fills 2011-02-17 for SPY and TRV and 2010-11-19 for CVX with the previous close and zero volume', async () => {
    const { market, report } = await loadMarket([EQUITIES], { symbols, policy: 'ffill', maxFill: 1 });
    const dates = Array.from(market.time, (ms) => new Date(ms).toISOString().slice(0, 10));
    expect(dates[0]).toBe('2005-02-25'); // never filled before SPY and TRV start
    const day = dates.indexOf('2011-02-17');
    expect(day).toBeGreaterThan(0);
    const spy = market.symbols.indexOf('SPY');
    const n = market.symbols.length;
    const spyPreviousClose = Number(rawRows('SPY').get('2011-02-16')![4]);
    for (const field of ['open', 'high', 'low', 'close'] as const) expect(market[field][day * n + spy]).toBe(spyPreviousClose);
    expect(market.volume[day * n + spy]).toBe(0);
    const cvxDay = dates.indexOf('2010-11-19');
    expect(market.close[cvxDay * n + market.symbols.indexOf('CVX')]).toBe(Number(rawRows('CVX').get('2010-11-18')![4]));
    const bySymbol = Object.fromEntries(report.assets.map((asset) => [asset.symbol, asset]));
    expect(bySymbol.SPY!.filled).toEqual(['2011-02-17']);
    expect(bySymbol.TRV!.filled).toEqual(['2011-02-17']);
    expect(bySymbol.CVX!.filled).toEqual(['2010-11-19']);
    expect(bySymbol.AAPL!.filled).toEqual([]);
    expect(report.droppedDates).toEqual([]);
    // The intersection's row count plus the two filled dates.
    const intersection = await loadMarket([EQUITIES], { symbols });
    expect(market.time.length).toBe(intersection.market.time.length + 2);
  });

  it('applies a date range before aligning', async () => {
    const { market } = await loadMarket([EQUITIES], { symbols: ['SPY'], from: '2011-02-15', to: '2011-02-22' });
    expect(Array.from(market.time, (ms) => new Date(ms).toISOString().slice(0, 10))).toEqual(['2011-02-15', '2011-02-16', '2011-02-18', '2011-02-22']);
  });
});

describe('loadMarket on a directory of synthetic files', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'grpo-align-'));
    // Business days from Wednesday 2020-01-01, no holidays.
    await writeSyntheticCsvs(directory, { assets: 2, bars: 30, seed: 3, start: '2020-01-01' });
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('applies a date range before aligning', async () => {
    const { market } = await loadMarket([directory], { symbols: ['SYN02'], from: '2020-01-08', to: '2020-01-14' });
    // Wed 8, Thu 9, Fri 10, (weekend), Mon 13, Tue 14.
    expect(Array.from(market.time, (ms) => new Date(ms).toISOString().slice(0, 10))).toEqual(['2020-01-08', '2020-01-09', '2020-01-10', '2020-01-13', '2020-01-14']);
  });

  it('names a symbol that is not in the directory', async () => {
    await expect(loadMarket([directory], { symbols: ['SYN01', 'NOPE'] })).rejects.toThrow(/NOPE not found/);
  });
});

describe('alignSeries policies', () => {
  it('fills at most maxFill consecutive bars and drops the rest of a longer gap', () => {
    const a = makeSeries('A', [1, 2, 3, 4, 5, 6, 7]);
    const b = makeSeries('B', [1, 2, 3, 7]);
    const { market, report } = alignSeries([a, b], { policy: 'ffill', maxFill: 2 });
    expect(Array.from(market.time, (ms) => ms / DAY)).toEqual([1, 2, 3, 4, 5, 7]);
    expect(market.close[3 * 2 + 1]).toBe(103.5); // day 4: B's day-3 close carried
    expect(report.assets[1]!.filled).toHaveLength(2);
    expect(report.droppedDates).toHaveLength(1);
  });

  it('never fills after an asset ends and keeps symbols in input order', () => {
    const a = makeSeries('A', [1, 2, 3, 4]);
    const b = makeSeries('B', [1, 2]);
    const { market } = alignSeries([a, b], { policy: 'ffill', maxFill: 5 });
    expect(market.symbols).toEqual(['A', 'B']);
    expect(Array.from(market.time, (ms) => ms / DAY)).toEqual([1, 2]);
  });

  it('refuses unsorted input, duplicate symbols and a bad maxFill', () => {
    const unsorted = makeSeries('U', [1, 3, 2]);
    expect(() => alignSeries([unsorted])).toThrow(GrpoTraderError);
    expect(() => alignSeries([unsorted])).toThrow(/strictly increasing/);
    expect(() => alignSeries([makeSeries('A', [1]), makeSeries('A', [2])])).toThrow(/appears twice/);
    expect(() => alignSeries([makeSeries('A', [1])], { policy: 'ffill', maxFill: -1 })).toThrow(/maxFill/);
  });
});

describe('alignSeries properties', () => {
  const daySet = fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 40 }).map((days) => days.sort((x, y) => x - y));

  it('intersection: strictly increasing, exactly the common dates, every value from its own input row', () => {
    fc.assert(
      fc.property(fc.array(daySet, { minLength: 1, maxLength: 5 }), (sets) => {
        const series = sets.map((days, i) => makeSeries(`S${i}`, days, 100 * (i + 1)));
        const { market } = alignSeries(series);
        const times = Array.from(market.time, (ms) => ms / DAY);
        for (let t = 1; t < times.length; t++) expect(times[t]!).toBeGreaterThan(times[t - 1]!);
        const common = sets[0]!.filter((day) => sets.every((days) => days.includes(day)));
        expect(times).toEqual(common);
        times.forEach((day, t) => {
          series.forEach((one, a) => {
            const row = Array.from(one.time).indexOf(day * DAY);
            expect(row).toBeGreaterThanOrEqual(0);
            expect(market.close[t * series.length + a]).toBe(one.close[row]);
          });
        });
      }),
    );
  });

  it('ffill: strictly increasing, a superset of the intersection, and no bar before an asset starts', () => {
    fc.assert(
      fc.property(fc.array(daySet, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 4 }), (sets, maxFill) => {
        const series = sets.map((days, i) => makeSeries(`S${i}`, days));
        const { market } = alignSeries(series, { policy: 'ffill', maxFill });
        const times = Array.from(market.time, (ms) => ms / DAY);
        for (let t = 1; t < times.length; t++) expect(times[t]!).toBeGreaterThan(times[t - 1]!);
        const common = sets[0]!.filter((day) => sets.every((days) => days.includes(day)));
        for (const day of common) expect(times).toContain(day);
        for (const day of times) for (const days of sets) expect(day).toBeGreaterThanOrEqual(days[0]!);
      }),
    );
  });
});
