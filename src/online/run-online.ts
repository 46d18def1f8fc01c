/**
 * An online learning stream over history, exactly as a live feed would deliver it (library form of
 * `grpo-trader online`): a trained model keeps learning bar by bar from `from` to `to`, with its
 * crash-safe state saved every `saveFrequency` bars (and resumable after `kill -9`), every event and
 * save recorded in the run store, and at the end the streamed period compared three ways — the
 * online agent, the same model frozen, and equal weight — with paired tests, on one accounting.
 *
 * Files in the state directory: the saves (online-state.ts) and `steps.jsonl`, one line per bar
 * (date, regime, stability, temperature, champion, value, net return, weights). Each line is appended
 * as its bar is decided (before anything serves it); a save records how many lines there are, so a
 * resumed stream truncates the log to its save and appends exactly the lines an uninterrupted stream
 * would have written. Resuming reads every kept line first: a damaged log is refused before any bar
 * is streamed.
 *
 * The store's record survives a kill at any moment too: a resumed stream claims its run again, drops
 * the events and checkpoint entries after its save, indexes the save it resumes, and finishing
 * replaces the run's series, metrics and tests (a stream killed after finishing finishes again to the
 * same rows). A save resumed with a store that does not hold its run (another `--store`, a deleted
 * store) records the rest of the stream as a new run there. Crash points (core/crash-point.ts):
 * `online.order-recorded`, `online.step-recorded`, `online.saved`, `online.indexed`,
 * `online.finished`.
 */
import { appendFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { pathExists, writeFileAtomic } from '../core/fs.js';
import { join, resolve } from 'node:path';
import { crashPoint } from '../core/crash-point.js';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { formatTimestamp } from '../data/dates.js';
import { marketFingerprint } from '../data/fingerprint.js';
import type { MarketData } from '../data/types.js';
import { replayPolicy } from '../backtest/agent-policy.js';
import { backtestModel, evaluationRange, loadModelMarket, modelFeatures, readModel } from '../backtest/model-backtest.js';
import { policyFromTargets } from '../backtest/run-backtest.js';
import { createStrategy } from '../backtest/strategies/index.js';
import { StrategyBenchmark, type StrategyTest, type DeflatedSharpe } from '../backtest/strategy-benchmark.js';
import { flattenSummary } from '../backtest/summarize.js';
import type { PerformanceMetrics } from '../backtest/metrics.js';
import { isUnfinishedStatus, type CheckpointInput, type RunProvenance, type RunStore } from '../store/run-store.js';
import type { MultiAssetEnv } from '../env/multi-asset-env.js';
import { FeatureTensorStream } from '../env/feature-tensor.js';
import { OnlineLearningAgent, type OnlineAgentOptions, type OnlineEvent, type OnlineEventKind, type OnlineStep } from './online-agent.js';
import { latestOnlineState, loadOnlineState, saveOnlineState } from './online-state.js';

export const ONLINE_RUN_DEFAULTS = {
  /** Bars between saves (the specification saves every 1,000 steps; daily streams are shorter). */
  saveFrequency: 50,
  /** Saves kept on disk (older ones are removed and dropped from the store's index). */
  keepStates: 3,
  /** Bars between progress lines. */
  progressEvery: 50,
} as const;

export const ONLINE_SERIES = { online: 'online', frozen: 'frozen', equalWeight: 'equal_weight' } as const;

export interface OnlineRunInput {
  /** A `grpo-trader train --out` directory (multi-asset model). */
  model: string;
  checkpoint?: string;
  data: readonly string[];
  symbols?: readonly string[] | null;
  /** First streamed date (earlier bars are history: features, the regime detector's past). */
  from: string;
  to?: string;
  /** Where saves and steps.jsonl go. */
  stateDir: string;
  /**
   * Continue the stream of `stateDir`: from its latest save, or — when it was killed before its first
   * save — from its start, in place (its logs emptied, its run record in the store continued).
   */
  resume?: boolean;
  /** The market, already loaded (a live feed's history), instead of reading `data`. */
  market?: MarketData;
  /** The feed grows while the stream runs (`extend`): a save is resumed on the grown market. */
  growing?: boolean;
  saveFrequency?: number;
  keepStates?: number;
  progressEvery?: number;
  /** Online agent options (defaults: the specification's, see ONLINE_AGENT_DEFAULTS). */
  options?: Partial<Omit<OnlineAgentOptions, 'onEvent'>>;
  /** Where the run, its events and its saves are recorded (null: nowhere). */
  store: RunStore | null;
  onProgress?: (line: string) => void;
}

export interface OnlineRunStrategy {
  name: string;
  metrics: PerformanceMetrics;
  final_value: number;
}

export interface OnlineRunResult {
  run_id: number | null;
  first: string;
  last: string;
  bars: number;
  resumed_from: string | null;
  updates: number;
  events: Record<OnlineEventKind, number>;
  champion: number;
  state_directory: string;
  steps_file: string;
  last_save: string | null;
  strategies: OnlineRunStrategy[];
  tests: StrategyTest[];
  deflated_sharpe: DeflatedSharpe[];
  seconds: number;
  bars_per_second: number;
}

/** One line of steps.jsonl. */
interface StepLine {
  bar: number;
  date: string;
  regime: number;
  stability: number;
  temperature: number;
  champion: number;
  value: number;
  return: number;
  weights: number[];
  update: boolean;
}

/** What the stream records with each save (online-state's `extra`). */
interface SaveExtra {
  identity: StreamIdentity;
  /** Lines of steps.jsonl (and orders.jsonl) the save covers. */
  lines: number;
  run_id: number | null;
  next_time?: number;
  /** The store the run is recorded in (absolute path), to name it when resumed with another. */
  store?: string | null;
  /** The save's checkpoint-index metrics, to index it again when resumed. */
  index_metrics?: Record<string, number>;
}

/** What a save must match to be resumed (same model, data, dates and options). */
interface StreamIdentity {
  model: string;
  checkpoint: string;
  data_fingerprint: string;
  first_bar: number;
  end_bar: number;
  options: unknown;
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1)) throw new GrpoTraderError(ErrorCodes.invalidArgument, `${name} must be a positive integer, got ${value}`, { location: { field: name, value: String(value) } });
  return value;
}

