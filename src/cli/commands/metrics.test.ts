import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { memoryIo } from '../output.js';

let dir: string;
const files: Record<string, string> = {
  'equity.csv': 'date,value\n2020-01-01,100\n2020-01-02,110\n2020-01-03,99\n2020-01-06,108.9\n',
  // simulate's output has extra columns; they are ignored.
  'simulate.csv': 'date,value,cost,turnover\n2020-01-01,100,0,0\n2020-01-02,110,0,0\n2020-01-03,99,0,0\n2020-01-06,108.9,0,0\n',
  'benchmark.csv': 'date,value\n2019-12-31,90\n2020-01-01,100\n2020-01-02,105\n2020-01-03,100.8\n2020-01-06,110.88\n',
  'short-benchmark.csv': 'date,value\n2020-01-01,100\n2020-01-02,105\n2020-01-06,110.88\n',
  'bad-value.csv': 'date,value\n2020-01-01,100\n2020-01-02,abc\n',
  'negative.csv': 'date,value\n2020-01-01,100\n2020-01-02,-5\n',
  'bad-date.csv': 'date,value\n2020-01-01,100\n2020-13-02,101\n',
  'unsorted.csv': 'date,value\n2020-01-02,100\n2020-01-01,101\n',
  'repeated.csv': 'date,value\n2020-01-01,100\n2020-01-01,101\n',
  'no-value.csv': 'date,close\n2020-01-01,100\n2020-01-02,101\n',
  'one-row.csv': 'date,value\n2020-01-01,100\n',
  'ragged.csv': 'date,value\n2020-01-01,100\n2020-01-02\n',
  'empty.csv': '',
  'compact.csv': 'date,value\n20200101,100\n20200102,110\n20200103,99\n20200106,108.9\n',
  'blank-lines.csv': 'Date,Value\r\n2020-01-01,100\r\n\r\n2020-01-02,110\r\n2020-01-03,99\r\n2020-01-06,108.9\r\n\r\n',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-metrics-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  const io = memoryIo();
  const status = await main(['metrics', ...args.map((a) => (a.endsWith('.csv') ? join(dir, a) : a))], io);
  return { status, io };
}

// Values by hand: r = 0.1, −0.1, 0.1 (mean 1/30, sample std 0.11547), see src/backtest/metrics.test.ts.
const std = Math.sqrt(((0.2 / 3) ** 2 * 2 + (0.4 / 3) ** 2) / 2);

