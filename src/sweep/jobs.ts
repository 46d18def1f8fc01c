/**
 * The units of work of sweeps and walk-forward retraining, and how one is run wherever it lands (a
 * local worker process, or a BullMQ worker on another machine): a **trial** trains one configuration
 * on each walk-forward validation fold and reports the mean validation Sharpe (stopping early when
 * the pruner says so); a **train** job trains once and evaluates the test split (a walk-forward
 * window, or the selected configuration at the end of a sweep). Jobs and outcomes are plain JSON.
 * A job carries the fingerprint of the data it was planned on; a worker whose data differs refuses it.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { TrainConfig } from '../agents/train-config.js';
import type { SplitEvaluation, SplitReturns, TrainSummary } from '../agents/train.js';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { loadMarket } from '../data/load-market.js';
import { marketFingerprint } from '../data/fingerprint.js';
import type { MarketData } from '../data/types.js';
import { buildFeatureTensor, type FeatureTensor } from '../env/feature-tensor.js';
import { meanOf } from '../core/return-statistics.js';
import { shouldPrune } from './search-space.js';

export interface DateRange {
  from: string;
  to: string;
}

/** One walk-forward validation fold: train on `train`, score on `validation`. */
export interface Fold {
  train: DateRange;
  validation: DateRange;
}

interface JobCommon {
  /** Unique across sweeps (the BullMQ job id): `{sweep key}:{kind}:{index}`. */
  id: string;
  /** The full training config (data paths absolute, as the coordinator resolved them). */
  config: TrainConfig;
  /** `marketFingerprint` of the data the coordinator planned the job on. */
  fingerprint: string;
  /** Where the job's runs (checkpoints, metrics) are written, on the machine that runs it. */
  outDir: string;
}

export interface TrialJob extends JobCommon {
  kind: 'trial';
  trial: number;
  folds: Fold[];
  /** Median pruning after each fold but the last, against earlier trials' running means (null: off). */
  pruning: { others: number[][]; minTrials: number } | null;
}

export interface TrainJob extends JobCommon {
  kind: 'train';
  /** Window index (walk-forward) or -1 (a sweep's final run). */
  index: number;
}

export type SweepJob = TrialJob | TrainJob;

export interface FoldOutcome extends Fold {
  sharpe: number;
  totalReturn: number;
  equalWeightSharpe: number;
  bestUpdate: number | null;
  updates: number;
  /** Where the fold's run (checkpoints, best/) is. */
  outDir: string;
}

interface OutcomeCommon {
  id: string;
  seconds: number;
  /** The machine and process that ran the job. */
  host: string;
  pid: number;
}

export interface TrialOutcome extends OutcomeCommon {
  kind: 'trial';
  trial: number;
  status: 'finished' | 'pruned';
  /** Mean validation Sharpe over the folds run (all of them unless pruned). */
  objective: number;
  folds: FoldOutcome[];
  /** Per-bar validation returns of the folds run, concatenated (for the deflated Sharpe ratio). */
  returns: number[];
}

export interface TrainOutcome extends OutcomeCommon {
  kind: 'train';
  index: number;
  test: SplitEvaluation;
  returns: SplitReturns;
  bestUpdate: number | null;
  bestValidationSharpe: number | null;
  updates: number;
  outDir: string;
}

export type JobOutcome = TrialOutcome | TrainOutcome;

/** JSON that keeps NaN and ±Infinity (Sharpe ratios of flat curves are NaN). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `__${String(v)}` : v));
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => (v === '__NaN' ? Number.NaN : v === '__Infinity' ? Number.POSITIVE_INFINITY : v === '__-Infinity' ? Number.NEGATIVE_INFINITY : v)) as T;
}

/** The error a worker sends back for a job, and its error again on the coordinator's side. */
export interface JobError {
  code: string;
  message: string;
}

export function jobErrorOf(error: unknown): JobError {
  if (error instanceof GrpoTraderError) {
    const where = [error.location?.file, error.location?.field].filter(Boolean).join(': ');
    return { code: error.code, message: `${where ? `${where}: ` : ''}${error.message}` };
  }
  return { code: ErrorCodes.internal, message: error instanceof Error ? error.message : String(error) };
}