/** One line of the stream as it is recorded and served: the decision at a bar's close and its outcome. */
export type OnlineStepLine = StepLine;

/** A decision as recorded when it is taken: the orders for the bar's close. */
export interface OrderLine {
  bar: number;
  date: string;
  regime: number;
  stability: number;
  champion: number;
  /** Target weights after the environment's caps. */
  weights: number[];
  action: number[];
}

/**
 * An online stream opened for stepping (what `runOnline` loops over and the live session paces):
 * `open` loads the model and data and starts or resumes; `step` processes one bar, appends its line
 * to steps.jsonl before returning it (a decision is recorded before it is served) and saves every
 * `saveFrequency` bars; `finish` compares online, frozen and equal weight and closes the store's run.
 */
export class OnlineStream {
  private lines = 0;
  private lastSave: string | null = null;
  private runId: number | null = null;
  private trained: import('../agents/load-trained-model.js').TrainedModel | null = null;
  private featureStream: FeatureTensorStream | null = null;
  private savedStep = -1;
  private ordered = -1;
  private constructor(
    private readonly input: OnlineRunInput,
    readonly info: Awaited<ReturnType<typeof readModel>>,
    public market: MarketData,
    /** The model's features over the whole market (causal: a bar's row reads no later bar). */
    public features: ReturnType<typeof modelFeatures>,
    readonly start: number,
    public end: number,
    readonly online: OnlineLearningAgent,
    private readonly disposeModel: () => void,
    readonly stateDir: string,
    private readonly identity: StreamIdentity,
    private readonly saveFrequency: number,
    private readonly keepStates: number,
    private readonly events: OnlineEvent[],
    readonly resumedFrom: string | null,
  ) {}

