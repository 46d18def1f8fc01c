import { describe, expect, it } from 'vitest';
import { splitByDate, walkForwardWindows } from './splits.js';
import { column, columnInto, seriesFromMarket, sliceByDate } from './market.js';
import { alignSeries } from './align.js';
import type { MarketData, OhlcvSeries } from './types.js';

const DAY = 86_400_000;

/** Two assets on business-like days 2020-01-01 + k for k in `days`; close = 10·asset + k. */
function market(days: number[]): MarketData {
  const start = Date.UTC(2020, 0, 1);
  const make = (symbol: string, offset: number): OhlcvSeries => ({
    symbol,
    time: Float64Array.from(days, (k) => start + k * DAY),
    open: Float64Array.from(days, (k) => offset + k),
    high: Float64Array.from(days, (k) => offset + k + 1),
    low: Float64Array.from(days, (k) => offset + k - 0.5),
    close: Float64Array.from(days, (k) => offset + k + 0.5),
    volume: Float64Array.from(days, (k) => 100 + k),
  });
  return alignSeries([make('A', 10), make('B', 20)]).market;
}

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

describe('MarketData helpers', () => {
  const m = market([0, 1, 2, 3, 4]);

  it('reads one asset column out of the [time × asset] layout', () => {
    expect(Array.from(column(m, 'close', 1))).toEqual([20.5, 21.5, 22.5, 23.5, 24.5]);
    expect(Array.from(column(m, 'volume', 'A'))).toEqual([100, 101, 102, 103, 104]);
    const out = new Float64Array(6).fill(-1);
    columnInto(out, m, 'open', 0);
    expect(Array.from(out)).toEqual([10, 11, 12, 13, 14, -1]);
    expect(() => column(m, 'close', 2)).toThrow(/out of range/);
    expect(() => column(m, 'close', 'Z')).toThrow(/not in the market/);
  });

  it('gets one asset back as a series', () => {
    const b = seriesFromMarket(m, 'B');
    expect(b.symbol).toBe('B');
    expect(Array.from(b.high)).toEqual([21, 22, 23, 24, 25]);
    expect(b.time).toEqual(m.time);
  });

  it('slices by date inclusively at both ends, by string or epoch ms', () => {
    const slice = sliceByDate(m, '2020-01-02', '2020-01-04');
    expect(Array.from(slice.time, iso)).toEqual(['2020-01-02', '2020-01-03', '2020-01-04']);
    expect(Array.from(slice.close)).toEqual([11.5, 21.5, 12.5, 22.5, 13.5, 23.5]);
    expect(sliceByDate(m, Date.UTC(2020, 0, 4)).time.length).toBe(2);
    expect(sliceByDate(m, undefined, '2019-12-31').time.length).toBe(0);
  });
});

describe('splitByDate', () => {
  const m = market([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // 2020-01-01 .. 2020-01-10

  it('cuts train / validation / test at the given inclusive end dates and reports the ranges', () => {
    const { train, validation, test, ranges } = splitByDate(m, { trainEnd: '2020-01-06', validationEnd: '2020-01-08' });
    expect(Array.from(train.time, iso)).toEqual(['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-04', '2020-01-05', '2020-01-06']);
    expect(Array.from(validation.time, iso)).toEqual(['2020-01-07', '2020-01-08']);
    expect(Array.from(test.time, iso)).toEqual(['2020-01-09', '2020-01-10']);
    expect(ranges).toEqual({
      train: { start: 0, end: 6, rows: 6, first: '2020-01-01', last: '2020-01-06' },
      validation: { start: 6, end: 8, rows: 2, first: '2020-01-07', last: '2020-01-08' },
      test: { start: 8, end: 10, rows: 2, first: '2020-01-09', last: '2020-01-10' },
    });
    expect(Array.from(test.close)).toEqual([18.5, 28.5, 19.5, 29.5]);
  });

  it('works without a validation split and refuses empty or inverted splits', () => {
    const { validation, test } = splitByDate(m, { trainEnd: '2020-01-08' });
    expect(validation.time.length).toBe(0);
    expect(test.time.length).toBe(2);
    expect(() => splitByDate(m, { trainEnd: '2019-12-01' })).toThrow(/train split is empty/);
    expect(() => splitByDate(m, { trainEnd: '2020-01-10' })).toThrow(/test split is empty/);
    expect(() => splitByDate(m, { trainEnd: '2020-01-05', validationEnd: '2020-01-03' })).toThrow(/before trainEnd/);
  });
});

describe('walkForwardWindows', () => {
  const m = market([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it('rolls a fixed training window and back-to-back test windows, complete windows only', () => {
    const windows = [...walkForwardWindows(m, { trainBars: 4, testBars: 2 })];
    expect(windows.map((w) => [w.train.start, w.train.end, w.test.start, w.test.end])).toEqual([
      [0, 4, 4, 6],
      [2, 6, 6, 8],
      [4, 8, 8, 10],
    ]);
    expect(windows[0]!.train.first).toBe('2020-01-01');
    expect(windows[0]!.train.last).toBe('2020-01-04');
    expect(windows[0]!.test.first).toBe('2020-01-05');
    expect(windows[2]!.test.last).toBe('2020-01-10');
  });

  it('anchors training at bar 0 and honours stepBars', () => {
    const windows = [...walkForwardWindows(m.time, { trainBars: 3, testBars: 2, stepBars: 3, anchored: true })];
    expect(windows.map((w) => [w.train.start, w.train.end, w.test.start, w.test.end])).toEqual([
      [0, 3, 3, 5],
      [0, 6, 6, 8],
    ]);
  });

  it('sizes training by calendar days over gaps in the data', () => {
    // Bars on days 0,1,2,5,6,7,8: a 3-day training window before day 5 holds only day 2.
    const gappy = market([0, 1, 2, 5, 6, 7, 8]);
    const windows = [...walkForwardWindows(gappy, { trainDays: 3, testBars: 2 })];
    expect(windows[0]!.test.first).toBe('2020-01-06');
    expect(windows[0]!.train.first).toBe('2020-01-03');
    expect(windows[0]!.train.rows).toBe(1);
    // Training never overlaps its test window.
    for (const w of windows) expect(w.train.end).toBe(w.test.start);
  });

  it('rejects inconsistent options', () => {
    expect(() => [...walkForwardWindows(m, { testBars: 2 })]).toThrow(/exactly one of trainBars and trainDays/);
    expect(() => [...walkForwardWindows(m, { trainBars: 2, trainDays: 3, testBars: 2 })]).toThrow(/exactly one/);
    expect(() => [...walkForwardWindows(m, { trainBars: 0, testBars: 2 })]).toThrow(/positive integer/);
  });
});
