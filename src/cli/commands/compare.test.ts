import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMarket } from '../../data/load-market.js';
import { main } from '../main.js';
import { memoryIo } from '../output.js';
import { writeSyntheticCsvs } from '../../../test/synthetic-files.js';

// Four seeded synthetic assets on every business day (no holidays) from Monday 2005-01-03 to
// Friday 2017-11-10: 3355 weekdays.
const SYMBOLS = ['SYN01', 'SYN02', 'SYN03', 'SYN04'];
let dataDirectory: string;
beforeAll(async () => {
  dataDirectory = await mkdtemp(join(tmpdir(), 'grpo-compare-data-'));
  await writeSyntheticCsvs(dataDirectory, { assets: 4, bars: 3355, seed: 7, start: '2005-01-03' });
});
afterAll(async () => {
  await rm(dataDirectory, { recursive: true, force: true });
});

async function run(args: string[]) {
  const io = memoryIo();
  const status = await main(['compare', '--data', dataDirectory, '--symbols', SYMBOLS.join(','), ...args], io);
  return { status, io };
}

describe('grpo-trader compare', () => {
  it('compares the baselines over the requested dates, with history before --from', async () => {
    const { status, io } = await run(['--from', '2013-01-01', '--to', '2014-12-31', '--strategies', 'buy_and_hold,equal_weight_monthly,sma_cross,momentum_12_1,min_variance,random', '--json']);
    expect(status).toBe(0);
    const report = JSON.parse(io.out);
    const { market } = await loadMarket([dataDirectory], { symbols: SYMBOLS, from: '2013-01-01', to: '2014-12-31' });
    // 2013-01-01 is a Tuesday, and the synthetic calendar has no holidays.
    expect(report.period).toEqual({ first: '2013-01-01', last: '2014-12-31', bars: market.time.length, split: 'evaluation' });
    expect(report.history_bars).toBeGreaterThan(2000);
    expect(report.strategies.map((s: { name: string }) => s.name)).toEqual(['buy_and_hold', 'equal_weight_monthly', 'sma_cross', 'momentum_12_1', 'min_variance', 'random']);
    expect(report.tests).toHaveLength(5);
    expect(report.tests[0]).toMatchObject({ strategy: 'equal_weight_monthly', baseline: 'buy_and_hold', periods: market.time.length - 1, first: '2013-01-01', last: '2014-12-31' });
    expect(Object.keys(report.tests[0])).toEqual(expect.arrayContaining(['paired_t', 'wilcoxon', 'cohens_d', 'sharpe_difference', 'is_significant']));
    expect(report.deflated_sharpe[0]).toMatchObject({ strategy: 'buy_and_hold', trials: 6 });
    // Independent check: equal-weight buy-and-hold returns the mean of the price relatives (entry cost
    // is paid before the first value of the curve).
    const n = 4;
    const last = market.time.length - 1;
    let relative = 0;
    for (let a = 0; a < n; a++) relative += market.close[last * n + a]! / market.close[a]! / n;
    expect(report.strategies[0].metrics.total_return).toBeCloseTo(relative - 1, 12);
    // Momentum and min-variance have a year of history before --from, so they trade from the first day.
    expect(report.strategies[3].trades.trades).toBeGreaterThan(0);
    expect(report.strategies[4].trades.total_turnover).toBeGreaterThan(0.99);
  });

  it('prints a metrics table and the paired tests without --json', async () => {
    const { status, io } = await run(['--from', '2014-01-01', '--strategies', 'equal_weight_daily,buy_and_hold', '--baseline', 'buy_and_hold']);
    expect(status).toBe(0);
    expect(io.out).toMatch(/2014-01-01 \.\. 2017-11-10/);
    expect(io.out).toMatch(/equal_weight_daily\s+-?\d/);
    expect(io.out).toMatch(/Paired tests against buy_and_hold/);
  });

  it('is deterministic: the same seed gives the same JSON (but for the id of the recorded run)', async () => {
    const a = await run(['--from', '2016-01-01', '--strategies', 'random,buy_and_hold', '--seed', '9', '--json']);
    const b = await run(['--from', '2016-01-01', '--strategies', 'random,buy_and_hold', '--seed', '9', '--json']);
    const { run_id: first, ...restA } = JSON.parse(a.io.out) as { run_id: number };
    const { run_id: second, ...restB } = JSON.parse(b.io.out) as { run_id: number };
    expect(second).toBe(first + 1);
    expect(JSON.stringify(restA)).toBe(JSON.stringify(restB));
  });

  it('evaluates walk-forward: windows listed with their dates, min_variance refitted, split out-of-sample', async () => {
    const { status, io } = await run(['--from', '2012-01-01', '--strategies', 'buy_and_hold,min_variance', '--train-bars', '252', '--test-bars', '126', '--json']);
    expect(status).toBe(0);
    const report = JSON.parse(io.out);
    expect(report.period.split).toBe('walk-forward out-of-sample');
    expect(report.period.first).toBe('2012-01-02'); // 2012-01-01 is a Sunday
    expect(report.walk_forward).toMatchObject({ trainBars: 252, testBars: 126, refitted: ['min_variance'] });
    expect(report.walk_forward.windows[0]).toMatchObject({ index: 0, test_first: '2012-01-02' });
    expect(report.walk_forward.windows[0].train_last < report.walk_forward.windows[0].test_first).toBe(true);
    expect(report.period.bars).toBe(report.walk_forward.windows.length * 126);
    const bad = await run(['--strategies', 'random', '--train-bars', '252']);
    expect(bad.status).toBe(64);
    expect(bad.io.err).toMatch(/walk-forward needs both --train-bars and --test-bars/);
  });

  it('writes each curve as CSV, and grpo-trader metrics on it reproduces the comparison\'s metrics', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'grpo-compare-'));
    try {
      const { status, io } = await run(['--from', '2015-06-01', '--strategies', 'sma_cross,min_variance', '--equity-dir', dir, '--json']);
      expect(status).toBe(0);
      const report = JSON.parse(io.out);
      expect(report.equity_files).toEqual({ sma_cross: join(dir, 'sma_cross.csv'), min_variance: join(dir, 'min_variance.csv') });
      for (const strategy of report.strategies) {
        const metricsIo = memoryIo();
        expect(await main(['metrics', '--equity', report.equity_files[strategy.name], '--json'], metricsIo)).toBe(0);
        expect(JSON.parse(metricsIo.out)).toEqual(strategy.metrics);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says clearly when the --model directory does not exist (exit 66); backtest.test.ts covers a real model', async () => {
    const { status, io } = await run(['--strategies', 'buy_and_hold', '--model', 'runs/no-such-agent']);
    expect(status).toBe(66);
    expect(io.err).toMatch(/^grpo-trader: runs\/no-such-agent: no such model directory/);
  });

  it.each([
    [['--strategies', 'buy_and_hold,magic'], /unknown strategy "magic"; known: buy_and_hold,/],
    [['--strategies', 'random,random'], /--strategies names random twice/],
    [['--strategies', 'random', '--baseline', 'sma_cross'], /--baseline sma_cross is not one of --strategies/],
    [['--strategies', 'random', '--from', '2030-01-01'], /fewer than 2 bars between 2030-01-01 and the end/],
    [['--strategies', 'random', '--trading-cost', '-1'], /--trading-cost must be a number >= 0, got "-1"/],
    [['--strategies', 'random', '--from', 'yesterday'], /option '--from <date>' argument 'yesterday' is invalid\. not a calendar date/],
  ])('rejects bad input %j with one line', async (args, message) => {
    const { status, io } = await run(args as string[]);
    expect(status).toBe(64);
    expect(io.err).toMatch(message);
    expect(io.err.trim().split('\n').filter((l) => l.startsWith('grpo-trader:'))).toHaveLength(1);
  });
});