  get stepsFile(): string {
    return join(this.stateDir, 'steps.jsonl');
  }

  /** One line per decision, written when the decision is taken (before its bar is settled). */
  get ordersFile(): string {
    return join(this.stateDir, 'orders.jsonl');
  }

  get runIdentifier(): number | null {
    return this.runId;
  }

  get lastSavePath(): string | null {
    return this.lastSave;
  }

  /** Bars in the stream (decisions from `start` to the bar before `end − 1`). */
  get total(): number {
    return this.end - 1 - this.start;
  }

  get done(): boolean {
    return this.online.nextBar >= this.end - 1 || this.online.terminated;
  }

  dateOf(bar: number): string {
    return formatTimestamp(this.market.time[bar]!);
  }

  static async open(input: OnlineRunInput): Promise<OnlineStream> {
    const progress = input.onProgress ?? (() => {});
    const saveFrequency = positiveInteger('saveFrequency', input.saveFrequency ?? ONLINE_RUN_DEFAULTS.saveFrequency);
    const keepStates = positiveInteger('keepStates', input.keepStates ?? ONLINE_RUN_DEFAULTS.keepStates);
    const stateDir = resolve(input.stateDir);
    const stepsFile = join(stateDir, 'steps.jsonl');
    const ordersFile = join(stateDir, 'orders.jsonl');
    const info = await readModel(input.model, input.checkpoint);
    if (info.config.environment.type !== 'multi_asset') {
      throw new GrpoTraderError(ErrorCodes.unsupported, `the online agent trades multi-asset models; this one is ${info.config.environment.type}`, { location: { file: info.directory, field: 'environment.type' } });
    }
    const { market, files } = input.market ? { market: input.market, files: [] as string[] } : await loadModelMarket(info, input.data, input.symbols ?? null);
    if (info.symbols && market.symbols.join(',') !== info.symbols.join(',')) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `the feed's symbols (${market.symbols.join(',')}) are not the model's (${info.symbols.join(',')}, in this order)`, { location: { field: 'symbols' } });
    }
    const range = evaluationRange(market, input.from, input.to);
    const end = range.end;
    // A growing feed computes its features bar by bar (IndicatorStream); equal to the batch tensor.
    const featureStream = input.growing ? new FeatureTensorStream(market.symbols.length, { features: info.config.data.features }) : null;
    const features = featureStream ? featureStream.extend(market) : modelFeatures(info, market);
    const fingerprint = marketFingerprint(market);
    const options = { seed: info.config.seed, ...input.options };

    const previous = await latestOnlineState(stateDir);
    // A stream killed before its first save left its logs and nothing to resume from: --resume starts it over in place.
    const restarting = previous === null && (await pathExists(stepsFile));
    if (input.resume && previous === null && !restarting) throw new GrpoTraderError(ErrorCodes.notFound, 'nothing to resume: no stream was started here (run without --resume to start one)', { location: { file: stateDir } });
    if (!input.resume && (previous !== null || restarting)) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, 'this state directory already holds a stream: add --resume to continue it, or give another --state', { location: { file: stateDir } });
    }
    if (restarting) progress(`online: ${stateDir} holds a stream killed before its first save: starting it over\n`);

    // Loaded on use: the agents bring jax-js.
    const { loadTrainedModel, SpecificationAgent } = await import('../agents/index.js');
    const trained = await loadTrainedModel(info, market, features, { envs: info.config.algorithm.type === 'grpo' ? info.config.training.envs : 1 });
    const store = input.store;
    const events: OnlineEvent[] = [];
    let stream: OnlineStream | null = null;
    let online: OnlineLearningAgent;
    let start: number;
    let identity: StreamIdentity;
    try {
      const spec = new SpecificationAgent(trained.agent as never, info.config);
      const env = trained.makeEnv({ firstBar: range.start, lastBar: end - 1 }) as MultiAssetEnv;
      // The first decision: at --from or, if later, the first bar with a full feature window.
      start = env.reset({ options: { episodeLength: null } }).info.barIndex;
      // A growing feed changes its end and its data as bars arrive: it is identified by where it starts.
      identity = { model: resolve(info.directory), checkpoint: resolve(info.checkpoint), data_fingerprint: input.growing ? 'growing' : fingerprint, first_bar: input.growing ? market.time[start]! : start, end_bar: input.growing ? -1 : end, options };
      online = new OnlineLearningAgent(spec, env, market, {
        ...options,
        onEvent: (event: OnlineEvent) => {
          events.push(event);
          // The stream's own dateOf: a growing feed's market is replaced as it grows.
          if (store && stream?.runId != null) store.recordEvent(stream.runId, { kind: event.kind, bar: event.bar, date: stream.dateOf(event.bar), payload: event.payload });
        },
      });
    } catch (error) {
      trained.dispose();
      throw error;
    }
    const dateOf = (bar: number) => formatTimestamp(market.time[bar]!);
    const dispose = () => {
      online.dispose();
      trained.dispose();
    };
    try {
      await mkdir(stateDir, { recursive: true });
      let resumedFrom: string | null = null;
      let lines = 0;
      let runId: number | null = null;
      const provenance = () => ({
        kind: 'online',
        name: `online learning of ${info.algorithm} on ${market.symbols.length} assets`,
        period: { first: dateOf(start), last: dateOf(end - 1), bars: end - start, split: 'online stream' },
        config: { model: identity.model, checkpoint: info.checkpointLabel, update: info.update, options, save_frequency: saveFrequency, train: info.config },
        data: { files, symbols: market.symbols },
        seed: options.seed,
        dataFingerprint: fingerprint,
        artifacts: { model_directory: identity.model, state_directory: stateDir, steps: stepsFile },
      });
      if (previous !== null) {
        const record = await loadOnlineState(stateDir, online);
        const saved = record.extra as unknown as SaveExtra;
        const mismatch = (Object.keys(identity) as (keyof StreamIdentity)[]).find((key) => JSON.stringify(saved.identity[key]) !== JSON.stringify(identity[key]));
        if (mismatch) {
          throw new GrpoTraderError(ErrorCodes.invalidArgument, `cannot resume: the saved stream has another ${mismatch.replace('_', ' ')} (${JSON.stringify(saved.identity[mismatch])}, now ${JSON.stringify(identity[mismatch])}); resume with the same --model, --data, --from/--to and options`, {
            location: { file: record.path, field: mismatch },
          });
        }
        // Bars are indices into the market: the saved next bar must be the same date in this one.
        if (saved.next_time !== undefined && market.time[online.nextBar] !== saved.next_time) {
          throw new GrpoTraderError(ErrorCodes.invalidData, `cannot resume: the saved stream continues at ${new Date(saved.next_time).toISOString().slice(0, 10)}, but bar ${online.nextBar} of this data is ${market.time[online.nextBar] === undefined ? 'missing' : new Date(market.time[online.nextBar]!).toISOString().slice(0, 10)} (the data starts elsewhere)`, { location: { file: record.path, field: 'next_time' } });
        }
        lines = saved.lines;
        // One order per settled bar: a decision after the save is taken again. A damaged line kept
        // would otherwise be found only when the stream finishes.
        for (const file of [stepsFile, ordersFile]) checkStreamLog(file, await truncateLines(file, lines), start, market.symbols.length);
        runId = saved.run_id;
        const index: CheckpointInput = { step: record.step, path: record.path, metrics: saved.index_metrics ?? { bar: online.nextBar, regime: record.regime, updates: online.updates } };
        if (store) {
          // The saved run id names this stream's run only in the store it was recorded in.
          const recorded = runId !== null && store.hasRun(runId) ? store.getRun(runId) : null;
          let id: number;
          if (recorded !== null && recorded.kind === 'online' && recorded.artifacts['state_directory'] === stateDir) {
            id = recorded.id;
            store.claimRun(recorded.id);
            store.removeEventsFrom(recorded.id, online.nextBar);
            // Entries of saves after this one, or pruned while the index was not told, go.
            for (const c of recorded.checkpoints) if (c.step > record.step || !(await pathExists(c.path))) store.removeCheckpoint(recorded.id, c.path);
          } else {
            const earlier = runId === null ? 'recorded in no store' : `run ${runId} of ${saved.store ?? 'another store'}`;
            id = store.startRun({ ...provenance(), extra: { resumed_from: record.path, earlier_record: earlier, first_recorded_bar: online.nextBar } });
            progress(`online: the saved stream (${earlier}) is not in ${store.path}: recording it from ${dateOf(online.nextBar)} on as run ${id}\n`);
          }
          store.indexCheckpoint(id, index);
          runId = id;
        }
        resumedFrom = record.path;
        progress(`online: resuming ${record.path} at ${dateOf(online.nextBar)} (bar ${online.totalSteps + 1} of ${end - 1 - start})\n`);
      } else {
        if (store) runId = restarting ? continueKilledRun(store, stateDir, provenance()) : store.startRun(provenance());
        online.start(start);
        await writeFileAtomic(stepsFile, '');
        await writeFileAtomic(ordersFile, '');
        progress(`online: streaming ${end - 1 - start} bars ${dateOf(start)} .. ${dateOf(end - 1)} through ${info.algorithm} (${online.options.championChallenger ? 'champion/challenger' : 'the learner trades'}), saving every ${saveFrequency} bars to ${stateDir}\n`);
      }
      stream = new OnlineStream(input, info, market, features, start, end, online, dispose, stateDir, identity, saveFrequency, keepStates, events, resumedFrom);
      stream.trained = trained;
      stream.featureStream = featureStream;
      stream.lines = lines;
      stream.runId = runId;
      stream.lastSave = resumedFrom;
      if (resumedFrom !== null) stream.savedStep = online.totalSteps;
      return stream;
    } catch (error) {
      dispose();
      throw error;
    }
  }

  /**
   * The feed has grown: `market` holds the same bars as before and then new ones. The stream goes on
   * over it — features recomputed (causal: earlier rows are unchanged), the trading environment and
   * the learner's environments rebuilt over the longer market with their state carried over.
   */
  async extend(market: MarketData): Promise<void> {
    const old = this.market;
    const n = old.time.length;
    if (market.symbols.join(',') !== old.symbols.join(',')) throw new GrpoTraderError(ErrorCodes.invalidArgument, `the feed's symbols changed (${market.symbols.join(',')})`, { location: { field: 'symbols' } });
    if (market.time.length < n || market.time[n - 1] !== old.time[n - 1] || market.time[0] !== old.time[0]) {
      throw new GrpoTraderError(ErrorCodes.invalidData, 'the feed rewrote bars it had already delivered (the grown market must start with the same bars)', { location: { field: 'market' } });
    }
    if (market.time.length === n) return;
    const { environmentFactory } = await import('../agents/index.js');
    const features = this.featureStream ? this.featureStream.extend(market) : modelFeatures(this.info, market);
    const make = environmentFactory(this.info.config, market, features);
    const end = market.time.length;
    this.online.extendMarket(market, make({ firstBar: this.start, lastBar: end - 1 }, false) as MultiAssetEnv);
    const agent = this.trained!.agent;
    agent.replaceEnvironments(agent.envs.map(() => make({ firstBar: 0, lastBar: end - 1 }, false)));
    this.market = market;
    this.features = features;
    this.end = end;
  }

  /** Events raised since the last call (refits, updates, evaluations, promotions, alarms, rollbacks). */
  drainEvents(): OnlineEvent[] {
    return this.events.splice(0, this.events.length);
  }

  /**
   * Decide at the next bar's close (needs only that bar) and record the orders in orders.jsonl before
   * returning them — a live feed publishes them then, one bar before `step` can settle them.
   */
  async decide(): Promise<OrderLine> {
    const d = await this.online.decide();
    const line: OrderLine = { bar: d.bar, date: this.dateOf(d.bar), regime: d.regime, stability: d.stability, champion: d.championVersion, weights: Array.from(d.weights), action: Array.from(d.action) };
    if (this.ordered !== d.bar) {
      await appendFile(this.ordersFile, `${JSON.stringify(line)}\n`);
      this.ordered = d.bar;
      crashPoint('online.order-recorded');
    }
    return line;
  }

  /** Process the next bar: decide (orders.jsonl), settle, record the outcome (steps.jsonl), learn, and save on schedule. */
  async step(): Promise<{ line: StepLine; step: OnlineStep }> {
    await this.decide();
    const step = await this.online.step();
    const line: StepLine = {
      bar: step.bar,
      date: this.dateOf(step.bar),
      regime: step.regime,
      stability: step.stability,
      temperature: step.temperature,
      champion: step.championVersion,
      value: step.value,
      return: step.portfolioReturn,
      weights: Array.from(step.weights),
      update: step.update !== null,
    };
    await appendFile(this.stepsFile, `${JSON.stringify(line)}\n`);
    this.lines++;
    crashPoint('online.step-recorded');
    if (this.online.totalSteps % this.saveFrequency === 0 || step.done) await this.save(step.regime, step.bar + 1, step.value);
    return { line, step };
  }

  /** Save now (atomically), indexed in the store. */
  async save(regime: number, bar = this.online.nextBar, value = Number.NaN): Promise<string> {
    // Saved already at this step (e.g. stopping right after a scheduled save): nothing to add, and
    // rewriting the directory latest.json names would open a window with no valid save. A decision
    // taken and not settled is not saved either: after a restart it is taken again, identically.
    if (this.lastSave !== null && this.savedStep === this.online.totalSteps) return this.lastSave;
    if (this.online.hasPendingDecision) {
      if (this.lastSave === null) throw new GrpoTraderError(ErrorCodes.internal, 'online stream: a decision is pending and nothing is saved yet');
      return this.lastSave;
    }
    const store = this.input.store;
    const metrics = { bar, regime, updates: this.online.updates, ...(Number.isFinite(value) ? { value } : {}) };
    const extra: SaveExtra = { identity: this.identity, lines: this.lines, run_id: this.runId, next_time: this.market.time[this.online.nextBar], store: store ? resolve(store.path) : null, index_metrics: metrics };
    const saved = await saveOnlineState(this.stateDir, this.online, { step: this.online.totalSteps, regime, extra: { ...extra } }, this.keepStates);
    this.savedStep = this.online.totalSteps;
    this.lastSave = saved.path;
    crashPoint('online.saved');
    if (store && this.runId !== null) {
      store.indexCheckpoint(this.runId, { step: this.online.totalSteps, path: saved.path, metrics });
      for (const path of saved.removed) store.removeCheckpoint(this.runId, path);
      crashPoint('online.indexed');
    }
    return saved.path;
  }

  /** The streamed period three ways (online, frozen, equal weight) with paired tests; closes the store's run. */
  async finish(): Promise<{ steps: StepLine[]; comparison: Awaited<ReturnType<typeof compareStream>> }> {
    const steps = await readLines(this.stepsFile);
    const comparison = await compareStream(this.info, this.market, this.features, this.start, this.end, steps);
    const store = this.input.store;
    if (store && this.runId !== null) {
      const regimes = { dates: steps.map((s) => s.date), labels: steps.map((s) => s.regime), stability: steps.map((s) => s.stability), champion: steps.map((s) => s.champion) };
      store.finishRun(this.runId, {
        status: 'finished',
        metrics: Object.fromEntries(comparison.runs.map((r) => [r.name, r.metrics])),
        series: comparison.runs.map((r) => ({ name: r.name, result: r.result, metrics: r.metrics })),
        tests: comparison.tests,
        extra: { deflated_sharpe: comparison.deflatedSharpe, online: { regimes, counts: this.online.counts, updates: this.online.updates, champion: this.online.currentChampion } },
        artifacts: { last_state: this.lastSave },
      });
      crashPoint('online.finished');
    }
    return { steps, comparison };
  }

  dispose(): void {
    this.disposeModel();
  }
}

