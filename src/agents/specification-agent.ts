/**
 * The specification's agent interface (3.2's GRPOAgent, and what 6.4's OnlineLearningAgent calls)
 * as a thin layer over a trained or training agent: `selectAction(state, { deterministic })`,
 * `storeTransition(...)`, `update()` on the stored transitions, `updateFromBatch(batch, weights)`
 * returning per-sample TD errors for prioritised replay, `setExplorationTemp`, `save` / `load`.
 *
 * The reward-penalty agents learn off-policy through their critic, so they take any batch of
 * transitions. Group-relative GRPO learns from counterfactual groups scored through its
 * environments' snapshots, not from stored transitions: its `update()` collects and optimises as in
 * training, and `updateFromBatch` is refused with a coded error.
 */
import { basename, dirname } from 'node:path';
import { ErrorCodes, GrpoTraderError, type Rng } from '../core/index.js';
import { loadParams, saveParams } from '../nn/index.js';
import { numpy as np, tree } from '../nn/jax.js';
import type { Array as JaxArray, JsTree } from '../nn/jax.js';
import { CHECKPOINT_KIND, loadCheckpoint, writeCheckpoint, type TrainerState } from './checkpoint.js';
import { GroupRelativeGrpo } from './group-relative-grpo.js';
import { sampleActionInto } from './policy-sampling.js';
import { RewardPenaltyAgent, type TransitionBatch } from './reward-penalty-agent.js';

type Agent = GroupRelativeGrpo | RewardPenaltyAgent;

/**
 * A frozen copy of a model's networks (policy, critic, optimiser moments, reference), e.g. the
 * champion that trades while the learner keeps updating. Later updates never change it.
 */
export class ModelSnapshot {
  private disposed = false;

  constructor(readonly networks: JsTree<JaxArray>) {}

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tree.dispose(this.networks);
  }
}

/** One stored transition; `action` as the environment takes it (weights, or a discrete index). */
export interface Transition {
  state: ArrayLike<number>;
  action: ArrayLike<number> | number;
  reward: number;
  nextState: ArrayLike<number>;
  done: boolean;
}

export class SpecificationAgent {
  private readonly transitions: Transition[] = [];
  private readonly input: Float32Array;
  private readonly sample: Float32Array;
  private readonly probabilities: Float64Array;

  /** `config` is stored with `save` (the training config the agent was built from). */
  constructor(
    readonly agent: Agent,
    private readonly config: unknown = null,
  ) {
    this.input = new Float32Array(agent.observationSize);
    this.sample = new Float32Array(agent.actionSize);
    this.probabilities = new Float64Array(agent.actionSize);
  }

  /**
   * The action for a state: deterministic (the Gaussian mean / most probable action, dropout off)
   * or sampled at the exploration temperature from the agent's seeded generator. Continuous:
   * target weights before the environment's normalisation; discrete: `[index]`.
   */
  async selectAction(state: ArrayLike<number>, options: { deterministic?: boolean; model?: ModelSnapshot } = {}): Promise<Float64Array> {
    if (state.length !== this.input.length) throw new GrpoTraderError(ErrorCodes.invalidArgument, `selectAction: the state has ${state.length} values; the agent reads ${this.input.length}`, { location: { field: 'state' } });
    for (let i = 0; i < this.input.length; i++) this.input[i] = state[i]!;
    const networks = options.model?.networks;
    if (options.deterministic) return this.agent.act(this.input, 1, networks);
    this.refuseAutoregressive('selectAction (sampling)');
    const { output, logStd } = await this.agent.policyOutputs(this.input, 1, networks);
    const temperature = this.agent instanceof RewardPenaltyAgent ? this.agent.meta.temperature * this.agent.explorationTemperature : this.agent.explorationTemperature;
    const index = sampleActionInto(this.agent.kind, this.agent.rng, this.sample, 0, output, logStd, 0, this.agent.actionSize, this.probabilities, temperature);
    return index >= 0 ? Float64Array.of(index) : Float64Array.from(this.sample);
  }

  /** Keep a transition for the next `update()`. */
  storeTransition(state: ArrayLike<number>, action: ArrayLike<number> | number, reward: number, nextState: ArrayLike<number>, done: boolean): void {
    this.refuseAutoregressive('storeTransition');
    this.transitions.push({ state: Float32Array.from(state), action: typeof action === 'number' ? action : Float64Array.from(action), reward, nextState: Float32Array.from(nextState), done });
  }

  /** Transitions stored and not yet learned from. */
  get storedTransitions(): number {
    return this.transitions.length;
  }

  /**
   * Learn: from the stored transitions (reward-penalty agents; then cleared), or, for group-relative
   * GRPO, by collecting and optimising through its environments as in training.
   */
  async update(): Promise<Record<string, number>> {
    if (this.agent instanceof GroupRelativeGrpo) return this.agent.update();
    if (this.transitions.length === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'update: no transition stored (storeTransition first)');
    const { metrics } = await this.updateFromBatch(this.batchOf(this.transitions));
    this.transitions.length = 0;
    return metrics;
  }

