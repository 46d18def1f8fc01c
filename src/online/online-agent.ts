/**
 * The specification's OnlineLearningAgent (6.4): bars arrive one at a time; at each close the regime
 * detector labels the bar (from bars up to it), the exploration temperature is set from the regime's
 * stability (1 + (1 − stability)·2, as specified), the model decides from the observation at that
 * close, the environment earns the return to the next bar, the transition is stored with its regime,
 * and every `updateFrequency` bars once `minSamplesBeforeUpdate` are stored the model learns.
 *
 * How each algorithm learns online:
 * - reward-penalty agents (off-policy, through their critic): a prioritised, regime-balanced batch
 *   with importance weights (`updateFromBatch`); the buffer takes the TD errors as new priorities;
 * - group-relative GRPO: counterfactual groups started at bars drawn from the last `grpoWindow`
 *   bars it may learn from, scored through the environment's snapshot/restore, never past them.
 *
 * Safe continuous learning (champion/challenger): the model that trades (the champion) is a frozen
 * copy; the learner (the challenger) updates. The newest `evaluationWindow` transitions are held out
 * of learning; every `evaluationInterval` bars both models replay that trailing window
 * deterministically, and the challenger replaces the champion only if its Sharpe ratio there beats
 * the champion's by more than `promotionMargin`. A champion becomes the "last good" model once it
 * has traded `evaluationWindow` bars without an alarm; a Page-Hinkley alarm on a fall of the live
 * returns while the champion is still on probation rolls back champion and learner to the last good
 * model. Every refit, update, evaluation, promotion, alarm and rollback is reported as an event.
 *
 * `getState()` / `setState()` carry everything that moves (networks via the snapshots and the
 * learner's checkpoint, buffers as bytes, detectors, environment, generator, counters), so a resumed
 * stream continues bit-identically: see online-state.ts.
 */
import { decodeFloat64, encodeFloat64 } from '../core/arrays.js';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { checkMemoryEstimate, memoryEstimate } from '../core/memory-budget.js';
import { sharpeRatio } from '../core/return-statistics.js';
import { Rng } from '../core/rng.js';
import type { ModelSnapshot, SpecificationAgent } from '../agents/specification-agent.js';
import type { MarketData } from '../data/types.js';
import type { MultiAssetEnv } from '../env/multi-asset-env.js';
import { actionToWeights } from '../env/normalize-weights.js';
import { PageHinkley, type PageHinkleyOptions } from './drift-detectors.js';
import { PRIORITIZED_REPLAY_DEFAULTS, PrioritizedReplayBuffer, REPLAY_LIMITS, replayBufferBytes, type PrioritizedReplayOptions } from './prioritized-replay.js';
import { RegimeDetector, type RegimeDetectorOptions, type RegimeDetectorState } from './regime-detector.js';
import { regimeSource } from './regime-series.js';

export interface OnlineAgentOptions {
  /** Replay capacity (spec 10,000). */
  bufferCapacity: number;
  /** Transitions per update (spec 64). */
  batchSize: number;
  /** Bars between updates (spec 10). */
  updateFrequency: number;
  /** Transitions available for learning before the first update (spec 200). */
  minSamplesBeforeUpdate: number;
  seed: number;
  /** Options of the regime detector (its series: the equal-weight composite, or `regimeSymbol`). */
  regimes: Partial<RegimeDetectorOptions>;
  regimeSymbol: string | null;
  replay: Partial<Omit<PrioritizedReplayOptions, 'capacity' | 'stateSize' | 'actionSize'>>;
  /**
   * Trade sampled actions at the regime's exploration temperature (true, the specification) or the
   * trading model's deterministic action (false: no exploration cost in the book; the learner still
   * learns from the transitions, with less variety in their actions).
   */
  explore: boolean;
  /** Champion/challenger (true) or the learner trades directly (false, the specification's plain loop). */
  championChallenger: boolean;
  /** Newest transitions held out of learning; the trailing window the models are compared on. */
  evaluationWindow: number;
  /** Bars between champion/challenger comparisons. */
  evaluationInterval: number;
  /** Annualised Sharpe the challenger must add over the champion on the window to be promoted. */
  promotionMargin: number;
  /** Page-Hinkley on the live net returns; a fall of their mean is the rollback alarm. */
  returnDrift: Partial<PageHinkleyOptions>;
  /** Group-relative GRPO: bars (ending at the newest learnable one) its counterfactual groups start in. */
  grpoWindow: number;
  /** Told of every event as it happens (the CLI records them with RunStore.recordEvent). */
  onEvent: ((event: OnlineEvent) => void) | null;
}