/** Stream `model` over [from, to] of the data, learning online; see the module comment. */
export async function runOnline(input: OnlineRunInput): Promise<OnlineRunResult> {
  const started = performance.now();
  const progress = input.onProgress ?? (() => {});
  const progressEvery = positiveInteger('progressEvery', input.progressEvery ?? ONLINE_RUN_DEFAULTS.progressEvery);
  const stream = await OnlineStream.open(input);
  const online = stream.online;
  try {
    const total = stream.total;
    const streamStart = performance.now();
    const streamedBefore = online.totalSteps;
    while (!stream.done) {
      const { line, step } = await stream.step();
      stream.drainEvents();
      if (online.totalSteps % progressEvery === 0 || step.done) {
        const rate = (online.totalSteps - streamedBefore) / ((performance.now() - streamStart) / 1000);
        const c = online.counts;
        progress(`online: ${online.totalSteps}/${total} bars, ${line.date}, regime ${step.regime} (stability ${step.stability.toFixed(2)}), value ${step.value.toFixed(0)}, ${online.updates} updates, champion v${online.currentChampion} (${c.promotion} promotions, ${c.rollback} rollbacks, ${c.alarm} alarms, ${c.refit} refits), ${rate.toFixed(0)} bars/s\n`);
      }
    }
    const streamSeconds = (performance.now() - streamStart) / 1000;
    progress('online: comparing the online agent, the frozen model and equal weight over the streamed bars\n');
    const { comparison } = await stream.finish();
    return {
      run_id: stream.runIdentifier,
      first: stream.dateOf(stream.start),
      last: stream.dateOf(stream.end - 1),
      bars: total,
      resumed_from: stream.resumedFrom,
      updates: online.updates,
      events: { ...online.counts },
      champion: online.currentChampion,
      state_directory: stream.stateDir,
      steps_file: stream.stepsFile,
      last_save: stream.lastSavePath,
      strategies: comparison.runs.map((r) => ({ name: r.name, metrics: r.summary.metrics, final_value: r.summary.final_value })),
      tests: comparison.tests,
      deflated_sharpe: comparison.deflatedSharpe,
      seconds: (performance.now() - started) / 1000,
      bars_per_second: (online.totalSteps - streamedBefore) / Math.max(streamSeconds, 1e-9),
    };
  } finally {
    stream.dispose();
  }
}

