/**
 * What both policy-gradient agents share (SB3's split: the base holds the common machinery, each
 * algorithm writes only its collection and its update): the environments and their starting
 * observations, the policy network and its encoding, the seeded generator, the reference policy,
 * batched policy calls, deterministic acting, explanations, host state for checkpoints, disposal.
 */
import { invalidArgument, Rng } from '../core/index.js';
import type { Env } from '../env/index.js';
import { readArray } from '../nn/index.js';
import { jit, numpy as np, tree } from '../nn/jax.js';
import type { Array, JsTree } from '../nn/jax.js';
import { PolicyExplainer, type DecisionExplanation } from './explain.js';
import type { OptimizerCore } from './optimizer-core.js';
import { initPolicy, logProbsAndEntropy, policyForward, type PolicyEncoding, type PolicyKind, type PolicyParams } from './policy.js';
import { policyEncodingOf } from './policy-encoding.js';
import type { PolicyCoreOptions } from './policy-options.js';
import { deterministicActions, stepWithStoredAction } from './policy-sampling.js';
import { AutoregressiveSampler } from './autoregressive-sampler.js';
import type { AgentHostState, TrainableAgent } from './trainable-agent.js';

type Jitted<F> = F & { dispose(): void };

export abstract class PolicyAgent<O extends PolicyCoreOptions, P extends JsTree<Array>> implements TrainableAgent {
  abstract readonly algorithm: string;
  abstract readonly core: OptimizerCore<P>;
  readonly options: O;
  readonly envs: Env[];
  readonly kind: PolicyKind;
  /** The observation encoder (null: MLP over the whole observation). */
  readonly encoding: PolicyEncoding | null;
  readonly observationSize: number;
  /** Assets (Gaussian) or discrete actions (categorical). */
  readonly actionSize: number;
  readonly rng: Rng;
  /** The KL reference policy (refreshed by the algorithms). */
  reference: PolicyParams;
  /** Multiplies the sampling temperature (the specification's set_exploration_temp; 1 = the policy as it is). */
  explorationTemperature = 1;
  updates = 0;
  envSteps = 0;
  episodes = 0;

  /** The generator that initialised the policy; an algorithm draws its other networks from it next. */
  protected readonly initRng: Rng;
  /** The initial policy parameters, for the algorithm's optimiser (which takes them over). */
  protected readonly initialPolicy: PolicyParams;
  protected readonly forward: Jitted<(p: PolicyParams, x: Array) => [Array, Array]>;
  protected readonly logProbs: Jitted<(p: PolicyParams, x: Array, a: Array) => Array>;
  /** Each environment's current observation. */
  protected readonly current: Float64Array[];
  /** One step's observations of every environment [N × D]. */
  protected readonly stepObservations: Float32Array;
  protected readonly actionScratch: Float64Array;
  protected readonly probabilities: Float64Array;
  /** Autoregressive actions (deepseek.autoregressive): stored actions are pre-tanh draws, the environment gets tanh. */
  protected readonly autoregressive: AutoregressiveSampler | null;
  private explainer: PolicyExplainer | null = null;

