/**
 * `grpo-trader online` end to end on a small model trained in the test: the stream, its events and
 * saves in the store, the three-way comparison, the report; `kill -9` of a real child process in the
 * middle of the stream, then `--resume`, ends bit-identical to a stream never interrupted; bad input
 * is one line.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPageInChromium, findChromium } from '../../backtest/report/chromium.js';
import { RunStore } from '../../store/run-store.js';
import { runCli, trainTinyModel } from '../../../test/tiny-model.js';

let dir: string;
let dataDir: string;
const STREAM = ['--from', '2011-02-01', '--min-samples', '64', '--evaluation-window', '30', '--evaluation-interval', '30', '--no-report'];

const run = runCli;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-online-'));
  ({ dataDir } = await trainTinyModel(dir, { bars: 800 }));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
}, 60_000);

interface OnlineJson {
  run_id: number;
  bars: number;
  updates: number;
  events: Record<string, number>;
  strategies: { name: string; metrics: { total_return: number }; final_value: number }[];
  tests: { strategy: string; baseline: string }[];
  report: string | null;
  last_save: string;
}

describe('grpo-trader online', () => {
  it('streams, learns, saves, records every event and save, and compares online, frozen and equal weight', async () => {
    const store = join(dir, 'one.sqlite');
    const state = join(dir, 'state-one');
    const { code, out, err } = await run(['online', '--model', join(dir, 'model'), '--data', dataDir, ...STREAM.filter((f) => f !== '--no-report'), '--no-png', '--state', state, '--store', store, '--save-frequency', '40', '--json']);
    expect(code, err).toBe(0);
    expect(err).toMatch(/online: 50\/\d+ bars/);
    const result = JSON.parse(out) as OnlineJson;
    expect(result.updates).toBeGreaterThan(10);
    expect(result.strategies.map((s) => s.name)).toEqual(['online', 'frozen', 'equal_weight']);
    expect(result.tests.map((t) => `${t.strategy}/${t.baseline}`)).toEqual(['online/frozen', 'online/equal_weight', 'frozen/equal_weight']);
    // The stream's own ledger (steps.jsonl) and the replay of its books through the backtest agree.
    const lines = (await readFile(join(state, 'steps.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { value: number; bar: number });
    expect(lines).toHaveLength(result.bars);
    expect(lines.map((l) => l.bar)).toEqual(lines.map((_, k) => lines[0]!.bar + k));
    expect(result.strategies[0]!.final_value / lines.at(-1)!.value).toBeCloseTo(1, 9);

    const runs = RunStore.open(store, { mustExist: true });
    const recorded = runs.getRun(result.run_id);
    const events = runs.events(result.run_id);
    runs.close();
    expect(recorded.kind).toBe('online');
    expect(recorded.status).toBe('finished');
    for (const kind of ['refit', 'update', 'evaluation', 'promotion', 'alarm', 'rollback']) expect(events.filter((e) => e.kind === kind)).toHaveLength(result.events[kind]!);
    expect(events.every((e) => typeof e.date === 'string' && e.bar !== null)).toBe(true);
    // Saves every 40 bars and at the end, the newest 3 kept and indexed.
    expect(recorded.checkpoints.map((c) => c.step)).toEqual([...Array.from({ length: Math.floor(result.bars / 40) }, (_, k) => (k + 1) * 40), result.bars].slice(-3));
    for (const c of recorded.checkpoints) expect((await stat(join(c.path, 'online.json'))).isFile()).toBe(true);
    expect(result.last_save).toMatch(new RegExp(`model_steps_${result.bars}_regime_-?\\d+$`));
    expect(result.report).toMatch(/report\.html$/);
    const html = await readFile(result.report!, 'utf8');
    expect(html.includes('Regime timeline')).toBe(true);
    if (findChromium()) {
      // Equity, drawdown, weights, returns and the regime timeline drawn, no console error.
      const check = await checkPageInChromium(result.report!);
      expect(check.ok, check.consoleErrors.join(' | ')).toBe(true);
      expect(check.canvases).toBe(5);
    }
  }, 120_000);

  it('kill -9 in the middle of the stream, then --resume: the same steps, events and results as a stream never interrupted', async () => {
    const whole = join(dir, 'state-whole');
    const wholeStore = join(dir, 'whole.sqlite');
    const reference = await run(['online', '--model', join(dir, 'model'), '--data', dataDir, ...STREAM, '--state', whole, '--store', wholeStore, '--save-frequency', '7', '--json']);
    expect(reference.code, reference.err).toBe(0);

    const killed = join(dir, 'state-killed');
    const killedStore = join(dir, 'killed.sqlite');
    const args = ['--import', 'tsx', join(process.cwd(), 'test', 'run-cli.ts'), 'online', '--model', join(dir, 'model'), '--data', dataDir, ...STREAM, '--state', killed, '--store', killedStore, '--save-frequency', '7'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolveExit) => child.on('exit', (code, signal) => resolveExit(signal ?? code)));
    // Kill once a few saves exist, at a moment that is not a save boundary by construction.
    for (;;) {
      const latest = await readFile(join(killed, 'latest.json'), 'utf8').catch(() => null);
      if (latest && (JSON.parse(latest) as { step: number }).step >= 70) break;
      if (child.exitCode !== null) throw new Error(`the child ended before it could be killed: ${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const resumed = await run(['online', '--model', join(dir, 'model'), '--data', dataDir, ...STREAM, '--state', killed, '--store', killedStore, '--save-frequency', '7', '--resume', '--json']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/online: resuming .*model_steps_\d+_regime/);

    expect(await readFile(join(killed, 'steps.jsonl'), 'utf8')).toBe(await readFile(join(whole, 'steps.jsonl'), 'utf8'));
    const a = JSON.parse(reference.out) as OnlineJson;
    const b = JSON.parse(resumed.out) as OnlineJson;
    expect(b.strategies).toEqual(a.strategies);
    expect(b.tests).toEqual(a.tests);
    expect(b.events).toEqual(a.events);
    const events = (file: string, id: number) => {
      const store = RunStore.open(file, { mustExist: true });
      const rows = store.events(id).map((e) => ({ kind: e.kind, bar: e.bar, date: e.date, payload: e.payload }));
      store.close();
      return rows;
    };
    expect(events(killedStore, b.run_id)).toEqual(events(wholeStore, a.run_id));
    // The final saves hold the same bytes.
    for (const file of ['replay.bin', 'holdout.bin', 'champion.safetensors', 'learner/networks.safetensors']) {
      expect((await readFile(join(b.last_save, file))).equals(await readFile(join(a.last_save, file)))).toBe(true);
    }
  }, 180_000);

  it('refuses bad input with one line: an existing stream without --resume, nothing to resume, a resume with other options', async () => {
    const state = join(dir, 'state-whole');
    const again = await run(['online', '--model', join(dir, 'model'), '--data', dataDir, ...STREAM, '--state', state, '--store', join(dir, 'x.sqlite')]);
    expect(again.code).not.toBe(0);
    expect(again.err.trim().split('\n')).toHaveLength(1);
    expect(again.err).toMatch(/is not empty; add --resume to continue the stream saved there/);
    const nothing = await run(['online', '--model', join(dir, 'model'), '--data', dataDir, ...STREAM, '--state', join(dir, 'empty'), '--resume', '--store', join(dir, 'x.sqlite')]);
    expect(nothing.err).toMatch(/nothing to resume/);
    const other = await run(['online', '--model', join(dir, 'model'), '--data', dataDir, ...STREAM.map((f) => (f === '30' ? '31' : f)), '--state', state, '--resume', '--store', join(dir, 'x.sqlite')]);
    expect(other.code).not.toBe(0);
    expect(other.err).toMatch(/cannot resume: the saved stream has another options/);
    const bad = await run(['online', '--model', join(dir, 'model'), '--data', dataDir, '--from', '2011-02-01', '--state', join(dir, 's2'), '--evaluation-window', '1']);
    expect(bad.err).toMatch(/--evaluation-window/);
  }, 120_000);
});
