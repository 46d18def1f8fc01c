/**
 * Sweeps on local worker processes: folds and windows by hand, parameter importance by hand, a whole
 * sweep through the CLI (the table, trials as runs of the sweep, the test split used once, the report
 * in headless Chromium), the same trial metrics with 1 and 2 workers, and a coordinator killed with
 * kill -9 then resumed without re-running its finished trials. Walk-forward retraining per window,
 * and resumed after kill -9 without re-running its recorded windows.
 */
import { mkdir, readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../agents/train-config.js';
import { checkPageInChromium, findChromium } from '../backtest/report/chromium.js';
import { deflatedSharpeRatio } from '../backtest/statistics.js';
import { CRASH_AT_ENV } from '../core/crash-point.js';
import { RunStore } from '../store/run-store.js';
import { runCli } from '../../test/tiny-model.js';
import { spawnCli, writeTinySweep } from '../../test/tiny-sweep.js';
import { parameterImportance } from './importance.js';
import { planFolds, proposeTrial, samplerResults, trialCount, type TrialRecord } from './run-sweep.js';
import { parseWindowsSpec } from './walk-forward-retraining.js';
import { throttledProgress } from './local-pool.js';
import { sweepConfigJsonSchema, loadSweepConfigFile, parseSweepConfig } from './sweep-config.js';
import type { GrpoTraderError } from '../core/errors.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const day = (text: string) => Date.parse(`${text}T00:00:00Z`);

describe('sweep pieces', () => {
  it('refuses a --out that already holds something (a sweep is continued with --resume ID)', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { main } = await import('../cli/main.js');
    const { memoryIo } = await import('../cli/output.js');
    const out = await mkdtemp(join(tmpdir(), 'grpo-sweep-out-'));
    await writeFile(join(out, 'trial-1'), 'an earlier sweep');
    const io = memoryIo();
    expect(await main(['sweep', '--config', join(out, 'sweep.yaml'), '--out', out], io)).toBe(64);
    expect(io.err).toBe(`grpo-trader: --out ${out} is not empty; give another --out (a sweep is continued with --resume ID)\n`);
  });

  it('refuses a sweep name that would write outside sweeps/, and quotes only an excerpt of a base file that is not a config', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { main } = await import('../cli/main.js');
    const { memoryIo } = await import('../cli/output.js');
    const folder = await mkdtemp(join(tmpdir(), 'grpo-sweep-file-'));
    const escaping = join(folder, 'escaping.yaml');
    await writeFile(escaping, 'name: ../../outside\nbase: {}\nsampler: { type: grid }\nspace: { seed: { choices: [1, 2] } }\n');
    let io = memoryIo();
    expect(await main(['sweep', '--config', escaping], io)).toBe(78);
    expect(io.err).toMatch(/^grpo-trader: \S+escaping\.yaml: field name = "\.\.\/\.\.\/outside": .*\n$/);
    // A base that is not a config (a password file, say): the error names it and quotes a short excerpt, not the file.
    const passwd = join(folder, 'passwd');
    await writeFile(passwd, Array.from({ length: 40 }, (_, i) => `user${i}:x:${1000 + i}:${1000 + i}::/home/user${i}:/bin/sh`).join('\n') + '\nSECRET-LAST-LINE\n');
    const pointing = join(folder, 'pointing.yaml');
    await writeFile(pointing, `base: ${passwd}\nsampler: { type: grid }\nspace: { seed: { choices: [1, 2] } }\n`);
    io = memoryIo();
    expect(await main(['sweep', '--config', pointing], io)).toBe(78);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).toBe(`grpo-trader: ${passwd} = "user0:x:1000:1000::/home/user0:/bin/sh user1:x:1001:1001::/h…": Invalid input: expected object, received string\n`);
    expect(io.err).not.toContain('SECRET');
    expect(io.err.length).toBeLessThan(300);
  });

  it('plans walk-forward validation folds at the end of train + validation, each trained on everything before it', () => {
    // 20 business days, Mon 2024-01-01 .. Fri 2024-01-26.
    const dates: string[] = [];
    for (let t = day('2024-01-01'); dates.length < 20; t += 86_400_000) if (![0, 6].includes(new Date(t).getUTCDay())) dates.push(new Date(t).toISOString().slice(0, 10));
    const time = Float64Array.from(dates, day);
    const base = parseTrainConfig({ splits: { train: { from: '2024-01-01', to: '2024-01-19' }, validation: { from: '2024-01-22', to: '2024-01-26' }, test: null }, environment: { lookback: 1, returnHistory: 0, episodeLength: 5 } });
    // 20 bars, 2 folds × 5 validation bars: train on the first 10, then 15.
    expect(planFolds(time, base, { folds: 2, validationBars: 5 })).toEqual([
      { train: { from: '2024-01-01', to: '2024-01-12' }, validation: { from: '2024-01-15', to: '2024-01-19' } },
      { train: { from: '2024-01-01', to: '2024-01-19' }, validation: { from: '2024-01-22', to: '2024-01-26' } },
    ]);
    expect(() => planFolds(time, base, { folds: 3, validationBars: 6 })).toThrow(/3 folds of 6 validation bars leave 2 training bars .* needs at least 8/);
  });

  it('TPE learns from pruned trials as worse than every finished one (their objective covers fewer folds)', () => {
    const trial = (n: number, status: TrialRecord['status'], objective: number, folds: number): TrialRecord => ({ trial: n, params: { x: n }, status, objective, folds: Array.from({ length: folds }) as TrialRecord['folds'], returns: [], seconds: 0, host: null });
    const ranked = samplerResults([trial(0, 'finished', 0.2, 3), trial(1, 'pruned', 5, 1), trial(2, 'finished', 0.5, 3), trial(3, 'failed', Number.NaN, 0), trial(4, 'pruned', 4, 2)]);
    expect(ranked.map((r) => r.params['x'])).toEqual([0, 1, 2, 4]);
    // Finished keep their objective; pruned sit below the worst finished (0.2 − 1), the deeper prune higher.
    expect(ranked.map((r) => r.objective)).toEqual([0.2, 0.2 - 1 - 1 / 2, 0.5, 0.2 - 1 - 1 / 3]);
  });

  it('publishes the sweep file\'s JSON Schema (scripts/make-train-schema.ts), and the example sweep file reads', async () => {
    const published = JSON.parse(readFileSync(new URL('../../schema/sweep-config.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const { $id: _id, title: _title, ...rest } = published;
    expect(rest).toEqual(sweepConfigJsonSchema());
    const folder = await mkdtemp(join(tmpdir(), 'grpo-example-'));
    await mkdir(join(folder, 'us-equities-daily'));
    const loaded = await loadSweepConfigFile(fileURLToPath(new URL('../../examples/sweep-dow30.yaml', import.meta.url)), { GRPO_TRADER_DATA: folder, PATH: '' });
    expect(loaded.base.training.updates).toBe(60);
    expect(loaded.base.algorithm.type).toBe('grpo');
    expect(Object.keys(loaded.sweep.space)).toContain('algorithm.hiddenSizes');
    await rm(folder, { recursive: true });
  });

  it('passes on at most one progress line per job per interval', () => {
    let clock = 0;
    const out: string[] = [];
    const progress = throttledProgress((line) => out.push(line), 15_000, () => clock);
    progress('a', 'trial 1: update 1');
    progress('b', 'trial 2: update 1');
    clock = 14_999;
    progress('a', 'trial 1: update 2');
    clock = 15_000;
    progress('a', 'trial 1: update 3\n');
    expect(out).toEqual(['trial 1: update 1\n', 'trial 2: update 1\n', 'trial 1: update 3\n']);
  });

  it('parses --windows and names the bad part', () => {
    expect(parseWindowsSpec('train=504,test=63,step=126,validation=63,anchored')).toEqual({ trainBars: 504, testBars: 63, stepBars: 126, validationBars: 63, anchored: true });
    expect(() => parseWindowsSpec('train=504')).toThrow(/give test=BARS/);
    expect(() => parseWindowsSpec('train=504,test=63,step=10')).toThrow(/must not overlap/);
    expect(() => parseWindowsSpec('train=5x,test=63')).toThrow(/train=5x must be NAME=POSITIVE_INTEGER/);
    expect(() => parseWindowsSpec('train=50,test=6,folds=3')).toThrow(/unknown part "folds"/);
  });

  it('parameter importance is the share of variance explained by each parameter (hand-computed η²)', () => {
    // objectives 1, 2, 3, 4: grand mean 2.5, total SS 5. a = x x y y: group means 1.5, 3.5 → SS 4 → 0.8.
    // b = p q p q: means 2, 3 → SS 1 → 0.2.
    const trials = [1, 2, 3, 4].map((objective, i) => ({ objective, params: { a: i < 2 ? 'x' : 'y', b: i % 2 === 0 ? 'p' : 'q' } }));
    const importance = parameterImportance(trials);
    expect(importance['a']).toBeCloseTo(0.8, 12);
    expect(importance['b']).toBeCloseTo(0.2, 12);
    // A numeric parameter with more distinct values than bins is binned by rank: 8 values, 4 bins of 2.
    const numeric = [0.3, 0.1, 0.8, 0.5, 0.2, 0.7, 0.4, 0.6].map((lr, i) => ({ objective: lr > 0.45 ? 1 : 0, params: { lr, i } }));
    expect(parameterImportance(numeric)['lr']).toBeCloseTo(1, 12);
    // 5 trials: 2 rank bins, ⌊2·rank/5⌋ = 0 0 0 | 1 1, objectives 0, 0, 1 | 1, 3: grand mean 1, total SS
    // 1 + 1 + 0 + 0 + 4 = 6; bin means 1/3 and 2 → between 3·(4/9) + 2·1 = 10/3 → η² 5/9. Three trials: NaN.
    const five = [0.1, 0.2, 0.3, 0.4, 0.5].map((lr, i) => ({ objective: [0, 0, 1, 1, 3][i]!, params: { lr } }));
    expect(parameterImportance(five)['lr']).toBeCloseTo(5 / 9, 12);
    expect(parameterImportance(five.slice(0, 3))['lr']).toBeNaN();
  });
});

describe('sweep on local worker processes', () => {
  let dir: string;
  let sweepFile: string;
  let reference: { code: number; out: string; err: string };
  const trialsOf = (file: string, sweepId: number) => {
    const store = RunStore.open(file, { mustExist: true });
    const trials = store.listRuns({ sweepId, kind: 'trial' }).map((r) => store.getRun(r.id).extra as unknown as TrialRecord);
    store.close();
    return trials.sort((a, b) => a.trial - b.trial);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grpo-sweep-'));
    ({ sweep: sweepFile } = await writeTinySweep(dir, { trials: 4, batch: 2 }));
    reference = await runCli(['sweep', '--config', sweepFile, '--workers', '2', '--store', join(dir, 'reference.sqlite'), '--out', join(dir, 'reference'), '--json']);
  }, 120_000);
  afterAll(async () => {
    // Retries: a job process of a killed worker may still be writing its last files as it exits.
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it('runs every trial, records them as runs of the sweep, tests the selected config once, and deflates by the trials run', async () => {
    expect(reference.code, reference.err).toBe(0);
    const result = JSON.parse(reference.out) as { sweepId: number; trialsRun: number; rows: { trial: number; status: string; objective: number; deflatedSharpe: number }[]; best: { trial: number; objective: number } | null; final: { test: { from: string; to: string } } | null; report: string; importance: Record<string, number | null> };
    expect(result.rows.map((r) => r.trial)).toEqual([0, 1, 2, 3]);
    // Folders numbered as the table (#1 ..) and the progress lines (fold 1/2 ..) number them.
    expect((await readdir(join(dir, 'reference'))).filter((name) => name.startsWith('trial-')).sort()).toEqual(['trial-1', 'trial-2', 'trial-3', 'trial-4']);
    expect((await readdir(join(dir, 'reference', 'trial-1'))).filter((name) => name.startsWith('fold-')).sort()).toEqual(['fold-1', 'fold-2']);
    const ran = result.rows.filter((r) => r.status !== 'failed');
    expect(result.trialsRun).toBe(ran.length);
    // The selected trial is the finished one with the largest objective.
    const finished = result.rows.filter((r) => r.status === 'finished');
    expect(result.best!.objective).toBe(Math.max(...finished.map((r) => r.objective)));
    expect(result.final!.test).toMatchObject({ from: '2011-04-01', to: '2011-07-29' });
    expect(reference.err).toMatch(/evaluating the test split 2011-04-01 \.\. 2011-07-29 once/);
    // The deflated Sharpe of each trial: its validation returns against the best of N unskilled trials,
    // N the trials run and the variance of their per-bar Sharpe ratios (recomputed here from the store).
    const trials = trialsOf(join(dir, 'reference.sqlite'), result.sweepId);
    const sharpes = trials.map((t) => { const m = t.returns.reduce((a, b) => a + b, 0) / t.returns.length; const s = Math.sqrt(t.returns.reduce((a, b) => a + (b - m) ** 2, 0) / (t.returns.length - 1)); return m / s; });
    const mean = sharpes.reduce((a, b) => a + b, 0) / sharpes.length;
    const variance = sharpes.reduce((a, b) => a + (b - mean) ** 2, 0) / (sharpes.length - 1);
    for (const [k, t] of trials.entries()) expect(result.rows[k]!.deflatedSharpe).toBeCloseTo(deflatedSharpeRatio(t.returns, ran.length, variance).deflatedSharpe, 12);
    // Validation only: no trial's folds reach into the test split.
    for (const t of trials) for (const f of t.folds) expect(f.validation.to < '2011-04-01').toBe(true);

    const list = await runCli(['runs', 'list', '--store', join(dir, 'reference.sqlite')]);
    const lines = list.out.trim().split('\n').slice(2);
    expect(lines[0]).toMatch(/^1\s+sweep\s+finished\s+tiny/);
    expect(lines.slice(1, 5).every((line) => /trial .*└ tiny #\d/.test(line))).toBe(true);
    expect(lines[5]).toMatch(/sweep_final .*└ tiny selected/);

    const html = await readFile(result.report, 'utf8');
    expect(html).toContain('Parameter importance');
    // The same page again from the store alone.
    const again = await runCli(['report', String(result.sweepId), '--store', join(dir, 'reference.sqlite'), '--output', join(dir, 'again'), '--json']);
    expect(again.code, again.err).toBe(0);
    expect(await readFile((JSON.parse(again.out) as { html: string }).html, 'utf8')).toBe(html);
    if (findChromium()) {
      const check = await checkPageInChromium(result.report);
      expect(check.ok, check.consoleErrors.join(' | ')).toBe(true);
      // The objective chart, and the importance chart when at least 4 trials finished (NaN importance is null in JSON).
      const importanceDrawn = Object.values(result.importance).some((value) => value !== null);
      expect(check.canvases).toBe(importanceDrawn ? 2 : 1);
      expect(check.bodyAttributes['data-trials']).toBe('4');
    }
  }, 120_000);

  it('kill -9 of the coordinator, then --resume: finished trials are not run again, and every trial equals an uninterrupted sweep (1 then 2 workers)', async () => {
    const store = join(dir, 'killed.sqlite');
    const { child, stderr, exited } = spawnCli(['sweep', '--config', sweepFile, '--workers', '1', '--store', store, '--out', join(dir, 'killed')]);
    for (;;) {
      const recorded = await (async () => {
        try {
          const s = RunStore.open(store, { mustExist: true });
          const n = s.listRuns({ kind: 'trial' }).length;
          s.close();
          return n;
        } catch {
          return 0;
        }
      })();
      if (recorded >= 2) break;
      if (child.exitCode !== null) throw new Error(`the sweep ended before it could be killed: ${stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const before = trialsOf(store, 1).length;
    const status = () => {
      const s = RunStore.open(store, { mustExist: true });
      const value = s.getRun(1).status;
      s.close();
      return value;
    };
    // Its process is gone: the sweep no longer reads as running.
    expect(status()).toBe('interrupted');
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(4);
    const resumed = await runCli(['sweep', '--resume', '1', '--workers', '2', '--store', store, '--json']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toContain(`${before} trial(s) already recorded, not run again`);
    expect(resumed.err.match(/^trial \d\/4/gm)).toHaveLength(4 - before);
    expect(status()).toBe('finished');
    const a = trialsOf(join(dir, 'reference.sqlite'), 1);
    const b = trialsOf(store, 1);
    expect(b.map((t) => t.trial)).toEqual([0, 1, 2, 3]);
    const strip = (t: TrialRecord) => ({ params: t.params, status: t.status, objective: t.objective, returns: t.returns, folds: t.folds.map((f) => [f.sharpe, f.totalReturn, f.bestUpdate]) });
    expect(b.map(strip)).toEqual(a.map(strip));
  }, 180_000);

  it('refuses bad sweeps with one line naming the field', async () => {
    const { sweep } = await writeTinySweep(join(dir, 'bad'));
    const text = await readFile(sweep, 'utf8');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(sweep, text.replace('algorithm.initialStd', 'algorithm.nope'));
    const unknown = await runCli(['sweep', '--config', sweep, '--workers', '1', '--store', join(dir, 'bad.sqlite')]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.err.trim().split('\n')).toHaveLength(1);
    expect(unknown.err).toMatch(/algorithm/);
    await writeFile(sweep, text.replace('type: random', 'type: bogus'));
    const sampler = await runCli(['sweep', '--config', sweep, '--store', join(dir, 'bad.sqlite')]);
    expect(sampler.err).toMatch(/sweep\.yaml: field sampler\.type/);
    const both = await runCli(['sweep', '--store', join(dir, 'bad.sqlite')]);
    expect(both.err).toMatch(/--config FILE, or --resume ID/);
    const workers = await runCli(['sweep', '--config', join(dir, 'sweep.yaml'), '--workers', '0', '--store', join(dir, 'bad.sqlite')]);
    expect(workers.err).toMatch(/--workers must be/);
  });

  it('refuses a whole grid of more combinations than a sweep runs, naming sampler.trials; with trials set it runs from the index', async () => {
    const space = { 'training.envs': { int: [1, 1_000_000_000] } };
    const whole = { base: { seed: 1 }, space, sampler: { type: 'grid' } };
    expect(() => parseSweepConfig(whole, 'grid.yaml')).toThrow(/the grid of the space has 1000000000 combinations, more than the 10000 trials a sweep runs/);
    try {
      parseSweepConfig(whole, 'grid.yaml');
    } catch (error) {
      expect((error as GrpoTraderError).location).toMatchObject({ file: 'grid.yaml', field: 'sampler.trials' });
    }
    const sweep = parseSweepConfig({ ...whole, sampler: { type: 'grid', trials: 3 } }, 'grid.yaml');
    expect(trialCount(sweep)).toBe(3);
    expect(proposeTrial(sweep, 2, [])).toEqual({ 'training.envs': 3 });
  });

  it('refuses a space that can propose a size beyond the bounds, or a trial too large for memory, before any trial runs', async () => {
    const { sweep } = await writeTinySweep(join(dir, 'huge'));
    const { parse, stringify } = await import('yaml');
    const { writeFile } = await import('node:fs/promises');
    const file = parse(await readFile(sweep, 'utf8')) as { space: Record<string, unknown>; set?: Record<string, unknown> };
    const store = join(dir, 'huge.sqlite');
    // One choice of the two is huge: every choice is checked, not one random draw.
    await writeFile(sweep, stringify({ ...file, space: { ...file.space, 'algorithm.hiddenSizes': { choices: [[8], [1_000_000_000]] } } }));
    const huge = await runCli(['sweep', '--config', sweep, '--workers', '1', '--store', store]);
    expect(huge.code, huge.err).toBe(78);
    expect(huge.err).toBe(
      `grpo-trader: ${sweep}: field space.algorithm.hiddenSizes = "[1000000000]": the space can propose algorithm.hiddenSizes = [1000000000], which the training config refuses (algorithm.hiddenSizes.0): must be at most 8192: a hidden layer holds width × previous width parameters, and training keeps each about 16 times over: weights, Adam moments, reference policy, gradients, copies for updates and checkpoints\n`,
    );
    // Each in bounds, but the largest trial (G 1024 × 64 steps) is over a 16 MB budget: named by the space's path.
    await writeFile(sweep, stringify({ ...file, set: { 'algorithm.type': 'grpo' }, space: { ...file.space, 'algorithm.grpo.groupSize': { int: [2, 1024] }, 'algorithm.grpo.rolloutSteps': { choices: [4, 64] } } }));
    const saved = process.env['GRPO_TRADER_MEMORY_LIMIT'];
    process.env['GRPO_TRADER_MEMORY_LIMIT'] = '16MB';
    try {
      const large = await runCli(['sweep', '--config', sweep, '--workers', '1', '--store', store]);
      expect(large.code, large.err).toBe(78);
      expect(large.err.trim().split('\n')).toHaveLength(1);
      expect(large.err).toMatch(/field space\.algorithm\.grpo\.groupSize = "1024": a trial with the space's largest values would need about .* narrow space\.algorithm\.grpo\.groupSize\n$/);
    } finally {
      if (saved === undefined) delete process.env['GRPO_TRADER_MEMORY_LIMIT'];
      else process.env['GRPO_TRADER_MEMORY_LIMIT'] = saved;
    }
    const runs = RunStore.open(store, { mustExist: true });
    expect(runs.listRuns({}).length).toBe(0);
    runs.close();
  });

  it('walk-forward: one training per window, the stitched curve chains the windows\' test returns', async () => {
    const out = join(dir, 'wf');
    const result = await runCli(['walk-forward', '--config', join(dir, 'base.yaml'), '--windows', 'train=200,test=60,validation=40', '--updates', '3', '--workers', '2', '--store', join(dir, 'wf.sqlite'), '--out', out, '--json']);
    expect(result.code, result.err).toBe(0);
    const json = JSON.parse(result.out) as { run_id: number; windows: { index: number; outDir: string; train: { from: string; to: string }; validation: { to: string }; test: { from: string; to: string }; policy: { totalReturn: number } }[]; metrics: { policy: { total_return: number } } };
    // 420 bars: test windows start at bars 200, 260, 320 (380 + 60 > 420).
    expect(json.windows.map((w) => w.index)).toEqual([0, 1, 2]);
    // Window k trains in window-k, as the table and the progress lines number it; --updates replaces the config's 2.
    expect(json.windows.map((w) => w.outDir)).toEqual([1, 2, 3].map((k) => join(out, `window-${k}`)));
    expect(result.err.match(/^window \d\/3/gm)!.sort()).toEqual(['window 1/3', 'window 2/3', 'window 3/3']);
    expect((JSON.parse(await readFile(join(out, 'window-3', 'summary.json'), 'utf8')) as { updates: number }).updates).toBe(3);
    const table = await runCli(['walk-forward', '--config', join(dir, 'base.yaml'), '--windows', 'train=200,test=60,validation=40', '--updates', '1', '--workers', '2', '--store', join(dir, 'wf-table.sqlite'), '--out', join(dir, 'wf-table')]);
    expect(table.out.split('\n').slice(2, 5).map((line) => line.split(' ')[0])).toEqual(['1', '2', '3']);
    expect(table.out).toContain(`windows: ${join(dir, 'wf-table')}/window-1 .. window-3`);
    for (const [k, w] of json.windows.entries()) {
      expect(w.validation.to < w.test.from).toBe(true);
      if (k > 0) expect(w.test.from > json.windows[k - 1]!.test.to).toBe(true);
    }
    // The stitched total return is the product of the windows' (hand: Π(1 + R_k) − 1).
    const product = json.windows.reduce((p, w) => p * (1 + w.policy.totalReturn), 1) - 1;
    expect(json.metrics.policy.total_return).toBeCloseTo(product, 10);
    const csv = (await readFile(join(out, 'stitched.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('date,policy,equal_weight');
    expect(csv[1]).toBe(`${json.windows[0]!.test.from},1,1`);
    const store = RunStore.open(join(dir, 'wf.sqlite'), { mustExist: true });
    const run = store.getRun(json.run_id);
    store.close();
    expect(run.kind).toBe('walk_forward');
    expect(run.status).toBe('finished');
    expect(run.checkpoints).toHaveLength(3);
  }, 120_000);

  it('walk-forward killed with kill -9 after its first window, then --resume ID: the other windows only, and the same windows, files and stitched curve as a run never interrupted', async () => {
    const args = ['--config', join(dir, 'base.yaml'), '--windows', 'train=200,test=60,validation=40', '--workers', '2'];
    const whole = await runCli(['walk-forward', ...args, '--store', join(dir, 'wf-whole.sqlite'), '--out', join(dir, 'wf-whole'), '--json']);
    expect(whole.code, whole.err).toBe(0);
    const store = join(dir, 'wf-killed.sqlite');
    const killed = spawnCli(['walk-forward', ...args, '--store', store, '--out', join(dir, 'wf-killed')], process.cwd(), { [CRASH_AT_ENV]: 'walk-forward.window-recorded@1' });
    expect(await killed.exited, killed.stderr()).toBe('SIGKILL');
    const resumed = await runCli(['walk-forward', '--resume', '1', '--workers', '2', '--store', store, '--json']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toContain('walk-forward 1: 1 window(s) already recorded, not run again');
    expect(resumed.err.match(/^window \d\/3/gm)).toHaveLength(2);
    type Json = { windows: { outDir: string; host: string; seconds: number }[]; metrics: unknown };
    const strip = (out: string) => {
      const json = JSON.parse(out) as Json;
      return { windows: json.windows.map(({ outDir, host: _host, seconds: _seconds, ...w }) => ({ ...w, folder: outDir.split(/[\\/]/).pop() })), metrics: json.metrics };
    };
    expect(strip(resumed.out)).toEqual(strip(whole.out));
    expect(await readFile(join(dir, 'wf-killed', 'stitched.csv'), 'utf8')).toBe(await readFile(join(dir, 'wf-whole', 'stitched.csv'), 'utf8'));
    for (const window of ['window-1', 'window-2', 'window-3']) {
      for (const file of ['metrics.jsonl', 'best/networks.safetensors', 'checkpoints/latest.json']) {
        expect((await readFile(join(dir, 'wf-killed', window, file))).equals(await readFile(join(dir, 'wf-whole', window, file))), `${window}/${file}`).toBe(true);
      }
    }
    const runs = RunStore.open(store, { mustExist: true });
    const [run, ...others] = runs.listRuns();
    runs.close();
    expect(others).toEqual([]);
    expect(run).toMatchObject({ kind: 'walk_forward', status: 'finished', bars: (JSON.parse(whole.out) as { windows: unknown[] }).windows.length * 59 + 1 });
    // Resuming a finished run changes nothing and runs nothing.
    const again = await runCli(['walk-forward', '--resume', '1', '--workers', '1', '--store', store, '--json']);
    expect(again.err).toContain('3 window(s) already recorded');
    expect(strip(again.out)).toEqual(strip(whole.out));
    // One line for what cannot be combined or is missing.
    for (const [flags, message] of [
      [['--resume', '1', '--updates', '3'], /give --resume alone/],
      [['--config', join(dir, 'base.yaml')], /needs --config FILE and --windows SPEC \(or --resume ID\)/],
      [['--config', join(dir, 'base.yaml'), '--windows', 'train=200,test=60', '--updates', '0'], /--updates must be an integer >= 1, got "0"/],
    ] as const) {
      const bad = await runCli(['walk-forward', ...flags, '--store', store]);
      expect(bad.code).toBe(64);
      expect(bad.err.trim().split('\n')).toHaveLength(1);
      expect(bad.err).toMatch(message);
    }
  }, 180_000);
});