describe('grpo-trader metrics', () => {
  it('prints one JSON object whose keys are exactly the metric names (hand-computed values)', async () => {
    const { status, io } = await run(['--equity', 'equity.csv', '--json']);
    expect(io.err).toBe('');
    expect(status).toBe(0);
    const metrics = JSON.parse(io.out) as Record<string, number>;
    expect(Object.keys(metrics)).toEqual(['total_return', 'annual_return', 'volatility', 'sharpe_ratio', 'sortino_ratio', 'max_drawdown', 'calmar_ratio', 'win_rate', 'profit_factor', 'periods']);
    expect(metrics.total_return).toBeCloseTo(0.089, 12);
    expect(metrics.annual_return).toBeCloseTo(1.089 ** (252 / 3) - 1, 6);
    expect(metrics.volatility).toBeCloseTo(std * Math.sqrt(252), 9);
    expect(metrics.sharpe_ratio).toBeCloseTo((0.1 / 3 / std) * Math.sqrt(252), 9);
    expect(metrics.sortino_ratio).toBeCloseTo(((0.1 / 3) * 252) / (Math.sqrt(0.01 / 3) * Math.sqrt(252)), 9);
    expect(metrics.max_drawdown).toBeCloseTo(0.1, 12);
    expect(metrics.win_rate).toBeCloseTo(2 / 3, 12);
    expect(metrics.profit_factor).toBeCloseTo(2, 12);
    expect(metrics.periods).toBe(3);
  });

  it('reads CRLF files with capitalised headers, blank lines between rows and YYYYMMDD dates', async () => {
    const plain = await run(['--equity', 'equity.csv', '--json']);
    const blank = await run(['--equity', 'blank-lines.csv', '--json']);
    expect(blank.status).toBe(0);
    expect(blank.io.out).toBe(plain.io.out);
    const compact = await run(['--equity', 'compact.csv', '--json']);
    expect(compact.io.out).toBe(plain.io.out);
  });

  it('uses --periods-per-year and --risk-free (values from numpy)', async () => {
    const { io } = await run(['--equity', 'simulate.csv', '--periods-per-year', '12', '--risk-free', '0.05', '--json']);
    const metrics = JSON.parse(io.out) as Record<string, number>;
    expect(metrics.sharpe_ratio).toBeCloseTo(0.875, 12);
    expect(metrics.sortino_ratio).toBeCloseTo(1.68, 12);
    expect(metrics.annual_return).toBeCloseTo(1.089 ** 4 - 1, 12);
  });

  it('adds benchmark-relative metrics on the equity dates (values from numpy)', async () => {
    const { status, io } = await run(['--equity', 'equity.csv', '--benchmark', 'benchmark.csv', '--json']);
    expect(status).toBe(0);
    const metrics = JSON.parse(io.out) as Record<string, number>;
    expect(Object.keys(metrics).slice(10)).toEqual(['excess_annual_return', 'beta', 'alpha', 'tracking_error', 'information_ratio']);
    expect(metrics.beta).toBeCloseTo(1.5231788079470199, 12);
    expect(metrics.alpha).toBeCloseTo(-5.674172185430454, 10);
    expect(metrics.tracking_error).toBeCloseTo(0.8742997197757756, 12);
    expect(metrics.information_ratio).toBeCloseTo(-0.9607689228305138, 12);
  });

  it('prints a readable table with the dates covered without --json', async () => {
    const { status, io } = await run(['--equity', 'equity.csv']);
    expect(status).toBe(0);
    expect(io.out).toMatch(/equity\.csv: 2020-01-01 \.\. 2020-01-06/);
    expect(io.out).toMatch(/sharpe_ratio\s+\d/);
  });

  it('writes null for degenerate metrics (no losing period: infinite Sortino, Calmar, profit factor)', async () => {
    await writeFile(join(dir, 'rising.csv'), 'date,value\n2020-01-01,100\n2020-01-02,101\n2020-01-03,103\n');
    const { io } = await run(['--equity', 'rising.csv', '--json']);
    const metrics = JSON.parse(io.out) as Record<string, number | null>;
    expect(metrics.profit_factor).toBeNull();
    expect(metrics.calmar_ratio).toBeNull();
    expect(metrics.max_drawdown).toBe(0);
  });

  it.each([
    ['bad-value.csv', 65, /bad-value\.csv:3: field value = "abc": value is not a number/],
    ['negative.csv', 65, /negative\.csv:3: field value = "-5": value must be positive/],
    ['bad-date.csv', 65, /bad-date\.csv:3: field date = "2020-13-02": not a date/],
    ['unsorted.csv', 65, /unsorted\.csv:3: field date = "2020-01-01": dates must be increasing/],
    ['repeated.csv', 65, /repeated\.csv:3: field date = "2020-01-01": date repeats the previous row/],
    ['no-value.csv', 65, /no-value\.csv:1: field value: header must name the columns "date" and "value"/],
    ['one-row.csv', 65, /one-row\.csv: an equity curve needs at least 2 rows, got 1/],
    ['ragged.csv', 65, /ragged\.csv:3: row has 1 cells, the header has 2/],
    ['empty.csv', 65, /empty\.csv: equity file is empty/],
    ['missing.csv', 66, /missing\.csv: no such equity file/],
  ])('rejects %s with one line naming the problem', async (file, code, message) => {
    const { status, io } = await run(['--equity', file, '--json']);
    expect(status).toBe(code);
    expect(io.err).toMatch(message);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.out).toBe('');
  });

  it('rejects a benchmark missing an equity date, and bad numeric flags', async () => {
    const missing = await run(['--equity', 'equity.csv', '--benchmark', 'short-benchmark.csv']);
    expect(missing.status).toBe(65);
    expect(missing.io.err).toMatch(/short-benchmark\.csv: field date = "2020-01-03": benchmark has no row for the equity date 2020-01-03/);
    const flag = await run(['--equity', 'equity.csv', '--periods-per-year', '0']);
    expect(flag.status).toBe(64);
    expect(flag.io.err).toMatch(/--periods-per-year must be a number > 0, got "0"/);
    const rate = await run(['--equity', 'equity.csv', '--risk-free', 'x']);
    expect(rate.io.err).toMatch(/--risk-free must be a number, got "x"/);
    const none = await run([]);
    expect(none.status).toBe(64);
    expect(none.io.err).toMatch(/required option '--equity <file>'/);
  });
});