  /** One importance-weighted step on a batch; per-sample TD errors (target − Q) for the replay priorities. */
  async updateFromBatch(batch: TransitionBatch, importanceWeights?: Float32Array): Promise<{ tdErrors: Float32Array; metrics: Record<string, number> }> {
    this.refuseAutoregressive('updateFromBatch');
    if (!(this.agent instanceof RewardPenaltyAgent)) {
      throw new GrpoTraderError(ErrorCodes.unsupported, 'group-relative GRPO learns from counterfactual groups scored through its environments, not from stored transitions: use update(), or a reward-penalty agent (algorithm.type reward_penalty or deepseek_r1) for replay', {
        location: { field: 'algorithm.type', value: 'grpo' },
      });
    }
    return this.agent.updateFromBatch(batch, importanceWeights);
  }

  /**
   * Group-relative GRPO online: one update whose counterfactual groups start in the `window` bars
   * ending at `lastBar` and never step past it (each environment restarts at a bar drawn from `rng`
   * for rollout steps + horizon − 1 steps, so every group's scoring ends at or before `lastBar`).
   */
  async updateOnRecentBars(lastBar: number, window: number, rng: Rng): Promise<Record<string, number>> {
    if (!(this.agent instanceof GroupRelativeGrpo)) throw new GrpoTraderError(ErrorCodes.unsupported, 'updateOnRecentBars: only group-relative GRPO learns from counterfactual groups; reward-penalty agents use updateFromBatch', { location: { field: 'algorithm.type' } });
    const length = this.agent.options.rolloutSteps + this.agent.options.horizon - 1;
    const latest = lastBar - length;
    const earliest = Math.max(lastBar - window, 0);
    if (latest < earliest) throw new GrpoTraderError(ErrorCodes.invalidArgument, `updateOnRecentBars: a window of ${window} bars is shorter than rollout steps + horizon − 1 = ${length}`, { location: { field: 'grpoWindow', value: String(window) } });
    const starts = this.agent.envs.map(() => earliest + rng.int(latest - earliest + 1));
    this.agent.restartEnvironments(starts, length);
    return this.agent.update();
  }

  /** A frozen copy of the current networks (dispose it when done). */
  snapshot(): ModelSnapshot {
    return new ModelSnapshot(this.agent.snapshotNetworks());
  }

  /** Make a snapshot the current model (networks, optimiser moments and reference; counters and RNG stay). */
  restore(snapshot: ModelSnapshot): void {
    this.agent.loadNetworks(tree.ref(snapshot.networks));
  }

  /** Write a snapshot as `<path>.safetensors` + `<path>.json`. */
  async writeSnapshot(snapshot: ModelSnapshot, path: string): Promise<void> {
    await saveParams(path, snapshot.networks, CHECKPOINT_KIND, { algorithm: this.agent.algorithm, snapshot: true });
  }

  /** Read a snapshot written by `writeSnapshot` for this model. */
  async readSnapshot(path: string): Promise<ModelSnapshot> {
    const template = tree.map((leaf: JaxArray) => np.zeros(leaf.shape), this.agent.networks()) as JsTree<JaxArray>;
    const { params } = await loadParams(path, template, CHECKPOINT_KIND);
    return new ModelSnapshot(params);
  }

  /** Scale the sampling temperature (the online agent sets 1 + (1 − stability)·2). */
  setExplorationTemp(temperature: number): void {
    if (!(temperature > 0 && Number.isFinite(temperature))) throw new GrpoTraderError(ErrorCodes.invalidArgument, `setExplorationTemp: the temperature must be a positive number, got ${temperature}`, { location: { field: 'temperature', value: String(temperature) } });
    this.agent.explorationTemperature = temperature;
  }

  /** Save networks, optimiser and host state atomically as a checkpoint directory at `path`. */
  async save(path: string): Promise<string> {
    const trainer: TrainerState = { bestValidationSharpe: null, bestUpdate: null, evaluationsWithoutImprovement: 0, stoppedEarly: false, metricsLines: 0 };
    return writeCheckpoint(dirname(path), basename(path), this.agent, trainer, this.config, false);
  }

  /** Restore a checkpoint written by `save` (or by training) into this agent, built from the same config. */
  async load(path: string): Promise<void> {
    await loadCheckpoint(path, this.agent);
  }

  /**
   * Autoregressive policies learn from their pre-tanh draws, which this interface's environment-form
   * actions do not carry; until it exchanges them, it refuses instead of learning from the wrong
   * actions. Deterministic acting works (the chain of conditional means).
   */
  private refuseAutoregressive(method: string): void {
    if (this.agent.isAutoregressive) {
      throw new GrpoTraderError(ErrorCodes.unsupported, `${method}: autoregressive policies are not supported through the specification interface yet (train them with grpo-trader train; acting deterministically works)`, {
        location: { field: 'algorithm.deepseek.autoregressive', value: 'true' },
      });
    }
  }

  /** Stored transitions as a batch (discrete actions one-hot). */
  private batchOf(transitions: Transition[]): TransitionBatch {
    const B = transitions.length;
    const D = this.agent.observationSize;
    const A = this.agent.actionSize;
    const batch = { observations: new Float32Array(B * D), actions: new Float32Array(B * A), rewards: new Float32Array(B), nextObservations: new Float32Array(B * D), dones: new Uint8Array(B) };
    transitions.forEach((t, b) => {
      batch.observations.set(t.state, b * D);
      batch.nextObservations.set(t.nextState, b * D);
      if (this.agent.kind === 'categorical') batch.actions[b * A + (typeof t.action === 'number' ? t.action : t.action[0]!)] = 1;
      else batch.actions.set(typeof t.action === 'number' ? [t.action] : t.action, b * A);
      batch.rewards[b] = t.reward;
      batch.dones[b] = t.done ? 1 : 0;
    });
    return batch;
  }
}
