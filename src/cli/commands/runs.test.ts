import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../backtest/report/chromium.js';
import { RunStore } from '../../store/run-store.js';
import { main } from '../main.js';
import { memoryIo } from '../output.js';
import { groupBySweep } from './runs.js';
import type { RunSummary } from '../../store/run-store.js';
import { writeSyntheticCsvs } from '../../../test/synthetic-files.js';
import { TINY_MODEL_CONFIG } from '../../../test/tiny-model.js';

let dir: string;
let store: string;
let dataDirectory: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-runs-'));
  store = join(dir, 'runs.sqlite');
  // Two seeded synthetic assets, SYN01 and SYN02, on business days 2012-01-02 .. 2017-06-30.
  dataDirectory = join(dir, 'data');
  await writeSyntheticCsvs(dataDirectory, { assets: 2, bars: 1435, seed: 13, start: '2012-01-02' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const io = memoryIo();
  const status = await main(args, io);
  return { status, io };
}

describe('compare --save and grpo-trader runs', () => {
  it('saves a comparison and shows it back with the same metrics and dates', async () => {
    const saved = await cli(['compare', '--data', dataDirectory, '--symbols', 'SYN01,SYN02', '--from', '2015-01-01', '--strategies', 'buy_and_hold,sma_cross', '--save', '--store', store, '--name', 'syn-pair', '--json']);
    expect(saved.status).toBe(0);
    const report = JSON.parse(saved.io.out);
    expect(report.run_id).toBe(1);
    const list = await cli(['runs', 'list', '--store', store, '--json']);
    expect(JSON.parse(list.io.out)).toEqual([expect.objectContaining({ id: 1, kind: 'compare', name: 'syn-pair', first_date: report.period.first, last_date: report.period.last, bars: report.period.bars, series: ['buy_and_hold', 'sma_cross'] })]);
    const show = await cli(['runs', 'show', '1', '--store', store, '--json']);
    const run = JSON.parse(show.io.out);
    expect(run.metrics.sma_cross.sharpe_ratio).toBe(report.strategies[1].metrics.sharpe_ratio);
    expect(run.tests[0].strategy).toBe('sma_cross');
    expect(run.config.strategies).toEqual(['buy_and_hold', 'sma_cross']);
    const text = await cli(['runs', 'show', '1', '--store', store]);
    expect(text.io.out).toMatch(/run 1: compare "syn-pair"/);
    expect(text.io.out).toMatch(/sma_cross\s+-?\d/);
    const table = await cli(['runs', 'list', '--store', store]);
    expect(table.io.out).toMatch(/1\s+compare\s+finished\s+syn-pair/);
    const latest = await cli(['runs', 'show', 'latest', '--store', store, '--json']);
    expect(JSON.parse(latest.io.out)).toMatchObject({ id: 1, seed: 0, data_fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
  });

  it('names the problem: unknown run, bad id, missing store', async () => {
    const unknown = await cli(['runs', 'show', '42', '--store', store]);
    expect(unknown.status).toBe(66);
    expect(unknown.io.err).toMatch(/no run 42 in the store/);
    const bad = await cli(['runs', 'show', 'abc', '--store', store]);
    expect(bad.status).toBe(64);
    expect(bad.io.err).toMatch(/run id must be a positive integer or "latest", got "abc"/);
    const missing = await cli(['runs', 'list', '--store', join(dir, 'nowhere', 'x.sqlite')]);
    expect(missing.status).toBe(66);
    expect(missing.io.err).toMatch(/no run store here/);
  });

  it('a hand-edited or damaged row is one line naming the store file, table, row and column (exit 65), not an internal error', async () => {
    const copy = join(dir, 'damaged.sqlite');
    await copyFile(store, copy);
    const raw = new Database(copy);
    raw.prepare(`UPDATE runs SET config = '{"strategies": ["buy_and_hold",' WHERE id = 1`).run();
    raw.close();
    const shown = await cli(['runs', 'show', '1', '--store', copy]);
    expect(shown.status).toBe(65);
    expect(shown.io.err.trim().split('\n')).toHaveLength(1);
    expect(shown.io.err).toMatch(new RegExp(`^grpo-trader: ${copy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: table runs, row 1, column config is not valid JSON \\(.+\\); the store was damaged or edited by hand\n$`));
  });

  it('a training killed with SIGKILL reads as interrupted (not running forever), and runs show says which process is gone', async () => {
    const data = join(dir, 'train-data');
    await writeSyntheticCsvs(data, { assets: 3, bars: 600, seed: 11 });
    const config = join(dir, 'train.json');
    await writeFile(config, JSON.stringify({ ...TINY_MODEL_CONFIG, data: { ...TINY_MODEL_CONFIG.data, paths: [data] }, training: { ...TINY_MODEL_CONFIG.training, updates: 100_000 } }));
    const trainStore = join(dir, 'killed-train.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'test', 'run-cli.ts'), 'train', '--config', config, '--out', join(dir, 'killed-model'), '--store', trainStore], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    // Killed once its run is recorded as running.
    for (;;) {
      const started = await (async () => {
        try {
          const store = RunStore.open(trainStore, { mustExist: true });
          const runs = store.listRuns();
          store.close();
          return runs.length > 0;
        } catch {
          return false;
        }
      })();
      if (started) break;
      if (child.exitCode !== null) throw new Error('the training ended before it could be killed');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const listed = await cli(['runs', 'list', '--store', trainStore, '--json']);
    expect((JSON.parse(listed.io.out) as { kind: string; status: string; pid: number }[]).map((r) => [r.kind, r.status, r.pid])).toEqual([['train', 'interrupted', child.pid]]);
    expect((await cli(['runs', 'list', '--store', trainStore])).io.out).toMatch(/1\s+train\s+interrupted/);
    expect((await cli(['runs', 'show', '1', '--store', trainStore])).io.out).toContain(`process: ${child.pid} on ${hostname()} (gone: killed or crashed before the run finished)`);
  }, 120_000);

  it('writes the HTML report of a saved run, without PNGs when asked', async () => {
    const output = join(dir, 'report-plain');
    const { status, io } = await cli(['report', '1', '--store', store, '--output', output, '--no-png', '--json']);
    expect(status).toBe(0);
    const written = JSON.parse(io.out);
    expect(written).toMatchObject({ run: 1, html: join(output, 'report.html'), images: [] });
    const html = await readFile(written.html, 'utf8');
    expect(html).toContain('syn-pair');
    expect(html).toMatch(/split <span class="split">evaluation<\/span>/);
    const empty = join(dir, 'empty.sqlite');
    RunStore.open(empty).close();
    const none = await cli(['report', 'latest', '--store', empty, '--no-png']);
    expect(none.status).toBe(66);
    expect(none.io.err).toMatch(/the run store holds no run yet/);
    const missing = await cli(['report', '9', '--store', store, '--no-png']);
    expect(missing.status).toBe(66);
    expect(missing.io.err).toMatch(/no run 9 in the store/);
  });

  it.skipIf(!findChromium())('writes PNG charts and passes the headless Chromium check', async () => {
    const output = join(dir, 'report-full');
    const { status, io } = await cli(['report', '1', '--store', store, '--output', output, '--check', '--json']);
    expect(io.err).not.toMatch(/grpo-trader:/);
    expect(status).toBe(0);
    const written = JSON.parse(io.out);
    expect(written.images.map((p: string) => p.slice(output.length + 1))).toEqual(['equity.png', 'drawdown.png', 'weights.png', 'returns.png']);
    for (const image of written.images) expect((await readFile(image)).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(written.check).toMatchObject({ ok: true, renderStatus: 'ok', pageErrors: 0, consoleErrors: [], canvases: 4 });
  }, 90_000);

  it('lists each sweep with its trials and final run under it, in id order, others as they come', () => {
    const run = (id: number, sweep_id: number | null) => ({ id, sweep_id }) as RunSummary;
    // Newest first: 7 backtest, 6 final of sweep 3, 5 and 4 trials of 3, 3 sweep, 2 trial of a sweep not listed, 1 train.
    const grouped = groupBySweep([run(7, null), run(6, 3), run(5, 3), run(4, 3), run(3, null), run(2, 99), run(1, null)]);
    expect(grouped.map((g) => [g.run.id, g.member])).toEqual([[7, false], [3, false], [4, true], [5, true], [6, true], [2, true], [1, false]]);
  });
});