export const ONLINE_EVENT_KINDS = ['refit', 'update', 'evaluation', 'promotion', 'alarm', 'rollback'] as const;
export type OnlineEventKind = (typeof ONLINE_EVENT_KINDS)[number];

/** Something the online agent reports as it streams. */
export interface OnlineEvent {
  kind: OnlineEventKind;
  bar: number;
  payload: Record<string, unknown>;
}

/** Page-Hinkley settings for daily portfolio returns: tolerate 0.1%/day, alarm at a 10% cumulative shortfall. */
export const RETURN_DRIFT_DEFAULTS: PageHinkleyOptions = { delta: 0.001, threshold: 0.1, minInstances: 30, alpha: 1 };

/**
 * Bounds of the sizes that allocate (the CLI's flags and the serve config use them too): what each
 * sizes and why the bound is enough. Within them, the buffers must also fit the memory budget.
 */
export const ONLINE_SIZE_LIMITS = {
  bufferCapacity: { max: REPLAY_LIMITS.capacity, reason: "the replay buffer holds capacity transitions of two observations each; 100× the specification's 10,000" },
  batchSize: { max: 8192, reason: 'each update samples batchSize transitions and runs them through the networks at once; the specification uses 64' },
  evaluationWindow: { max: 10_000, reason: 'the held-out window is a second replay buffer, replayed by both models at every comparison; 10,000 daily bars are 40 years' },
} as const;

export const ONLINE_AGENT_DEFAULTS: OnlineAgentOptions = {
  bufferCapacity: 10_000,
  batchSize: 64,
  updateFrequency: 10,
  minSamplesBeforeUpdate: 200,
  seed: 0,
  regimes: {},
  regimeSymbol: null,
  replay: {},
  explore: true,
  championChallenger: true,
  evaluationWindow: 60,
  evaluationInterval: 60,
  promotionMargin: 0,
  returnDrift: {},
  grpoWindow: 120,
  onEvent: null,
};

/** A decision at a bar's close, before the next bar settles it. */
export interface OnlineDecision {
  bar: number;
  regime: number;
  stability: number;
  temperature: number;
  /** The action (target weights before the environment's normalisation). */
  action: Float64Array;
  /** The target weights the action holds (`actionToWeights`: clip to ±actionBound, gross and per-asset caps): the orders to place. */
  weights: Float64Array;
  /** Version of the model that decided and traded (0: the initial model; +1 at each promotion or rollback). */
  championVersion: number;
  refit: boolean;
}

/** What happened at one bar: the decision (its `weights` are what the book held over the next bar) and its outcome. */
export interface OnlineStep extends OnlineDecision {
  /** Reward earned from this bar to the next. */
  reward: number;
  /** Net portfolio return from this bar to the next. */
  portfolioReturn: number;
  /** Portfolio value at the next bar's close. */
  value: number;
  /** The update's metrics when the model learned after this bar, else null. */
  update: Record<string, number> | null;
  /** Events raised at this bar (also sent to `onEvent`). */
  events: OnlineEvent[];
  done: boolean;
}