/** Keep the first `lines` lines of a file (what the save being resumed had written); returns them. */
async function truncateLines(file: string, lines: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  let offset = 0;
  for (let k = 0; k < lines; k++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) throw new GrpoTraderError(ErrorCodes.corrupted, `has ${k} lines; the save being resumed wrote ${lines}`, { location: { file } });
    offset = next + 1;
  }
  await truncate(file, Buffer.byteLength(text.slice(0, offset)));
  return text.slice(0, offset);
}

/**
 * Check the lines a resume keeps of a stream log (steps.jsonl, orders.jsonl; `text` ends with a
 * newline): JSON objects for consecutive bars from `start`, with one finite weight per asset.
 */
function checkStreamLog(file: string, text: string, start: number, assets: number): void {
  const lines = text.split('\n').slice(0, -1);
  for (const [k, raw] of lines.entries()) {
    const fail = (problem: string, cause?: unknown) => new GrpoTraderError(ErrorCodes.corrupted, `${problem}; the log was damaged or edited (resume from an intact copy of the state directory, or start the stream again with another --state)`, { location: { file, line: k + 1 }, cause });
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw fail(`not JSON (${(error as Error).message})`, error);
    }
    const line = value as Partial<StepLine> | null;
    if (line === null || typeof line !== 'object' || line.bar !== start + k) throw fail(`expected the line of bar ${start + k}, found ${line !== null && typeof line === 'object' ? `bar ${JSON.stringify(line.bar)}` : JSON.stringify(value)}`);
    if (!Array.isArray(line.weights) || line.weights.length !== assets || !line.weights.every((w) => typeof w === 'number' && Number.isFinite(w))) throw fail(`weights must be ${assets} finite numbers`);
  }
}

