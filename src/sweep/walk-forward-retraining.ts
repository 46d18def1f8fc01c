/**
 * Walk-forward retraining (`grpo-trader walk-forward`): one training per window, each a job on the
 * executor (local processes or BullMQ), each trained only on the bars before its test window and
 * evaluated on that window; the test windows' returns are stitched into one out-of-sample curve (each
 * window's episode enters the market at its first bar, so the stitched curve starts each window from
 * the previous window's value). Recorded as one `walk_forward` run: started in the store before the
 * first job, each window's outcome recorded (one event, one write) as it finishes, finished with the
 * stitched metrics — so `--resume ID` after a crash runs only the windows not recorded yet (same job
 * ids, so a queue hands back the jobs that finished meanwhile) and ends with the same files and records.
 * Window k (from 1, as the table numbers them) trains in `window-k/` under the run's out dir.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseTrainConfig, type TrainConfig } from '../agents/train-config.js';
import { computeMetrics, type PerformanceMetrics } from '../backtest/metrics.js';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { crashPoint } from '../core/crash-point.js';
import { writeFileAtomic } from '../core/fs.js';
import { formatTimestamp } from '../data/dates.js';
import { marketFingerprint } from '../data/fingerprint.js';
import { loadMarket } from '../data/load-market.js';
import { walkForwardWindows, type WalkForwardOptions } from '../data/splits.js';
import type { RunStore } from '../store/run-store.js';
import { decodeJson, encodeJson, type DateRange, type TrainJob, type TrainOutcome } from './jobs.js';
import type { JobExecutor } from './local-pool.js';

export interface RetrainWindowsOptions extends WalkForwardOptions {
  /** The last bars of each training window held out for early stopping (0: none; the final policy trades). */
  validationBars?: number;
}

/** `train=504,test=63[,step=63][,validation=63][,anchored]` → options; errors name the bad part. */
export function parseWindowsSpec(text: string): RetrainWindowsOptions {
  const options: RetrainWindowsOptions = { testBars: 0 };
  const bad = (message: string) => new GrpoTraderError(ErrorCodes.invalidArgument, `--windows ${JSON.stringify(text)}: ${message} (e.g. train=504,test=63,step=63,validation=63,anchored)`, { location: { field: '--windows' } });
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    if (part === 'anchored') {
      options.anchored = true;
      continue;
    }
    const [key, value] = part.split('=');
    const n = Number(value);
    if (value === undefined || !/^\d+$/.test(value) || n <= 0) throw bad(`${part} must be NAME=POSITIVE_INTEGER`);
    if (key === 'train') options.trainBars = n;
    else if (key === 'test') options.testBars = n;
    else if (key === 'step') options.stepBars = n;
    else if (key === 'validation') options.validationBars = n;
    else throw bad(`unknown part "${key}"`);
  }
  if (options.trainBars === undefined) throw bad('give train=BARS');
  if (options.testBars === 0) throw bad('give test=BARS');
  if ((options.stepBars ?? options.testBars) < options.testBars) throw bad('step must be at least test (test windows must not overlap)');
  if ((options.validationBars ?? 0) >= options.trainBars) throw bad('validation must be shorter than train');
  return options;
}

export interface RetrainWindowReport {
  index: number;
  train: DateRange;
  validation: DateRange | null;
  test: DateRange;
  policy: { sharpe: number; totalReturn: number };
  equalWeight: { sharpe: number; totalReturn: number };
  bestUpdate: number | null;
  outDir: string;
  host: string;
  seconds: number;
}

export interface WalkForwardRetrainResult {
  runId: number;
  outDir: string;
  windows: RetrainWindowReport[];
  /** The stitched out-of-sample curves (value per bar, from 1) and their dates. */
  dates: string[];
  policy: Float64Array;
  equalWeight: Float64Array;
  metrics: { policy: PerformanceMetrics; equalWeight: PerformanceMetrics };
  /** CSV of the stitched curves. */
  csv: string;
}

export interface WalkForwardRetrainOptions {
  store: RunStore;
  executor: JobExecutor;
  /** Where the windows' runs and stitched.csv go (default `walk-forward/{name}-{key}`). */
  outDir?: string;
  /** Continue walk-forward run ID (its config, windows and out dir come from the store). */
  resume?: number;
  onProgress?: (line: string) => void;
}

/** What a walk-forward retraining runs: the training config (its splits replaced per window), the windows, a name. */
export interface WalkForwardInput {
  base: TrainConfig;
  windows: RetrainWindowsOptions;
  name?: string;
}

/** What the `walk_forward` run's config holds (all a resumed run needs). */
interface WalkForwardRunConfig {
  base: TrainConfig;
  windows: RetrainWindowsOptions;
}

