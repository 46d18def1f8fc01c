/**
 * `grpo-trader demo` smoke test with a tiny budget: a small synthetic market, two GRPO updates; the
 * output labels the data as synthetic, names the train/validation/test dates and says the numbers are
 * out-of-sample; the report file and the stored run exist; the agent is tested against every baseline.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRATEGY_NAMES } from '../../backtest/strategies/index.js';
import { seriesFromMarket, syntheticRegimeMarket } from '../../data/index.js';
import { writeOhlcvCsv } from '../../data/write-ohlcv.js';
import { main } from '../main.js';
import { memoryIo } from '../output.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-demo-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('grpo-trader demo', () => {
  it('trains briefly, backtests out of sample against the baselines and writes the report', async () => {
    const out = join(dir, 'demo');
    const io = memoryIo();
    const store = join(dir, 'runs.sqlite');
    const code = await main(['demo', '--updates', '2', '--bars', '500', '--assets', '3', '--out', out, '--store', store], io);
    expect(code, io.err).toBe(0);
    expect(io.out).toMatch(/^Data: SYNTHETIC data — NOT real prices/);
    // 500 business days from Monday 2010-01-04, 60/20/20: bar 299 is the Friday of week 60 (2011-02-25),
    // bar 399 twenty weeks later (2011-07-15), bar 499 the Friday twenty weeks after that (2011-12-02).
    expect(io.out).toContain('Splits: train 2010-01-04 .. 2011-02-25 | validation 2011-02-28 .. 2011-07-15 (model selection) | test 2011-07-18 .. 2011-12-02');
    expect(io.out).toContain('OUT-OF-SAMPLE test 2011-07-18 .. 2011-12-02 (100 bars; never used for training or model selection)');
    for (const name of ['grpo_agent', ...STRATEGY_NAMES]) expect(io.out).toMatch(new RegExp(`\\n${name} +-?\\d`));
    expect(io.err).toMatch(/update 2\/2/);
    const reportPath = join(out, 'report', 'report.html');
    expect(io.out).toContain(`Report: ${reportPath}`);
    expect((await stat(reportPath)).size).toBeGreaterThan(10_000);
    expect(io.out).toContain(`Run 2 (training: run 1) recorded in ${store}`);

    // Again into the same directory, as JSON: the previous demo's model is replaced.
    const json = memoryIo();
    expect(await main(['demo', '--updates', '2', '--bars', '500', '--assets', '3', '--out', out, '--json', '--store', store], json)).toBe(0);
    const result = JSON.parse(json.out) as { data: { synthetic: boolean }; out_of_sample: { first: string; bars: number }; tests: { strategy: string; baseline: string }[]; run_id: number; train_run_id: number };
    expect(result.data.synthetic).toBe(true);
    expect(result.out_of_sample).toMatchObject({ first: '2011-07-18', bars: 100 });
    expect(result.tests.map((t) => t.baseline)).toEqual([...STRATEGY_NAMES]);
    expect(result.tests.every((t) => t.strategy === 'grpo_agent')).toBe(true);
    expect([result.train_run_id, result.run_id]).toEqual([3, 4]);

    // Every run is in the store: two demos and their two trainings, with seed, data fingerprint and paths.
    const listed = memoryIo();
    expect(await main(['runs', 'list', '--store', store, '--json'], listed)).toBe(0);
    const runs = JSON.parse(listed.out) as { id: number; kind: string; status: string; seed: number; data_fingerprint: string }[];
    expect(runs.map((r) => [r.id, r.kind, r.status, r.seed])).toEqual([
      [4, 'demo', 'finished', 0],
      [3, 'train', 'finished', 0],
      [2, 'demo', 'finished', 0],
      [1, 'train', 'finished', 0],
    ]);
    expect(new Set(runs.map((r) => r.data_fingerprint)).size).toBe(1);
    expect(runs[0]!.data_fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    const shown = memoryIo();
    expect(await main(['runs', 'show', '4', '--store', store, '--json'], shown)).toBe(0);
    const demoRun = JSON.parse(shown.out) as { artifacts: { model_directory: string; report: string; train_run: number } };
    expect(demoRun.artifacts).toMatchObject({ model_directory: join(out, 'model'), report: reportPath, train_run: 3 });
    const training = memoryIo();
    expect(await main(['runs', 'show', '3', '--store', store, '--json'], training)).toBe(0);
    const trainRun = JSON.parse(training.out) as { checkpoints: { step: number; path: string }[]; split: string };
    expect(trainRun.split).toBe('train');
    // The one update checkpoint (checkpointInterval = updates = 2) and best/ are indexed.
    expect(trainRun.checkpoints.map((c) => c.path).sort()).toEqual([join(out, 'model', 'best'), join(out, 'model', 'checkpoints', 'update-000002')].sort());
    // Same seed, same data: the second run reproduces the first run's agent row exactly.
    const agent = (result as unknown as { strategies: { name: string; metrics: { total_return: number; sharpe_ratio: number } }[] }).strategies[0]!;
    expect(agent.name).toBe('grpo_agent');
    expect(io.out).toMatch(new RegExp(`\\ngrpo_agent +${agent.metrics.total_return.toFixed(4)} +-?[\\d.]+ +${agent.metrics.sharpe_ratio.toFixed(3)} `));
  }, 40_000);

  it('runs on files given with --data, with date splits, and says the data is real', async () => {
    const data = join(dir, 'files');
    const { market } = syntheticRegimeMarket({ assets: 2, bars: 500, seed: 5 });
    for (const symbol of market.symbols) await writeOhlcvCsv(join(data, `${symbol}.csv`), seriesFromMarket(market, symbol));
    const io = memoryIo();
    const code = await main(['demo', '--data', data, '--from', '2010-03-01', '--train-end', '2011-01-31', '--validation-end', '2011-06-30', '--updates', '2', '--out', join(dir, 'real')], io);
    expect(code, io.err).toBe(0);
    expect(io.out).toMatch(/^Data: real data: \S+files \(2 assets: SYN01,SYN02\)\n/);
    // 2010-03-01 is a Monday; the splits end on the last bar on or before each date, the test runs to the data's end (bar 499, 2011-12-02).
    expect(io.out).toContain('Splits: train 2010-03-01 .. 2011-01-31 | validation 2011-02-01 .. 2011-06-30 (model selection) | test 2011-07-01 .. 2011-12-02');
    expect(io.out).toContain('OUT-OF-SAMPLE test 2011-07-01 .. 2011-12-02');
  }, 30_000);

  it("by default trains the DeepSeek-R1 network on a market with an edge by construction and beats equal weight out of sample (paired t and Wilcoxon p < 0.05)", async () => {
    const io = memoryIo();
    expect(await main(['demo', '--out', join(dir, 'default'), '--store', join(dir, 'default.sqlite'), '--json'], io), io.err).toBe(0);
    const result = JSON.parse(io.out) as {
      label: string;
      training: { policy: string; updates: number };
      strategies: { name: string; metrics: { sharpe_ratio: number } }[];
      tests: { baseline: string; mean_difference: number; paired_t: { p_value: number }; wilcoxon: { p_value: number } }[];
    };
    expect(result.label).toMatch(/SYNTHETIC .*an edge by construction/);
    expect(result.training).toMatchObject({ policy: 'deepseek', updates: 60 });
    const versus = result.tests.find((t) => t.baseline === 'equal_weight_daily')!;
    expect(versus.mean_difference).toBeGreaterThan(0);
    expect(versus.paired_t.p_value).toBeLessThan(0.05);
    expect(versus.wilcoxon.p_value).toBeLessThan(0.05);
    const sharpe = (name: string) => result.strategies.find((s) => s.name === name)!.metrics.sharpe_ratio;
    expect(sharpe('grpo_agent')).toBeGreaterThan(sharpe('equal_weight_daily'));
  }, 120_000);

  it('refuses real-data flags without --data and splits that leave no test bars', async () => {
    const io = memoryIo();
    expect(await main(['demo', '--symbols', 'AAPL', '--out', join(dir, 'x')], io)).toBe(64);
    expect(io.err).toMatch(/^grpo-trader: --symbols, --from and --to select real data; they need --data\n$/);
    const late = memoryIo();
    expect(await main(['demo', '--bars', '500', '--train-end', '2011-06-30', '--validation-end', '2011-12-01', '--out', join(dir, 'y')], late)).toBe(64);
    expect(late.err).toMatch(/the test split holds \d+ bars/);
  });

  it('empties only a previous demo\'s folder: another non-empty --out, or one holding --data, is refused and left as it was', async () => {
    const { mkdir, readdir, writeFile } = await import('node:fs/promises');
    const foreign = join(dir, 'foreign');
    await mkdir(foreign, { recursive: true });
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    const io = memoryIo();
    expect(await main(['demo', '--out', foreign, '--updates', '1', '--bars', '400', '--assets', '2', '--policy', 'mlp'], io)).toBe(64);
    expect(io.err).toMatch(/^grpo-trader: --out \S+foreign is not empty and does not hold a previous demo's output \(none of model\/metrics\.jsonl, report\/report\.html\); it is not emptied: give another directory\n$/);
    expect(await readdir(foreign)).toEqual(['notes.txt']);
    // A previous demo's folder whose data is given back as --data: emptying it would delete the input.
    const previous = join(dir, 'previous');
    await mkdir(join(previous, 'model'), { recursive: true });
    await writeFile(join(previous, 'model', 'metrics.jsonl'), '');
    const market = syntheticRegimeMarket({ assets: 2, bars: 300, seed: 5 }).market;
    for (const symbol of market.symbols) await writeOhlcvCsv(join(previous, 'data', `${symbol}.csv`), seriesFromMarket(market, symbol));
    const inside = memoryIo();
    expect(await main(['demo', '--out', previous, '--data', join(previous, 'data'), '--updates', '1', '--policy', 'mlp'], inside)).toBe(64);
    expect(inside.err).toMatch(/holds the input given by --data \S+; it cannot be emptied/);
    expect((await readdir(join(previous, 'data'))).sort()).toEqual(['SYN01.csv', 'SYN02.csv']);
  });

  it('refuses a --validation-end before --train-end, naming both flags and dates', async () => {
    const io = memoryIo();
    expect(await main(['demo', '--bars', '500', '--train-end', '2011-06-30', '--validation-end', '2011-01-31', '--out', join(dir, 'z')], io)).toBe(64);
    expect(io.err).toBe('grpo-trader: --validation-end 2011-01-31 is before --train-end 2011-06-30: the validation split would overlap the train split (validation must follow train, test follows validation)\n');
  });
});