/** Loaded markets and features by data spec, kept across the jobs a worker process runs. */
export type DataCache = Map<string, Promise<{ market: MarketData; features: FeatureTensor; fingerprint: string }>>;

export interface RunJobOptions {
  cache?: DataCache;
  /** Use these files instead of the job's data paths (a worker whose data lives elsewhere). */
  dataPaths?: string[];
  onProgress?: (line: string) => void;
}

async function prepare(config: TrainConfig, options: RunJobOptions) {
  const paths = options.dataPaths ?? config.data.paths;
  const key = JSON.stringify([paths, config.data.symbols, config.data.features]);
  const cache = options.cache ?? new Map();
  let entry = cache.get(key);
  if (!entry) {
    entry = (async () => {
      const { market } = await loadMarket(paths, { symbols: config.data.symbols });
      return { market, features: buildFeatureTensor(market, { features: config.data.features }), fingerprint: marketFingerprint(market) };
    })();
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

/** Refuse a job planned on other data than this worker has. */
export function checkFingerprint(job: SweepJob, fingerprint: string): void {
  if (fingerprint !== job.fingerprint) {
    throw new GrpoTraderError(
      ErrorCodes.invalidData,
      `worker ${hostname()} refuses job ${job.id}: its data (fingerprint ${fingerprint.slice(7, 19)}) differs from the coordinator's (${job.fingerprint.slice(7, 19)}); give the worker the same files (--data)`,
    );
  }
}

/** Run a job in this process (jax-js is loaded on first use). */
export async function runJob(job: SweepJob, options: RunJobOptions = {}): Promise<JobOutcome> {
  const started = performance.now();
  const { runTraining } = await import('../agents/train.js');
  const prepared = await prepare(job.config, options);
  checkFingerprint(job, prepared.fingerprint);
  const progress = options.onProgress ?? (() => {});
  const common = { id: job.id, host: hostname(), pid: process.pid };
  const seconds = () => (performance.now() - started) / 1000;
  const train = (config: TrainConfig, outDir: string, label: string): Promise<TrainSummary> =>
    runTraining(config, { outDir, prepared: { market: prepared.market, features: prepared.features }, keepReturns: true, onProgress: (line) => progress(`${label}: ${line}`) });

  if (job.kind === 'train') {
    const summary = await train(job.config, job.outDir, job.index < 0 ? 'selected configuration' : `window ${job.index + 1}`);
    if (!summary.test || !summary.returns?.test) throw new GrpoTraderError(ErrorCodes.invalidConfig, `job ${job.id}: the config has no test split to evaluate`, { location: { field: 'splits.test' } });
    return { ...common, kind: 'train', index: job.index, test: summary.test, returns: summary.returns.test, bestUpdate: summary.bestUpdate, bestValidationSharpe: summary.bestValidationSharpe, updates: summary.updates, outDir: job.outDir, seconds: seconds() };
  }

  const folds: FoldOutcome[] = [];
  const returns: number[] = [];
  let status: TrialOutcome['status'] = 'finished';
  for (const [k, fold] of job.folds.entries()) {
    // Numbered from 1, as the progress lines and the report number folds.
    const outDir = join(job.outDir, `fold-${k + 1}`);
    const summary = await train({ ...job.config, splits: { train: fold.train, validation: fold.validation, test: null } }, outDir, `trial ${job.trial + 1}, fold ${k + 1}/${job.folds.length}`);
    const validation = summary.validation!;
    folds.push({ ...fold, sharpe: validation.policy.sharpe, totalReturn: validation.policy.totalReturn, equalWeightSharpe: validation.equalWeight.sharpe, bestUpdate: summary.bestUpdate, updates: summary.updates, outDir });
    returns.push(...summary.returns!.validation!.policy);
    const runningMean = meanOf(folds.map((f) => f.sharpe));
    if (job.pruning && k < job.folds.length - 1 && shouldPrune(runningMean, job.pruning.others[k] ?? [], { maximize: true, minTrials: job.pruning.minTrials })) {
      status = 'pruned';
      break;
    }
  }
  return { ...common, kind: 'trial', trial: job.trial, status, objective: meanOf(folds.map((f) => f.sharpe)), folds, returns, seconds: seconds() };
}
