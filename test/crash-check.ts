/**
 * The crash-anywhere check: every long-running command (`train`, `online`, `serve --live`, `sweep`,
 * `walk-forward`) is run once uninterrupted, then again and again killed with SIGKILL — at moments
 * spread over its run (after k·T/(N+1) ms, T the uninterrupted duration) and at named crash points
 * inside its last steps (`GRPO_TRADER_CRASH_AT`, src/core/crash-point.ts) — and brought to its end
 * the way a user would (resume; start again when nothing was saved). Its outputs must then equal the
 * uninterrupted run's byte for byte, after the normalisations listed in NORMALISED (timestamps, pids,
 * hosts, durations, random keys, run ids: what legitimately differs between two runs).
 *
 * Every run of a command uses the same absolute working folder (one after the other), so paths
 * written into files and records are the same by construction. `scripts/crash-check.ts` runs it from
 * the command line (`npm run crash-check`); `test/crash-check.test.ts` runs a quick form in `npm test`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRASH_AT_ENV } from '../src/core/crash-point.js';
import { RunStore } from '../src/store/run-store.js';
import { trainTinyModel } from './tiny-model.js';
import { writeTinySweep } from './tiny-sweep.js';

export const CRASH_COMMANDS = ['train', 'online', 'serve', 'sweep', 'walk-forward'] as const;
export type CrashCommand = (typeof CRASH_COMMANDS)[number];

const REPOSITORY = resolve(fileURLToPath(new URL('..', import.meta.url)));
const RUN_CLI = join(REPOSITORY, 'test', 'run-cli.ts');

/**
 * What is normalised before comparing, and why (everything else must be byte-identical):
 * - JSON keys `seconds`, `bars_per_second` (durations), `host`, `pid`, `pid_start` (the machine and
 *   process that ran a job or owns a run), `heartbeat_at` (a run's last write), `id` of a job outcome and `key` of a sweep or walk-forward run (its random key, also
 *   in job ids), `created_at`, `finished_at` (timestamps), `resumed_from` (which save a run resumed
 *   from: none for an uninterrupted run), `run_id` / run ids (a store's row numbers);
 * - the metric `seconds` (a trial's or a training's duration); JSON held in a string (a walk-forward
 *   window's outcome in its event) is normalised as JSON;
 * - ISO-8601 timestamps in HTML reports (`recorded 2026-…Z`);
 * - the temporary files of an atomic write interrupted by the kill (`.NAME.PID.HEX.tmp`,
 *   `.NAME.tmp-PID`, `.NAME.old-PID`): not outputs; they are listed as leftovers.
 */
export const NORMALISED = {
  keys: ['seconds', 'bars_per_second', 'host', 'pid', 'pid_start', 'heartbeat_at', 'id', 'key', 'created_at', 'finished_at', 'resumed_from', 'run_id'],
  temporaryFile: /^\..+(\.\d+\.[0-9a-f]+\.tmp|\.tmp-\d+|\.old-\d+)$/,
  htmlTimestamp: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g,
};

/** A kill moment: `time` after `afterMs` from the start (`fraction` of the uninterrupted run), or `named` at a crash point. */
export type KillPoint = { kind: 'time'; fraction: number; afterMs: number; label: string } | { kind: 'named'; name: string; label: string };

export interface KillPointResult {
  command: CrashCommand;
  point: KillPoint;
  /** held: the outputs equal; failed: they differ or the command could not be brought to its end; missed: it ended before the kill. */
  status: 'held' | 'failed' | 'missed';
  /** For a failure: the first differing file and line, or the error of the resume. */
  detail: string | null;
  /** How the command was brought to its end after the kill. */
  recovery: string;
  /** Temporary files an interrupted atomic write left behind. */
  leftovers: string[];
  seconds: number;
}

/** A command's uninterrupted run: how long it took and what it wrote. */
interface Reference {
  milliseconds: number;
  outputs: Map<string, Buffer>;
}