/** The JSON part of the agent's state (`getState`); buffers and networks travel separately. */
export interface OnlineAgentJsonState {
  bar: number;
  totalSteps: number;
  stepsSinceUpdate: number;
  updates: number;
  rng: (number | null)[];
  observation: number[];
  /** The environment's snapshot, `encodeFloat64` text (exact: its NaNs — e.g. the RNG's empty normal cache — and −0 survive); a number array in saves before it. */
  envSnapshot: string | (number | null)[];
  regimes: RegimeDetectorState;
  returnDrift: number[];
  championVersion: number;
  nextVersion: number;
  championSince: number;
  lastGoodVersion: number;
  updatesAtLastEvaluation: number;
  sinceEvaluation: number;
  counts: Record<OnlineEventKind, number>;
  terminated?: boolean;
}

/** The whole state: JSON, buffer bytes and the model snapshots to save with the learner's checkpoint. */
export interface OnlineAgentState {
  json: OnlineAgentJsonState;
  buffer: Uint8Array;
  holdout: Uint8Array;
  /** Null when champion/challenger is off. `lastGood` is null when it is the champion itself. */
  champion: ModelSnapshot | null;
  lastGood: ModelSnapshot | null;
}

export class OnlineLearningAgent {
  readonly options: OnlineAgentOptions;
  buffer: PrioritizedReplayBuffer;
  /** The newest transitions, held out of learning (a FIFO of `evaluationWindow` entries; empty without champion/challenger). */
  holdout: PrioritizedReplayBuffer;
  readonly regimes: RegimeDetector;
  readonly returnDrift: PageHinkley;
  /** Bars processed. */
  totalSteps = 0;
  stepsSinceUpdate = 0;
  updates = 0;
  /** Events raised so far, by kind. */
  readonly counts: Record<OnlineEventKind, number> = { refit: 0, update: 0, evaluation: 0, promotion: 0, alarm: 0, rollback: 0 };
  private readonly rng: Rng;
  private source: { close: Float64Array; volume: Float64Array };
  private readonly isGrpo: boolean;
  private observation: Float64Array | null = null;
  private pending: { decision: OnlineDecision; state: Float64Array; events: OnlineEvent[] } | null = null;
  /** The bar whose close is processed next. */
  private bar = 0;
  private champion: ModelSnapshot | null = null;
  private lastGood: ModelSnapshot | null = null;
  private championVersion = 0;
  private nextVersion = 1;
  private championSince = 0;
  private lastGoodVersion = 0;
  private updatesAtLastEvaluation = 0;
  private sinceEvaluation = 0;
  private readonly windowReturns: Float64Array;

