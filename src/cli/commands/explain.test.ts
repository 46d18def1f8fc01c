/**
 * Explanations end to end on a tiny deepseek model trained in the test: `explain --date` prints one
 * decision's attention (distributions that sum to 1, the action the backtest takes that day);
 * `backtest` records the importances of every decision with the run and `report` charts them; a
 * model without the deepseek network is refused with one line.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../backtest/report/chromium.js';
import { RunStore } from '../../store/run-store.js';
import { writeSyntheticCsvs } from '../../../test/synthetic-files.js';
import { main } from '../main.js';
import { memoryIo } from '../output.js';

let dir: string;
let dataDir: string;
let store: string;
const TINY = { hiddenDim: 8, encoderLayers: 1, encoderHeads: 2, attentionHeads: 2, decoderLayers: 1, decoderHeads: 2, feedForward: 16 };
const CONFIG = {
  seed: 4,
  data: { paths: ['data'], features: ['RSI_norm', 'MACD_norm'] },
  splits: { train: { from: '2010-01-01', to: '2011-03-31' }, validation: { from: '2011-04-01', to: '2011-08-31' }, test: null },
  environment: { lookback: 3, episodeLength: 20, returnHistory: 2 },
  algorithm: { policy: 'deepseek', deepseek: TINY, initialMean: 'equal', initialStd: 0.2, grpo: { groupSize: 4, rolloutSteps: 4 } },
  training: { updates: 2, envs: 2, evalInterval: 1, checkpointInterval: 2, patience: 0 },
};

async function run(args: string[]) {
  const io = memoryIo();
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-explain-'));
  dataDir = join(dir, 'data');
  store = join(dir, 'runs.sqlite');
  await writeSyntheticCsvs(dataDir, { assets: 2, bars: 560, seed: 11 });
  await writeFile(join(dir, 'config.json'), JSON.stringify(CONFIG));
  await writeFile(join(dir, 'mlp.json'), JSON.stringify({ ...CONFIG, algorithm: { ...CONFIG.algorithm, policy: 'mlp' } }));
  for (const [config, out] of [['config.json', 'model'], ['mlp.json', 'mlp']] as const) {
    const trained = await run(['train', '--config', join(dir, config), '--out', join(dir, out), '--store', store]);
    expect(trained.code, trained.err).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);

describe('grpo-trader explain', () => {
  it('explains one decision: attention per asset, feature and bar, each a distribution, and the action the backtest takes', async () => {
    const { code, out, err } = await run(['explain', '--model', join(dir, 'model'), '--data', dataDir, '--date', '2011-10-16', '--json']);
    expect(code, err).toBe(0);
    const e = JSON.parse(out) as { date: string; symbols: string[]; features: string[]; lookback: number; action: number[]; weights: number[]; asset_importance: number[]; feature_importance: number[][]; importance_by_bar: number[][][]; temporal: number[] };
    // 2011-10-16 is a Sunday: the decision is at Friday's close.
    expect(e.date).toBe('2011-10-14');
    expect(e.symbols).toEqual(['SYN01', 'SYN02']);
    expect(e.features).toEqual(['RSI_norm', 'MACD_norm']);
    expect(e.importance_by_bar).toHaveLength(3);
    for (const bar of e.importance_by_bar) expect(sum(bar.flat())).toBeCloseTo(1, 5);
    expect(sum(e.feature_importance.flat())).toBeCloseTo(1, 5);
    expect(sum(e.asset_importance)).toBeCloseTo(1, 5);
    expect(e.asset_importance[0]).toBeCloseTo(sum(e.feature_importance[0]!), 5);
    expect(sum(e.temporal)).toBeCloseTo(1, 5);

    // The same decision, taken by a backtest that starts that day from cash.
    const backtest = await run(['backtest', '--model', join(dir, 'model'), '--data', dataDir, '--from', '2011-10-14', '--to', '2011-10-21', '--store', store, '--json']);
    expect(backtest.code, backtest.err).toBe(0);
    const runs = RunStore.open(store, { mustExist: true });
    const recorded = runs.getRun((JSON.parse(backtest.out) as { run_id: number }).run_id);
    const weights = runs.series(recorded.id)[0]!.weights;
    runs.close();
    const gross = Math.max(1, Math.abs(e.action[0]!) + Math.abs(e.action[1]!));
    expect(weights[0]).toBeCloseTo(e.action[0]! / gross, 5);
    // The explained target weights are the ones the backtest held.
    e.weights.forEach((w, a) => expect(w).toBeCloseTo(weights[a]!, 9));

    const text = await run(['explain', '--model', join(dir, 'model'), '--data', dataDir, '--date', '2011-10-14', '--top', '3']);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('decision at the close of 2011-10-14');
    expect(text.out).toMatch(/asset\s+action\s+target weight\s+attention share/);
    expect(text.out).toMatch(/top 3 of 4 asset·feature weights/);
    expect(text.out).toContain('not a causal attribution');
  });

  it('records every decision\'s importances with the backtest, and the report charts them', async () => {
    const backtest = await run(['backtest', '--model', join(dir, 'model'), '--data', dataDir, '--from', '2011-09-01', '--to', '2011-12-30', '--store', store, '--json']);
    expect(backtest.code, backtest.err).toBe(0);
    const id = (JSON.parse(backtest.out) as { run_id: number; period: { bars: number } }).run_id;
    const runs = RunStore.open(store, { mustExist: true });
    const recorded = runs.getRun(id);
    const rows = runs.series(id)[0]!.time.length;
    runs.close();
    const explanations = recorded.extra['explanations'] as { dates: string[]; asset_importance: number[][]; mean_feature_importance: number[][]; mean_temporal: number[] };
    // One explanation per decision: every row of the run but the last (no decision is taken there).
    expect(explanations.dates).toHaveLength(rows - 1);
    expect(explanations.dates[0]).toBe('2011-09-01');
    for (const row of explanations.asset_importance) expect(sum(row)).toBeCloseTo(1, 4);
    expect(sum(explanations.mean_feature_importance.flat())).toBeCloseTo(1, 4);
    const output = join(dir, 'report');
    const report = await run(['report', String(id), '--store', store, '--output', output, '--no-png', ...(findChromium() ? ['--check'] : [])]);
    expect(report.code, report.err).toBe(0);
    const html = await readFile(join(output, 'report.html'), 'utf8');
    expect(html).toContain('What the policy attended to');
    expect(html).toContain('"mean_temporal"');
  });

  it('refuses a model without the deepseek network, and a date before the first full window, with one line', async () => {
    const mlp = await run(['explain', '--model', join(dir, 'mlp'), '--data', dataDir, '--date', '2011-10-14']);
    expect(mlp.code).toBe(64);
    expect(mlp.err.trim().split('\n')).toHaveLength(1);
    expect(mlp.err).toMatch(/explanations need algorithm\.policy: deepseek/);
    const early = await run(['explain', '--model', join(dir, 'model'), '--data', dataDir, '--date', '2010-01-05']);
    expect(early.code).toBe(64);
    expect(early.err).toMatch(/the first decision with a full feature window is at 2010-/);
  });
});
