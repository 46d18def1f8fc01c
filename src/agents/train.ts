/**
 * The training loop behind `grpo-trader train`: data → features → environments per split → agent;
 * updates with progress lines and a JSON-lines metrics log, validation Sharpe with early stopping,
 * atomic checkpoints, exact resume, and a final out-of-sample evaluation of the best policy.
 */
import { appendFile, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { crashPoint, driftReference, ErrorCodes, GrpoTraderError, isBetterScore, pathExists, samePath, writeFileAtomic, type DriftReference } from '../core/index.js';
import { dateRangeIndices, formatTimestamp, loadMarket, marketFingerprint, resolveDataPaths } from '../data/index.js';
import type { MarketData } from '../data/types.js';
import { buildFeatureTensor, MultiAssetEnv, RollingCorrelation, SingleAssetEnv } from '../env/index.js';
import type { Env, FeatureTensor } from '../env/index.js';
import { initEngine } from '../nn/index.js';
import { CHECKPOINT_KIND, checkpointName, checkpointRunDirectory, copyCheckpoint, loadCheckpoint, pruneCheckpoints, readCheckpointState, resolveCheckpoint, writeCheckpoint, type TrainerState } from './checkpoint.js';
import { equalWeightChooser, runEpisode, type EpisodeSummary } from './evaluate.js';
import { GroupRelativeGrpo } from './group-relative-grpo.js';
import { RewardPenaltyAgent } from './reward-penalty-agent.js';
import type { TrainConfig } from './train-config.js';
import { readCheckpointConfig } from './train-config-file.js';
import { checkTrainingMemory } from './training-memory.js';
import type { TrainableAgent } from './trainable-agent.js';
import { loadParams } from '../nn/index.js';
import { numpy as np, tree } from '../nn/jax.js';
import type { Array as JaxArray, JsTree } from '../nn/jax.js';

export interface TrainRunOptions {
  /** Where checkpoints, metrics.jsonl, best/ and summary.json go. */
  outDir: string;
  /** Directory relative data paths are resolved against (the config file's). */
  baseDir?: string;
  /** Resume from a run directory or a checkpoint directory. */
  resume?: string;
  /** Progress lines (one per update, plus validation lines). */
  onProgress?: (line: string) => void;
  /** Keep this many update checkpoints (default 3). */
  keepCheckpoints?: number;
  /** Skip the final test-split evaluation. */
  skipTest?: boolean;
  /** Prepared market and features (skips loading data; for tests and benchmarks). */
  prepared?: { market: MarketData; features: FeatureTensor };
  /** The config file, named in messages about its data paths. */
  configFile?: string;
  /** Told when the run starts, writes a checkpoint and ends (the CLI records it in the run store). */
  recorder?: TrainingRecorder;
  /** Keep the per-bar net returns of the final evaluations in the summary (`returns`; sweeps and walk-forward stitch them). */
  keepReturns?: boolean;
  /** Memory the run may plan for, in bytes (default: GRPO_TRADER_MEMORY_LIMIT, else half of the machine's; see training-memory.ts). */
  memoryLimit?: number;
}

/** What a training run reports to whoever records it (the run store, through the CLI). */
export interface TrainingRecorder {
  started(run: TrainingStart): void;
  /** A checkpoint was written (or rewritten) at `path`. */
  checkpoint(entry: { step: number; path: string; metrics: Record<string, number> }): void;
  /** A checkpoint's files were deleted (pruned). */
  checkpointRemoved(path: string): void;
  finished(summary: TrainSummary): void;
  failed(error: unknown): void;
}

export interface TrainingStart {
  config: TrainConfig;
  seed: number;
  symbols: string[];
  /** `marketFingerprint` of the loaded market. */
  dataFingerprint: string;
  /** The training split's dates and bars. */
  period: { first: string; last: string; bars: number; split: string };
  outDir: string;
  /** The checkpoint a resumed run continues from. */
  resumedFrom: string | null;
}

export interface SplitEvaluation {
  split: string;
  from: string;
  to: string;
  policy: Omit<EpisodeSummary, 'returns'>;
  equalWeight: Omit<EpisodeSummary, 'returns'>;
}

/** Per-bar net returns of a split's evaluation episodes (with `keepReturns`). */
export interface SplitReturns {
  policy: number[];
  equalWeight: number[];
}

export interface TrainSummary {
  algorithm: string;
  updates: number;
  stoppedEarly: boolean;
  bestUpdate: number | null;
  bestValidationSharpe: number | null;
  envSteps: number;
  seconds: number;
  validation: SplitEvaluation | null;
  test: SplitEvaluation | null;
  /** With `keepReturns`: the evaluations' per-bar returns, by split. */
  returns?: { validation: SplitReturns | null; test: SplitReturns | null };
}

/** Bar range [firstBar, lastBar] of a date range; throws naming the split when it holds no bars. */
export function splitBars(market: MarketData, name: string, range: { from: string; to: string }): { firstBar: number; lastBar: number } {
  const { start, end } = dateRangeIndices(market.time, range.from, range.to);
  if (end - start < 2) {
    throw new GrpoTraderError(ErrorCodes.invalidConfig, `split ${name} (${range.from} .. ${range.to}) holds ${end - start} bars of the data`, {
      location: { field: `splits.${name}`, value: `${range.from} .. ${range.to}` },
    });
  }
  return { firstBar: start, lastBar: end - 1 };
}

/** Environment factory for a config, a market and a bar range. */
export function environmentFactory(config: TrainConfig, market: MarketData, features: FeatureTensor) {
  const e = config.environment;
  const common = {
    lookback: e.lookback,
    returnHistory: e.returnHistory,
    initialCapital: e.initialCapital,
    tradingCost: e.tradingCost,
    slippage: e.slippage,
    maxDrawdown: e.maxDrawdown,
    reward: e.reward as Record<string, unknown>,
    nonFiniteFeatures: e.nonFiniteFeatures,
  };
  // Every environment of this market shares one correlation cache (exact per bar, so sharing changes nothing).
  let correlation: RollingCorrelation | undefined;
  return (bars: { firstBar: number; lastBar: number }, training: boolean): Env => {
    const episode = training ? { randomStart: true, episodeLength: e.episodeLength } : { randomStart: false, episodeLength: null };
    if (e.type === 'single_asset') {
      return new SingleAssetEnv(market, features, { ...common, ...bars, ...episode, positions: e.positions, ...(e.symbol === null ? {} : { symbol: e.symbol }) });
    }
    return new MultiAssetEnv(market, features, {
      ...common,
      ...bars,
      ...episode,
      includeCorrelation: e.includeCorrelation,
      correlationLookback: e.correlationLookback,
      correlationPenalty: e.correlationPenalty,
      ...(e.includeCorrelation ? { correlation: (correlation ??= new RollingCorrelation(market.close, market.symbols.length, e.correlationLookback)) } : {}),
      maxPositionSize: e.maxPositionSize,
      maxAssetWeight: e.maxAssetWeight,
      actionBound: e.actionBound,
    });
  };
}

/** Build the configured agent over training environments. */
export function createAgent(config: TrainConfig, envs: Env[]): TrainableAgent {
  const a = config.algorithm;
  const shared = {
    hiddenSizes: a.hiddenSizes,
    initialStd: a.initialStd,
    initialMean: a.initialMean,
    encoder: a.encoder,
    temporalHidden: a.temporalHidden,
    featureAttention: a.featureAttention,
    crossAsset: a.crossAsset,
    marketContext: a.marketContext,
    policy: a.policy,
    deepseek: a.deepseek,
    learningRate: a.learningRate,
    learningRateSchedule: a.learningRateSchedule,
    warmupUpdates: a.warmupUpdates,
    totalUpdates: a.scheduleUpdates,
    maxGradNorm: a.maxGradNorm,
    seed: config.seed,
  };
  if (a.type === 'grpo') return new GroupRelativeGrpo(envs, { ...shared, ...a.grpo });
  return new RewardPenaltyAgent(envs, { ...shared, ...a.rewardPenalty, variant: a.type === 'deepseek_r1' ? 'deepseek_r1' : 'basic' });
}

function policyChooser(agent: TrainableAgent) {
  const input = new Float32Array(agent.observationSize);
  return async (observation: Float64Array) => {
    for (let i = 0; i < input.length; i++) input[i] = observation[i]!;
    return agent.act(input, 1);
  };
}

async function evaluateSplit(agent: TrainableAgent, env: Env, name: string, range: { from: string; to: string }): Promise<{ evaluation: SplitEvaluation; returns: SplitReturns }> {
  const strip = ({ returns: _returns, ...rest }: EpisodeSummary) => rest;
  const policy = await runEpisode(env, policyChooser(agent));
  const equalWeight = await runEpisode(env, equalWeightChooser(env));
  return { evaluation: { split: name, from: range.from, to: range.to, policy: strip(policy), equalWeight: strip(equalWeight) }, returns: { policy: Array.from(policy.returns), equalWeight: Array.from(equalWeight.returns) } };
}

/** What `data.json` of a run directory records: the trained market's symbols and dates, and the features. */
export interface ModelDataRecord {
  symbols: string[];
  features: string[];
  first: string;
  last: string;
  bars: number;
  /**
   * Each feature's distribution over the train split (all assets pooled): decile bins and shares,
   * the reference a served model's feature drift (PSI) is measured against. Absent in older runs.
   */
  featureReference?: Record<string, DriftReference | null>;
}

function modelDataRecord(market: MarketData, features: FeatureTensor, train: { firstBar: number; lastBar: number }): ModelDataRecord {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const A = market.symbols.length;
  const F = features.names.length;
  const rows = train.lastBar - train.firstBar + 1;
  const featureReference = Object.fromEntries(
    features.names.map((name, f) => {
      const values = new Float64Array(rows * A);
      for (let t = 0; t < rows; t++) for (let a = 0; a < A; a++) values[t * A + a] = features.values[((train.firstBar + t) * A + a) * F + f]!;
      return [name, driftReference(values)];
    }),
  );
  return { symbols: market.symbols.slice(), features: features.names.slice(), first: day(market.time[0]!), last: day(market.time[market.time.length - 1]!), bars: market.time.length, featureReference };
}

function format(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/** The checkpoint `--resume` names, checked against `config` (only the training schedule may change). */
async function resumePoint(path: string, config: TrainConfig): Promise<string> {
  const directory = await resolveCheckpoint(path);
  const { config: savedConfig } = await readCheckpointConfig(directory);
  const { training: savedTraining, ...savedRest } = savedConfig;
  const { training, ...rest } = config;
  if (JSON.stringify(savedRest) !== JSON.stringify(rest) || savedTraining.envs !== training.envs) {
    throw new GrpoTraderError(ErrorCodes.invalidConfig, `${directory}: the checkpoint was trained with a different configuration (only training.updates, intervals, patience and threads may change on --resume)`, {
      location: { file: join(directory, 'state.json'), field: 'config' },
    });
  }
  return directory;
}

/** Train per `config`; resumable, deterministic for a given config and seed. */
export async function runTraining(config: TrainConfig, options: TrainRunOptions): Promise<TrainSummary> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  // Checked before anything is loaded or recorded: a --resume with nothing to resume records no run.
  const resumeFrom = options.resume === undefined ? null : await resumePoint(options.resume, config);
  await initEngine({ threads: config.training.threads });
  let market: MarketData;
  let features: FeatureTensor | undefined;
  if (options.prepared) {
    ({ market, features } = options.prepared);
  } else {
    const paths = resolveDataPaths(config.data.paths, { baseDir: options.baseDir ?? process.cwd(), ...(options.configFile === undefined ? {} : { source: options.configFile }) });
    ({ market } = await loadMarket(paths, { symbols: config.data.symbols }));
  }
  // Before the features, environments and networks are built: a config too large for this machine is one line naming its field.
  checkTrainingMemory(config, { assets: market.symbols.length, bars: market.time.length }, { ...(options.configFile === undefined ? {} : { file: options.configFile }), ...(options.memoryLimit === undefined ? {} : { limitBytes: options.memoryLimit }) });
  features ??= buildFeatureTensor(market, { features: config.data.features });
  const make = environmentFactory(config, market, features);
  const trainBars = splitBars(market, 'train', config.splits.train);
  const envs = Array.from({ length: config.training.envs }, () => make(trainBars, true));
  const agent = createAgent(config, envs);
  const validationEnv = config.splits.validation ? make(splitBars(market, 'validation', config.splits.validation), false) : null;
  const outDir = options.outDir;
  const checkpoints = join(outDir, 'checkpoints');
  const metricsFile = join(outDir, 'metrics.jsonl');
  const trainer: TrainerState = { bestValidationSharpe: null, bestUpdate: null, evaluationsWithoutImprovement: 0, stoppedEarly: false, metricsLines: 0 };
  const recorder = options.recorder;
  const day = (bar: number) => formatTimestamp(market.time[bar]!).slice(0, 10);
  recorder?.started({
    config,
    seed: config.seed,
    symbols: market.symbols.slice(),
    dataFingerprint: marketFingerprint(market),
    period: { first: day(trainBars.firstBar), last: day(trainBars.lastBar), bars: trainBars.lastBar - trainBars.firstBar + 1, split: 'train' },
    outDir: resolve(outDir),
    resumedFrom: options.resume === undefined ? null : resolve(options.resume),
  });

  try {
    let metricsText = '';
    if (resumeFrom !== null) {
      const directory = resumeFrom;
      const saved = await loadCheckpoint(directory, agent);
      Object.assign(trainer, saved.trainer);
      // Keep the metrics written up to the checkpoint, from the resumed run's log.
      const runDirectory = checkpointRunDirectory(directory);
      const previous = await readFile(join(runDirectory, 'metrics.jsonl'), 'utf8').catch(() => '');
      const lines = previous.split('\n').filter((line) => line.length > 0).slice(0, trainer.metricsLines);
      if (lines.length < trainer.metricsLines) progress(`resume: ${join(runDirectory, 'metrics.jsonl')} holds ${lines.length} of the ${trainer.metricsLines} metrics lines written up to the checkpoint; the new log starts with those\n`);
      metricsText = lines.map((line) => `${line}\n`).join('');
      if (!(await samePath(runDirectory, outDir))) await continueInto(outDir, directory, saved.update, runDirectory, trainer, recorder);
      else if (recorder) await indexCheckpointsOnDisk(recorder, checkpoints, outDir, agent.updates, trainer, lines);
      progress(`resumed from ${directory} at update ${agent.updates}\n`);
    }
    await writeFileAtomic(metricsFile, metricsText);
    // The market the model was trained on (symbols in network order), for loading it to evaluate elsewhere.
    await writeFileAtomic(join(outDir, 'data.json'), `${JSON.stringify(modelDataRecord(market, features, trainBars))}\n`);
    const total = config.training.updates;
    const equalValidation = validationEnv ? (await runEpisode(validationEnv, equalWeightChooser(validationEnv))).sharpe : Number.NaN;
    let lastSamples = agent.getState().envSteps;
    let lastTime = performance.now();
    while (agent.updates < total && !trainer.stoppedEarly) {
      const metrics = await agent.update();
      const update = agent.updates;
      const now = performance.now();
      const samplesPerSecond = ((metrics['envSteps'] ?? 0) - lastSamples) / ((now - lastTime) / 1000);
      lastSamples = metrics['envSteps'] ?? 0;
      lastTime = now;
      let line = `update ${update}/${total}  reward ${format(metrics['meanReward'] ?? Number.NaN, 5)}  kl ${format(metrics['kl'] ?? Number.NaN)}  entropy ${format(metrics['entropy'] ?? Number.NaN, 3)}  ${samplesPerSecond.toFixed(0)} samples/s`;
      const record: Record<string, unknown> = { type: 'update', ...metrics };
      if (validationEnv && config.splits.validation && update % config.training.evalInterval === 0) {
        const result = await runEpisode(validationEnv, policyChooser(agent));
        record['validationSharpe'] = result.sharpe;
        record['validationReturn'] = result.totalReturn;
        if (isBetterScore(result.sharpe, trainer.bestValidationSharpe)) {
          trainer.bestValidationSharpe = result.sharpe;
          trainer.bestUpdate = update;
          trainer.evaluationsWithoutImprovement = 0;
          await writeCheckpoint(outDir, 'best', agent, trainer, config, false);
          recorder?.checkpoint({ step: update, path: resolve(outDir, 'best'), metrics: { validationSharpe: result.sharpe, validationReturn: result.totalReturn } });
          crashPoint('train.best-written');
        } else {
          trainer.evaluationsWithoutImprovement++;
          if (config.training.patience > 0 && trainer.evaluationsWithoutImprovement >= config.training.patience) trainer.stoppedEarly = true;
        }
        line += `  val sharpe ${format(result.sharpe, 3)} (best ${format(trainer.bestValidationSharpe ?? Number.NaN, 3)} @${trainer.bestUpdate ?? "-"}, equal weight ${format(equalValidation, 3)})`;
        if (trainer.stoppedEarly) line += '  early stop';
      }
      await appendFile(metricsFile, `${JSON.stringify(record)}\n`);
      trainer.metricsLines++;
      crashPoint('train.metrics-appended');
      progress(`${line}\n`);
      if (update % config.training.checkpointInterval === 0 || update === total || trainer.stoppedEarly) {
        await writeCheckpoint(checkpoints, checkpointName(update), agent, trainer, config);
        recorder?.checkpoint({ step: update, path: resolve(checkpoints, checkpointName(update)), metrics: numericMetrics(record) });
        for (const removed of await pruneCheckpoints(checkpoints, options.keepCheckpoints ?? 3)) recorder?.checkpointRemoved(resolve(removed));
        crashPoint('train.checkpoint-written');
      }
    }
    crashPoint('train.updates-done');

    // Out-of-sample: the best validated policy (or the last one without a validation split).
    if (trainer.bestUpdate !== null) {
      const template = tree.map((leaf: JaxArray) => np.zeros(leaf.shape), agent.networks()) as JsTree<JaxArray>;
      const { params } = await loadParams(join(outDir, 'best', 'networks'), template, CHECKPOINT_KIND);
      agent.loadNetworks(params);
    }
    const validationResult = validationEnv && config.splits.validation ? await evaluateSplit(agent, validationEnv, 'validation', config.splits.validation) : null;
    const testResult = config.splits.test && !options.skipTest ? await evaluateSplit(agent, make(splitBars(market, 'test', config.splits.test), false), 'test', config.splits.test) : null;
    const validation = validationResult?.evaluation ?? null;
    const test = testResult?.evaluation ?? null;
    const summary: TrainSummary = {
      algorithm: agent.algorithm,
      updates: agent.updates,
      stoppedEarly: trainer.stoppedEarly,
      bestUpdate: trainer.bestUpdate,
      bestValidationSharpe: trainer.bestValidationSharpe,
      envSteps: agent.getState().envSteps,
      seconds: (performance.now() - started) / 1000,
      validation,
      test,
    };
    await writeFileAtomic(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    crashPoint('train.summary-written');
    if (options.keepReturns) summary.returns = { validation: validationResult?.returns ?? null, test: testResult?.returns ?? null };
    for (const evaluation of [validation, test]) {
      if (evaluation) {
        progress(`${evaluation.split} ${evaluation.from} .. ${evaluation.to}: policy sharpe ${format(evaluation.policy.sharpe, 3)} return ${format(evaluation.policy.totalReturn * 100, 2)}%  |  equal weight sharpe ${format(evaluation.equalWeight.sharpe, 3)} return ${format(evaluation.equalWeight.totalReturn * 100, 2)}%\n`);
      }
    }
    recorder?.finished(summary);
    crashPoint('train.recorded');
    return summary;
  } catch (error) {
    recorder?.failed(error);
    throw error;
  } finally {
    agent.dispose();
  }
}

/**
 * Resuming a checkpoint into a new output directory: the new directory gets what a run continued in
 * place would hold — the resumed checkpoint (as `checkpoints/update-N`, with `latest.json`) and the
 * best checkpoint so far (`best/`, which the final evaluation loads), both copied; metrics.jsonl is
 * rewritten from the old run's first lines by the caller. The best checkpoint is the old run's
 * `best/`, or its `checkpoints/update-<best>`, whichever holds the update the resumed state names as
 * best; when neither does (the old run went on and found a later best), resuming into a new directory
 * is refused rather than evaluating the wrong network.
 */
async function continueInto(outDir: string, checkpoint: string, update: number, runDirectory: string, trainer: TrainerState, recorder: TrainingRecorder | undefined): Promise<void> {
  const checkpoints = join(outDir, 'checkpoints');
  const copied = await copyCheckpoint(checkpoint, checkpoints, checkpointName(update), update, true);
  recorder?.checkpoint({ step: update, path: resolve(copied), metrics: {} });
  if (trainer.bestUpdate === null) return;
  const candidates = [join(runDirectory, 'best'), join(runDirectory, 'checkpoints', checkpointName(trainer.bestUpdate)), checkpoint];
  for (const candidate of candidates) {
    if ((await pathExists(join(candidate, 'state.json'), 'file')) && (await readCheckpointState(candidate)).update === trainer.bestUpdate) {
      const best = await copyCheckpoint(candidate, outDir, 'best', trainer.bestUpdate, false);
      recorder?.checkpoint({ step: trainer.bestUpdate, path: resolve(best), metrics: trainer.bestValidationSharpe === null ? {} : { validationSharpe: trainer.bestValidationSharpe } });
      return;
    }
  }
  throw new GrpoTraderError(ErrorCodes.notFound, `cannot resume into a new --out: the best checkpoint up to this one (update ${trainer.bestUpdate}) is no longer in ${runDirectory} (best/ was replaced by a later one and checkpoints/${checkpointName(trainer.bestUpdate)} was pruned); resume the run in its own directory, or from its latest checkpoint`, {
    location: { file: join(checkpoint, 'state.json'), field: 'trainer.bestUpdate', value: String(trainer.bestUpdate) },
  });
}

/**
 * Tell the recorder the checkpoints on disk up to `update` (the resume point) with the metrics they
 * were indexed with: the index an uninterrupted run has at that update, whatever moment the kill fell
 * on (between writing a checkpoint and indexing it, or between pruning one and dropping it).
 */
async function indexCheckpointsOnDisk(recorder: TrainingRecorder, checkpoints: string, outDir: string, update: number, trainer: TrainerState, metricsLines: string[]): Promise<void> {
  const records = new Map<number, Record<string, unknown>>();
  for (const line of metricsLines) {
    // JSON wrote NaN metrics as null; they were indexed as NaN.
    const record = JSON.parse(line, (_key, value: unknown) => (value === null ? Number.NaN : value)) as Record<string, unknown>;
    if (typeof record['update'] === 'number') records.set(record['update'], record);
  }
  const names = (await readdir(checkpoints).catch(() => [] as string[])).filter((name) => /^update-\d{6}$/.test(name)).sort();
  for (const name of names) {
    const step = Number(name.slice('update-'.length));
    if (step <= update) recorder.checkpoint({ step, path: resolve(checkpoints, name), metrics: numericMetrics(records.get(step) ?? {}) });
  }
  if (trainer.bestUpdate !== null) {
    const record = records.get(trainer.bestUpdate) ?? {};
    recorder.checkpoint({ step: trainer.bestUpdate, path: resolve(outDir, 'best'), metrics: { validationSharpe: Number(record['validationSharpe']), validationReturn: Number(record['validationReturn']) } });
  }
}

function numericMetrics(record: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(record)) if (typeof value === 'number') out[name] = value;
  return out;
}