  /**
   * `env` runs over the streamed bars of `market` (the same market the regime is read from); it is
   * also where the two models replay the trailing window (from a snapshot, restored afterwards).
   */
  constructor(
    readonly model: SpecificationAgent,
    public env: MultiAssetEnv,
    market: MarketData,
    options: Partial<OnlineAgentOptions> = {},
  ) {
    const o = (this.options = { ...ONLINE_AGENT_DEFAULTS, ...options });
    for (const name of ['bufferCapacity', 'batchSize', 'updateFrequency', 'minSamplesBeforeUpdate', 'evaluationWindow', 'evaluationInterval', 'grpoWindow'] as const) {
      if (!Number.isInteger(o[name]) || o[name] < 1) throw new GrpoTraderError(ErrorCodes.invalidArgument, `online agent: ${name} must be a positive integer, got ${o[name]}`, { location: { field: name } });
    }
    for (const name of Object.keys(ONLINE_SIZE_LIMITS) as (keyof typeof ONLINE_SIZE_LIMITS)[]) {
      const limit = ONLINE_SIZE_LIMITS[name];
      if (o[name] > limit.max) throw new GrpoTraderError(ErrorCodes.invalidArgument, `online agent: ${name} must be at most ${limit.max}: ${limit.reason}`, { location: { field: name, value: String(o[name]) } });
    }
    if (o.evaluationWindow < 2) throw new GrpoTraderError(ErrorCodes.invalidArgument, `online agent: evaluationWindow must be at least 2 bars (a Sharpe ratio needs two returns), got ${o.evaluationWindow}`, { location: { field: 'evaluationWindow' } });
    if (!Number.isFinite(o.promotionMargin)) throw new GrpoTraderError(ErrorCodes.invalidArgument, `online agent: promotionMargin must be a finite number, got ${o.promotionMargin}`, { location: { field: 'promotionMargin' } });
    if (model.agent.kind !== 'gaussian') throw new GrpoTraderError(ErrorCodes.unsupported, 'online agent: a multi-asset model (continuous weights) is needed', { location: { field: 'environment.type' } });
    this.isGrpo = model.agent.algorithm === 'grpo';
    const sizes = { stateSize: model.agent.observationSize, actionSize: model.agent.actionSize };
    // Both buffers and a sampled batch, before any is allocated: the one that dominates is named by its option.
    const maxRegimes = o.replay.maxRegimes ?? PRIORITIZED_REPLAY_DEFAULTS.maxRegimes;
    const batchBytes = o.batchSize * (2 * sizes.stateSize + sizes.actionSize + 4) * 4;
    checkMemoryEstimate(
      memoryEstimate([
        { field: 'bufferCapacity', value: o.bufferCapacity, what: `replay buffer (${o.bufferCapacity} transitions of ${sizes.stateSize}-value observations)`, bytes: replayBufferBytes({ capacity: o.bufferCapacity, maxRegimes, ...sizes }) },
        { field: 'evaluationWindow', value: o.evaluationWindow, what: `held-out window (${o.evaluationWindow} transitions)`, bytes: replayBufferBytes({ capacity: o.evaluationWindow, maxRegimes, ...sizes }) },
        { field: 'batchSize', value: o.batchSize, what: `sampled batch (${o.batchSize} transitions)`, bytes: batchBytes },
      ]),
      { what: 'online learning' },
    );
    this.buffer = new PrioritizedReplayBuffer({ ...o.replay, capacity: o.bufferCapacity, ...sizes });
    this.holdout = new PrioritizedReplayBuffer({ ...o.replay, capacity: o.evaluationWindow, ...sizes });
    this.regimes = new RegimeDetector({ seed: o.seed, ...o.regimes });
    this.returnDrift = new PageHinkley({ ...RETURN_DRIFT_DEFAULTS, ...o.returnDrift });
    this.rng = new Rng(o.seed);
    this.source = regimeSource(market, o.regimeSymbol);
    this.windowReturns = new Float64Array(o.evaluationWindow);
  }

  /** Start the stream at `firstBar` (the bars before it only feed the regime detector's history). */
  start(firstBar: number): void {
    for (let t = 0; t < firstBar; t++) this.regimes.update(this.source.close[t]!, this.source.volume[t]!);
    const reset = this.env.reset({ options: { start: firstBar, episodeLength: null } });
    this.observation = Float64Array.from(reset.observation);
    this.bar = reset.info.barIndex;
    this.championSince = this.bar;
    if (this.options.championChallenger) {
      this.champion = this.model.snapshot();
      this.lastGood = null;
    }
  }

  /**
   * The market has grown (the same bars, then new ones): continue on `env`, an environment over it
   * built as the current one. Its position, value and history carry over; the regime is read from
   * the longer market (its earlier bars unchanged).
   */
  extendMarket(market: MarketData, env: MultiAssetEnv): void {
    env.restore(this.env.snapshot());
    env.continueEpisode();
    this.env = env;
    this.source = regimeSource(market, this.options.regimeSymbol);
  }

  /** Whether the portfolio was ruined or hit the drawdown limit (the stream cannot go on). */
  terminated = false;

  /** The bar whose close `step()` processes next. */
  get nextBar(): number {
    return this.bar;
  }

  /** Version of the model that trades now. */
  get currentChampion(): number {
    return this.championVersion;
  }