/** The store event that records one window's outcome, in one write (what a resumed run does not run again). */
const WINDOW_EVENT = 'window';

/** A window's folder under the run's out dir: numbered from 1, as the table and the progress lines number windows. */
function windowFolder(index: number): string {
  return `window-${index + 1}`;
}

/**
 * Retrain and evaluate per window on the executor; stitch the out-of-sample curve. The run is started
 * in the store first and every window's outcome recorded as it finishes, so `resume` (after a crash,
 * even `kill -9`) runs only the windows not recorded yet and ends with the same files and records.
 */
export async function runWalkForwardRetraining(input: WalkForwardInput | null, options: WalkForwardRetrainOptions): Promise<WalkForwardRetrainResult> {
  const { store } = options;
  const progress = options.onProgress ?? (() => {});
  let base: TrainConfig;
  let windowsOptions: RetrainWindowsOptions;
  let name: string;
  let key: string;
  let outDir: string;
  let runId: number | null = null;
  let expectedFingerprint: string | null = null;
  if (options.resume !== undefined) {
    const run = store.getRun(options.resume);
    if (run.kind !== 'walk_forward') throw new GrpoTraderError(ErrorCodes.notFound, `run ${run.id} is a ${run.kind} run, not a walk-forward run`, { location: { file: store.path, field: '--resume' } });
    if (typeof run.extra['key'] !== 'string') throw new GrpoTraderError(ErrorCodes.invalidArgument, `run ${run.id} was recorded without its windows' outcomes (by an older grpo-trader) and cannot be resumed`, { location: { file: store.path, field: '--resume' } });
    const saved = run.config as WalkForwardRunConfig;
    base = parseTrainConfig(saved.base, `run ${run.id} (base config)`);
    windowsOptions = saved.windows;
    name = run.name;
    key = run.extra['key'];
    outDir = String(run.artifacts['outDir']);
    runId = run.id;
    expectedFingerprint = run.data_fingerprint;
  } else {
    if (!input) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'walk-forward needs --config FILE and --windows SPEC, or --resume ID');
    base = input.base;
    windowsOptions = input.windows;
    name = input.name ?? 'walk-forward retraining';
    key = randomBytes(6).toString('hex');
    outDir = resolve(options.outDir ?? join('walk-forward', `${input.name ?? 'run'}-${key}`));
  }
  const { market } = await loadMarket(base.data.paths, { symbols: base.data.symbols });
  const fingerprint = marketFingerprint(market);
  if (expectedFingerprint !== null && expectedFingerprint !== fingerprint) {
    throw new GrpoTraderError(ErrorCodes.invalidData, `the data changed since walk-forward run ${runId} started (fingerprint ${fingerprint.slice(7, 19)}, was ${expectedFingerprint.slice(7, 19)}); a resumed run must see the same bars`, { location: { field: 'data.paths' } });
  }
  const { validationBars = 0, ...walk } = windowsOptions;
  const windows = [...walkForwardWindows(market, walk)];
  if (windows.length === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, `no complete window fits in the ${market.time.length} bars of the data (${walk.trainBars} training + ${walk.testBars} test bars)`, { location: { field: '--windows' } });
  const day = (bar: number) => formatTimestamp(market.time[bar]!).slice(0, 10);
  const firstDate = day(windows[0]!.test.start);
  // Each window's evaluation episode has one return per test bar after its first; the curve starts at 1.
  const plannedBars = windows.reduce((sum, w) => sum + w.test.end - w.test.start - 1, 1);
  if (runId === null) {
    runId = store.startRun({
      kind: 'walk_forward',
      name,
      period: { split: 'walk-forward out-of-sample', first: firstDate, last: day(windows.at(-1)!.test.end - 1), bars: plannedBars },
      config: { base, windows: windowsOptions } satisfies WalkForwardRunConfig,
      seed: base.seed,
      dataFingerprint: fingerprint,
      artifacts: { outDir },
      extra: { key, planned: windows.length },
    });
    crashPoint('walk-forward.started');
    progress(`walk-forward ${runId}: ${windows.length} windows (train ${walk.trainBars}${walk.anchored ? '+ (anchored)' : ''} bars${validationBars > 0 ? `, the last ${validationBars} for validation` : ''}, test ${walk.testBars} bars), ${firstDate} .. ${day(windows.at(-1)!.test.end - 1)} out of sample, on ${options.executor.description}\n`);
  } else {
    progress(`walk-forward ${runId}: resuming on ${options.executor.description}\n`);
  }
  const recorded = recordedWindows(store, runId);
  if (recorded.size > 0) progress(`walk-forward ${runId}: ${recorded.size} window(s) already recorded, not run again\n`);
  const id = runId;
  let done = recorded.size;
  const outcomes = await Promise.all(
    windows.map(async (window) => {
      const trainEnd = window.train.end - validationBars;
      const splits = {
        train: { from: day(window.train.start), to: day(trainEnd - 1) },
        validation: validationBars > 0 ? { from: day(trainEnd), to: day(window.train.end - 1) } : null,
        test: { from: day(window.test.start), to: day(window.test.end - 1) },
      };
      const previous = recorded.get(window.index);
      if (previous) return { window, splits, outcome: previous };
      const config = parseTrainConfig({ ...base, splits }, `window ${window.index + 1}`);
      const job: TrainJob = { kind: 'train', id: `${key}:window:${window.index}`, index: window.index, config, fingerprint, outDir: join(outDir, windowFolder(window.index)) };
      const outcome = (await options.executor.run(job)) as TrainOutcome;
      store.recordEvent(id, { kind: WINDOW_EVENT, bar: window.index, date: splits.test.from, payload: { outcome: encodeJson(outcome) } });
      crashPoint('walk-forward.window-recorded');
      done++;
      progress(`window ${window.index + 1}/${windows.length} [${done} done] test ${splits.test.from} .. ${splits.test.to}: Sharpe ${outcome.test.policy.sharpe.toFixed(3)} (equal weight ${outcome.test.equalWeight.sharpe.toFixed(3)})  ${outcome.seconds.toFixed(1)} s on ${outcome.host}:${outcome.pid}\n`);
      return { window, splits, outcome };
    }),
  );
  // Stitch: each window's returns follow the previous window's last value.
  const dates: string[] = [];
  const policyReturns: number[] = [];
  const equalReturns: number[] = [];
  for (const { window, outcome } of outcomes) {
    const { policy, equalWeight } = outcome.returns;
    // An episode over bars [start, end) has end − start − 1 returns, for bars start+1 .. end−1.
    policy.forEach((r, i) => {
      dates.push(day(window.test.start + 1 + i));
      policyReturns.push(r);
      equalReturns.push(equalWeight[i]!);
    });
  }
  const curve = (returns: number[]) => {
    const values = new Float64Array(returns.length + 1);
    values[0] = 1;
    returns.forEach((r, i) => (values[i + 1] = values[i]! * (1 + r)));
    return values;
  };
  const policy = curve(policyReturns);
  const equalWeight = curve(equalReturns);
  const metrics = { policy: computeMetrics(policy), equalWeight: computeMetrics(equalWeight) };
  await mkdir(outDir, { recursive: true });
  const csv = join(outDir, 'stitched.csv');
  await writeFileAtomic(csv, `date,policy,equal_weight\n${[firstDate, ...dates].map((d, i) => `${d},${policy[i]},${equalWeight[i]}`).join('\n')}\n`);
  crashPoint('walk-forward.stitched-written');
  const reports: RetrainWindowReport[] = outcomes.map(({ window, splits, outcome }) => ({
    index: window.index,
    train: splits.train,
    validation: splits.validation,
    test: splits.test,
    policy: { sharpe: outcome.test.policy.sharpe, totalReturn: outcome.test.policy.totalReturn },
    equalWeight: { sharpe: outcome.test.equalWeight.sharpe, totalReturn: outcome.test.equalWeight.totalReturn },
    bestUpdate: outcome.bestUpdate,
    outDir: outcome.outDir,
    host: `${outcome.host}:${outcome.pid}`,
    seconds: outcome.seconds,
  }));
  if (store.getRun(id).status !== 'finished') {
    // Indexed again on a resume that crashed here before: remove, then add (not one transaction with finishRun).
    for (const w of reports) {
      const path = join(w.outDir, w.bestUpdate === null ? 'checkpoints' : 'best');
      store.removeCheckpoint(id, path);
      store.addCheckpoint(id, { step: w.index, path, metrics: { window: w.index, testSharpe: w.policy.sharpe } });
    }
    store.finishRun(id, {
      status: 'finished',
      metrics: { policy: { ...metrics.policy }, equal_weight: { ...metrics.equalWeight } },
      extra: { windows: reports },
      artifacts: { stitched: csv },
    });
    crashPoint('walk-forward.finished');
  }
  return { runId: id, outDir, windows: reports, dates: [firstDate, ...dates], policy, equalWeight, metrics, csv };
}

/** The windows a walk-forward run has recorded, by index. */
function recordedWindows(store: RunStore, runId: number): Map<number, TrainOutcome> {
  return new Map(store.events(runId, WINDOW_EVENT).map((event) => [event.bar!, decodeJson<TrainOutcome>(String(event.payload['outcome']))]));
}
