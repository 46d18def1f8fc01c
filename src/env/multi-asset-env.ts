/**
 * The multi-asset, continuous-action environment (4.2–4.3). Time rule: the action chosen after
 * bar t's close is normalised into target weights, rebalanced at t's close, and earns the return
 * from t to t+1; the observation at t uses data up to t only. See docs/environments.md.
 */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { MarketData } from '../data/types.js';
import { ReturnReward } from '../rewards/return-reward.js';
import { createRewardFunction } from '../rewards/factory.js';
import type { PortfolioState, RewardFunction } from '../rewards/types.js';
import { advanceWeightsInto } from './accounting.js';
import { RollingCorrelation } from './correlation.js';
import { describeNonFinite, firstFiniteBar, type FeatureTensor } from './feature-tensor.js';
import { parseMultiAssetEnvConfig, type MultiAssetEnvConfig, type MultiAssetEnvConfigInput } from './multi-asset-options.js';
import { actionToWeightsInto } from './normalize-weights.js';
import { Box } from './spaces.js';
import type { Env, EnvSnapshot, ResetArguments, ResetResult, StepInfo, StepResult } from './types.js';

export interface MultiAssetEnvOptions extends MultiAssetEnvConfigInput {
  /** A reward function instance, or a reward config for the factory (default: `return`). */
  reward?: RewardFunction | Record<string, unknown>;
  /** Write observations here (length observationSize), e.g. a row of a vectorised buffer. */
  observationBuffer?: Float64Array;
  /** Share one correlation cache between environments on the same market. */
  correlation?: RollingCorrelation;
}

/** One named, contiguous part of the flat observation. */
export interface ObservationSegment {
  name: 'features' | 'weights' | 'portfolio_returns' | 'total_return' | 'correlation';
  offset: number;
  length: number;
  shape: number[];
  description: string;
}

export interface ObservationLayout {
  size: number;
  segments: ObservationSegment[];
  /** Axis labels: symbols, feature names. */
  symbols: readonly string[];
  featureNames: readonly string[];
  lookback: number;
  returnHistory: number;
}

const NO_ARGUMENTS: ResetArguments = Object.freeze({});
const HEADER = 8; // t, steps, value, peak, done, episodeEnd, ringPosition, episodeStart

export class MultiAssetEnv implements Env<ArrayLike<number>> {
  readonly config: MultiAssetEnvConfig;
  readonly market: MarketData;
  readonly features: FeatureTensor;
  readonly nAssets: number;
  readonly nFeatures: number;
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  readonly observationSize: number;
  readonly reward: RewardFunction;
  readonly correlation: RollingCorrelation | null;
  /** Earliest and latest start bars an episode may use. */
  readonly minStart: number;
  readonly maxBar: number;

  private readonly featureValues: Float64Array;
  /** The feature window ending at bar t, as a view of the tensor (undefined before the first window). */
  private readonly windowViews: Float64Array[];
  private readonly observation: Float64Array;
  private readonly weights: Float64Array;
  private readonly target: Float64Array;
  private readonly scratch = new Float64Array(1);
  private readonly rngState = [0, 0, 0, 0, 0];
  private readonly returnRing: Float64Array;
  private readonly rng: Rng;
  private readonly costRate: number;
  private readonly cashPerPeriod: number;
  private readonly borrowPerPeriod: number;
  private readonly offsets: { weights: number; returns: number; total: number; correlation: number };
  private readonly info: StepInfo;
  private readonly result: StepResult<Float64Array>;
  private readonly resetResult: ResetResult<Float64Array>;
  private readonly currentState: PortfolioState = { portfolioValue: 0 };
  private readonly nextState: PortfolioState = { portfolioValue: 0 };
  private readonly snapshotSize: number;

  private t = 0;
  private steps = 0;
  private value = 0;
  private peak = 0;
  private done = true;
  private episodeStart = 0;
  private episodeEnd = 0;
  private ringPosition = 0;