  /** `envs` must share observation and action spaces; environment i is reset here with seed · 1000 + i. */
  protected constructor(name: string, envs: Env[], options: O) {
    if (envs.length === 0) throw invalidArgument(`${name} needs at least one environment`);
    this.options = options;
    this.envs = envs;
    const space = envs[0]!.actionSpace;
    this.kind = space.kind === 'discrete' ? 'categorical' : 'gaussian';
    this.actionSize = space.kind === 'discrete' ? space.n : space.size;
    this.observationSize = envs[0]!.observationSize;
    this.encoding = policyEncodingOf(options, envs[0]!, this.kind);
    this.rng = new Rng(options.seed);
    this.initRng = new Rng(options.seed ^ 0x5eed);
    this.initialPolicy = initPolicy(this.initRng, {
      kind: this.kind,
      observationSize: this.observationSize,
      actionSize: this.actionSize,
      hiddenSizes: options.hiddenSizes,
      initialStd: options.initialStd,
      initialMean: options.initialMean === 'equal' ? 1 / this.actionSize : 0,
      encoding: this.encoding,
    });
    this.reference = tree.ref(this.initialPolicy);
    const kind = this.kind;
    const encoding = this.encoding;
    this.forward = jit(policyForward(encoding)) as unknown as typeof this.forward;
    this.logProbs = jit((p: PolicyParams, x: Array, a: Array): Array => {
      const [logProbs, entropy] = logProbsAndEntropy(kind, p, x, a, encoding);
      entropy.dispose();
      return logProbs;
    }) as unknown as typeof this.logProbs;
    this.current = envs.map((env, i) => Float64Array.from(env.reset({ seed: options.seed * 1000 + i }).observation));
    this.stepObservations = new Float32Array(envs.length * this.observationSize);
    this.actionScratch = new Float64Array(this.actionSize);
    this.probabilities = new Float64Array(this.actionSize);
    this.autoregressive = this.encoding?.type === 'deepseek' && this.encoding.autoregressive ? new AutoregressiveSampler(this.encoding) : null;
  }

  /** Whether actions are autoregressive (stored pre-tanh, stepped as tanh). */
  get isAutoregressive(): boolean {
    return this.autoregressive !== null;
  }

  /** The policy's parameters inside the algorithm's parameter tree. */
  protected abstract policyParams(): PolicyParams;

  /** The policy's parameters inside a tree shaped like `networks()` (e.g. a snapshot of it). */
  protected abstract policyOfNetworks(networks: JsTree<Array>): PolicyParams;

  /**
   * A copy of every network (parameters, optimiser moments, reference) that later updates leave
   * alone: jax arrays are immutable, so holding references is a copy. The caller disposes it
   * (`tree.dispose`); `loadNetworks(tree.ref(snapshot))` brings it back.
   */
  snapshotNetworks(): JsTree<Array> {
    return tree.ref(this.networks());
  }

  /**
   * Policy outputs for `count` observations [count × D]: Gaussian means or logits, and the log-std —
   * of the current policy, or of the policy inside `networks` (a `snapshotNetworks()` copy).
   */
  async policyOutputs(observations: Float32Array, count: number, networks?: JsTree<Array>): Promise<{ output: Float32Array; logStd: Float32Array }> {
    const params = networks === undefined ? this.policyParams() : this.policyOfNetworks(networks);
    const [output, logStd] = this.forward(tree.ref(params), np.array(observations, { shape: [count, this.observationSize] }));
    return { output: await readArray(output), logStd: await readArray(logStd) };
  }

  /** Deterministic actions for a batch: Gaussian means, or the most probable discrete action (as its index); of `networks` when given. */
  async act(observations: Float32Array, count: number, networks?: JsTree<Array>): Promise<Float64Array> {
    if (this.autoregressive) {
      const chain = new Float32Array(count * this.actionSize);
      await this.autoregressive.sample(networks === undefined ? this.policyParams() : this.policyOfNetworks(networks), observations, count, 1, null, 1, chain);
      return Float64Array.from(chain, Math.tanh);
    }
    const { output } = await this.policyOutputs(observations, count, networks);
    return deterministicActions(this.kind, output, count, this.actionSize);
  }

  /** The policy as an ONNX model (MLP policies; see onnx-export.ts). */
  async exportOnnx(metadata: Record<string, string> = {}): Promise<Uint8Array> {
    const { policyOnnxModel } = await import('./onnx-export.js');
    return policyOnnxModel(this.policyParams(), this.encoding, { observationSize: this.observationSize, actionSize: this.actionSize }, metadata);
  }

