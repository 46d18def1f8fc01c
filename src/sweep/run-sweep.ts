/**
 * The sweep coordinator (`grpo-trader sweep`): proposes each trial from the trials at least `batch`
 * places before it only (so the trials and their metrics do not depend on how many workers ran them
 * or in what order they finished, and at most `batch` run at once, with no barrier between batches), runs them on an executor (local processes or BullMQ), and records
 * each finished trial as a run of the sweep in the store — the only writer. The objective is the mean
 * validation Sharpe over walk-forward folds inside the base config's train + validation period; the
 * test split is touched once, by the selected configuration, at the end. The table deflates every
 * trial's Sharpe ratio by the number of trials actually run. `--resume ID` re-proposes the same
 * trials and runs only those not yet recorded.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseTrainConfig, type TrainConfig } from '../agents/train-config.js';
import { deflatedSharpeRatio, periodSharpe } from '../backtest/statistics.js';
import { crashPoint } from '../core/crash-point.js';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { meanOf, stdOf } from '../core/return-statistics.js';
import { Rng } from '../core/rng.js';
import { formatTimestamp } from '../data/dates.js';
import { marketFingerprint } from '../data/fingerprint.js';
import { loadMarket } from '../data/load-market.js';
import { dateRangeIndices } from '../data/market.js';
import type { RunStore } from '../store/run-store.js';
import { parameterImportance } from './importance.js';
import type { Fold, FoldOutcome, TrainJob, TrainOutcome, TrialJob, TrialOutcome } from './jobs.js';
import type { JobExecutor } from './local-pool.js';
import { formatParams, gridAssignment, gridSize, randomAssignment, tpeAssignment, withParameters, type Assignment } from './search-space.js';
import { checkSweepSpace, parseSweepConfig, type LoadedSweep, type SweepConfig } from './sweep-config.js';

/** What a trial's run in the store holds (its `extra`). */
export interface TrialRecord {
  trial: number;
  params: Assignment;
  status: 'finished' | 'pruned' | 'failed';
  objective: number;
  folds: FoldOutcome[];
  returns: number[];
  seconds: number;
  host: string | null;
  error?: string;
}

export interface SweepTableRow extends TrialRecord {
  runId: number;
  /** Per-bar Sharpe of the trial's validation returns. */
  periodSharpe: number;
  /** Probability that the trial's true Sharpe exceeds the expected maximum of `trialsRun` unskilled trials. */
  deflatedSharpe: number;
}

export interface SweepSummary {
  sweepId: number;
  name: string;
  status: string;
  outDir: string;
  config: SweepConfig;
  folds: Fold[];
  /** Trials that ran (finished or pruned): the multiple-testing count of the deflated Sharpe ratio. */
  trialsRun: number;
  expectedMaxSharpe: number;
  rows: SweepTableRow[];
  best: SweepTableRow | null;
  /** The selected configuration's one evaluation on the test split. */
  final: (TrainOutcome & { runId: number }) | null;
  importance: Record<string, number>;
}

export interface RunSweepOptions {
  store: RunStore;
  executor: JobExecutor;
  /** Where trials write their runs (default `sweeps/{name}-{key}` under the working directory). */
  outDir?: string;
  /** Continue the sweep with this run id (its config and out dir come from the store). */
  resume?: number;
  onProgress?: (line: string) => void;
}

/** Walk-forward validation folds: the last `folds × validationBars` bars of the period are the validation windows, each trained on everything before it. */
export function planFolds(time: Float64Array, base: TrainConfig, objective: SweepConfig['objective']): Fold[] {
  const from = base.splits.train.from;
  const to = base.splits.validation?.to ?? base.splits.train.to;
  const { start, end } = dateRangeIndices(time, from, to);
  const minimumTrain = base.environment.lookback + base.environment.returnHistory + base.environment.episodeLength + 2;
  const trainBars = end - start - objective.folds * objective.validationBars;
  if (trainBars < minimumTrain) {
    throw new GrpoTraderError(
      ErrorCodes.invalidConfig,
      `${objective.folds} folds of ${objective.validationBars} validation bars leave ${Math.max(0, trainBars)} training bars in ${from} .. ${to} (${end - start} bars); the first fold needs at least ${minimumTrain}`,
      { location: { field: 'objective' } },
    );
  }
  const day = (bar: number) => formatTimestamp(time[bar]!).slice(0, 10);
  return Array.from({ length: objective.folds }, (_, k) => {
    const validationStart = start + trainBars + k * objective.validationBars;
    return { train: { from: day(start), to: day(validationStart - 1) }, validation: { from: day(validationStart), to: day(validationStart + objective.validationBars - 1) } };
  });
}