/** The recorded lines of a stream's steps.jsonl. */
export async function readLines(file: string): Promise<StepLine[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, k) => {
      try {
        return JSON.parse(line) as StepLine;
      } catch (error) {
        throw new GrpoTraderError(ErrorCodes.corrupted, `line ${k + 1} is not JSON (${(error as Error).message})`, { location: { file, line: k + 1 }, cause: error });
      }
    });
}

/** The online agent's recorded books, the frozen model's deterministic backtest and equal weight, through one benchmark. */
async function compareStream(info: Awaited<ReturnType<typeof readModel>>, market: MarketData, features: ReturnType<typeof modelFeatures>, start: number, end: number, steps: StepLine[]) {
  const A = market.symbols.length;
  const targets = new Float64Array(market.time.length * A).fill(Number.NaN);
  for (const s of steps) targets.set(s.weights, s.bar * A);
  const frozen = await backtestModel(info, market, features, start, end, { name: ONLINE_SERIES.frozen, split: 'online stream' });
  const e = info.config.environment;
  const benchmark = new StrategyBenchmark(market, {
    firstBar: start,
    endBar: end,
    split: 'online stream',
    initialCapital: e.initialCapital,
    tradingCost: e.tradingCost,
    slippage: e.slippage,
    maxPositionSize: e.maxPositionSize,
    maxAssetWeight: e.maxAssetWeight,
  });
  benchmark.addStrategy(ONLINE_SERIES.online, policyFromTargets(ONLINE_SERIES.online, targets, A));
  benchmark.addStrategy(ONLINE_SERIES.frozen, replayPolicy(ONLINE_SERIES.frozen, frozen.result, market.time.length));
  benchmark.addStrategy(ONLINE_SERIES.equalWeight, createStrategy('equal_weight_daily'));
  const runs = benchmark.run();
  const tests = [benchmark.statisticalTest(ONLINE_SERIES.online, ONLINE_SERIES.frozen), benchmark.statisticalTest(ONLINE_SERIES.online, ONLINE_SERIES.equalWeight), benchmark.statisticalTest(ONLINE_SERIES.frozen, ONLINE_SERIES.equalWeight)];
  return {
    runs: benchmark.names().map((name) => {
      const run = runs.get(name)!;
      return { name, result: run.result, summary: run.summary, metrics: flattenSummary(run.summary) };
    }),
    tests,
    deflatedSharpe: benchmark.deflatedSharpe(),
  };
}


