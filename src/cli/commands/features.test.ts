import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { memoryIo } from '../output.js';
import { RAW_FEATURE_NAMES, NORMALIZED_FEATURE_NAMES } from '../../features/index.js';
import { expectClose, fixtureDirectory, readFixtureCsv } from '../../../test/fixtures/features/support.js';
import { writeSyntheticCsvs } from '../../../test/synthetic-files.js';

let directory: string;
beforeEach(async () => { directory = await mkdtemp(join(tmpdir(), 'grpo-features-')); });
afterEach(async () => { await rm(directory, { recursive: true, force: true }); });

/** The fixture's OHLCV columns as a plain input file. */
async function writeFixtureInput(): Promise<string> {
  const lines = readFileSync(join(fixtureDirectory, 'indicators.csv'), 'utf8').trim().split('\n');
  const path = join(directory, 'SYN.csv');
  await writeFile(path, `${lines.map((line) => line.split(',').slice(0, 6).join(',')).join('\n')}\n`);
  return path;
}

function parseOutput(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trim().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((line) => line.split(',')) };
}

describe('grpo-trader features', () => {
  it('writes date, the 21 raw columns equal to pandas, then the 12 *_norm columns, empty cells in warm-up', async () => {
    const input = await writeFixtureInput();
    const output = join(directory, 'out', 'features.csv');
    const io = memoryIo();
    expect(await main(['features', '--input', input, '--output', output], io)).toBe(0);
    const { header, rows } = parseOutput(await readFile(output, 'utf8'));
    expect(header).toEqual(['date', ...RAW_FEATURE_NAMES, ...NORMALIZED_FEATURE_NAMES]);
    const expected = readFixtureCsv('indicators.csv');
    expect(rows.map((row) => row[0])).toEqual(expected.dates);
    for (const name of RAW_FEATURE_NAMES) {
      const c = header.indexOf(name);
      // pandas' infinities (none here) and NaN both become empty cells.
      const written = Float64Array.from(rows, (row) => (row[c] === '' ? Number.NaN : Number(row[c])));
      const pandas = expected.columns.get(name)!.map((v) => (Number.isFinite(v) ? v : Number.NaN));
      expectClose(written, pandas, name);
    }
    expect(rows[0]![header.indexOf('SMA20')]).toBe('');
    expect(rows[19]![header.indexOf('SMA20')]).not.toBe('');
    expect(io.out).toContain('400 rows, 33 feature columns (normalisation: rolling)');
  });

  it('--json summarises rows, columns, warm-up per column and the output path', async () => {
    const input = await writeFixtureInput();
    const output = join(directory, 'features.csv');
    const io = memoryIo();
    expect(await main(['features', '--input', input, '--output', output, '--normalize', 'expanding', '--min-periods', '30', '--json'], io)).toBe(0);
    const summary = JSON.parse(io.out);
    expect(summary).toMatchObject({ output, rows: 400, normalization: { method: 'expanding', minPeriods: 30 } });
    expect(summary.columns).toHaveLength(34);
    expect(summary.warmUp).toMatchObject({ SMA20: 19, SMA200: 199, EMA20: 0, RSI: 13, '%D': 15, VPT_MA: 14, OBV: 1, ForceIndex13: 1 });
    expect(summary.warmUp.RSI_norm).toBe(13 + 29);
  });

  it('--normalize none writes only the raw columns; --window changes the rolling window', async () => {
    const input = await writeFixtureInput();
    const none = join(directory, 'none.csv');
    expect(await main(['features', '--input', input, '--output', none, '--normalize', 'none'], memoryIo())).toBe(0);
    expect(parseOutput(await readFile(none, 'utf8')).header).toHaveLength(22);
    const rolling = join(directory, 'rolling.csv');
    expect(await main(['features', '--input', input, '--output', rolling, '--window', '60', '--min-periods', '20'], memoryIo())).toBe(0);
    const { header, rows } = parseOutput(await readFile(rolling, 'utf8'));
    const c = header.indexOf('RSI_norm');
    const expected = readFixtureCsv('normalized.csv').columns.get('RSI_rolling60')!;
    expectClose(Float64Array.from(rows, (row) => (row[c] === '' ? Number.NaN : Number(row[c]))), expected, 'RSI_norm');
  });

  it('handles a long file (years of seeded synthetic bars): one output row per input row', async () => {
    const output = join(directory, 'long.csv');
    const { paths } = await writeSyntheticCsvs(join(directory, 'input'), { assets: 1, bars: 3200, seed: 41, start: '2005-02-25' });
    const input = paths.SYN01!;
    expect(await main(['features', '--input', input, '--output', output], memoryIo())).toBe(0);
    const inputRows = readFileSync(input, 'utf8').trim().split('\n').length - 1;
    expect(inputRows).toBe(3200);
    const { rows } = parseOutput(await readFile(output, 'utf8'));
    expect(rows).toHaveLength(inputRows);
    expect(rows[0]![0]).toBe('2005-02-25');
  });

  it('rejects a bad --normalize, --window and a missing input with one line and a non-zero status', async () => {
    const input = await writeFixtureInput();
    const output = join(directory, 'x.csv');
    let io = memoryIo();
    expect(await main(['features', '--input', input, '--output', output, '--normalize', 'global'], io)).toBe(64);
    expect(io.err).toBe('grpo-trader: --normalize must be rolling, expanding or none, got "global"\n');
    io = memoryIo();
    expect(await main(['features', '--input', input, '--output', output, '--window', '1'], io)).toBe(64);
    expect(io.err).toContain('--window must be an integer >= 2');
    io = memoryIo();
    expect(await main(['features', '--input', join(directory, 'missing.csv'), '--output', output], io)).toBe(66);
    expect(io.err.trim().split('\n')).toHaveLength(1);
  });

  it('refuses to write over its --input (also through a hard link) and over an existing file unless --overwrite', async () => {
    const { link } = await import('node:fs/promises');
    const input = await writeFixtureInput();
    const before = await readFile(input, 'utf8');
    await link(input, join(directory, 'same.csv'));
    for (const output of [input, join(directory, 'same.csv')]) {
      for (const overwrite of [[], ['--overwrite']]) {
        const io = memoryIo();
        expect(await main(['features', '--input', input, '--output', output, ...overwrite], io)).toBe(64);
        expect(io.err).toBe(`grpo-trader: --output ${output} is the input given by --input ${input}; write the output elsewhere\n`);
      }
    }
    expect(await readFile(input, 'utf8')).toBe(before);
    const output = join(directory, 'features.csv');
    expect(await main(['features', '--input', input, '--output', output], memoryIo())).toBe(0);
    const io = memoryIo();
    expect(await main(['features', '--input', input, '--output', output], io)).toBe(64);
    expect(io.err).toBe(`grpo-trader: --output ${output} already exists; give another file, or --overwrite to replace it\n`);
    expect(await main(['features', '--input', input, '--output', output, '--overwrite'], memoryIo())).toBe(0);
  });
});