/**
 * What TPE learns from: a pruned trial's objective covers only its first folds, which need not be
 * comparable with a whole trial's, so it ranks below every finished trial (as Optuna's TPE ranks
 * pruned trials), a deeper prune above a shallower one; failed trials are left out.
 */
export function samplerResults(previous: readonly TrialRecord[]): { params: Assignment; objective: number }[] {
  const finished = previous.filter((t) => t.status === 'finished' && Number.isFinite(t.objective));
  const floor = finished.length > 0 ? Math.min(...finished.map((t) => t.objective)) - 1 : 0;
  return previous
    .filter((t) => t.status !== 'failed')
    .map((t) => ({ params: t.params, objective: t.status === 'finished' || finished.length === 0 ? t.objective : floor - 1 / (1 + t.folds.length) }));
}

/** Trial `trial`'s parameters, from the trials before it that it may see (deterministic for a seed). */
export function proposeTrial(sweep: SweepConfig, trial: number, previous: readonly TrialRecord[]): Assignment {
  if (sweep.sampler.type === 'grid') return gridAssignment(sweep.space, trial);
  const rng = new Rng(sweep.sampler.seed * 1_000_003 + trial);
  if (sweep.sampler.type === 'random') return randomAssignment(sweep.space, rng);
  return tpeAssignment(sweep.space, samplerResults(previous), rng, { startupTrials: sweep.sampler.startupTrials, maximize: true });
}

function barsBetween(time: Float64Array, from: string, to: string): number {
  const { start, end } = dateRangeIndices(time, from, to);
  return end - start;
}

/** How many trials the sweep runs. */
export function trialCount(sweep: SweepConfig): number {
  if (sweep.sampler.type !== 'grid') return sweep.sampler.trials!;
  const grid = gridSize(sweep.space);
  return Math.min(grid, sweep.sampler.trials ?? grid);
}

/** Errors that stop a sweep (the infrastructure or the data); any other error fails only its trial. */
function isFatal(error: unknown): boolean {
  const code = error instanceof GrpoTraderError ? error.code : ErrorCodes.internal;
  return code !== ErrorCodes.invalidConfig && code !== ErrorCodes.invalidArgument;
}

interface SweepRunConfig {
  name: string;
  sweep: SweepConfig;
  base: TrainConfig;
}