/**
 * The run record of a stream started over in place (killed before its first save): the killed
 * process's run, continued — one run, as if never interrupted — when it was started with the same
 * config and data; otherwise that run is marked stopped and a new one starts.
 */
function continueKilledRun(store: RunStore, stateDir: string, provenance: RunProvenance): number {
  const killed = store.latestRunWithArtifact('online', 'state_directory', stateDir);
  if (killed !== null && isUnfinishedStatus(killed.status) && killed.data_fingerprint === provenance.dataFingerprint && JSON.stringify(killed.config) === JSON.stringify(JSON.parse(JSON.stringify(provenance.config)))) {
    store.claimRun(killed.id);
    store.removeEventsFrom(killed.id, Number.MIN_SAFE_INTEGER);
    for (const checkpoint of killed.checkpoints) store.removeCheckpoint(killed.id, checkpoint.path);
    return killed.id;
  }
  const id = store.startRun(provenance);
  if (killed !== null && isUnfinishedStatus(killed.status)) store.finishRun(killed.id, { status: 'stopped', extra: { stopped: `killed before its first save; its state directory was started over as run ${id} with another configuration` } });
  return id;
}

/** Whether `stateDir` holds a stream (saved, or started and killed before its first save): what `resume` continues. */
export async function streamStarted(stateDir: string): Promise<boolean> {
  return (await latestOnlineState(stateDir)) !== null || (await pathExists(join(stateDir, 'steps.jsonl')));
}
