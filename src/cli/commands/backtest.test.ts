/**
 * `grpo-trader backtest --model` and `compare --model` on a tiny GRPO model trained in the test on a
 * synthetic market written as CSV: the backtest equals the same deterministic policy run by hand
 * (environment built from the config's fields, actions from the agent, weights replayed through
 * `runBacktest`); the agent joins the comparison with paired tests; user mistakes are one line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics } from '../../backtest/metrics.js';
import { policyFromTargets, runBacktest } from '../../backtest/run-backtest.js';
import { loadTrainedModel, readTrainedModel } from '../../agents/load-trained-model.js';
import { dateRangeIndices, loadMarket, seriesFromMarket, syntheticRegimeMarket } from '../../data/index.js';
import { writeOhlcvCsv } from '../../data/write-ohlcv.js';
import { buildFeatureTensor, MultiAssetEnv } from '../../env/index.js';
import { main } from '../main.js';
import { memoryIo } from '../output.js';

let dir: string;
let dataDir: string;
let modelDir: string;
const SYMBOLS = ['SYN01', 'SYN02', 'SYN03'];
const FROM = '2011-09-01';
const TO = '2011-12-30';

const CONFIG = {
  seed: 3,
  data: { paths: ['data'], features: 'normalized' },
  splits: { train: { from: '2010-01-01', to: '2011-03-31' }, validation: { from: '2011-04-01', to: '2011-08-31' }, test: null },
  environment: { lookback: 3, episodeLength: 20, returnHistory: 3, tradingCost: 0.001, slippage: 0.0002 },
  algorithm: { hiddenSizes: [8], initialMean: 'equal', initialStd: 0.2, learningRate: 0.01, grpo: { groupSize: 4, rolloutSteps: 4 } },
  training: { updates: 4, envs: 2, evalInterval: 2, checkpointInterval: 2, patience: 0 },
};

async function run(args: string[]) {
  const io = memoryIo();
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-backtest-model-'));
  dataDir = join(dir, 'data');
  modelDir = join(dir, 'model');
  const { market } = syntheticRegimeMarket({ assets: 3, bars: 560, seed: 11 });
  for (const symbol of market.symbols) await writeOhlcvCsv(join(dataDir, `${symbol}.csv`), seriesFromMarket(market, symbol));
  await writeFile(join(dir, 'config.json'), JSON.stringify(CONFIG));
  const trained = await run(['train', '--config', join(dir, 'config.json'), '--out', modelDir]);
  expect(trained.code, trained.err).toBe(0);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('grpo-trader backtest --model', () => {
  it('equals the deterministic policy run by hand through the environment and runBacktest', async () => {
    const { code, out, err } = await run(['backtest', '--model', modelDir, '--data', dataDir, '--from', FROM, '--to', TO, '--json']);
    expect(code, err).toBe(0);
    const report = JSON.parse(out) as { period: { first: string; last: string; bars: number }; metrics: Record<string, number>; final_value: number; model: { which: string; update: number }; data: { symbols: string[] } };
    expect(report.model.which).toBe('best');
    expect((report as unknown as { out_of_sample: boolean }).out_of_sample).toBe(true);
    expect(report.data.symbols).toEqual(SYMBOLS);

    // By hand: the environment from the config's fields, the best checkpoint's deterministic actions.
    const { market } = await loadMarket([dataDir]);
    const features = buildFeatureTensor(market, { features: 'normalized' });
    const { start, end } = dateRangeIndices(market.time, FROM, TO);
    const env = new MultiAssetEnv(market, features, { lookback: 3, returnHistory: 3, includeCorrelation: false, tradingCost: 0.001, slippage: 0.0002, firstBar: start, lastBar: end - 1 });
    const info = await readTrainedModel(modelDir);
    expect(info.checkpoint).toBe(join(modelDir, 'best'));
    const model = await loadTrainedModel(info, market, features);
    const table = new Float64Array(market.time.length * 3).fill(Number.NaN);
    let { observation, info: stepInfo } = env.reset({ options: { start } });
    const input = new Float32Array(model.agent.observationSize);
    for (;;) {
      input.set(observation);
      const action = await model.agent.act(input, 1);
      const bar = stepInfo.barIndex; // read before stepping: the environment reuses its info object
      const step = env.step(action);
      table.set(step.info.weightsAfter, bar * 3);
      observation = step.observation;
      stepInfo = step.info;
      if (step.terminated || step.truncated) break;
    }
    model.dispose();
    const byHand = runBacktest(market, policyFromTargets('agent', table, 3), { firstBar: start, endBar: end, tradingCost: 0.001, slippage: 0.0002 });
    expect(report.period.bars).toBe(byHand.time.length);
    expect(report.period.first).toBe(byHand.period.first);
    expect(report.period.last).toBe(byHand.period.last);
    expect(report.final_value).toBeCloseTo(byHand.value[byHand.value.length - 1]!, 6);
    const metrics = computeMetrics(byHand.value);
    expect(report.metrics['sharpe_ratio']).toBeCloseTo(metrics.sharpe_ratio, 9);
    expect(report.metrics['total_return']).toBeCloseTo(metrics.total_return, 9);
    expect(report.metrics['max_drawdown']).toBeCloseTo(metrics.max_drawdown, 9);
    // The policy is not equal weight (it learned something or at least moved): weights vary.
    expect(new Set(Array.from(table.filter((w) => w === w), (w) => w.toFixed(6))).size).toBeGreaterThan(1);
  }, 30_000);

  it('prints the metrics table with the dates and takes another checkpoint', async () => {
    const { code, out, err } = await run(['backtest', '--model', modelDir, '--data', dataDir, '--from', FROM, '--to', TO, '--checkpoint', '4']);
    expect(code, err).toBe(0);
    expect(out).toMatch(/^2011-09-01 \.\. 2011-12-30: \d+ bars \(evaluation\)/);
    for (const name of ['total_return', 'annual_return', 'sharpe_ratio', 'sortino_ratio', 'max_drawdown', 'calmar_ratio', 'final_value']) expect(out).toContain(name);
    expect(out).toContain('update 4');
    expect(out).not.toContain('NOT out-of-sample');
    const inSample = await run(['backtest', '--model', modelDir, '--data', dataDir, '--from', '2011-01-03', '--to', TO]);
    expect(inSample.out).toContain("NOTE: these dates overlap the model's training/validation dates (up to 2011-08-31): NOT out-of-sample");
  }, 30_000);

  it('refuses a missing model directory, other symbols, missing files and an empty date range with one line', async () => {
    const missing = await run(['backtest', '--model', join(dir, 'nope'), '--data', dataDir]);
    expect(missing.code).toBe(66);
    expect(missing.err).toMatch(/^grpo-trader: \S*nope: no such model directory \(expected the --out directory of grpo-trader train\)\n$/);

    const symbols = await run(['backtest', '--model', modelDir, '--data', dataDir, '--symbols', 'SYN01,SYN02']);
    expect(symbols.code).toBe(64);
    expect(symbols.err).toMatch(/^grpo-trader: .*do not match the model's symbols SYN01,SYN02,SYN03.*\n$/);

    const partial = join(dir, 'partial');
    const { market } = syntheticRegimeMarket({ assets: 2, bars: 300, seed: 11 });
    for (const symbol of market.symbols) await writeOhlcvCsv(join(partial, `${symbol}.csv`), seriesFromMarket(market, symbol));
    const files = await run(['backtest', '--model', modelDir, '--data', partial]);
    expect(files.code).not.toBe(0);
    expect(files.err).toContain('SYN03');
    expect(files.err.trim().split('\n')).toHaveLength(1);

    const empty = await run(['backtest', '--model', modelDir, '--data', dataDir, '--from', '2030-01-01']);
    expect(empty.code).toBe(64);
    expect(empty.err).toMatch(/^grpo-trader: no bars to evaluate between 2030-01-01 and the end: the data covers 2010-01-04 \.\. .*\n$/);

    const checkpoint = await run(['backtest', '--model', modelDir, '--data', dataDir, '--checkpoint', '99']);
    expect(checkpoint.code).toBe(66);
    expect(checkpoint.err).toContain('no checkpoint "99"');
  }, 30_000);
});

describe('what backtest, compare and report write', () => {
  it('never write over the model, the data or the store; an existing file or report only with --overwrite', async () => {
    const { readFile } = await import('node:fs/promises');
    const args = ['--model', modelDir, '--data', dataDir, '--from', FROM, '--to', TO];
    const store = join(dir, 'outputs.sqlite');
    const protectedFiles = [join(modelDir, 'best', 'state.json'), join(modelDir, 'data.json'), join(dataDir, 'SYN01.csv'), store];
    await writeFile(store, '');
    const before = await Promise.all(protectedFiles.map((file) => readFile(file)));
    for (const file of protectedFiles) {
      for (const overwrite of [[], ['--overwrite']]) {
        const refused = await run(['backtest', ...args, '--store', store, '--equity', file, ...overwrite]);
        expect(refused.code, file).toBe(64);
        expect(refused.err).toMatch(new RegExp(`^grpo-trader: --equity ${file} is the input given by --(model|data|store) \\S+; write the output elsewhere\\n$`));
      }
    }
    expect(await Promise.all(protectedFiles.map((file) => readFile(file)))).toEqual(before);

    const equity = join(dir, 'equity.csv');
    const fresh = join(dir, 'outputs-run.sqlite');
    expect((await run(['backtest', ...args, '--store', fresh, '--equity', equity])).code).toBe(0);
    const again = await run(['backtest', ...args, '--store', fresh, '--equity', equity]);
    expect(again.code).toBe(64);
    expect(again.err).toBe(`grpo-trader: --equity ${equity} already exists; give another file, or --overwrite to replace it\n`);
    expect((await run(['backtest', ...args, '--store', fresh, '--equity', equity, '--overwrite'])).code).toBe(0);

    const curves = await run(['compare', '--data', dataDir, '--from', FROM, '--strategies', 'random', '--store', fresh, '--equity-dir', dataDir]);
    expect(curves.code).toBe(64);
    expect(curves.err).toBe(`grpo-trader: --equity-dir ${dataDir} is the input given by --data ${dataDir}; write the output elsewhere\n`);

    const report = join(dir, 'outputs-report');
    expect((await run(['report', 'latest', '--store', fresh, '--output', report, '--no-png'])).code).toBe(0);
    const repeated = await run(['report', 'latest', '--store', fresh, '--output', report, '--no-png']);
    expect(repeated.code).toBe(64);
    expect(repeated.err).toBe(`grpo-trader: --output ${report} is not empty; give another --output, or --overwrite to replace the report in it\n`);
    expect((await run(['report', 'latest', '--store', fresh, '--output', report, '--no-png', '--overwrite'])).code).toBe(0);
    const notAReport = await run(['report', 'latest', '--store', fresh, '--output', dataDir, '--no-png', '--overwrite']);
    expect(notAReport.code).toBe(64);
    expect(notAReport.err).toMatch(/is not empty and does not hold a report \(none of report\.html\); it is not emptied/);
  }, 60_000);
});

describe('grpo-trader compare --model', () => {
  it('adds the agent as a strategy with paired tests against the baseline, same numbers as backtest', async () => {
    const args = ['--data', dataDir, '--from', FROM, '--to', TO, '--trading-cost', '0.001', '--slippage', '0.0002'];
    const compared = await run(['compare', ...args, '--strategies', 'equal_weight_daily,buy_and_hold', '--model', modelDir, '--json']);
    expect(compared.code, compared.err).toBe(0);
    const report = JSON.parse(compared.out) as { strategies: { name: string; metrics: Record<string, number>; final_value: number }[]; tests: { strategy: string; baseline: string; paired_t: { p_value: number } }[] };
    expect(report.strategies.map((s) => s.name)).toEqual(['equal_weight_daily', 'buy_and_hold', 'agent:model']);
    const agentTest = report.tests.find((t) => t.strategy === 'agent:model')!;
    expect(agentTest.baseline).toBe('equal_weight_daily');
    expect(agentTest.paired_t.p_value).toBeGreaterThanOrEqual(0);
    const againstEach = (report as unknown as { agent_tests: { strategy: string; baseline: string }[] }).agent_tests;
    expect(againstEach.map((t) => [t.strategy, t.baseline])).toEqual([
      ['agent:model', 'equal_weight_daily'],
      ['agent:model', 'buy_and_hold'],
    ]);

    const backtest = await run(['backtest', '--model', modelDir, ...args.slice(0, 6), '--json']);
    const single = JSON.parse(backtest.out) as { metrics: Record<string, number>; final_value: number };
    const agent = report.strategies[2]!;
    expect(agent.final_value).toBeCloseTo(single.final_value, 6);
    expect(agent.metrics['sharpe_ratio']).toBeCloseTo(single.metrics['sharpe_ratio']!, 9);

    const table = await run(['compare', ...args, '--strategies', 'equal_weight_daily', '--model', modelDir]);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/\nagent:model +-?\d/);
    expect(table.out).toMatch(/Paired tests against equal_weight_daily[\s\S]*agent:model/);
    expect(table.out).toMatch(/Paired tests, agent:model against each baseline[\s\S]*\nequal_weight_daily +-?\d/);

    const walkForward = await run(['compare', ...args, '--strategies', 'equal_weight_daily', '--model', modelDir, '--train-bars', '100', '--test-bars', '20']);
    expect(walkForward.code).toBe(64);
    expect(walkForward.err).toContain('--model cannot be combined with walk-forward');
  }, 30_000);
});