/** Run (or resume) a sweep to its end; returns its table. */
export async function runSweep(input: LoadedSweep | null, options: RunSweepOptions): Promise<SweepSummary> {
  const { store, executor } = options;
  const progress = options.onProgress ?? (() => {});
  let setup: SweepRunConfig;
  let key: string;
  let outDir: string;
  let sweepId: number;
  let expectedFingerprint: string | null = null;
  if (options.resume !== undefined) {
    const run = store.getRun(options.resume);
    if (run.kind !== 'sweep') throw new GrpoTraderError(ErrorCodes.notFound, `run ${run.id} is a ${run.kind} run, not a sweep`, { location: { file: store.path, field: '--resume' } });
    const saved = run.config as SweepRunConfig;
    setup = { name: saved.name, sweep: parseSweepConfig(saved.sweep, `run ${run.id} (sweep config)`), base: parseTrainConfig(saved.base, `run ${run.id} (base config)`) };
    key = String(run.extra['key']);
    outDir = String(run.artifacts['outDir']);
    sweepId = run.id;
    expectedFingerprint = run.data_fingerprint;
  } else {
    if (!input) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'sweep needs --config FILE or --resume ID');
    setup = { name: input.name, sweep: input.sweep, base: input.base };
    key = randomBytes(6).toString('hex');
    outDir = resolve(options.outDir ?? join('sweeps', `${input.name}-${key}`));
    sweepId = 0;
  }
  const { sweep, base } = setup;
  const { market } = await loadMarket(base.data.paths, { symbols: base.data.symbols });
  const fingerprint = marketFingerprint(market);
  if (expectedFingerprint !== null && expectedFingerprint !== fingerprint) {
    throw new GrpoTraderError(ErrorCodes.invalidData, `the data changed since sweep ${sweepId} started (fingerprint ${fingerprint.slice(7, 19)}, was ${expectedFingerprint.slice(7, 19)}); a resumed sweep must see the same bars`, { location: { field: 'data.paths' } });
  }
  const folds = planFolds(market.time, base, sweep.objective);
  const total = trialCount(sweep);
  // A path the base config does not have, a value its schema refuses or a trial too large for memory is one error now, not N failed trials.
  checkSweepSpace(base, sweep.space, { file: input?.file ?? `run ${sweepId} (sweep config)`, shape: { assets: market.symbols.length, bars: market.time.length } });
  if (options.resume === undefined) {
    sweepId = store.startRun({
      kind: 'sweep',
      name: setup.name,
      period: { split: 'walk-forward validation', first: folds[0]!.train.from, last: folds.at(-1)!.validation.to, bars: barsBetween(market.time, folds[0]!.train.from, folds.at(-1)!.validation.to) },
      config: setup,
      seed: sweep.sampler.seed,
      dataFingerprint: fingerprint,
      artifacts: { outDir },
      extra: { key, folds, trials: total },
    });
    crashPoint('sweep.started');
    if ((executor.capacity ?? 0) > sweep.sampler.batch) progress(`sweep: sampler.batch ${sweep.sampler.batch} keeps at most ${sweep.sampler.batch} of the ${executor.capacity} workers busy; raise it to use them all\n`);
    progress(`sweep ${sweepId} "${setup.name}": ${total} trials (${sweep.sampler.type}, at most ${sweep.sampler.batch} at once), objective: mean validation Sharpe over ${folds.length} walk-forward folds (${folds.map((f) => `${f.validation.from}..${f.validation.to}`).join(', ')}), on ${executor.description}\n`);
  } else {
    // This process runs the sweep now (the one that started it may have been killed): not `interrupted`.
    store.claimRun(sweepId);
    progress(`sweep ${sweepId} "${setup.name}": resuming on ${executor.description}\n`);
  }

  const recorded = new Map(trialRecords(store, sweepId).map(({ record }) => [record.trial, record]));
  if (recorded.size > 0) progress(`sweep ${sweepId}: ${recorded.size} trial(s) already recorded, not run again\n`);

  const results: TrialRecord[] = [];
  const bestSoFar = () => bestFinished(results.filter((r) => r !== undefined));
  let done = recorded.size;
  const common = { fingerprint, config: base };
  // Trial i is proposed (and pruned) from trials 0 .. i − batch only: at most `batch` trials run at
  // once, none waits for a whole batch, and the trials do not depend on how many workers run them.
  const lag = sweep.sampler.batch;
  const inflight = new Map<number, Promise<void>>();
  // Set by the first trial that fails in a way that stops the sweep (a holder: closures assign it).
  const stop: { fatal: { error: unknown } | null } = { fatal: null };
  let settled = 0; // trials 0 .. settled − 1 have results
  const advance = () => {
    while (settled < total && results[settled] !== undefined) settled++;
  };
  const runTrial = async (trial: number, params: Assignment, others: number[][]): Promise<void> => {
    let record: TrialRecord;
    let config: TrainConfig | null = null;
    try {
      config = parseTrainConfig(withParameters(common.config as unknown as Record<string, unknown>, params), `trial ${trial} (${formatParams(params)})`);
      const job: TrialJob = { kind: 'trial', id: `${key}:trial:${trial}`, trial, config, folds, fingerprint, outDir: join(outDir, `trial-${trial + 1}`), pruning: sweep.pruning.type === 'median' ? { others, minTrials: sweep.pruning.minTrials } : null };
      const outcome = (await executor.run(job)) as TrialOutcome;
      record = { trial, params, status: outcome.status, objective: outcome.objective, folds: outcome.folds, returns: outcome.returns, seconds: outcome.seconds, host: `${outcome.host}:${outcome.pid}` };
    } catch (error) {
      if (isFatal(error)) throw error;
      record = { trial, params, status: 'failed', objective: Number.NaN, folds: [], returns: [], seconds: 0, host: null, error: error instanceof Error ? error.message : String(error) };
    }
    if (stop.fatal) return;
    recordTrial(store, sweepId, setup.name, record, config ?? base, fingerprint);
    crashPoint('sweep.trial-recorded');
    results[trial] = record;
    done++;
    const best = bestSoFar();
    progress(
      `trial ${trial + 1}/${total} [${done} done] ${formatParams(params)} → ${record.status === 'failed' ? `failed: ${record.error}` : `${record.objective.toFixed(3)}${record.status === 'pruned' ? ` (pruned after ${record.folds.length} fold${record.folds.length === 1 ? '' : 's'})` : ''}`}` +
        `${record.host ? `  ${record.seconds.toFixed(1)} s on ${record.host}` : ''}${best ? `  best ${best.objective.toFixed(3)} (#${best.trial + 1})` : ''}\n`,
    );
  };
  for (let trial = 0; trial < total && !stop.fatal; trial++) {
    advance();
    while (settled <= trial - lag && inflight.size > 0 && !stop.fatal) {
      await Promise.race(inflight.values());
      advance();
    }
    if (stop.fatal) break;
    const previous = results.slice(0, Math.max(0, trial - lag + 1));
    const params = proposeTrial(sweep, trial, previous);
    const existing = recorded.get(trial);
    if (existing) {
      if (JSON.stringify(existing.params) !== JSON.stringify(params)) {
        throw new GrpoTraderError(ErrorCodes.corrupted, `sweep ${sweepId}: trial ${trial} was recorded with ${formatParams(existing.params)} but the sampler now proposes ${formatParams(params)}`, { location: { file: store.path } });
      }
      results[trial] = existing;
      continue;
    }
    const others = folds.map((_, k) => previous.filter((r) => r.status !== 'failed' && r.folds.length > k).map((r) => meanOf(r.folds.slice(0, k + 1).map((f) => f.sharpe))));
    const running = runTrial(trial, params, others).then(
      () => void inflight.delete(trial),
      (error: unknown) => {
        inflight.delete(trial);
        stop.fatal ??= { error };
      },
    );
    inflight.set(trial, running);
  }
  while (inflight.size > 0 && !stop.fatal) await Promise.race(inflight.values());
  if (stop.fatal) throw stop.fatal.error;

  // The selected configuration, once on the test split.
  const best = bestSoFar();
  if (best === null) throw new GrpoTraderError(ErrorCodes.invalidConfig, `sweep ${sweepId}: no trial finished (every trial was pruned or failed)`, { location: { field: 'space' } });
  const finalRuns = store.listRuns({ sweepId, kind: 'sweep_final' });
  if (finalRuns.length === 0 && base.splits.test !== null) {
    const config = parseTrainConfig(withParameters(base as unknown as Record<string, unknown>, best.params), 'selected configuration');
    progress(`sweep ${sweepId}: trial ${best.trial + 1} selected (objective ${best.objective.toFixed(3)}); training it on ${config.splits.train.from} .. ${config.splits.validation?.to ?? config.splits.train.to} and evaluating the test split ${config.splits.test!.from} .. ${config.splits.test!.to} once\n`);
    const job: TrainJob = { kind: 'train', id: `${key}:final:0`, index: -1, config, fingerprint, outDir: join(outDir, 'selected') };
    const outcome = (await executor.run(job)) as TrainOutcome;
    store.recordRun({
      kind: 'sweep_final',
      name: `${setup.name} selected (trial ${best.trial + 1})`,
      period: { split: 'test', first: outcome.test.from, last: outcome.test.to, bars: outcome.returns.policy.length },
      config,
      seed: config.seed,
      dataFingerprint: fingerprint,
      artifacts: { model: outcome.outDir, host: outcome.host },
      sweepId,
      series: [],
      metrics: { policy: { sharpe: outcome.test.policy.sharpe, total_return: outcome.test.policy.totalReturn }, equal_weight: { sharpe: outcome.test.equalWeight.sharpe, total_return: outcome.test.equalWeight.totalReturn } },
      extra: { trial: best.trial, params: best.params, outcome },
      checkpoints: [{ step: outcome.bestUpdate ?? outcome.updates, path: join(outcome.outDir, outcome.bestUpdate === null ? 'checkpoints' : 'best') }],
    });
    crashPoint('sweep.final-recorded');
  } else if (base.splits.test === null) {
    progress(`sweep ${sweepId}: the base config has no test split; the selected configuration is not evaluated out of sample\n`);
  }
  const summary = sweepSummary(store, sweepId);
  store.finishRun(sweepId, {
    status: 'finished',
    metrics: {
      best: { objective: best.objective, trial: best.trial, deflated_sharpe: summary.best?.deflatedSharpe ?? Number.NaN, trials_run: summary.trialsRun },
      ...(summary.final ? { test: { sharpe: summary.final.test.policy.sharpe, total_return: summary.final.test.policy.totalReturn, equal_weight_sharpe: summary.final.test.equalWeight.sharpe } } : {}),
    },
    extra: { importance: summary.importance },
  });
  crashPoint('sweep.finished');
  return { ...summary, status: 'finished' };
}

