/**
 * Every dialect among the shared real files loads with the right rows, first/last timestamps and
 * values. Expected values are read from the raw text here with plain string splitting and Date.UTC,
 * independently of the loader. The real files are the point here, so these suites skip without them
 * (test/real-data.ts); the one test on hand-written text always runs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parseOhlcvCsv } from './parse-ohlcv-csv.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOhlcv, validateOhlcvFile } from './load-ohlcv.js';
import { describeRealData, itRealData, realDataPath } from '../../test/real-data.js';

/** Non-empty lines of a file, as written. */
function rawLines(path: string): string[] {
  return readFileSync(path, 'utf8').split(/\r?\n/).filter((line) => line !== '');
}

function isoUtc(date: string): number {
  // `2017-11-10` or `2017-07-01T11:00:00Z`
  return Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date);
}

describeRealData('us-equities-daily', 'us-equities-daily (date,open,high,low,close,volume; ISO dates)', () => {
  it('loads AAPL with every row and the values of its first and last lines', async () => {
    const path = realDataPath('us-equities-daily', 'AAPL.csv');
    const lines = rawLines(path);
    const series = await loadOhlcv(path);
    expect(series.symbol).toBe('AAPL');
    expect(series.time.length).toBe(lines.length - 1);
    const first = lines[1]!.split(',');
    const last = lines[lines.length - 1]!.split(',');
    expect(series.time[0]).toBe(isoUtc(first[0]!));
    expect(series.time[series.time.length - 1]).toBe(isoUtc('2017-11-10'));
    expect([series.open[0], series.high[0], series.low[0], series.close[0], series.volume[0]]).toEqual(first.slice(1).map(Number));
    expect(series.close[series.time.length - 1]).toBe(Number(last[4]));
  });

  it('loads all 47 files without a problem and reports each zero-volume bar (2010-04-26 for 28 stocks)', async () => {
    const directory = realDataPath('us-equities-daily');
    const files = readdirSync(directory).filter((name) => name.endsWith('.csv'));
    expect(files.length).toBe(47);
    const started = performance.now();
    const reports = await Promise.all(files.map((name) => validateOhlcvFile(join(directory, name))));
    const elapsed = performance.now() - started;
    const withZeroOn20100426: string[] = [];
    for (const report of reports) {
      expect(report.problems, report.file).toEqual([]);
      const lines = rawLines(report.file);
      expect(report.series!.time.length).toBe(lines.length - 1);
      // Independent: the lines whose last cell is 0.
      const expectedLines = lines.flatMap((line, i) => (line.endsWith(',0') ? [i + 1] : []));
      const zero = report.warnings.find((warning) => warning.kind === 'zero-volume');
      expect(zero?.lines ?? [], report.symbol).toEqual(expectedLines);
      if (zero?.dates?.includes('2010-04-26')) withZeroOn20100426.push(report.symbol);
    }
    // data/README.md says "every stock"; the files themselves show T and TRV with real volume that day.
    expect(withZeroOn20100426.length).toBe(28);
    expect(withZeroOn20100426).not.toContain('T');
    // Generous bound for a loaded shared machine; docs/data.md gives measured figures.
    expect(elapsed).toBeLessThan(5000);
  });
});

describeRealData('crypto', 'crypto (ISO UTC datetimes, hourly and daily)', () => {
  it('loads BTCUSD-1h with 20,111 hourly rows and its 28 zero-volume hours', async () => {
    const path = realDataPath('crypto', 'BTCUSD-1h.csv');
    const report = await validateOhlcvFile(path);
    const series = report.series!;
    expect(series.time.length).toBe(20111);
    expect(series.time[0]).toBe(Date.UTC(2017, 6, 1, 11));
    expect(series.time[20110]).toBe(Date.UTC(2019, 9, 17, 9));
    expect(report.warnings.find((warning) => warning.kind === 'zero-volume')?.count).toBe(28);
    const line2 = rawLines(path)[1]!.split(',');
    expect(series.close[0]).toBe(Number(line2[4]));
  });

  it('loads the three daily files, which end on the partial day 2020-01-17', async () => {
    for (const name of ['BTCUSD-1d.csv', 'ETHUSD-1d.csv', 'LTCUSD-1d.csv']) {
      const path = realDataPath('crypto', name);
      const lines = rawLines(path);
      const series = await loadOhlcv(path);
      expect(series.time.length).toBe(lines.length - 1);
      expect(series.time[series.time.length - 1]).toBe(Date.UTC(2020, 0, 17));
      // The documented gap 2019-03-20 .. 2019-03-31: the bar after 2019-03-19 is 2019-04-01.
      const i = series.time.indexOf(Date.UTC(2019, 2, 19));
      expect(series.time[i + 1]).toBe(Date.UTC(2019, 3, 1));
    }
  });
});

