/**
 * The specification's OnlineLearningAgent (6.4), its learning loop: bars arrive one at a time; at
 * each close the regime detector labels the bar (from bars up to it), the exploration temperature is
 * set from the regime's stability (1 + (1 − stability)·2, as specified), the model decides from the
 * observation at that close, the environment earns the return to the next bar, the transition is
 * stored with its regime, and every `updateFrequency` bars once `minSamplesBeforeUpdate` are stored
 * the model learns from a prioritised, regime-balanced batch with importance weights, and the
 * buffer takes the TD errors as new priorities.
 *
 * Works with the reward-penalty agents (off-policy, through their critic: `updateFromBatch`).
 * Still to build (issue 12): champion/challenger with rollback, crash-safe state with --resume,
 * events in the store, `grpo-trader online`, and group-relative GRPO's online use.
 */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { SpecificationAgent } from '../agents/specification-agent.js';
import type { MarketData } from '../data/types.js';
import type { MultiAssetEnv } from '../env/multi-asset-env.js';
import { PrioritizedReplayBuffer, type PrioritizedReplayOptions } from './prioritized-replay.js';
import { RegimeDetector, type RegimeDetectorOptions } from './regime-detector.js';
import { regimeSource } from './regime-series.js';

export interface OnlineAgentOptions {
  /** Replay capacity (spec 10,000). */
  bufferCapacity: number;
  /** Transitions per update (spec 64). */
  batchSize: number;
  /** Bars between updates (spec 10). */
  updateFrequency: number;
  /** Stored transitions before the first update (spec 200). */
  minSamplesBeforeUpdate: number;
  seed: number;
  /** Options of the regime detector (its series: the equal-weight composite, or `regimeSymbol`). */
  regimes: Partial<RegimeDetectorOptions>;
  regimeSymbol: string | null;
  replay: Partial<Omit<PrioritizedReplayOptions, 'capacity' | 'stateSize' | 'actionSize'>>;
  /** Told of every event as it happens (the CLI records them with RunStore.recordEvent). */
  onEvent: ((event: OnlineEvent) => void) | null;
}

/** Something the online agent reports as it streams: a regime refit, an update. */
export interface OnlineEvent {
  kind: 'refit' | 'update';
  bar: number;
  payload: Record<string, unknown>;
}

export const ONLINE_AGENT_DEFAULTS: OnlineAgentOptions = { bufferCapacity: 10_000, batchSize: 64, updateFrequency: 10, minSamplesBeforeUpdate: 200, seed: 0, regimes: {}, regimeSymbol: null, replay: {}, onEvent: null };

/** What happened at one bar. */
export interface OnlineStep {
  bar: number;
  regime: number;
  stability: number;
  temperature: number;
  /** The action taken at this close (target weights before the environment's normalisation). */
  action: Float64Array;
  /** Reward earned from this bar to the next. */
  reward: number;
  /** Portfolio value at the next bar's close. */
  value: number;
  refit: boolean;
  /** The update's metrics when the model learned after this bar, else null. */
  update: Record<string, number> | null;
  done: boolean;
}

export class OnlineLearningAgent {
  readonly options: OnlineAgentOptions;
  readonly buffer: PrioritizedReplayBuffer;
  readonly regimes: RegimeDetector;
  /** Bars processed. */
  totalSteps = 0;
  stepsSinceUpdate = 0;
  updates = 0;
  private readonly rng: Rng;
  private readonly source: { close: Float64Array; volume: Float64Array };
  private observation: Float64Array | null = null;
  /** The bar whose close is processed next. */
  private bar = 0;

  /** `env` runs over the streamed bars of `market` (the same market the regime is read from). */
  constructor(
    readonly model: SpecificationAgent,
    readonly env: MultiAssetEnv,
    market: MarketData,
    options: Partial<OnlineAgentOptions> = {},
  ) {
    const o = (this.options = { ...ONLINE_AGENT_DEFAULTS, ...options });
    for (const name of ['bufferCapacity', 'batchSize', 'updateFrequency', 'minSamplesBeforeUpdate'] as const) {
      if (!Number.isInteger(o[name]) || o[name] < 1) throw new GrpoTraderError(ErrorCodes.invalidArgument, `online agent: ${name} must be a positive integer, got ${o[name]}`, { location: { field: name } });
    }
    if (model.agent.kind !== 'gaussian') throw new GrpoTraderError(ErrorCodes.unsupported, 'online agent: a multi-asset model (continuous weights) is needed', { location: { field: 'environment.type' } });
    this.buffer = new PrioritizedReplayBuffer({ ...o.replay, capacity: o.bufferCapacity, stateSize: model.agent.observationSize, actionSize: model.agent.actionSize });
    this.regimes = new RegimeDetector({ seed: o.seed, ...o.regimes });
    this.rng = new Rng(o.seed);
    this.source = regimeSource(market, o.regimeSymbol);
  }

  /** Start the stream at `firstBar` (the bars before it only feed the regime detector's history). */
  start(firstBar: number): void {
    for (let t = 0; t < firstBar; t++) this.regimes.update(this.source.close[t]!, this.source.volume[t]!);
    const reset = this.env.reset({ options: { start: firstBar, episodeLength: null } });
    this.observation = Float64Array.from(reset.observation);
    this.bar = reset.info.barIndex;
  }

  /** Process the next bar: regime, temperature, decision, transition, and maybe an update. */
  async step(): Promise<OnlineStep> {
    if (!this.observation) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'online agent: call start(firstBar) before step()');
    const o = this.options;
    const bar = this.bar;
    const regime = this.regimes.update(this.source.close[bar]!, this.source.volume[bar]!);
    const stability = regime.stability;
    const temperature = 1 + (1 - stability) * 2;
    this.model.setExplorationTemp(temperature);
    if (regime.refit) o.onEvent?.({ kind: 'refit', bar, payload: { reason: regime.refit.reason, agreement: regime.refit.agreement, label: regime.label } });
    const state = this.observation;
    const action = await this.model.selectAction(state);
    const result = this.env.step(action);
    const next = Float64Array.from(result.observation);
    this.buffer.add(state, action, result.reward, next, result.terminated, regime.label);
    this.observation = next;
    this.bar = result.info.barIndex;
    this.totalSteps++;
    this.stepsSinceUpdate++;
    let update: Record<string, number> | null = null;
    if (this.stepsSinceUpdate >= o.updateFrequency && this.buffer.size >= o.minSamplesBeforeUpdate) {
      update = await this.update(regime.label);
      this.stepsSinceUpdate = 0;
      o.onEvent?.({ kind: 'update', bar, payload: { update: this.updates, regime: regime.label, ...update } });
    }
    return { bar, regime: regime.label, stability, temperature, action, reward: result.reward, value: result.info.portfolioValue, refit: regime.refit !== null, update, done: result.terminated || result.truncated };
  }

  /** One update from a prioritised batch (a share from the current regime), priorities from the TD errors. */
  private async update(regime: number): Promise<Record<string, number>> {
    const batch = this.buffer.sample(this.options.batchSize, this.rng, regime);
    const { tdErrors, metrics } = await this.model.updateFromBatch(
      { observations: batch.states, actions: batch.actions, rewards: batch.rewards, nextObservations: batch.nextStates, dones: batch.dones },
      batch.weights,
    );
    this.buffer.updatePriorities(batch.indices, tdErrors);
    this.updates++;
    return metrics;
  }
}