function recordTrial(store: RunStore, sweepId: number, name: string, record: TrialRecord, config: TrainConfig, fingerprint: string): void {
  const first = record.folds[0]?.validation.from ?? '';
  const last = record.folds.at(-1)?.validation.to ?? '';
  const metrics: Record<string, Record<string, number>> = { validation: { objective: record.objective, folds: record.folds.length, seconds: record.seconds } };
  record.folds.forEach((fold, k) => (metrics[`fold_${k}`] = { sharpe: fold.sharpe, total_return: fold.totalReturn, equal_weight_sharpe: fold.equalWeightSharpe }));
  store.recordRun({
    kind: 'trial',
    name: `${name} #${record.trial + 1}`,
    status: record.status,
    period: { split: 'walk-forward validation', first, last, bars: record.returns.length },
    config,
    seed: config.seed,
    dataFingerprint: fingerprint,
    artifacts: { ...(record.folds.length > 0 ? { outDir: join(record.folds[0]!.outDir, '..') } : {}), ...(record.host ? { host: record.host } : {}) },
    sweepId,
    series: [],
    metrics,
    extra: record as unknown as Record<string, unknown>,
    checkpoints: record.folds.filter((f) => f.bestUpdate !== null).map((f, k) => ({ step: f.bestUpdate!, path: join(f.outDir, 'best'), metrics: { fold: k, validationSharpe: f.sharpe } })),
  });
}

