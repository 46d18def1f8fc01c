/**
 * `grpo-trader online` end to end on a small model trained in the test: the stream, its events and
 * saves in the store, the three-way comparison, the report; `kill -9` of a real child process in the
 * middle of the stream, then `--resume`, ends bit-identical to a stream never interrupted; bad input
 * is one line.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPageInChromium, findChromium } from '../../backtest/report/chromium.js';
import { RunStore } from '../../store/run-store.js';
import { runCli, trainTinyModel } from '../../../test/tiny-model.js';

let dir: string;
let dataDir: string;
const STREAM = ['--from', '2011-02-01', '--min-samples', '64', '--evaluation-window', '30', '--evaluation-interval', '30', '--no-report'];
/** A shorter stream for the tests that run it several times. */
const SHORT = [...STREAM, '--to', '2011-10-31'];

const run = runCli;

/** `grpo-trader ARGS` as a child process (with extra environment); how it ended and what it wrote on stderr. */
async function cliChild(args: string[], env: Record<string, string>): Promise<{ exit: NodeJS.Signals | number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'test', 'run-cli.ts'), ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = await new Promise<NodeJS.Signals | number | null>((resolveExit) => child.on('exit', (code, signal) => resolveExit(signal ?? code)));
  return { exit, stderr };
}

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

  it('killed (SIGKILL) right after each write that follows the last save — the save, its index entry, the finished run, the report — resumes each time, and ends with the record of a stream never interrupted', async () => {
    // One save, the final one: every write after it is what this test kills at.
    const args = ['--model', join(dir, 'model'), '--data', dataDir, ...SHORT.filter((f) => f !== '--no-report'), '--no-png', '--save-frequency', '100000'];
    const referenceStore = join(dir, 'final-reference.sqlite');
    const reference = await run(['online', ...args, '--state', join(dir, 'state-final-reference'), '--store', referenceStore, '--json']);
    expect(reference.code, reference.err).toBe(0);

    const a = JSON.parse(reference.out) as OnlineJson;
    // The save and its index entry are written by the streaming process; the rest again by each resume.
    const chains = [
      ['online.saved', 'online.finished', 'online.report-written'],
      ['online.indexed', 'online.finished'],
    ];
    const finished: { store: string; result: OnlineJson }[] = [];
    for (const [c, points] of chains.entries()) {
      const state = join(dir, `state-final-${c}`);
      const store = join(dir, `final-${c}.sqlite`);
      for (const [k, point] of points.entries()) {
        const killed = await cliChild(['online', ...args, '--state', state, '--store', store, ...(k > 0 ? ['--resume'] : [])], { GRPO_TRADER_CRASH_AT: point });
        expect(killed.exit, `${point}: ${killed.stderr}`).toBe('SIGKILL');
      }
      const resumed = await run(['online', ...args, '--state', state, '--store', store, '--resume', '--json']);
      expect(resumed.code, resumed.err).toBe(0);
      const b = JSON.parse(resumed.out) as OnlineJson;
      expect(b.strategies).toEqual(a.strategies);
      expect(b.tests).toEqual(a.tests);
      finished.push({ store, result: b });
    }
    const record = (file: string, id: number) => {
      const runs = RunStore.open(file, { mustExist: true });
      try {
        const detail = runs.getRun(id);
        return {
          runs: runs.listRuns().map((r) => [r.kind, r.status]),
          status: detail.status,
          series: detail.series,
          metrics: detail.metrics,
          tests: detail.tests,
          trades: detail.trades,
          checkpoints: detail.checkpoints.map((c) => [c.step, basename(c.path), c.metrics]),
          report: typeof detail.artifacts['report'] === 'string',
          equity: runs.series(id).map((s) => [s.name, Array.from(s.value), Array.from(s.weights)]),
          events: runs.events(id).map((e) => [e.kind, e.bar, e.date, e.payload]),
        };
      } finally {
        runs.close();
      }
    };
    const expected = record(referenceStore, a.run_id);
    expect(expected.runs).toEqual([['online', 'finished']]);
    expect(expected.report).toBe(true);
    for (const { store, result } of finished) expect(record(store, result.run_id)).toEqual(expected);
  }, 240_000);

  it('resumed with another store, whose run of the same id is another stream\'s: the rest is recorded there as a new run; the killed run reads as interrupted in its own store', async () => {
    const args = ['--model', join(dir, 'model'), '--data', dataDir, ...SHORT, '--save-frequency', '40', '--state', join(dir, 'state-moved')];
    const first = join(dir, 'moved-first.sqlite');
    const killed = await cliChild(['online', ...args, '--store', first], { GRPO_TRADER_CRASH_AT: 'online.indexed@2' });
    expect(killed.exit, killed.stderr).toBe('SIGKILL');
    const listed = await run(['runs', 'list', '--store', first, '--json']);
    expect((JSON.parse(listed.out) as { id: number; status: string }[]).map((r) => [r.id, r.status])).toEqual([[1, 'interrupted']]);

    // A store that holds no run (the default store deleted since): the stream goes on, recorded there as run 1.
    const copy = join(dir, 'state-moved-copy');
    await cp(join(dir, 'state-moved'), copy, { recursive: true });
    const fresh = await run(['online', ...args.slice(0, -2), '--state', copy, '--store', join(dir, 'moved-fresh.sqlite'), '--resume', '--json']);
    expect(fresh.code, fresh.err).toBe(0);
    expect(fresh.err).toMatch(/is not in .*moved-fresh\.sqlite: recording it from \d{4}-\d\d-\d\d on as run 1\n/);

    // The other store's run 1 is a stream of another state directory: it must stay untouched.
    const second = join(dir, 'moved-second.sqlite');
    const other = RunStore.open(second);
    other.startRun({ kind: 'online', name: 'another stream', period: { first: '2011-01-03', last: '2011-12-30', bars: 250, split: 'online stream' }, config: {}, artifacts: { state_directory: join(dir, 'elsewhere') } });
    other.close();
    const resumed = await run(['online', ...args, '--store', second, '--resume', '--json']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/the saved stream \(run 1 of .*moved-first\.sqlite\) is not in .*moved-second\.sqlite: recording it from \d{4}-\d\d-\d\d on as run 2/);
    const result = JSON.parse(resumed.out) as OnlineJson;
    expect(result.run_id).toBe(2);
    const runs = RunStore.open(second, { mustExist: true });
    try {
      const untouched = runs.getRun(1);
      expect([untouched.name, untouched.status, untouched.series, untouched.checkpoints, runs.events(1)]).toEqual(['another stream', 'running', [], [], []]);
      const recorded = runs.getRun(2);
      expect(recorded).toMatchObject({ kind: 'online', status: 'finished', series: ['online', 'frozen', 'equal_weight'] });
      expect(recorded.extra['earlier_record']).toMatch(/^run 1 of .*moved-first\.sqlite$/);
      const from = recorded.extra['first_recorded_bar'] as number;
      // Saved after 80 bars: the events from there on are recorded here, and the saves from the resumed one on.
      expect(runs.events(2).every((e) => e.bar! >= from)).toBe(true);
      expect(recorded.checkpoints.map((c) => c.step)).toEqual([80, ...Array.from({ length: Math.floor(result.bars / 40) - 2 }, (_, k) => 120 + 40 * k), result.bars].slice(-3));
    } finally {
      runs.close();
    }
  }, 180_000);

  it('refuses to resume a damaged save or log, naming the file, before streaming a bar: flipped bytes in any state file, a damaged steps.jsonl or orders.jsonl line', async () => {
    const args = ['--model', join(dir, 'model'), '--data', dataDir, ...SHORT, '--save-frequency', '40'];
    const intact = join(dir, 'state-intact');
    const killed = await cliChild(['online', ...args, '--state', intact, '--store', join(dir, 'intact.sqlite')], { GRPO_TRADER_CRASH_AT: 'online.indexed@2' });
    expect(killed.exit, killed.stderr).toBe('SIGKILL');
    const save = 'model_steps_80_regime_';
    const saveName = (await readdir(intact)).find((name) => name.startsWith(save))!;
    const attempt = async (name: string, damage: (state: string) => Promise<void>) => {
      const state = join(dir, `state-damaged-${name.replace(/\W/g, '-')}`);
      await cp(intact, state, { recursive: true });
      await damage(state);
      return run(['online', ...args, '--state', state, '--store', join(dir, 'damaged.sqlite'), '--resume']);
    };
    for (const file of ['replay.bin', 'holdout.bin', 'champion.safetensors', 'learner/networks.safetensors', 'learner/state.json', 'online.json']) {
      const refused = await attempt(file, async (state) => {
        const path = join(state, saveName, file);
        const bytes = await readFile(path);
        // Four bytes in the middle: a header still parses, the numbers are wrong.
        for (let k = 0; k < 4; k++) bytes[Math.floor(bytes.length / 2) + k] ^= 0x5a;
        await writeFile(path, bytes);
      });
      expect(refused.code, `${file}: ${refused.err}`).toBe(65);
      expect(refused.err.trim().split('\n')).toEqual([`grpo-trader: ${join(dir, `state-damaged-${file.replace(/\W/g, '-')}`, saveName, file)}: SHA-256 differs from the one recorded in checksums.json: the file was damaged or edited after it was written`]);
    }
    const gone = await attempt('checksums', (state) => rm(join(state, saveName, 'checksums.json')));
    expect(gone.err).toMatch(/checksums\.json: missing: the directory cannot be checked/);
    const notJson = await attempt('steps', async (state) => {
      const lines = (await readFile(join(state, 'steps.jsonl'), 'utf8')).split('\n');
      lines[9] = lines[9]!.slice(0, 20);
      await writeFile(join(state, 'steps.jsonl'), lines.join('\n'));
    });
    expect(notJson.code).toBe(65);
    expect(notJson.err).toMatch(/^grpo-trader: .*steps\.jsonl:10: not JSON \(.*\); the log was damaged or edited/);
    // Found before any bar is streamed: no progress line.
    expect(notJson.err.trim().split('\n')).toHaveLength(1);
    const wrongBar = await attempt('orders', async (state) => {
      const lines = (await readFile(join(state, 'orders.jsonl'), 'utf8')).split('\n');
      const line = JSON.parse(lines[40]!) as { bar: number };
      lines[40] = JSON.stringify({ ...line, bar: line.bar + 1 });
      await writeFile(join(state, 'orders.jsonl'), lines.join('\n'));
    });
    expect(wrongBar.code).toBe(65);
    expect(wrongBar.err).toMatch(/orders\.jsonl:41: expected the line of bar \d+, found bar \d+/);
    // The intact copy resumes.
    const resumed = await run(['online', ...args, '--state', intact, '--store', join(dir, 'intact.sqlite'), '--resume']);
    expect(resumed.code, resumed.err).toBe(0);
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
