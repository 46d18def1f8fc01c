/**
 * `grpo-trader learn-check` end to end on a tiny budget (two markets, two runs each, two updates of a
 * small MLP): the table names every market with its rule, oracle and verdict; the JSON holds every run;
 * the suite is one `learn_check` run in the store that `runs list` shows and `report ID` renders; the
 * page renders in Chromium; the same seeds give the same table; bad input is one line.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPageInChromium, findChromium } from '../../backtest/report/chromium.js';
import { main } from '../main.js';
import { memoryIo } from '../output.js';

let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-learn-check-'));
  config = join(dir, 'tiny.yaml');
  await writeFile(config, 'seed: 3\nalgorithm:\n  hiddenSizes: [8]\n  grpo: { groupSize: 4, rolloutSteps: 4, epochs: 1 }\ntraining:\n  envs: 2\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const io = memoryIo();
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

/** The part of the text output that must repeat exactly: from the header line to the verdicts. */
function tableBlock(out: string): string {
  return out.slice(out.indexOf('Test Sharpe ratios'), out.indexOf('\nReport:'));
}

describe('grpo-trader learn-check', () => {
  it('runs a tiny suite: table, JSON, store record, report page; the same seeds give the same table', async () => {
    const store = join(dir, 'runs.sqlite');
    const out = join(dir, 'suite');
    const args = ['learn-check', '--config', config, '--markets', 'momentum,null', '--seeds', '2', '--updates', '2', '--out', out, '--store', store];
    const first = await cli(args);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/^Planted SYNTHETIC markets \(not real prices\), 6 assets × 2000 business days; 2 run\(s\) per market, 2 updates each\./);
    // 2000 business days from 2010-01-04, 60/20/20: bar 1199 is 2014-08-08, bar 1599 2016-02-19, bar 1999 2017-09-01.
    expect(first.out).toContain('Splits: train 2010-01-04 .. 2014-08-08 | validation 2014-08-11 .. 2016-02-19 (model and rule selection) | test 2016-02-22 .. 2017-09-01 (400 bars, out of sample)');
    expect(first.out).toMatch(/\nmomentum +ts_momentum_\d+(_long)?( \+1)? +-?\d+\.\d\d +-?\d+\.\d\d +-?\d+\.\d\d +-?\d+\.\d\d .* [0-2]\/2 +(MET|NOT MET)\n/);
    expect(first.out).toMatch(/\nnull +\S+( \+1)? +-?\d+\.\d\d .* – +– +– +[0-2]\/2 +(MET|NOT MET)\n/);
    expect(first.out).toMatch(/\nmomentum: (MET|NOT MET): median agent Sharpe -?\d+\.\d\d vs 0\.8 × best rule \d+\.\d\d = \d+\.\d\d\n/);
    expect(first.out).toMatch(/\nnull: (MET|NOT MET): [0-2] of 2 runs called significant \(false-positive rate \d+ %, 95 % upper bound \d+ %\)\n/);
    expect(first.out).toContain(`Report: ${join(out, 'report.html')}`);
    expect(first.out).toContain(`Run 1 recorded in ${store}`);
    expect(first.err).toMatch(/learn-check: momentum run 1\/2 \(market seed 101, training seed 3\): best rule \S+ \(validation Sharpe/);
    expect(first.err).toMatch(/learn-check: null run 2\/2 \(market seed 506, training seed 4\)/);
    expect(first.err).toMatch(/\[null 2\/2\] update 2\/2 .* val sharpe/);

    // Again, as JSON, into the same directory (the previous models are replaced): the same table.
    const second = await cli([...args, '--json']);
    expect(second.code, second.err).toBe(0);
    const result = JSON.parse(second.out) as {
      markets: { market: string; runs: number; bestRuleSharpe: number; oracleSharpe: number; agentSharpe: { median: number } }[];
      runs: { market: string; seed: number; marketSeed: number; agent: { testSharpe: number; modelDirectory: string }; bestRule: { name: string; testSharpe: number }; oracle: { testSharpe: number }; versusEqualWeight: { pairedT: { pValue: number }; deflatedSharpe: number; significant: boolean } }[];
      run_id: number;
      report: string;
    };
    expect(result.markets.map((m) => [m.market, m.runs])).toEqual([['momentum', 2], ['null', 2]]);
    expect(result.runs.map((r) => [r.market, r.seed, r.marketSeed])).toEqual([['momentum', 3, 101], ['momentum', 4, 102], ['null', 3, 505], ['null', 4, 506]]);
    for (const run of result.runs) {
      expect(run.agent.modelDirectory).toBe(join(out, 'models', run.market, `seed-${run.seed}`));
      expect(run.versusEqualWeight.pairedT.pValue).toBeGreaterThanOrEqual(0);
      expect(run.versusEqualWeight.deflatedSharpe).toBeGreaterThanOrEqual(0);
      expect(run.versusEqualWeight.deflatedSharpe).toBeLessThanOrEqual(1);
    }
    // The oracle knows the momentum market's trends: it beats the best simple rule there.
    expect(result.markets[0]!.oracleSharpe).toBeGreaterThan(result.markets[0]!.bestRuleSharpe);
    expect(result.run_id).toBe(2);
    const third = await cli(args);
    expect(third.code, third.err).toBe(0);
    expect(tableBlock(third.out)).toBe(tableBlock(first.out));
    expect(tableBlock(first.out).length).toBeGreaterThan(500);

    // One learn_check run per suite in the store; runs show lists its metrics by market.
    const listed = await cli(['runs', 'list', '--store', store, '--kind', 'learn_check', '--json']);
    const runs = JSON.parse(listed.out) as { id: number; kind: string; split: string; first_date: string; bars: number; seed: number }[];
    expect(runs.map((r) => [r.id, r.kind, r.split, r.first_date, r.bars, r.seed])).toEqual([3, 2, 1].map((id) => [id, 'learn_check', 'test (out-of-sample)', '2016-02-22', 400, 3]));
    const shown = await cli(['runs', 'show', '2', '--store', store, '--json']);
    const run = JSON.parse(shown.out) as { metrics: Record<string, Record<string, number>>; artifacts: { report: string }; data: { synthetic: boolean } };
    expect(run.data.synthetic).toBe(true);
    expect(run.metrics['momentum']!['agent_median_sharpe']).toBeCloseTo(result.markets[0]!.agentSharpe.median, 12);
    expect(run.metrics['null']!['oracle_sharpe']).toBeCloseTo(result.markets[1]!.oracleSharpe, 12);
    expect(run.artifacts.report).toBe(result.report);
    expect((await stat(result.report)).size).toBeGreaterThan(100_000);
    // The whole result is also a file beside the page.
    expect(JSON.parse(await readFile(join(out, 'learn-check.json'), 'utf8'))).toMatchObject({ markets: [{ market: 'momentum' }, { market: 'null' }] });

    // report ID renders the suite's own page from the store.
    const reportDirectory = join(dir, 'report');
    const reported = await cli(['report', '2', '--store', store, '--output', reportDirectory]);
    expect(reported.code, reported.err).toBe(0);
    expect(reported.out.trim()).toBe(join(reportDirectory, 'report.html'));
    if (findChromium()) {
      for (const page of [result.report, join(reportDirectory, 'report.html')]) {
        const check = await checkPageInChromium(page);
        expect(check, page).toMatchObject({ ok: true, renderStatus: 'ok', canvases: 2 });
        expect(check.bodyAttributes).toMatchObject({ 'data-markets': '2', 'data-runs': '4' });
      }
    }
  }, 600_000);

  it('--fixed-market keeps one market per name and varies only the training seed', async () => {
    const result = await cli(['learn-check', '--config', config, '--markets', 'null', '--seeds', '2', '--updates', '1', '--fixed-market', '--out', join(dir, 'fixed'), '--store', join(dir, 'fixed.sqlite'), '--json']);
    expect(result.code, result.err).toBe(0);
    const parsed = JSON.parse(result.out) as { options: { fixedMarket: boolean }; runs: { seed: number; marketSeed: number; equalWeight: { testSharpe: number } }[] };
    expect(parsed.options.fixedMarket).toBe(true);
    expect(parsed.runs.map((r) => [r.seed, r.marketSeed])).toEqual([[3, 505], [4, 505]]);
    // One market: equal weight's test Sharpe is the same in both runs.
    expect(parsed.runs[1]!.equalWeight.testSharpe).toBe(parsed.runs[0]!.equalWeight.testSharpe);
  }, 120_000);

  it('--first-run continues the runs: run k is market seed default + k and training seed config.seed + k', async () => {
    const result = await cli(['learn-check', '--config', config, '--markets', 'null', '--seeds', '2', '--first-run', '3', '--updates', '1', '--out', join(dir, 'later'), '--store', join(dir, 'later.sqlite'), '--json']);
    expect(result.code, result.err).toBe(0);
    const parsed = JSON.parse(result.out) as { options: { firstRun: number }; runs: { run: number; seed: number; marketSeed: number }[] };
    expect(parsed.options.firstRun).toBe(3);
    expect(parsed.runs.map((r) => [r.run, r.seed, r.marketSeed])).toEqual([[3, 6, 508], [4, 7, 509]]);
  }, 120_000);

  it('rejects bad input in one line', async () => {
    const store = join(dir, 'bad.sqlite');
    await mkdir(join(dir, 'mine'), { recursive: true });
    await writeFile(join(dir, 'mine', 'notes.txt'), 'mine\n');
    const cases: [string[], number, RegExp][] = [
      [['--markets', 'momentum,trend'], 64, /^grpo-trader: --markets: unknown market "trend"; known: momentum, mean_reversion, lead_lag, volatility_regimes, null\n$/],
      [['--seeds', '0'], 64, /^grpo-trader: --seeds must be an integer >= 1 and <= 10000, got "0"\n$/],
      [['--first-run', '-1'], 64, /^grpo-trader: --first-run must be an integer >= 0 and <= 1000000, got "-1"\n$/],
      [['--first-run', '1e20'], 64, /^grpo-trader: --first-run must be an integer >= 0 and <= 1000000, got "1e20"\n$/],
      [['--seeds', '99999999'], 64, /^grpo-trader: --seeds must be an integer >= 1 and <= 10000, got "99999999"\n$/],
      [['--updates', 'many'], 64, /^grpo-trader: --updates must be an integer >= 1 and <= 1000000, got "many"\n$/],
      [['--config', join(dir, 'missing.yaml')], 66, /missing\.yaml.*\n$/],
      [['--out', join(dir, 'mine')], 64, /^grpo-trader: --out .*mine is not empty and does not hold a previous learn-check's output \(none of learn-check\.json, models\/momentum, .*\); it is not emptied: give another directory\n$/],
    ];
    for (const [flags, code, message] of cases) {
      const result = await cli(['learn-check', '--store', store, '--out', join(dir, 'bad'), ...flags]);
      expect(result.code, flags.join(' ')).toBe(code);
      expect(result.err.split('\n').filter((line) => !line.startsWith('learn-check:'))).toHaveLength(2);
      expect(result.err.split('\n').filter((line) => line.startsWith('grpo-trader:')).join('\n') + '\n').toMatch(message);
    }
  });
});