interface Recovered {
  how: string;
  stdout: string;
}

interface Launched {
  child: ChildProcess;
  /** Resolves when the command ended (by itself, with its exit code, or killed, with its signal). */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
}

interface Scenario {
  command: CrashCommand;
  /** Crash points inside the command's last steps (values of GRPO_TRADER_CRASH_AT). */
  namedPoints: string[];
  /** Run the command from scratch in `work` until it ends (extra environment: a crash point). */
  launch(work: string, environment?: Record<string, string>): Launched;
  /** After a kill: bring the command to its end as a user would; returns what was done and its stdout. */
  recover(work: string): Promise<Recovered>;
  /** The outputs to compare, by name relative to `work` (store records as `store:KIND:NAME`). */
  outputs(work: string, stdout: string): Promise<Map<string, Buffer>>;
}

/** Start the CLI from source in its own process group (so the processes it forks can be waited for). */
function launchCli(args: string[], environment: Record<string, string> = {}): Launched {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, ...args], { cwd: REPOSITORY, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...environment } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return { child, ended, stdout: () => stdout, stderr: () => stderr };
}

/** Whether any process of the group `pid` leads is alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Wait until every process of the command's group has exited (forked job processes exit with it); SIGKILL them after `timeoutMs`. */
async function groupEnded(pid: number, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(-pid, 'SIGKILL');
      return false;
    }
    await sleep(20);
  }
  return true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run the CLI to its end; throws with its stderr when it fails. */
async function runToEnd(args: string[]): Promise<string> {
  const launched = launchCli(args);
  const { code, signal } = await launched.ended;
  await groupEnded(launched.child.pid!);
  if (code !== 0) throw new CommandFailed(args, code, signal, launched.stderr());
  return launched.stdout();
}

class CommandFailed extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderr: string,
  ) {
    super(`grpo-trader ${args[0]} exited with ${signal ?? code}: ${lastLines(stderr)}`);
  }
}

function lastLines(text: string, count = 2): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

/** Every file under `folder`, by path relative to `root`; atomic-write temporaries apart. */
async function filesUnder(root: string, folder: string): Promise<{ files: Map<string, Buffer>; leftovers: string[] }> {
  const files = new Map<string, Buffer>();
  const leftovers: string[] = [];
  const walk = async (directory: string) => {
    for (const entry of await readdir(directory, { withFileTypes: true }).catch(() => [])) {
      const path = join(directory, entry.name);
      if (NORMALISED.temporaryFile.test(entry.name)) leftovers.push(relative(root, path));
      else if (entry.isDirectory()) await walk(path);
      else files.set(relative(root, path), await readFile(path));
    }
  };
  await walk(folder);
  return { files, leftovers };
}

/** JSON with the NORMALISED keys replaced by a marker (also inside JSON held as a string, e.g. a window's outcome). */
function normaliseValue(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('{')) {
    try {
      return normaliseValue(JSON.parse(value));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(normaliseValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, NORMALISED.keys.includes(k) ? '<normalised>' : normaliseValue(v)]));
  }
  return value;
}