describeRealData('messy', 'messy real files', () => {
  it('reads the Yahoo export with Adj Close: Close as written by default, OHLC scaled with adjust', async () => {
    const path = realDataPath('messy', 'STOCKS_GOOGL.csv');
    const lines = rawLines(path);
    expect(lines[0]).toBe('Date,Open,High,Low,Close,Adj Close,Volume');
    const report = await validateOhlcvFile(path);
    const series = report.series!;
    expect(series.symbol).toBe('STOCKS_GOOGL');
    expect(series.time.length).toBe(lines.length - 1);
    expect(series.time[0]).toBe(Date.UTC(2009, 4, 22));
    expect(series.time[series.time.length - 1]).toBe(Date.UTC(2018, 7, 29));
    const last = lines[lines.length - 1]!.split(',');
    expect(series.close[series.time.length - 1]).toBe(Number(last[4]));
    expect(series.volume[series.time.length - 1]).toBe(Number(last[6]));
    expect(report.warnings.some((warning) => warning.kind === 'ignored-column' && warning.message.includes('Adj Close'))).toBe(true);

    const adjusted = await loadOhlcv(path, { adjust: true });
    // Pick a row whose Adj Close differs from Close, if any; else the factor is 1 everywhere.
    const rows = lines.slice(1).map((line) => line.split(',').map((cell, k) => (k === 0 ? cell : Number(cell))));
    rows.forEach((row, i) => {
      const factor = (row[5] as number) / (row[4] as number);
      expect(adjusted.open[i]).toBeCloseTo((row[1] as number) * factor, 9);
      expect(adjusted.close[i]).toBeCloseTo(row[5] as number, 9);
    });
  });

  it('reads day-first Dukascopy timestamps 01.01.2017 22:00:00.000', async () => {
    const path = realDataPath('messy', 'FOREX_EURUSD_1H_ASK.csv');
    const lines = rawLines(path);
    const report = await validateOhlcvFile(path);
    expect(report.dialect.dateFormat).toBe('day-first');
    const series = report.series!;
    expect(series.time.length).toBe(lines.length - 1);
    expect(series.time[0]).toBe(Date.UTC(2017, 0, 1, 22));
    expect(series.time[2]).toBe(Date.UTC(2017, 0, 2, 0));
    expect(series.time[series.time.length - 1]).toBe(Date.UTC(2017, 11, 29, 21));
    expect(series.volume[series.time.length - 1]).toBe(Number(lines[lines.length - 1]!.split(',')[5]));
  });

  // Also reads the clean hourly file of the same source, so it needs that file as well.
  itRealData(['crypto', 'BTCUSD-1h.csv'], 'reads the CryptoDataDownload file: banner, newest-first, 09-AM hours, base-asset volume', async () => {
    const path = realDataPath('messy', 'Coinbase_BTCUSD_1h.raw.csv');
    const report = await validateOhlcvFile(path);
    expect(report.problems).toEqual([]);
    expect(report.dialect.headerLine).toBe(2);
    expect(report.dialect.columns.volume).toBe('volume_btc');
    expect(report.warnings.map((warning) => warning.kind)).toEqual(expect.arrayContaining(['skipped-lines', 'volume-column']));
    const series = report.series!;
    expect(series.time.length).toBe(20111);
    // Oldest first after loading: the raw file's last line is the first bar.
    const lines = rawLines(path);
    const oldest = lines[lines.length - 1]!.split(',');
    expect(oldest[0]).toBe('2017-07-01 11-AM');
    expect(series.time[0]).toBe(Date.UTC(2017, 6, 1, 11));
    expect(series.close[0]).toBe(Number(oldest[5]));
    expect(series.volume[0]).toBe(Number(oldest[6]));
    expect(series.time[20110]).toBe(Date.UTC(2019, 9, 17, 9));
    // Sorted, it is exactly the clean hourly file of the same source.
    const clean = await loadOhlcv(realDataPath('crypto', 'BTCUSD-1h.csv'));
    expect(Array.from(series.time)).toEqual(Array.from(clean.time));
    expect(Array.from(series.close)).toEqual(Array.from(clean.close));
    expect(Array.from(series.volume)).toEqual(Array.from(clean.volume));
  });

  it('sorts the five rows the publisher left out of place in the newest-first CryptoDataDownload file, and names them', async () => {
    const path = realDataPath('messy', 'Coinbase_BTCUSD_1h.raw.csv');
    const lines = readFileSync(path, 'utf8').split(/\r?\n/);
    // Independent check: line numbers where an hour is later than the line before it (the file runs newest-first).
    const parse = (line: string): number => {
      const [date, hour] = line.split(',')[0]!.split(' ');
      let h = Number(hour!.slice(0, 2)) % 12;
      if (hour!.endsWith('PM')) h += 12;
      return Date.parse(`${date}T${String(h).padStart(2, '0')}:00:00Z`);
    };
    const expected: number[] = [];
    for (let i = 3; i < lines.length; i++) if (lines[i] && lines[i - 1] && parse(lines[i]!) > parse(lines[i - 1]!)) expected.push(i + 1);
    expect(expected.length).toBe(5);
    const report = await validateOhlcvFile(path);
    const warning = report.warnings.find((w) => w.kind === 'out-of-order-rows');
    expect(warning?.lines).toEqual(expected);
    expect(warning?.message).toMatch(/5 rows out of place/);
  });
});

describe('rows out of order (hand-written text)', () => {
  it('still refuses rows out of order in an oldest-first file unless asked to sort', () => {
    const text = 'date,open,high,low,close,volume\n2020-01-01,1,1,1,1,1\n2020-01-03,1,1,1,1,1\n2020-01-02,1,1,1,1,1\n2020-01-04,1,1,1,1,1\n';
    expect(() => parseOhlcvCsv(text)).toThrow(/line 4|:4:/);
    expect(parseOhlcvCsv(text, { repair: { sort: true } }).time.length).toBe(4);
  });
});
