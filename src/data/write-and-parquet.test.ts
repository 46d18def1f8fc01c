import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { loadOhlcv, validateOhlcvFile } from './load-ohlcv.js';
import { formatOhlcvCsv, writeOhlcvCsv } from './write-ohlcv.js';
import { parseOhlcvCsv } from './parse-ohlcv-csv.js';
import type { OhlcvSeries } from './types.js';
import { itRealData, realDataPath } from '../../test/real-data.js';
import { syntheticSeries } from '../../test/synthetic-files.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'grpo-data-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

describe('writeOhlcvCsv', () => {
  it('writes date-only ISO dates for midnight bars and full datetimes otherwise', () => {
    const daily: OhlcvSeries = {
      symbol: 'X',
      time: new Float64Array([Date.UTC(2011, 1, 16), Date.UTC(2011, 1, 18)]),
      open: new Float64Array([1, 2]),
      high: new Float64Array([1.5, 2.5]),
      low: new Float64Array([0.5, 1.5]),
      close: new Float64Array([1.25, 2.25]),
      volume: new Float64Array([0, 10]),
    };
    expect(formatOhlcvCsv(daily)).toBe('date,open,high,low,close,volume\n2011-02-16,1,1.5,0.5,1.25,0\n2011-02-18,2,2.5,1.5,2.25,10\n');
    const hourly = { ...daily, time: new Float64Array([Date.UTC(2011, 1, 16, 9), Date.UTC(2011, 1, 16, 10)]) };
    expect(formatOhlcvCsv(hourly).split('\n')[1]).toBe('2011-02-16T09:00:00.000Z,1,1.5,0.5,1.25,0');
  });

  it('round-trips seeded synthetic daily and hourly bars bit-identically through write and load', async () => {
    const daily = syntheticSeries({ assets: 1, bars: 500, seed: 11 })[0]!;
    const hourly: OhlcvSeries = { ...daily, time: Float64Array.from(daily.time, (_, i) => Date.UTC(2017, 0, 1, 22) + i * 3_600_000) };
    for (const [name, original] of [['DAILY', daily], ['HOURLY', hourly]] as const) {
      const target = join(directory, 'nested', `${name}.csv`);
      await writeOhlcvCsv(target, original);
      const again = await loadOhlcv(target);
      expect(again.symbol).toBe(name);
      for (const field of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(sameBits(again[field], original[field]), `${name} ${field}`).toBe(true);
    }
  });

  itRealData(['messy', 'FOREX_EURUSD_1H_ASK.csv'], 'round-trips a real file (day-first hourly Dukascopy) bit-identically through write and load', async () => {
    const source = realDataPath('messy', 'FOREX_EURUSD_1H_ASK.csv');
    const original = await loadOhlcv(source);
    const target = join(directory, 'nested', 'EURUSD.csv');
    await writeOhlcvCsv(target, original);
    const again = await loadOhlcv(target);
    expect(again.symbol).toBe('EURUSD');
    for (const field of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(sameBits(again[field], original[field]), field).toBe(true);
  });

  it('round-trips random valid bars bit-identically (property)', () => {
    const bar = fc
      .tuple(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1e12, noNaN: true }))
      .map(([low, a, b, volume]) => {
        const high = low * (1 + a);
        return { low, high, open: Math.min(high, Math.max(low, low + (high - low) * b)), close: Math.min(high, Math.max(low, high - (high - low) * b)), volume };
      });
    fc.assert(
      fc.property(fc.array(bar, { minLength: 1, maxLength: 40 }), fc.boolean(), (bars, intraday) => {
        const start = Date.UTC(2000, 0, 1);
        const step = intraday ? 3_600_000 : 86_400_000;
        const series: OhlcvSeries = {
          symbol: 'P',
          time: Float64Array.from(bars, (_, i) => start + i * step + (intraday ? 1234 : 0)),
          open: Float64Array.from(bars, (one) => one.open),
          high: Float64Array.from(bars, (one) => one.high),
          low: Float64Array.from(bars, (one) => one.low),
          close: Float64Array.from(bars, (one) => one.close),
          volume: Float64Array.from(bars, (one) => one.volume),
        };
        // In-memory parse of the written text; loadOhlcv shares the same parser.
        const again = parseOhlcvCsv(formatOhlcvCsv(series), { symbol: 'P' });
        for (const field of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(sameBits(again[field], series[field]), field).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('Parquet', () => {
  const dates = [Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3), Date.UTC(2020, 0, 6)];

  it('loads a file with TIMESTAMP dates and capitalised columns written by hyparquet-writer', async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'Date', data: dates.map((ms) => new Date(ms)), type: 'TIMESTAMP' },
        { name: 'Open', data: [10, 11, 12], type: 'DOUBLE' },
        { name: 'High', data: [11, 12, 13], type: 'DOUBLE' },
        { name: 'Low', data: [9, 10, 11], type: 'DOUBLE' },
        { name: 'Close', data: [10.5, 11.5, 12.5], type: 'DOUBLE' },
        { name: 'Volume', data: [100, 0, 300], type: 'DOUBLE' },
      ],
    });
    const path = join(directory, 'SPYQ.parquet');
    await writeFile(path, new Uint8Array(buffer));
    const report = await validateOhlcvFile(path);
    expect(report.problems).toEqual([]);
    expect(report.dialect.format).toBe('parquet');
    const series = report.series!;
    expect(series.symbol).toBe('SPYQ');
    expect(Array.from(series.time)).toEqual(dates);
    expect(Array.from(series.close)).toEqual([10.5, 11.5, 12.5]);
    expect(report.warnings.find((warning) => warning.kind === 'zero-volume')?.lines).toEqual([2]);
  });

  it('round-trips a synthetic series through Parquet with string dates and reports bad rows by row number', async () => {
    const original = syntheticSeries({ assets: 1, bars: 300, seed: 5 })[0]!;
    const isoDates = Array.from(original.time, (ms) => new Date(ms).toISOString().slice(0, 10));
    const columns = (close: number[]) => [
      { name: 'date', data: isoDates, type: 'STRING' as const },
      { name: 'open', data: Array.from(original.open), type: 'DOUBLE' as const },
      { name: 'high', data: Array.from(original.high), type: 'DOUBLE' as const },
      { name: 'low', data: Array.from(original.low), type: 'DOUBLE' as const },
      { name: 'close', data: close, type: 'DOUBLE' as const },
      { name: 'volume', data: Array.from(original.volume), type: 'DOUBLE' as const },
    ];
    const path = join(directory, 'ETH.parquet');
    await writeFile(path, new Uint8Array(parquetWriteBuffer({ columnData: columns(Array.from(original.close)) })));
    const again = await loadOhlcv(path);
    for (const field of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) expect(sameBits(again[field], original[field]), field).toBe(true);

    const broken = Array.from(original.close);
    broken[4] = -1;
    const badPath = join(directory, 'ETHBAD.parquet');
    await writeFile(badPath, new Uint8Array(parquetWriteBuffer({ columnData: columns(broken) })));
    const report = await validateOhlcvFile(badPath);
    expect(report.problems.map((problem) => [problem.kind, problem.line, problem.field, problem.value])).toEqual(
      expect.arrayContaining([['non-positive-price', 5, 'close', '-1']]),
    );
  });

  it('reads gzip-compressed Parquet through Node zlib', async () => {
    const buffer = parquetWriteBuffer({
      codec: 'GZIP',
      compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) },
      columnData: [
        { name: 'timestamp', data: dates.map((ms) => BigInt(ms)), type: 'INT64' },
        { name: 'o', data: [10, 11, 12], type: 'DOUBLE' },
        { name: 'h', data: [11, 12, 13], type: 'DOUBLE' },
        { name: 'l', data: [9, 10, 11], type: 'DOUBLE' },
        { name: 'c', data: [10.5, 11.5, 12.5], type: 'DOUBLE' },
        { name: 'v', data: [1, 2, 3], type: 'DOUBLE' },
      ],
    });
    const path = join(directory, 'GZ.parquet');
    await writeFile(path, new Uint8Array(buffer));
    const report = await validateOhlcvFile(path);
    expect(report.problems).toEqual([]);
    expect(report.dialect.dateFormat).toBe('unix-milliseconds');
    expect(Array.from(report.series!.time)).toEqual(dates);
    expect(Array.from(report.series!.volume)).toEqual([1, 2, 3]);
  });

  it('reports a file named .parquet that is not Parquet', async () => {
    const path = join(directory, 'fake.parquet');
    await writeFile(path, 'date,open\n');
    const report = await validateOhlcvFile(path);
    expect(report.problems.map((problem) => problem.kind)).toEqual(['unreadable-file']);
    expect(await readFile(path, 'utf8')).toBe('date,open\n');
  });
});
