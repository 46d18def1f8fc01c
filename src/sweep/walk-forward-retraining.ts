/**
 * Walk-forward retraining (`grpo-trader walk-forward`): one training per window, each a job on the
 * executor (local processes or BullMQ), each trained only on the bars before its test window and
 * evaluated on that window; the test windows' returns are stitched into one out-of-sample curve (each
 * window's episode enters the market at its first bar, so the stitched curve starts each window from
 * the previous window's value). Recorded as one `walk_forward` run with its windows.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseTrainConfig, type TrainConfig } from '../agents/train-config.js';
import { computeMetrics, type PerformanceMetrics } from '../backtest/metrics.js';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { formatTimestamp } from '../data/dates.js';
import { marketFingerprint } from '../data/fingerprint.js';
import { loadMarket } from '../data/load-market.js';
import { walkForwardWindows, type WalkForwardOptions } from '../data/splits.js';
import type { RunStore } from '../store/run-store.js';
import type { DateRange, TrainJob, TrainOutcome } from './jobs.js';
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
  outDir?: string;
  name?: string;
  onProgress?: (line: string) => void;
}

/** Retrain and evaluate per window on the executor; stitch the out-of-sample curve. */
export async function runWalkForwardRetraining(base: TrainConfig, windowsOptions: RetrainWindowsOptions, options: WalkForwardRetrainOptions): Promise<WalkForwardRetrainResult> {
  const progress = options.onProgress ?? (() => {});
  const { market } = await loadMarket(base.data.paths, { symbols: base.data.symbols });
  const fingerprint = marketFingerprint(market);
  const { validationBars = 0, ...walk } = windowsOptions;
  const windows = [...walkForwardWindows(market, walk)];
  if (windows.length === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, `no complete window fits in the ${market.time.length} bars of the data (${walk.trainBars} training + ${walk.testBars} test bars)`, { location: { field: '--windows' } });
  const day = (bar: number) => formatTimestamp(market.time[bar]!).slice(0, 10);
  const key = randomBytes(6).toString('hex');
  const outDir = resolve(options.outDir ?? join('walk-forward', `${options.name ?? 'run'}-${key}`));
  progress(`walk-forward: ${windows.length} windows (train ${walk.trainBars}${walk.anchored ? '+ (anchored)' : ''} bars${validationBars > 0 ? `, the last ${validationBars} for validation` : ''}, test ${walk.testBars} bars), ${day(windows[0]!.test.start)} .. ${day(windows.at(-1)!.test.end - 1)} out of sample, on ${options.executor.description}\n`);
  let done = 0;
  const outcomes = await Promise.all(
    windows.map(async (window) => {
      const trainEnd = window.train.end - validationBars;
      const splits = {
        train: { from: day(window.train.start), to: day(trainEnd - 1) },
        validation: validationBars > 0 ? { from: day(trainEnd), to: day(window.train.end - 1) } : null,
        test: { from: day(window.test.start), to: day(window.test.end - 1) },
      };
      const config = parseTrainConfig({ ...base, splits }, `window ${window.index}`);
      const job: TrainJob = { kind: 'train', id: `${key}:window:${window.index}`, index: window.index, config, fingerprint, outDir: join(outDir, `window-${window.index}`) };
      const outcome = (await options.executor.run(job)) as TrainOutcome;
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
  const firstDate = day(windows[0]!.test.start);
  await writeFileAtomic(csv, `date,policy,equal_weight\n${[firstDate, ...dates].map((d, i) => `${d},${policy[i]},${equalWeight[i]}`).join('\n')}\n`);
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
  const runId = options.store.recordRun({
    kind: 'walk_forward',
    name: options.name ?? 'walk-forward retraining',
    period: { split: 'walk-forward out-of-sample', first: firstDate, last: dates.at(-1) ?? firstDate, bars: dates.length + 1 },
    config: { base, windows: windowsOptions },
    seed: base.seed,
    dataFingerprint: fingerprint,
    artifacts: { outDir, stitched: csv },
    series: [],
    metrics: { policy: { ...metrics.policy }, equal_weight: { ...metrics.equalWeight } },
    extra: { windows: reports },
    checkpoints: reports.map((w) => ({ step: w.index, path: join(w.outDir, w.bestUpdate === null ? 'checkpoints' : 'best'), metrics: { window: w.index, testSharpe: w.policy.sharpe } })),
  });
  return { runId, outDir, windows: reports, dates: [firstDate, ...dates], policy, equalWeight, metrics, csv };
}