/** The trials recorded for a sweep, in trial order, with their run ids. */
export function trialRecords(store: RunStore, sweepId: number): { runId: number; record: TrialRecord }[] {
  return store
    .listRuns({ sweepId, kind: 'trial' })
    .map((r) => ({ runId: r.id, record: store.getRun(r.id).extra as unknown as TrialRecord }))
    .sort((a, b) => a.record.trial - b.record.trial);
}

/** The finished trial with the largest objective (the first of equals), or null. */
function bestFinished<T extends Pick<TrialRecord, 'status' | 'objective'>>(trials: readonly T[]): T | null {
  return trials.filter((t) => t.status === 'finished').reduce<T | null>((b, t) => (b === null || t.objective > b.objective ? t : b), null);
}

/** A sweep's table from the store: trials, deflated Sharpe ratios, the selected configuration's test, parameter importance. */
export function sweepSummary(store: RunStore, sweepId: number): SweepSummary {
  const run = store.getRun(sweepId);
  if (run.kind !== 'sweep') throw new GrpoTraderError(ErrorCodes.notFound, `run ${sweepId} is a ${run.kind} run, not a sweep`, { location: { file: store.path } });
  const setup = run.config as SweepRunConfig;
  const trials = trialRecords(store, sweepId);
  const ran = trials.filter((t) => t.record.status !== 'failed');
  const sharpes = ran.map((t) => periodSharpe(t.record.returns));
  const finite = sharpes.filter(Number.isFinite);
  const variance = finite.length > 1 ? stdOf(finite) ** 2 : 0;
  const trialsRun = Math.max(1, ran.length);
  let expectedMaxSharpe = 0;
  const rows: SweepTableRow[] = trials.map(({ runId, record }) => {
    const periodRatio = record.status === 'failed' ? Number.NaN : periodSharpe(record.returns);
    let deflatedSharpe = Number.NaN;
    if (record.status !== 'failed' && record.returns.length > 2) {
      const dsr = deflatedSharpeRatio(record.returns, trialsRun, variance);
      deflatedSharpe = dsr.deflatedSharpe;
      expectedMaxSharpe = dsr.expectedMaxSharpe;
    }
    return { ...record, objective: record.objective ?? Number.NaN, runId, periodSharpe: periodRatio, deflatedSharpe };
  });
  const best = bestFinished(rows);
  const finalRun = store.listRuns({ sweepId, kind: 'sweep_final' })[0];
  const final = finalRun ? { ...(store.getRun(finalRun.id).extra['outcome'] as TrainOutcome), runId: finalRun.id } : null;
  return {
    sweepId,
    name: run.name,
    status: run.status,
    outDir: String(run.artifacts['outDir']),
    config: setup.sweep,
    folds: run.extra['folds'] as Fold[],
    trialsRun: ran.length,
    expectedMaxSharpe,
    rows,
    best,
    final,
    // Over finished trials only: a pruned trial's objective covers fewer folds.
    importance: parameterImportance(rows.filter((r) => r.status === 'finished')),
  };
}