function normalisedJson(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(normaliseValue(value), (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1)}\n`);
}

/** A JSON file's text normalised, an HTML file's timestamps (other files as they are). */
function normaliseFile(name: string, bytes: Buffer): Buffer {
  if (name.endsWith('.html')) return Buffer.from(bytes.toString('utf8').replace(NORMALISED.htmlTimestamp, '<timestamp>'));
  if (!name.endsWith('.json')) return bytes;
  try {
    return normalisedJson(JSON.parse(bytes.toString('utf8')));
  } catch {
    return bytes; // not JSON (cut short by the kill): compared as it is, so it differs
  }
}

/**
 * The store's records, one entry per run (`store:KIND:NAME`, the order of ids dropped: trials and
 * windows finish in any order), with their checkpoints, events (ordered by bar, then kind) and series.
 */
function storeRecords(file: string): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  if (!existsSync(file)) return records;
  const store = RunStore.open(file, { mustExist: true });
  try {
    for (const summary of store.listRuns().reverse()) {
      const run = store.getRun(summary.id);
      const metrics = Object.fromEntries(Object.entries(run.metrics).map(([series, values]) => [series, Object.fromEntries(Object.entries(values).filter(([name]) => name !== 'seconds'))]));
      const events = store
        .events(run.id)
        .map((e) => ({ kind: e.kind, bar: e.bar, date: e.date, payload: e.payload }))
        .sort((a, b) => (a.bar ?? -1) - (b.bar ?? -1) || a.kind.localeCompare(b.kind) || JSON.stringify(a.payload).localeCompare(JSON.stringify(b.payload)));
      const series = store.series(run.id).map((s) => ({ ...s, time: Array.from(s.time), value: Array.from(s.value), cost: Array.from(s.cost), turnover: Array.from(s.turnover), weights: Array.from(s.weights) }));
      const { id: _id, created_at: _created, finished_at: _finished, ...rest } = run;
      const record = {
        ...rest,
        sweep_id: run.sweep_id === null ? null : 'a sweep',
        metrics,
        checkpoints: run.checkpoints.map((c) => ({ step: c.step, path: c.path, metrics: c.metrics })).sort((a, b) => a.step - b.step || a.path.localeCompare(b.path)),
        events,
        series,
      };
      let name = `store:${run.kind}:${run.name}`;
      for (let k = 2; records.has(name); k++) name = `store:${run.kind}:${run.name} (${k})`;
      records.set(name, normalisedJson(record));
    }
  } finally {
    store.close();
  }
  return records;
}

/** The first difference between two sets of outputs (and which other outputs differ), or null. */
export function firstDifference(expected: Map<string, Buffer>, actual: Map<string, Buffer>): string | null {
  const same = (name: string) => {
    const a = expected.get(name);
    const b = actual.get(name);
    return a !== undefined && b !== undefined && a.equals(b);
  };
  const differing = [...new Set([...expected.keys(), ...actual.keys()])].sort().filter((name) => !same(name));
  if (differing.length === 0) return null;
  const more = differing.length > 1 ? ` (and ${differing.length - 1} more: ${differing.slice(1, 6).join(', ')}${differing.length > 6 ? ', …' : ''})` : '';
  return `${describeDifference(differing[0]!, expected.get(differing[0]!), actual.get(differing[0]!))}${more}`;
}

/** Where two versions of an output first differ: its line (text) or byte (binary). */
function describeDifference(name: string, a: Buffer | undefined, b: Buffer | undefined): string {
  if (!a) return `${name}: written, but not by the uninterrupted run`;
  if (!b) return `${name}: missing (the uninterrupted run wrote it)`;
  if (a.includes(0) || b.includes(0)) {
    let offset = 0;
    while (offset < a.length && offset < b.length && a[offset] === b[offset]) offset++;
    return `${name}: byte ${offset} differs (${a.length} vs ${b.length} bytes)`;
  }
  const left = a.toString('utf8').split('\n');
  const right = b.toString('utf8').split('\n');
  let line = 0;
  while (line < left.length && line < right.length && left[line] === right[line]) line++;
  const clip = (text: string | undefined) => (text === undefined ? '(end of file)' : text.length > 160 ? `${text.slice(0, 160)}…` : text);
  return `${name}: line ${line + 1} differs: expected ${clip(left[line])} | got ${clip(right[line])}`;
}

/** How big each command's run is: `full` for the script, `quick` for `npm test`. */
export const CRASH_CHECK_SIZES = {
  full: { trainUpdates: 10, sweepTrials: 4, sweepUpdates: 4, walkUpdates: 4, workers: 2 },
  // One worker process: fewer processes to start (each loads jax-js), the same outputs.
  quick: { trainUpdates: 4, sweepTrials: 2, sweepUpdates: 2, walkUpdates: 2, workers: 1 },
} as const;
export type CrashCheckSize = keyof typeof CRASH_CHECK_SIZES;
type Sizes = (typeof CRASH_CHECK_SIZES)[CrashCheckSize];

/** The shared inputs: synthetic data, configs, a small trained model for the streams. */
interface Fixture {
  sizes: Sizes;
  root: string;
  base: string;
  sweep: string;
  model: string;
  modelData: string;
  serveConfig: string;
}

/** Write the fixture under ROOT/fixture-SIZE, once (later calls with the same root reuse it). */
async function prepareFixture(root: string, size: CrashCheckSize): Promise<Fixture> {
  const sizes = CRASH_CHECK_SIZES[size];
  const folder = join(root, `fixture-${size}`);
  const streams = join(folder, 'streams');
  const fixture: Fixture = { sizes, root, base: join(folder, 'base.yaml'), sweep: join(folder, 'sweep.yaml'), model: join(streams, 'model'), modelData: join(streams, 'data'), serveConfig: join(folder, 'serve.yaml') };
  if (existsSync(join(folder, 'ready'))) return fixture;
  await rm(folder, { recursive: true, force: true });
  await mkdir(streams, { recursive: true });
  // 420 bars: train 2010, validation 2011-Q1, test 2011-04 .. 07 (the sweep's and walk-forward's base too).
  await writeTinySweep(folder, { trials: sizes.sweepTrials, batch: 2, updates: sizes.sweepUpdates });
  await trainTinyModel(streams, { bars: 800 });
  await writeFile(fixture.serveConfig, 'online: { minSamplesBeforeUpdate: 64, evaluationWindow: 30, evaluationInterval: 30 }\n');
  await writeFile(join(folder, 'ready'), '');
  return fixture;
}
const STREAM = ['--from', '2011-02-01', '--min-samples', '64', '--evaluation-window', '30', '--evaluation-interval', '30'];

function scenarios(fixture: Fixture): Record<CrashCommand, Scenario> {
  const store = (work: string) => join(work, 'runs.sqlite');
  /** Outputs: the files under `folders` of work, the store's records, and the command's final stdout (normalised). */
  const collect = async (work: string, folders: string[], stdout: string, normaliseStdout: (text: string) => Buffer = (text) => Buffer.from(text)) => {
    const outputs = new Map<string, Buffer>();
    for (const folder of folders) for (const [name, bytes] of (await filesUnder(work, join(work, folder))).files) outputs.set(name, normaliseFile(name, bytes));
    for (const [name, bytes] of storeRecords(store(work))) outputs.set(name, bytes);
    outputs.set('stdout', normaliseStdout(stdout));
    return outputs;
  };
  /** Resume; when the command says there is nothing to resume yet, start it again (what a user does). */
  const resumeOrRestart = async (resume: string[], fresh: string[], nothingSaved: RegExp): Promise<Recovered> => {
    try {
      return { stdout: await runToEnd(resume), how: resume.includes('--resume') ? `${resume[0]} --resume` : `${resume[0]} again` };
    } catch (error) {
      if (!(error instanceof CommandFailed) || !nothingSaved.test(error.stderr)) throw error;
      return { stdout: await runToEnd(fresh), how: `nothing to resume (${lastLines(error.stderr, 1).replace(/^grpo-trader: /, '')}): started again` };
    }
  };

  const { trainUpdates, sweepTrials, walkUpdates } = fixture.sizes;
  const workers = String(fixture.sizes.workers);
  // A checkpoint every 2 updates (and validation every update): the last is number trainUpdates / 2.
  const lastCheckpoint = Math.ceil(trainUpdates / 2);
  const trainArgs = (work: string) => ['train', '--config', fixture.base, '--updates', String(trainUpdates), '--out', join(work, 'model'), '--store', store(work)];
  const train: Scenario = {
    command: 'train',
    // The last update's metrics line before its checkpoint; the last checkpoint's directory before
    // latest.json names it, and after; the summary; the store's record of the end.
    namedPoints: ['train.metrics-appended@1', `train.metrics-appended@${trainUpdates}`, `checkpoint.directory-written@${lastCheckpoint}`, `train.checkpoint-written@${lastCheckpoint}`, 'train.updates-done', 'train.summary-written', 'train.recorded', 'train.best-written'],
    launch: (work, environment) => launchCli(trainArgs(work), environment),
    recover: (work) => resumeOrRestart([...trainArgs(work), '--resume', join(work, 'model')], trainArgs(work), /no checkpoint found/),
    outputs: (work, stdout) => collect(work, ['model'], stdout),
  };

  const onlineArgs = (work: string) => ['online', '--model', fixture.model, '--data', fixture.modelData, ...STREAM, '--no-png', '--state', join(work, 'state'), '--store', store(work), '--save-frequency', '7', '--json'];
  const online: Scenario = {
    command: 'online',
    // Before the first save (7 bars); an order recorded but not settled; a save before and after its
    // index entry; the run finished in the store, before and after the report is written.
    namedPoints: ['online.step-recorded@3', 'online.order-recorded@9', 'online.saved@2', 'online.indexed@2', 'online.finished', 'online.report-written'],
    launch: (work, environment) => launchCli(onlineArgs(work), environment),
    recover: (work) => resumeOrRestart([...onlineArgs(work), '--resume'], onlineArgs(work), /nothing to resume/),
    outputs: (work, stdout) => collect(work, ['state'], stdout, (text) => (text.trim() ? normalisedJson(JSON.parse(text)) : Buffer.from(text))),
  };

  const serveArgs = (work: string) => ['serve', '--model', fixture.model, '--port', '0', '--live', `replay:${fixture.modelData}`, '--from', '2011-02-01', '--state', join(work, 'state'), '--config', fixture.serveConfig, '--store', store(work)];
  /** `serve --live` runs until stopped: wait for its session to finish, then SIGTERM it. */
  const launchServe = (work: string, environment?: Record<string, string>): Launched => {
    const launched = launchCli(serveArgs(work), environment);
    const finished = (async () => {
      let url: string | null = null;
      for (;;) {
        if (launched.child.exitCode !== null || launched.child.signalCode !== null) return;
        url ??= /serve: (http:\/\/[\d.:]+)/.exec(launched.stdout())?.[1] ?? null;
        if (url) {
          const status = await fetch(`${url}/v1/online/status`).then((r) => r.json() as Promise<{ state: string }>).catch(() => null);
          if (status && status.state !== 'running') break;
        }
        await sleep(50);
      }
      launched.child.kill('SIGTERM');
    })();
    return { ...launched, ended: finished.then(() => launched.ended) };
  };
  const serve: Scenario = {
    command: 'serve',
    // The live session streams through the same OnlineStream: its crash points are the stream's.
    namedPoints: ['online.step-recorded@3', 'online.saved@1', 'online.indexed@2', 'online.finished'],
    launch: launchServe,
    async recover(work) {
      const launched = launchServe(work);
      const { code, signal } = await launched.ended;
      await groupEnded(launched.child.pid!);
      if (code !== 0) throw new CommandFailed(serveArgs(work), code, signal, launched.stderr());
      return { how: 'serve restarted on its state', stdout: '' };
    },
    // stdout names the port (0: a free one); the session's files and records are compared.
    outputs: (work) => collect(work, ['state'], ''),
  };

  const sweepArgs = (work: string) => ['sweep', '--config', fixture.sweep, '--workers', workers, '--store', store(work), '--out', join(work, 'sweep')];
  const recordedRun = (work: string, kind: string): number | null => {
    if (!existsSync(store(work))) return null;
    const runs = RunStore.open(store(work), { mustExist: true });
    try {
      return runs.listRuns({ kind })[0]?.id ?? null;
    } finally {
      runs.close();
    }
  };
  const sweep: Scenario = {
    command: 'sweep',
    namedPoints: ['sweep.started', 'sweep.trial-recorded@1', `sweep.trial-recorded@${sweepTrials}`, 'sweep.final-recorded', 'sweep.finished', 'sweep.report-written', 'train.updates-done'],
    launch: (work, environment) => launchCli(sweepArgs(work), environment),
    async recover(work) {
      const id = recordedRun(work, 'sweep');
      if (id === null) return { how: 'no sweep recorded yet: started again', stdout: await runToEnd(sweepArgs(work)) };
      return { how: 'sweep --resume', stdout: await runToEnd(['sweep', '--resume', String(id), '--workers', workers, '--store', store(work)]) };
    },
    outputs: (work, stdout) => collect(work, ['sweep'], stdout),
  };

  const walkArgs = (work: string) => ['walk-forward', '--config', fixture.base, '--windows', 'train=200,test=60,validation=40', '--updates', String(walkUpdates), '--workers', workers, '--store', store(work), '--out', join(work, 'walk-forward')];
  const walkForward: Scenario = {
    command: 'walk-forward',
    namedPoints: ['walk-forward.started', 'walk-forward.window-recorded@1', 'walk-forward.window-recorded@3', 'walk-forward.stitched-written', 'walk-forward.finished', 'train.updates-done'],
    launch: (work, environment) => launchCli(walkArgs(work), environment),
    async recover(work) {
      const id = recordedRun(work, 'walk_forward');
      if (id === null) return { how: 'no walk-forward run recorded yet: started again', stdout: await runToEnd(walkArgs(work)) };
      return { how: 'walk-forward --resume', stdout: await runToEnd(['walk-forward', '--resume', String(id), '--workers', workers, '--store', store(work)]) };
    },
    outputs: (work, stdout) => collect(work, ['walk-forward'], stdout),
  };

  return { train, online, serve, sweep, 'walk-forward': walkForward };
}

export interface CrashCheckOptions {
  commands: readonly CrashCommand[];
  /** Kill moments spread in time per command: after k·T/(points+1) ms, k = 1 .. points (a number, or one per command). */
  points: number | Partial<Record<CrashCommand, number>>;
  /** How big the runs are (default full). */
  size?: CrashCheckSize;
  /** More kill moments in the last 10% of the run (the end: last checkpoints, summaries, final reports), spread the same way. */
  tail?: number;
  /** Named crash points per command: all of them, or the first `n` of the list (0: none). */
  named?: 'all' | number;
  /** Only these named points (overrides `named`). */
  only?: string[];
  /** Working folder (default: a new temporary folder, removed at the end unless `keep`). */
  root?: string;
  keep?: boolean;
  onLine?: (line: string) => void;
}

/** Run the check; one result per kill point tried. */
export async function runCrashCheck(options: CrashCheckOptions): Promise<KillPointResult[]> {
  const line = options.onLine ?? (() => {});
  const root = options.root ? resolve(options.root) : await mkdtemp(join(tmpdir(), 'grpo-crash-'));
  const results: KillPointResult[] = [];
  try {
    line(`crash check in ${root}: preparing data, configs and a small model\n`);
    const fixture = await prepareFixture(root, options.size ?? 'full');
    const all = scenarios(fixture);
    for (const command of options.commands) {
      const scenario = all[command];
      const work = join(root, command);
      await rm(work, { recursive: true, force: true });
      const reference = await runReference(scenario, work, join(root, `${command}.reference`));
      line(`${command}: uninterrupted run ${(reference.milliseconds / 1000).toFixed(1)} s, ${reference.outputs.size} outputs compared\n`);
      const points: KillPoint[] = [];
      const count = typeof options.points === 'number' ? options.points : (options.points[command] ?? 0);
      for (let k = 1; k <= count; k++) points.push(timePoint(k / (count + 1), reference.milliseconds));
      const tail = options.tail ?? 0;
      for (let k = 1; k <= tail; k++) points.push(timePoint(0.9 + (0.1 * k) / (tail + 1), reference.milliseconds));
      const named = options.only ? scenario.namedPoints.filter((name) => options.only!.includes(name)) : options.named === 'all' ? scenario.namedPoints : scenario.namedPoints.slice(0, options.named ?? 0);
      for (const name of named) points.push({ kind: 'named', name, label: `at ${name}` });
      for (const point of points) {
        let result = await tryKillPoint(scenario, work, point, reference);
        // The machine is shared: a run can be faster than the uninterrupted one. Once more, at the same fraction of this run.
        if (result.status === 'missed' && point.kind === 'time' && result.endedAfterMs !== null) result = await tryKillPoint(scenario, work, timePoint(point.fraction, result.endedAfterMs), reference);
        results.push(result);
        line(`${command} ${point.label}: ${result.status}${result.status === 'held' ? '' : ` — ${result.detail}`} [${result.recovery}; ${result.seconds.toFixed(1)} s]${result.leftovers.length > 0 ? ` leftovers: ${result.leftovers.join(', ')}` : ''}\n`);
      }
    }
  } finally {
    if (!options.keep && !options.root) await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
  return results;
}

async function runReference(scenario: Scenario, work: string, keepAs: string): Promise<Reference> {
  const started = performance.now();
  const launched = scenario.launch(work);
  const { code, signal } = await launched.ended;
  const milliseconds = performance.now() - started;
  await groupEnded(launched.child.pid!);
  if (code !== 0) throw new Error(`the uninterrupted ${scenario.command} failed (${signal ?? code}): ${launched.stderr()}`);
  const outputs = await scenario.outputs(work, launched.stdout());
  await rm(keepAs, { recursive: true, force: true });
  await rename(work, keepAs);
  return { milliseconds, outputs };
}

function timePoint(fraction: number, milliseconds: number): KillPoint {
  const afterMs = Math.round(fraction * milliseconds);
  return { kind: 'time', fraction, afterMs, label: `t=${afterMs} ms (${(fraction * 100).toFixed(fraction >= 0.9 ? 1 : 0)}% of the run)` };
}

async function tryKillPoint(scenario: Scenario, work: string, point: KillPoint, reference: Reference): Promise<KillPointResult & { endedAfterMs: number | null }> {
  const started = performance.now();
  const result = (status: KillPointResult['status'], detail: string | null, recovery: string, leftovers: string[] = [], endedAfterMs: number | null = null): KillPointResult & { endedAfterMs: number | null } => ({
    endedAfterMs,
    command: scenario.command,
    point,
    status,
    detail,
    recovery,
    leftovers,
    seconds: (performance.now() - started) / 1000,
  });
  await rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  const launchedAt = performance.now();
  const launched = scenario.launch(work, point.kind === 'named' ? { [CRASH_AT_ENV]: point.name } : {});
  let killed = false;
  if (point.kind === 'time') {
    const timer = setTimeout(() => {
      killed = launched.child.exitCode === null && launched.child.signalCode === null;
      if (killed) launched.child.kill('SIGKILL');
    }, point.afterMs);
    await launched.ended;
    clearTimeout(timer);
  }
  const { code, signal } = await launched.ended;
  const endedAfterMs = performance.now() - launchedAt;
  // A job process still writing when the resumed command starts would race it: it must exit with its coordinator.
  if (!(await groupEnded(launched.child.pid!))) return result('failed', 'a process of the command was still running 15 s after it ended (killed now)', 'none');
  if (point.kind === 'time' && !killed) {
    // An uninterrupted run after all: it must equal the reference too (a difference here is nondeterminism, or a missing normalisation).
    const difference = code === 0 ? firstDifference(reference.outputs, await scenario.outputs(work, launched.stdout())) : `exit ${signal ?? code}: ${lastLines(launched.stderr())}`;
    if (difference !== null) return result('failed', `two uninterrupted runs differ: ${difference}`, 'none');
    return result('missed', 'the command ended before the kill', 'none', [], endedAfterMs);
  }
  if (point.kind === 'named' && signal !== 'SIGKILL' && code === 0) return result('failed', `crash point ${point.name} was never reached (the command ended normally)`, 'none');
  const how = signal === 'SIGKILL' ? '' : `the command stopped with exit code ${code} (${lastLines(launched.stderr(), 1)}); `;
  let recovered: Recovered;
  try {
    recovered = await scenario.recover(work);
  } catch (error) {
    return result('failed', error instanceof Error ? error.message : String(error), `${how}recovery failed`);
  }
  const recovery = how + recovered.how;
  const { leftovers } = await filesUnder(work, work);
  // The compared stdout is the recovering command's (it printed the end of the run).
  const difference = firstDifference(reference.outputs, await scenario.outputs(work, recovered.stdout));
  return result(difference === null ? 'held' : 'failed', difference, recovery, leftovers);
}

/** The summary: kill points tried and held per command, and every failure. */
export function formatCrashReport(results: readonly KillPointResult[]): string {
  const lines: string[] = [];
  const commands = [...new Set(results.map((r) => r.command))];
  for (const command of commands) {
    const mine = results.filter((r) => r.command === command);
    const tried = mine.filter((r) => r.status !== 'missed');
    const held = tried.filter((r) => r.status === 'held');
    const missed = mine.length - tried.length;
    lines.push(`${command}: ${held.length}/${tried.length} kill points held${missed > 0 ? ` (${missed} missed: the command ended before the kill)` : ''}`);
  }
  const tried = results.filter((r) => r.status !== 'missed');
  lines.push(`total: ${tried.filter((r) => r.status === 'held').length}/${tried.length} kill points held`);
  const failures = results.filter((r) => r.status === 'failed');
  if (failures.length > 0) {
    lines.push('', 'failed:');
    for (const f of failures) lines.push(`  ${f.command} ${f.point.label} [${f.recovery}]: ${f.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Parse `--points N --tail N --commands a,b --named all|N --only p,q --size quick|full --root DIR --keep` (the script's flags). */
export function parseCrashCheckArguments(argv: readonly string[]): CrashCheckOptions {
  const options: CrashCheckOptions = { commands: CRASH_COMMANDS, points: 8, tail: 3, named: 'all' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--points' || flag === '--tail') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, got ${argv[i]}`);
      if (flag === '--points') options.points = n;
      else options.tail = n;
    } else if (flag === '--commands') {
      const commands = value().split(',').map((c) => c.trim()).filter(Boolean);
      const unknown = commands.find((c) => !(CRASH_COMMANDS as readonly string[]).includes(c));
      if (unknown) throw new Error(`--commands: unknown command "${unknown}" (give some of ${CRASH_COMMANDS.join(',')})`);
      options.commands = commands as CrashCommand[];
    } else if (flag === '--named') {
      const text = value();
      const n = Number(text);
      if (text !== 'all' && !(Number.isInteger(n) && n >= 0)) throw new Error(`--named must be all or a non-negative integer, got ${text}`);
      options.named = text === 'all' ? 'all' : n;
    } else if (flag === '--size') {
      const size = value();
      if (size !== 'quick' && size !== 'full') throw new Error(`--size must be quick or full, got ${size}`);
      options.size = size;
    } else if (flag === '--only') options.only = value().split(',').map((p) => p.trim()).filter(Boolean);
    else if (flag === '--root') options.root = value();
    else if (flag === '--keep') options.keep = true;
    else throw new Error(`unknown flag ${flag} (give --points N, --tail N, --commands ${CRASH_COMMANDS.join(',')}, --named all|N, --only POINT,..., --size quick|full, --root DIR, --keep)`);
  }
  return options;
}