  /** Process the next bar: regime, temperature, decision, transition, and maybe an update, an evaluation, an alarm. */
  /**
   * Decide at the next bar's close — it needs that bar and nothing later: the regime label, the
   * exploration temperature and the trading model's action. `step()` then settles it when the
   * following bar is known. A live feed publishes the decision as soon as the bar is final instead
   * of one bar later. Idempotent until settled.
   */
  async decide(): Promise<OnlineDecision> {
    if (!this.observation) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'online agent: call start(firstBar) or setState(...) before step()');
    if (this.pending) return this.pending.decision;
    const o = this.options;
    const bar = this.bar;
    const events: OnlineEvent[] = [];
    const regime = this.regimes.update(this.source.close[bar]!, this.source.volume[bar]!);
    const stability = regime.stability;
    const temperature = 1 + (1 - stability) * 2;
    this.model.setExplorationTemp(temperature);
    if (regime.refit) this.emit(events, bar, 'refit', { reason: regime.refit.reason, agreement: regime.refit.agreement, label: regime.label });
    const state = this.observation;
    const action = await this.model.selectAction(state, { deterministic: !o.explore, ...(this.champion ? { model: this.champion } : {}) });
    // What env.step will hold when the decision is settled: the environment's one rule.
    const weights = actionToWeights(action, this.env.config);
    const decision: OnlineDecision = { bar, regime: regime.label, stability, temperature, action, weights, championVersion: this.championVersion, refit: regime.refit !== null };
    this.pending = { decision, state, events };
    return decision;
  }

  /** Whether a decision was taken and not yet settled (no save can be taken then). */
  get hasPendingDecision(): boolean {
    return this.pending !== null;
  }

  private emit(events: OnlineEvent[], bar: number, kind: OnlineEventKind, payload: Record<string, unknown>): void {
    const event = { kind, bar, payload };
    this.counts[kind]++;
    events.push(event);
    this.options.onEvent?.(event);
  }

  /** Process the next bar: decide (unless `decide()` already did), trade, store, and maybe learn, evaluate, alarm. */
  async step(): Promise<OnlineStep> {
    const o = this.options;
    await this.decide();
    const { decision, state, events } = this.pending!;
    this.pending = null;
    const bar = decision.bar;
    const emit = (kind: OnlineEventKind, payload: Record<string, unknown>) => this.emit(events, bar, kind, payload);
    const regime = { label: decision.regime };
    const action = decision.action;
    const result = this.env.step(action);
    const weights = Float64Array.from(result.info.weightsAfter);
    const portfolioReturn = result.info.portfolioReturn;
    const value = result.info.portfolioValue;
    const next = Float64Array.from(result.observation);
    this.hold(state, action, result.reward, next, result.terminated, regime.label);
    this.observation = next;
    this.bar = result.info.barIndex;
    this.totalSteps++;
    this.stepsSinceUpdate++;
    this.sinceEvaluation++;

    let update: Record<string, number> | null = null;
    if (this.stepsSinceUpdate >= o.updateFrequency && this.buffer.size >= o.minSamplesBeforeUpdate) {
      update = await this.update(regime.label);
      this.stepsSinceUpdate = 0;
      emit('update', { update: this.updates, regime: regime.label, ...update });
    }
    const done = result.terminated || result.truncated;
    if (result.terminated) this.terminated = true;
    if (this.champion) {
      if (this.returnDrift.update(portfolioReturn) && this.returnDrift.direction < 0) this.alarm(emit, regime.label);
      else if (this.lastGood && this.bar - this.championSince >= o.evaluationWindow) this.confirmChampion();
      // Not skipped at the end of the data: a growing feed reaches its current end at every bar.
      if (this.sinceEvaluation >= o.evaluationInterval && this.holdout.size === o.evaluationWindow && this.updates > this.updatesAtLastEvaluation) await this.evaluate(emit);
    }
    return { ...decision, weights, reward: result.reward, portfolioReturn, value, update, events, done };
  }

  /** Hold the newest transition out of learning; the one it displaces (the oldest) becomes learnable. */
  private hold(state: Float64Array, action: Float64Array, reward: number, next: Float64Array, done: boolean, regime: number): void {
    if (!this.options.championChallenger) {
      this.buffer.add(state, action, reward, next, done, regime);
      return;
    }
    const h = this.holdout;
    if (h.size === h.options.capacity) {
      const oldest = h.entry(h.position);
      this.buffer.add(oldest.state, oldest.action, oldest.reward, oldest.nextState, oldest.done, oldest.regime);
    }
    h.add(state, action, reward, next, done, regime);
  }

  /** One update: a prioritised batch (a share from the current regime) with TD-error priorities, or GRPO's recent groups. */
  private async update(regime: number): Promise<Record<string, number>> {
    if (this.isGrpo) {
      // The newest learnable bar: the decision bar of the newest transition out of the holdout.
      const lastBar = this.bar - this.holdout.size;
      const metrics = await this.model.updateOnRecentBars(lastBar, this.options.grpoWindow, this.rng);
      this.updates++;
      return metrics;
    }
    const batch = this.buffer.sample(this.options.batchSize, this.rng, regime);
    const { tdErrors, metrics } = await this.model.updateFromBatch(
      { observations: batch.states, actions: batch.actions, rewards: batch.rewards, nextObservations: batch.nextStates, dones: batch.dones },
      batch.weights,
    );
    this.buffer.updatePriorities(batch.indices, tdErrors);
    this.updates++;
    return metrics;
  }

  /** Replay the held-out window with both models (deterministic), promote the challenger if it does better there. */
  private async evaluate(emit: (kind: OnlineEventKind, payload: Record<string, unknown>) => void): Promise<void> {
    const o = this.options;
    this.sinceEvaluation = 0;
    this.updatesAtLastEvaluation = this.updates;
    const saved = this.env.snapshot();
    const start = this.bar - o.evaluationWindow;
    const championSharpe = await this.replayWindow(start, this.champion!);
    const challenger = this.model.snapshot();
    const challengerSharpe = await this.replayWindow(start, challenger);
    this.env.restore(saved);
    const promote = Number.isFinite(challengerSharpe) && (!Number.isFinite(championSharpe) || challengerSharpe > championSharpe + o.promotionMargin);
    emit('evaluation', { first_bar: start, last_bar: this.bar, champion: this.championVersion, champion_sharpe: championSharpe, challenger_sharpe: challengerSharpe, promoted: promote, updates: this.updates });
    if (!promote) {
      challenger.dispose();
      return;
    }
    const previous = this.championVersion;
    // The champion being replaced becomes the fallback unless one is already kept (then it is dropped).
    if (this.lastGood) this.champion!.dispose();
    else {
      this.lastGood = this.champion;
      this.lastGoodVersion = previous;
    }
    this.champion = challenger;
    this.championVersion = this.nextVersion++;
    this.championSince = this.bar;
    emit('promotion', { from: previous, to: this.championVersion, champion_sharpe: championSharpe, challenger_sharpe: challengerSharpe, margin: o.promotionMargin, updates: this.updates });
  }

  /** Sharpe ratio of `model`'s deterministic replay of bars [start, start + evaluationWindow] in the environment. */
  private async replayWindow(start: number, model: ModelSnapshot): Promise<number> {
    let observation = this.env.reset({ options: { start, episodeLength: this.options.evaluationWindow } }).observation;
    for (let k = 0; k < this.options.evaluationWindow; k++) {
      const action = await this.model.selectAction(observation, { deterministic: true, model });
      const result = this.env.step(action);
      this.windowReturns[k] = result.info.portfolioReturn;
      observation = result.observation;
    }
    return sharpeRatio(this.windowReturns);
  }

  /** The champion has traded a whole window without an alarm: it becomes the last good model. */
  private confirmChampion(): void {
    this.lastGood?.dispose();
    this.lastGood = null;
    this.lastGoodVersion = this.championVersion;
  }

  /** Live returns fell: a champion on probation is rolled back (champion and learner) to the last good model. */
  private alarm(emit: (kind: OnlineEventKind, payload: Record<string, unknown>) => void, regime: number): void {
    const onProbation = this.lastGood !== null;
    emit('alarm', { detector: 'page-hinkley', direction: 'fall', regime, champion: this.championVersion, on_probation: onProbation, action: onProbation ? 'rollback' : 'none (the champion has a clean window behind it)' });
    if (!onProbation) return;
    const from = this.championVersion;
    this.champion!.dispose();
    this.champion = this.lastGood;
    this.lastGood = null;
    this.model.restore(this.champion!);
    this.championVersion = this.nextVersion++;
    this.championSince = this.bar;
    emit('rollback', { from, to: this.championVersion, restored: this.lastGoodVersion });
    this.lastGoodVersion = this.championVersion;
  }

  /** Everything that moves, for a crash-safe checkpoint (the learner's networks are saved by its own checkpoint). */
  getState(): OnlineAgentState {
    if (!this.observation) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'online agent: nothing to save before start()');
    if (this.pending) throw new GrpoTraderError(ErrorCodes.internal, 'online agent: a decision is pending; save after it is settled');
    return {
      json: {
        bar: this.bar,
        totalSteps: this.totalSteps,
        stepsSinceUpdate: this.stepsSinceUpdate,
        updates: this.updates,
        rng: this.rng.getState().map((x) => (Number.isNaN(x) ? null : x)),
        observation: Array.from(this.observation),
        envSnapshot: encodeFloat64(this.env.snapshot().data),
        regimes: this.regimes.getState(),
        returnDrift: this.returnDrift.getState(),
        championVersion: this.championVersion,
        nextVersion: this.nextVersion,
        championSince: this.championSince,
        lastGoodVersion: this.lastGoodVersion,
        updatesAtLastEvaluation: this.updatesAtLastEvaluation,
        sinceEvaluation: this.sinceEvaluation,
        counts: { ...this.counts },
        terminated: this.terminated,
      },
      buffer: this.buffer.serialize(),
      holdout: this.holdout.serialize(),
      champion: this.champion,
      lastGood: this.lastGood,
    };
  }

  /** Continue from a saved state (same model config, options and market); takes over the snapshots. */
  setState(state: OnlineAgentState): void {
    const s = state.json;
    this.bar = s.bar;
    this.totalSteps = s.totalSteps;
    this.stepsSinceUpdate = s.stepsSinceUpdate;
    this.updates = s.updates;
    this.rng.setState(s.rng.map((x) => (x === null ? Number.NaN : x)));
    this.env.restore({ data: typeof s.envSnapshot === 'string' ? decodeFloat64(s.envSnapshot) : Float64Array.from(s.envSnapshot, (x) => (x === null ? Number.NaN : x)) });
    // Saved at the end of a shorter market (a growing feed): the episode goes on in this one.
    this.env.continueEpisode();
    this.observation = Float64Array.from(s.observation);
    this.regimes.setState(s.regimes);
    this.returnDrift.setState(s.returnDrift);
    this.championVersion = s.championVersion;
    this.nextVersion = s.nextVersion;
    this.championSince = s.championSince;
    this.lastGoodVersion = s.lastGoodVersion;
    this.updatesAtLastEvaluation = s.updatesAtLastEvaluation;
    this.sinceEvaluation = s.sinceEvaluation;
    Object.assign(this.counts, s.counts);
    this.terminated = s.terminated ?? false;
    this.buffer = PrioritizedReplayBuffer.deserialize(state.buffer);
    this.holdout = PrioritizedReplayBuffer.deserialize(state.holdout);
    this.champion?.dispose();
    this.lastGood?.dispose();
    this.champion = state.champion;
    this.lastGood = state.lastGood;
  }

  /** Release the model snapshots (the learner is the caller's). */
  dispose(): void {
    this.champion?.dispose();
    this.lastGood?.dispose();
    this.champion = this.lastGood = null;
  }
}