  constructor(market: MarketData, features: FeatureTensor, options: MultiAssetEnvOptions = {}) {
    const { reward, observationBuffer, correlation, ...rest } = options;
    this.config = parseMultiAssetEnvConfig(rest);
    const c = this.config;
    this.market = market;
    this.features = features;
    this.nAssets = market.symbols.length;
    this.nFeatures = features.names.length;
    const nBars = market.time.length;
    const A = this.nAssets;
    if (A === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'the market has no assets');
    if (features.values.length !== nBars * A * this.nFeatures) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `feature tensor has ${features.values.length} values, expected ${nBars} bars × ${A} assets × ${this.nFeatures} features`);
    }
    for (let i = 0; i < market.close.length; i++) {
      const p = market.close[i]!;
      if (!(p > 0 && Number.isFinite(p))) {
        throw new GrpoTraderError(ErrorCodes.invalidData, `close of ${market.symbols[i % A]} is ${p} at bar ${Math.floor(i / A)}: prices must be positive`);
      }
    }

    // Features: the episodes start after the indicators' warm-up; later gaps are an error or zeros.
    const warm = firstFiniteBar(features, A);
    const gap = describeNonFinite(features, market, warm);
    if (gap !== null && c.nonFiniteFeatures === 'error') {
      throw new GrpoTraderError(ErrorCodes.invalidData, `${gap} after the warm-up (set nonFiniteFeatures: 'zero' to replace such values with 0)`);
    }
    if (gap !== null) {
      this.featureValues = features.values.slice();
      for (let i = 0; i < this.featureValues.length; i++) if (!Number.isFinite(this.featureValues[i])) this.featureValues[i] = 0;
    } else {
      this.featureValues = features.values;
    }
    const rowSize = A * this.nFeatures;
    this.windowViews = [];
    for (let t = 0; t < nBars; t++) {
      this.windowViews.push(t + 1 >= c.lookback ? this.featureValues.subarray((t + 1 - c.lookback) * rowSize, (t + 1) * rowSize) : new Float64Array(0));
    }
    const firstBar = c.firstBar ?? 0;
    this.maxBar = Math.min(c.lastBar ?? nBars - 1, nBars - 1);
    this.minStart = Math.max(firstBar, warm + c.lookback - 1);
    const needed = c.episodeLength ?? 1;
    if (this.minStart + (c.randomStart ? needed : 1) > this.maxBar) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `not enough bars: episodes can start from bar ${this.minStart} (warm-up ${warm}, lookback ${c.lookback}) but the data ends at bar ${this.maxBar}`);
    }

    this.reward = reward === undefined ? new ReturnReward() : 'calculate' in reward ? (reward as RewardFunction) : createRewardFunction(reward);
    this.correlation = c.includeCorrelation ? (correlation ?? new RollingCorrelation(market.close, A, c.correlationLookback)) : null;
    if (this.correlation && (this.correlation.nAssets !== A || this.correlation.window !== c.correlationLookback)) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, 'the shared correlation does not match this environment');
    }

    const featureLength = c.lookback * A * this.nFeatures;
    this.offsets = {
      weights: featureLength,
      returns: featureLength + A,
      total: featureLength + A + c.returnHistory,
      correlation: featureLength + A + c.returnHistory + 1,
    };
    this.observationSize = this.offsets.correlation + (this.correlation ? A * A : 0);
    if (observationBuffer && observationBuffer.length !== this.observationSize) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `observation buffer has length ${observationBuffer.length}, expected ${this.observationSize}`);
    }
    this.observation = observationBuffer ?? new Float64Array(this.observationSize);
    this.observationSpace = new Box(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, [this.observationSize]);
    this.actionSpace = new Box(-c.actionBound, c.actionBound, [A]);

    this.weights = new Float64Array(A);
    this.target = new Float64Array(A);
    this.returnRing = new Float64Array(Math.max(1, c.returnHistory));
    this.rng = new Rng(c.seed);
    this.costRate = c.tradingCost + c.slippage;
    this.cashPerPeriod = c.cashRate / c.periodsPerYear;
    this.borrowPerPeriod = c.borrowCost / c.periodsPerYear;
    this.info = {
      portfolioValue: 0,
      valueBeforeCosts: 0,
      weightsBefore: new Float64Array(A),
      weightsAfter: new Float64Array(A),
      weights: this.weights,
      turnover: 0,
      tradedNotional: 0,
      cost: 0,
      portfolioReturn: 0,
      correlationPenalty: 0,
      drawdown: 0,
      barIndex: 0,
      time: 0,
      episodeStep: 0,
    };
    this.result = { observation: this.observation, reward: 0, terminated: false, truncated: false, info: this.info };
    this.resetResult = { observation: this.observation, info: this.info };
    this.snapshotSize = HEADER + A + this.returnRing.length + 5 + this.reward.stateSize;
  }

  /** Start an episode. `seed` re-seeds the start sampler; `options.start` picks the start bar. */
  reset(args: ResetArguments = NO_ARGUMENTS): ResetResult<Float64Array> {
    const c = this.config;
    if (args.seed !== undefined) this.rng.seed(args.seed);
    const length = args.options?.episodeLength !== undefined ? args.options.episodeLength : c.episodeLength;
    let start: number;
    if (args.options?.start !== undefined) {
      start = args.options.start;
      if (!(Number.isInteger(start) && start >= this.minStart && start < this.maxBar)) {
        throw new GrpoTraderError(ErrorCodes.invalidArgument, `start bar ${start} is outside ${this.minStart} .. ${this.maxBar - 1}`);
      }
    } else if (c.randomStart) {
      const latest = this.maxBar - (length ?? 1);
      start = latest <= this.minStart ? this.minStart : this.minStart + this.rng.int(latest - this.minStart + 1);
    } else {
      start = this.minStart;
    }
    this.t = start;
    this.episodeStart = start;
    this.episodeEnd = length === null ? this.maxBar : Math.min(this.maxBar, start + length);
    this.steps = 0;
    this.value = c.initialCapital;
    this.peak = c.initialCapital;
    this.done = false;
    this.ringPosition = 0;
    this.weights.fill(0);
    this.returnRing.fill(0);
    this.reward.reset();
    const info = this.info;
    info.portfolioValue = this.value;
    info.valueBeforeCosts = this.value;
    info.weightsBefore.fill(0);
    info.weightsAfter.fill(0);
    info.turnover = 0;
    info.tradedNotional = 0;
    info.cost = 0;
    info.portfolioReturn = 0;
    info.correlationPenalty = 0;
    info.drawdown = 0;
    info.barIndex = start;
    info.time = this.market.time[start]!;
    info.episodeStep = 0;
    this.writeObservation();
    return this.resetResult;
  }

  /**
   * The observation a decision at `bar`'s close reads for a given book (`weights`, default all cash),
   * with no portfolio history (return history zero, value at the initial capital) — what a served
   * model sees for posted bars, including the last one, which `reset` cannot start at (it has no
   * next bar to trade into). Ends any episode in progress: call `reset` before stepping again.
   */
  observe(bar: number, weights?: ArrayLike<number>): Float64Array {
    if (!(Number.isInteger(bar) && bar >= this.minStart && bar <= this.maxBar)) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `bar ${bar} is outside ${this.minStart} .. ${this.maxBar} (the first bar with a full feature window .. the last bar)`);
    }
    const A = this.nAssets;
    if (weights !== undefined && weights.length !== A) throw new GrpoTraderError(ErrorCodes.invalidArgument, `weights has ${weights.length} values, expected ${A}`, { location: { field: 'weights' } });
    this.t = bar;
    this.episodeStart = bar;
    this.episodeEnd = bar;
    this.steps = 0;
    this.value = this.config.initialCapital;
    this.peak = this.value;
    this.done = true;
    this.ringPosition = 0;
    this.returnRing.fill(0);
    for (let a = 0; a < A; a++) {
      const w = weights === undefined ? 0 : weights[a]!;
      if (!Number.isFinite(w)) throw new GrpoTraderError(ErrorCodes.invalidArgument, `weights[${a}] is ${w}: weights must be finite`, { location: { field: `weights[${a}]` } });
      this.weights[a] = w;
    }
    this.writeObservation();
    return this.observation;
  }

  /** Rebalance to the action's normalised weights at this bar's close and move to the next bar. */
  step(action: ArrayLike<number>): StepResult<Float64Array> {
    if (this.done) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'the episode is over: call reset() first');
    const A = this.nAssets;
    if (action.length !== A) throw new GrpoTraderError(ErrorCodes.invalidArgument, `action has ${action.length} values, expected ${A}`);
    // The one action → weights rule (served, explained and online decisions use it too).
    actionToWeightsInto(this.target, action, this.config);
    const info = this.info;
    const t = this.t;
    info.weightsBefore.set(this.weights);
    // Summed here rather than through turnoverOf(): a double returned by a call V8 did not inline
    // is boxed, which showed up as 16 bytes per step on a busy machine.
    let turnover = 0;
    for (let a = 0; a < A; a++) turnover += Math.abs(this.target[a]! - this.weights[a]!);
    const valueBefore = this.value;
    const traded = turnover * valueBefore;
    const cost = traded * this.costRate;
    this.value = valueBefore - cost;
    let penalty = 0;
    if (this.correlation && this.config.correlationPenalty > 0) {
      this.correlation.crossExposureInto(this.scratch, this.target, t);
      penalty = this.config.correlationPenalty * Math.max(0, this.scratch[0]!);
    }
    info.weightsAfter.set(this.target);
    this.weights.set(this.target);
    if (this.value > 0) {
      advanceWeightsInto(this.scratch, this.weights, this.market.close, t, A, this.cashPerPeriod, this.borrowPerPeriod);
      this.value *= 1 + this.scratch[0]!;
    } else {
      this.weights.fill(0);
    }

    this.t = t + 1;
    this.steps++;
    const stepReturn = valueBefore > 0 ? this.value / valueBefore - 1 : 0;
    if (this.config.returnHistory > 0) {
      this.returnRing[this.ringPosition] = stepReturn;
      this.ringPosition = (this.ringPosition + 1) % this.returnRing.length;
    }
    if (this.value > this.peak) this.peak = this.value;
    const drawdown = this.drawdown();
    const terminated = this.isRuined(drawdown);
    const truncated = !terminated && this.t >= this.episodeEnd;

    info.portfolioValue = this.value;
    info.valueBeforeCosts = valueBefore;
    info.turnover = turnover;
    info.tradedNotional = traded;
    info.cost = cost;
    info.portfolioReturn = stepReturn;
    info.correlationPenalty = penalty;
    info.drawdown = drawdown;
    info.barIndex = this.t;
    info.time = this.market.time[this.t]!;
    info.episodeStep = this.steps;
    this.currentState.portfolioValue = valueBefore;
    this.nextState.portfolioValue = this.value;
    const result = this.result;
    if (this.reward.calculateInto) this.reward.calculateInto(this.scratch, this.currentState, this.nextState, action, info);
    else this.scratch[0] = this.reward.calculate(this.currentState, this.nextState, action, info);
    result.reward = this.scratch[0]! - penalty;
    result.terminated = terminated;
    result.truncated = truncated;
    this.done = terminated || truncated;
    this.writeObservation();
    return result;
  }

  /**
   * Continue an open-ended episode on a market that has grown: after `restore` of a snapshot taken
   * from an environment over the shorter market, an episode that ran to the old last bar (truncated
   * there, not terminated by ruin or the drawdown limit) runs on to this environment's last bar.
   */
  continueEpisode(): void {
    if (this.episodeEnd >= this.maxBar) return;
    this.episodeEnd = this.maxBar;
    if (this.done && !this.isRuined(this.drawdown()) && this.t < this.maxBar) this.done = false;
  }

  /** Drawdown of the value from its peak in this episode. */
  private drawdown(): number {
    return this.peak > 0 ? (this.peak - this.value) / this.peak : 0;
  }

  /** Whether the episode ends here: the portfolio is ruined or the drawdown limit is reached. */
  private isRuined(drawdown: number): boolean {
    const maxDrawdown = this.config.maxDrawdown;
    return this.value <= 0 || (maxDrawdown !== null && drawdown >= maxDrawdown);
  }

  /** The complete state (position, value, history, RNG, reward state) in a flat array; no data copy. */
  snapshot(out?: EnvSnapshot): EnvSnapshot {
    const data = out && out.data.length === this.snapshotSize ? out.data : new Float64Array(this.snapshotSize);
    data[0] = this.t;
    data[1] = this.steps;
    data[2] = this.value;
    data[3] = this.peak;
    data[4] = this.done ? 1 : 0;
    data[5] = this.episodeEnd;
    data[6] = this.ringPosition;
    data[7] = this.episodeStart;
    let k = HEADER;
    data.set(this.weights, k);
    k += this.nAssets;
    data.set(this.returnRing, k);
    k += this.returnRing.length;
    const rngState = this.rng.getState();
    for (let i = 0; i < 5; i++) data[k + i] = rngState[i]!;
    k += 5;
    this.reward.saveStateInto(data, k);
    return out && out.data === data ? out : { data };
  }

  /** Return to a snapshot's state; rewrites and returns the observation. */
  restore(snapshot: EnvSnapshot): Float64Array {
    const data = snapshot.data;
    if (data.length !== this.snapshotSize) throw new GrpoTraderError(ErrorCodes.invalidArgument, `snapshot has ${data.length} values, expected ${this.snapshotSize}`);
    this.t = data[0]!;
    this.steps = data[1]!;
    this.value = data[2]!;
    this.peak = data[3]!;
    this.done = data[4] === 1;
    this.episodeEnd = data[5]!;
    this.ringPosition = data[6]!;
    this.episodeStart = data[7]!;
    let k = HEADER;
    for (let a = 0; a < this.nAssets; a++) this.weights[a] = data[k + a]!;
    k += this.nAssets;
    for (let i = 0; i < this.returnRing.length; i++) this.returnRing[i] = data[k + i]!;
    k += this.returnRing.length;
    const rngState = this.rngState;
    for (let i = 0; i < 5; i++) rngState[i] = data[k + i]!;
    this.rng.setState(rngState);
    k += 5;
    this.reward.loadState(data, k);
    this.writeObservation();
    return this.observation;
  }

  /** Current bar index, portfolio value and whether the episode is over. */
  get state(): { barIndex: number; portfolioValue: number; done: boolean; episodeStep: number } {
    return { barIndex: this.t, portfolioValue: this.value, done: this.done, episodeStep: this.steps };
  }

  /** The observation's named segments, in order. */
  observationLayout(): ObservationLayout {
    const c = this.config;
    const A = this.nAssets;
    const F = this.nFeatures;
    const segments: ObservationSegment[] = [
      { name: 'features', offset: 0, length: c.lookback * A * F, shape: [c.lookback, A, F], description: 'feature window [lag (oldest first, t last) × asset × feature]' },
      { name: 'weights', offset: this.offsets.weights, length: A, shape: [A], description: 'current weights (drifted to bar t, before this decision)' },
      { name: 'portfolio_returns', offset: this.offsets.returns, length: c.returnHistory, shape: [c.returnHistory], description: 'net portfolio return of the last steps (oldest first; 0 before the episode)' },
      { name: 'total_return', offset: this.offsets.total, length: 1, shape: [1], description: 'portfolio value / initial capital − 1' },
    ];
    if (this.correlation) {
      segments.push({ name: 'correlation', offset: this.offsets.correlation, length: A * A, shape: [A, A], description: `correlation of the last ${c.correlationLookback} close-to-close returns, row-major` });
    }
    return { size: this.observationSize, segments, symbols: this.market.symbols, featureNames: this.features.names, lookback: c.lookback, returnHistory: c.returnHistory };
  }

  /** One name per observation element, e.g. `features[t-29].AAPL.rsi`, `weights.AAPL`, `correlation.AAPL.MSFT`. */
  observationNames(): string[] {
    const c = this.config;
    const names: string[] = [];
    for (let l = 0; l < c.lookback; l++) {
      const lag = c.lookback - 1 - l;
      for (const symbol of this.market.symbols) for (const feature of this.features.names) names.push(`features[t${lag ? `-${lag}` : ''}].${symbol}.${feature}`);
    }
    for (const symbol of this.market.symbols) names.push(`weights.${symbol}`);
    for (let i = 0; i < c.returnHistory; i++) {
      const lag = c.returnHistory - 1 - i;
      names.push(`portfolio_returns[t${lag ? `-${lag}` : ''}]`);
    }
    names.push('total_return');
    if (this.correlation) for (const a of this.market.symbols) for (const b of this.market.symbols) names.push(`correlation.${a}.${b}`);
    return names;
  }

  private writeObservation(): void {
    const obs = this.observation;
    const c = this.config;
    const t = this.t;
    // One view per bar, made at construction: set() then copies at memcpy speed without
    // allocating a view per step.
    obs.set(this.windowViews[t]!, 0);
    const A = this.nAssets;
    for (let a = 0; a < A; a++) obs[this.offsets.weights + a] = this.weights[a]!;
    const H = c.returnHistory;
    for (let i = 0; i < H; i++) obs[this.offsets.returns + i] = this.returnRing[(this.ringPosition + i) % H]!;
    obs[this.offsets.total] = this.value / c.initialCapital - 1;
    if (this.correlation) this.correlation.matrixInto(obs, this.offsets.correlation, t);
  }
}