  /**
   * Replace the environments (same count and spaces), e.g. with environments over a market that has
   * grown; each starts a new episode.
   */
  replaceEnvironments(envs: readonly Env[]): void {
    if (envs.length !== this.envs.length) throw invalidArgument(`replaceEnvironments: ${envs.length} environments for ${this.envs.length}`);
    if (envs.some((env) => env.observationSize !== this.observationSize)) throw invalidArgument('replaceEnvironments: the new environments observe another space');
    this.envs.splice(0, this.envs.length, ...envs);
    this.envs.forEach((env, i) => this.current[i]!.set(env.reset().observation));
  }

  /**
   * Restart every environment at a given bar for a given number of steps (e.g. an online learner
   * confined to the bars already seen); environment i gets `starts[i]`.
   */
  restartEnvironments(starts: readonly number[], episodeLength: number): void {
    if (starts.length !== this.envs.length) throw invalidArgument(`restartEnvironments: ${starts.length} starts for ${this.envs.length} environments`);
    this.envs.forEach((env, i) => this.current[i]!.set(env.reset({ options: { start: starts[i]!, episodeLength } }).observation));
  }

  /** What `count` decisions attended to (deepseek policy): feature importances and attention over the window. */
  async explain(observations: Float32Array, count: number): Promise<DecisionExplanation[]> {
    this.explainer ??= new PolicyExplainer(this.encoding, this.envs[0]!);
    return this.explainer.explain(this.policyParams(), observations, count);
  }

  /** Step `env` with the action stored at `offset` of `actions` (one-hot for discrete; tanh of the pre-tanh draw for autoregressive actions). */
  protected stepStored(env: Env, actions: Float32Array, offset: number) {
    if (this.autoregressive) {
      for (let a = 0; a < this.actionSize; a++) this.actionScratch[a] = Math.tanh(actions[offset + a]!);
      return env.step(this.actionScratch);
    }
    return stepWithStoredAction(env, this.kind, actions, offset, this.actionSize, this.actionScratch);
  }

  /** Copy every environment's current observation into `stepObservations`. */
  protected gatherObservations(): void {
    const D = this.observationSize;
    this.current.forEach((row, i) => {
      for (let d = 0; d < D; d++) this.stepObservations[i * D + d] = row[d]!;
    });
  }

  /** The reference policy becomes the current policy. */
  refreshReference(): void {
    tree.dispose(this.reference);
    this.reference = tree.ref(this.policyParams());
  }

  abstract update(): Promise<Record<string, number>>;
  abstract networks(): JsTree<Array>;
  abstract loadNetworks(tree: JsTree<Array>): void;

  /** Algorithm-specific host state saved with the checkpoint (e.g. the meta-controller). */
  protected hostExtra(): Record<string, number> | undefined {
    return undefined;
  }

  protected restoreHostExtra(_extra: Record<string, number>): void {}

  /** Host state for a checkpoint (networks are saved separately); environments are always mid-episode here. */
  getState(): AgentHostState {
    const extra = this.hostExtra();
    return {
      updates: this.updates,
      envSteps: this.envSteps,
      episodes: this.episodes,
      optimizerStep: this.core.step,
      rng: this.rng.getState(),
      snapshots: this.envs.map((env) => env.snapshot().data.slice()),
      ...(extra ? { extra } : {}),
    };
  }

  /** Restore host state saved by getState (environments return to their saved states). */
  setState(state: AgentHostState): void {
    this.updates = state.updates;
    this.envSteps = state.envSteps;
    this.episodes = state.episodes;
    this.core.step = state.optimizerStep;
    this.rng.setState(state.rng);
    if (state.extra) this.restoreHostExtra(state.extra);
    this.envs.forEach((env, i) => this.current[i]!.set(env.restore({ data: state.snapshots[i]! })));
  }

  dispose(): void {
    this.explainer?.dispose();
    this.autoregressive?.dispose();
    this.core.dispose();
    tree.dispose(this.reference);
    this.forward.dispose();
    this.logProbs.dispose();
  }
}
