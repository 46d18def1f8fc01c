/**
 * The specification's reward-penalty agent — "GRPO" as Generalized Reward-Penalty Optimization,
 * `GRPOAgent` (3.2) and its `DeepSeekR1GRPOAgent` extension (3.3) — on the shared policy core.
 *
 * Per update: N environments advance T on-policy steps. A critic Q(s, a) (an MLP over the
 * observation and the action, one-hot for discrete actions) gives the estimate; the target is
 * r·rewardMultiplier + γ·E_{a'∼π}[Q(s', a')]·(1 − terminated), with the expectation exact over
 * the discrete actions (Σ π(a'|s')Q(s', a')) and taken at the Gaussian's mean for continuous ones.
 * Advantage A = target − Q(s, a). Positive advantages raise log π with weight `rewardScale`,
 * negative ones lower it with weight `penaltyScale`, each averaged over its own subset (3.2), plus
 * the squared Q error. The DeepSeek-R1 variant adds the k3 KL to a periodically refreshed reference,
 * an entropy bonus, an exploration temperature and a meta-controller (see `MetaController`).
 */
import { ErrorCodes, GrpoTraderError } from '../core/index.js';
import type { Env } from '../env/index.js';
import { adamOptions, DistributionalValueNetwork, projectDistributionInto, ForwardContext, QValueHead, readArray } from '../nn/index.js';
import type { AdamState, DistributionalValueParams, QValueParams } from '../nn/index.js';
import { jit, lax, nn as jaxNn, numpy as np, tree } from '../nn/jax.js';
import type { Array, JsTree } from '../nn/jax.js';
import { POLICY_CORE_DEFAULTS, scheduleFromOptions, type PolicyCoreOptions } from './policy-options.js';
import { rewardPenaltySectionSchema } from './train-config.js';
import { MetaController } from './meta-controller.js';
import { OptimizerCore } from './optimizer-core.js';
import { autoregressiveMeans, dropoutKey, logProbsAndEntropy, policyOutput, trainingContext, type PolicyParams } from './policy.js';
import { sampleActionInto } from './policy-sampling.js';
import { PolicyAgent } from './policy-agent.js';

export interface RewardPenaltyOptions extends PolicyCoreOptions {
  /** 'basic': GRPOAgent (3.2); 'deepseek_r1': with KL, entropy, temperature and meta-controller (3.3). */
  variant: 'basic' | 'deepseek_r1';
  rolloutSteps: number;
  gamma: number;
  /** Weight of positive advantages. Default 0.5: see docs/agents.md on the specification's contradiction. */
  rewardScale: number;
  /** Weight of negative advantages (losses get the more sensitive response). Default 1. */
  penaltyScale: number;
  qLossCoefficient: number;
  /** Rewards are multiplied by this in the Q target (daily returns are ~1e-2). */
  rewardMultiplier: number;
  /** 'mlp': scalar Q(s, a); 'distributional': nn's C51 DistributionalValueNetwork (2.1.4), Q = Σ p_i z_i. */
  critic: 'mlp' | 'distributional';
  /** Width of the critic (null: the first hidden size for the basic agent, 128 — the specification's hidden_dim — for deepseek_r1). */
  criticHidden: number | null;
  /** Transformer layers of the distributional critic (2.1.4: 2). */
  criticLayers: number;
  /** Dropout of the distributional critic while training (2.1.4: 0.1); seeded like the policy's. */
  criticDropout: number;
  /** Atoms and support of the distributional critic. */
  atoms: number;
  valueMin: number;
  valueMax: number;
  entropyCoefficient: number;
  klCoefficient: number;
  referenceRefreshInterval: number;
  temperature: number;
  metaController: boolean;
  /** Entropy the meta-controller steers towards (null: 0.5 · the initial policy's entropy). */
  targetEntropy: number | null;
  targetKl: number;
}

/** The config schema's `algorithm.rewardPenalty` defaults and the shared ones (src/agents/train-config.ts). */
export const REWARD_PENALTY_DEFAULTS: RewardPenaltyOptions = { variant: 'basic', ...rewardPenaltySectionSchema.parse({}), ...POLICY_CORE_DEFAULTS };

export type RewardPenaltyParams = { policy: PolicyParams; critic: QValueParams | DistributionalValueParams };

type Jitted<F> = F & { dispose(): void };

/** Transitions for `updateFromBatch`, row-major: B states of D values, B actions of A values (one-hot for discrete). */
export interface TransitionBatch {
  observations: Float32Array;
  actions: Float32Array;
  /** Raw environment rewards [B]. */
  rewards: Float32Array;
  nextObservations: Float32Array;
  /** 1 (or true) where the episode ended by itself at the transition: no bootstrap. */
  dones: ArrayLike<number | boolean>;
}

export class RewardPenaltyAgent extends PolicyAgent<RewardPenaltyOptions, RewardPenaltyParams> {
  readonly algorithm: string;
  readonly core: OptimizerCore<RewardPenaltyParams>;
  readonly meta: MetaController;

  /** Next-state value [B] (scalar critic) or next-state atom probabilities [B, atoms] (distributional). */
  private readonly expectedNextQ: Jitted<(p: RewardPenaltyParams, x: Array) => Array>;
  /** The C51 critic, when `critic: distributional`. */
  readonly distributional: DistributionalValueNetwork | null;
  /** The scalar critic Q(s, a), nn's QValueHead (3.2's estimate_q_value), when `critic: mlp`. */
  readonly qHead: QValueHead | null;
  private readonly observations: Float32Array;
  private readonly nextObservations: Float32Array;
  private readonly actions: Float32Array;
  private readonly rewards: Float32Array;
  private readonly notDone: Float32Array;

  constructor(envs: Env[], options: Partial<RewardPenaltyOptions> = {}) {
    const o = { ...REWARD_PENALTY_DEFAULTS, ...options };
    super('RewardPenaltyAgent', envs, o);
    this.algorithm = o.variant === 'deepseek_r1' ? 'deepseek_r1' : 'reward_penalty';
    const criticHidden = o.criticHidden ?? (o.variant === 'deepseek_r1' ? 128 : o.hiddenSizes[0]!);
    this.distributional =
      o.critic === 'distributional'
        ? new DistributionalValueNetwork({ stateDim: this.observationSize, actionDim: this.actionSize, hiddenDim: criticHidden - (criticHidden % 4) || 4, numAtoms: o.atoms, vMin: o.valueMin, vMax: o.valueMax, numLayers: o.criticLayers, dropout: o.criticDropout })
        : null;
    this.qHead = this.distributional ? null : new QValueHead(this.observationSize, this.actionSize, criticHidden);
    const critic = this.distributional ? this.distributional.init(this.initRng) : this.qHead!.init(this.initRng);
    const deepseek = o.variant === 'deepseek_r1';
    const initialEntropy = this.kind === 'gaussian' ? this.actionSize * (Math.log(o.initialStd) + 0.5 + 0.5 * Math.log(2 * Math.PI)) : Math.log(this.actionSize);
    this.meta = new MetaController({
      enabled: deepseek && o.metaController,
      entropyCoefficient: o.entropyCoefficient,
      klCoefficient: deepseek ? o.klCoefficient : 0,
      temperature: deepseek ? o.temperature : 1,
      targetEntropy: o.targetEntropy ?? (this.kind === 'gaussian' ? initialEntropy - 0.5 * this.actionSize : 0.5 * initialEntropy),
      targetKl: o.targetKl,
    });
    this.core = new OptimizerCore<RewardPenaltyParams>({ policy: this.initialPolicy, critic }, this.lossFunction(), adamOptions({ learningRate: o.learningRate, maxGradNorm: o.maxGradNorm }), scheduleFromOptions(o, 1));
    const kind = this.kind;
    const encoding = this.encoding;
    const A = this.actionSize;
    const distributional = this.distributional;
    const qHead = this.qHead;
    // Scalar critic: Q [rows]; distributional: atom probabilities [rows, atoms].
    const critique = (critic: RewardPenaltyParams['critic'], x: Array, a: Array): Array =>
      distributional ? np.exp(distributional.logProbabilities(critic as DistributionalValueParams, x, a, ForwardContext.evaluation())) : qHead!.apply(critic as QValueParams, x, a);
    this.expectedNextQ = jit((p: RewardPenaltyParams, x: Array): Array => {
      const batch = x.shape[0]!;
      const D = x.shape[1]!;
      if (kind === 'gaussian') {
        // The next action the critic bootstraps from: the policy's mean (for autoregressive actions, the chain of conditional means).
        const mean = encoding?.type === 'deepseek' && encoding.autoregressive ? autoregressiveMeans(p.policy, x.ref, encoding, encoding.autoregressive) : policyOutput(p.policy, x.ref, encoding);
        return critique(p.critic, x, mean);
      }
      // Σ_a' π(a'|s') Q(s', a') (or the π-mixture of the atom distributions): every discrete action
      // evaluated in one batch of B·n rows.
      const probabilities = jaxNn.softmax(policyOutput(p.policy, x.ref, encoding), -1);
      const repeated = np.broadcastTo(x.reshape([batch, 1, D]), [batch, A, D]).reshape([batch * A, D]);
      const eye = np.broadcastTo(np.eye(A).reshape([1, A, A]), [batch, A, A]).reshape([batch * A, A]);
      if (distributional) {
        const atoms = distributional.config.numAtoms;
        const perAction = critique(p.critic, repeated, eye).reshape([batch, A, atoms]);
        return perAction.mul(probabilities.reshape([batch, A, 1])).sum(1);
      }
      const q = critique(p.critic, repeated, eye).reshape([batch, A]);
      return q.mul(probabilities).sum(-1);
    }) as unknown as typeof this.expectedNextQ;

    const N = envs.length;
    const D = this.observationSize;
    const B = N * o.rolloutSteps;
    this.observations = new Float32Array(B * D);
    this.nextObservations = new Float32Array(B * D);
    this.actions = new Float32Array(B * A);
    this.rewards = new Float32Array(B);
    this.notDone = new Float32Array(B);
  }

  private lossFunction() {
    const kind = this.kind;
    const encoding = this.encoding;
    const distributional = this.distributional;
    const qHead = this.qHead;
    // `weights` [B]: importance weights of prioritised replay (ones for on-policy batches). Statistics:
    // the six scalars of REWARD_PENALTY_STATISTICS, then the B TD errors target − Q(s, a).
    return (params: RewardPenaltyParams, observations: Array, actions: Array, targets: Array, targetDistribution: Array, referenceLogProbs: Array, coefficients: Array, weights: Array, key: Array): [Array, Array] => {
      const batch = observations.shape[0]!;
      const size = actions.shape[1]!;
      const rewardScale = coefficients.ref.slice(0);
      const penaltyScale = coefficients.ref.slice(1);
      const qCoefficient = coefficients.ref.slice(2);
      const entropyCoefficient = coefficients.ref.slice(3);
      const beta = coefficients.slice(4);
      let currentQ: Array;
      let qLoss: Array;
      // One forward context for the critic and the policy: dropout (seeded by `key`) where either has it.
      const context = distributional && distributional.config.dropout > 0 ? new ForwardContext(true, key) : trainingContext(encoding, key);
      if (distributional) {
        // C51: cross-entropy to the projected target distribution; Q is the distribution's mean.
        const logAtoms = distributional.logProbabilities(params.critic as DistributionalValueParams, observations.ref, actions.ref, context);
        currentQ = distributional.expectedValue(logAtoms.ref);
        qLoss = targetDistribution.mul(logAtoms).sum(-1).mul(weights.ref).mean().mul(-1);
      } else {
        targetDistribution.dispose();
        currentQ = qHead!.apply(params.critic as QValueParams, observations.ref, actions.ref);
        const error = currentQ.ref.sub(targets.ref);
        qLoss = error.ref.mul(error).mul(weights.ref).mean();
      }
      const [groupLogProbs, entropy] = logProbsAndEntropy(kind, params.policy, observations, actions.reshape([batch, 1, size]), encoding, context);
      context.dispose();
      const logProbs = groupLogProbs.reshape([batch]);
      const advantages = lax.stopGradient(targets.ref.sub(currentQ.ref));
      const positive = np.greater(advantages.ref, 0).astype(np.float32);
      const negative = np.lessEqual(advantages.ref, 0).astype(np.float32);
      const positiveCount = np.maximum(positive.ref.sum(), 1);
      const negativeCount = np.maximum(negative.ref.sum(), 1);
      // Both terms push log π along the advantage; only their weights differ (3.2).
      const rewardLoss = logProbs.ref.mul(advantages.ref).mul(positive).mul(weights.ref).sum().div(positiveCount).mul(-1).mul(rewardScale);
      const penaltyLoss = logProbs.ref.mul(np.abs(advantages.ref)).mul(negative).mul(weights).sum().div(negativeCount).mul(penaltyScale);
      const policyLoss = rewardLoss.add(penaltyLoss);
      currentQ.dispose();
      targets.dispose();
      // Clamped before exp, as in the group-relative loss: the KL estimate stays finite however far the policy moved.
      const logRatioToReference = np.clip(referenceLogProbs.reshape([batch]).sub(logProbs), -20, 20);
      const kl = np.exp(logRatioToReference.ref).sub(logRatioToReference).sub(1).mean();
      const meanEntropy = entropy.mean();
      const loss = policyLoss.ref.add(qLoss.ref.mul(qCoefficient)).add(kl.ref.mul(beta)).sub(meanEntropy.ref.mul(entropyCoefficient));
      const statistics = np.concatenate([np.stack([loss.ref, policyLoss, qLoss, kl, meanEntropy, advantages.ref.mean()]), advantages]);
      return [loss, statistics];
    };
  }

  protected policyParams(): PolicyParams {
    return this.core.params.policy;
  }

  /**
   * The critic's view of the deterministic action (the policy's mean) at `count` states: the scalar
   * Q [count], or the C51 atom probabilities [count × atoms] over `support` (the value distribution).
   */
  async valueOfMeanAction(observations: Float32Array, count: number): Promise<{ q: Float32Array } | { probabilities: Float32Array; support: Float32Array }> {
    const out = await readArray(this.expectedNextQ(tree.ref(this.core.params), np.array(observations, { shape: [count, this.observationSize] })));
    return this.distributional ? { probabilities: out, support: Float32Array.from(this.distributional.support) } : { q: out };
  }

  protected policyOfNetworks(networks: JsTree<Array>): PolicyParams {
    return (networks as unknown as { model: RewardPenaltyParams }).model.policy;
  }

  private stepWith(env: Env, offset: number) {
    return this.stepStored(env, this.actions, offset);
  }

  async update(): Promise<Record<string, number>> {
    const o = this.options;
    const N = this.envs.length;
    const D = this.observationSize;
    const A = this.actionSize;
    let rewardSum = 0;
    for (let t = 0; t < o.rolloutSteps; t++) {
      this.gatherObservations();
      const temperature = this.meta.temperature * this.explorationTemperature;
      // Autoregressive actions are drawn asset by asset straight into this step's rows of the batch.
      const { output, logStd } = this.autoregressive ? { output: this.actions, logStd: this.actions } : await this.policyOutputs(this.stepObservations, N);
      if (this.autoregressive) await this.autoregressive.sample(this.core.params.policy, this.stepObservations, N, 1, this.rng, temperature, this.actions.subarray(t * N * A, (t + 1) * N * A));
      for (let i = 0; i < N; i++) {
        const index = t * N + i;
        this.observations.set(this.stepObservations.subarray(i * D, (i + 1) * D), index * D);
        if (!this.autoregressive) sampleActionInto(this.kind, this.rng, this.actions, index * A, output, logStd, i, A, this.probabilities, temperature);
        const env = this.envs[i]!;
        const result = this.stepWith(env, index * A);
        this.envSteps++;
        rewardSum += result.reward;
        this.rewards[index] = result.reward * o.rewardMultiplier;
        this.notDone[index] = result.terminated ? 0 : 1;
        const next = result.observation;
        for (let d = 0; d < D; d++) this.nextObservations[index * D + d] = next[d]!;
        if (result.terminated || result.truncated) {
          this.episodes++;
          this.current[i]!.set(env.reset().observation);
        } else {
          this.current[i]!.set(next);
        }
      }
    }
    const B = N * o.rolloutSteps;
    const { metrics } = await this.learn({ observations: this.observations, actions: this.actions, rewards: this.rewards, nextObservations: this.nextObservations, notDone: this.notDone }, B, null);
    return { update: this.updates, meanReward: rewardSum / B, ...metrics, envSteps: this.envSteps, episodes: this.episodes };
  }

  /**
   * One optimisation step on a batch of transitions (the specification's `update_from_batch`), e.g.
   * sampled from a prioritised replay buffer: the Q loss and the policy terms are weighted by the
   * importance weights; returns the per-sample TD errors target − Q(s, a) (before the step) for the
   * buffer's priorities. Rewards are raw environment rewards (the agent applies rewardMultiplier).
   */
  async updateFromBatch(batch: TransitionBatch, importanceWeights?: Float32Array): Promise<{ tdErrors: Float32Array; metrics: Record<string, number> }> {
    const B = batch.rewards.length;
    const D = this.observationSize;
    const A = this.actionSize;
    for (const [name, array, size] of [['observations', batch.observations, B * D], ['nextObservations', batch.nextObservations, B * D], ['actions', batch.actions, B * A], ['dones', batch.dones, B]] as const) {
      if (array.length !== size) throw new GrpoTraderError(ErrorCodes.invalidArgument, `updateFromBatch: ${name} has ${array.length} values; ${B} transitions need ${size}`, { location: { field: name } });
    }
    if (importanceWeights && importanceWeights.length !== B) throw new GrpoTraderError(ErrorCodes.invalidArgument, `updateFromBatch: ${importanceWeights.length} importance weights for ${B} transitions`, { location: { field: 'importanceWeights' } });
    const rewards = Float32Array.from(batch.rewards, (r) => r * this.options.rewardMultiplier);
    const notDone = Float32Array.from(batch.dones, (done) => (done ? 0 : 1));
    const result = await this.learn({ observations: batch.observations, actions: batch.actions, rewards, nextObservations: batch.nextObservations, notDone }, B, importanceWeights ?? null);
    return { tdErrors: result.tdErrors, metrics: { update: this.updates, ...result.metrics } };
  }

  /** Targets from the critic, one optimiser step, reference refresh and meta-controller; rewards already multiplied. */
  private async learn(batch: { observations: Float32Array; actions: Float32Array; rewards: Float32Array; nextObservations: Float32Array; notDone: Float32Array }, B: number, weights: Float32Array | null) {
    const o = this.options;
    const D = this.observationSize;
    const A = this.actionSize;
    const next = await readArray(this.expectedNextQ(tree.ref(this.core.params), np.array(batch.nextObservations, { shape: [B, D] })));
    const targets = new Float32Array(B);
    let targetDistribution: Float32Array = new Float32Array(B);
    if (this.distributional) {
      const { numAtoms, vMin, vMax } = this.distributional.config;
      const support = this.distributional.support;
      const dones = new Float32Array(B);
      for (let b = 0; b < B; b++) {
        dones[b] = 1 - batch.notDone[b]!;
        let value = 0;
        for (let j = 0; j < numAtoms; j++) value += next[b * numAtoms + j]! * support[j]!;
        targets[b] = batch.rewards[b]! + o.gamma * value * batch.notDone[b]!;
      }
      targetDistribution = projectDistributionInto(new Float32Array(B * numAtoms), next, batch.rewards, dones, o.gamma, vMin, vMax, numAtoms);
    } else {
      for (let b = 0; b < B; b++) targets[b] = batch.rewards[b]! + o.gamma * next[b]! * batch.notDone[b]!;
    }
    const atomCount = this.distributional ? this.distributional.config.numAtoms : 1;
    const observations = np.array(batch.observations, { shape: [B, D] });
    const actions = np.array(batch.actions, { shape: [B, A] });
    const referenceLogProbs = this.logProbs(tree.ref(this.reference), observations.ref, actions.ref.reshape([B, 1, A]));
    const coefficients = np.array(new Float32Array([o.rewardScale, o.penaltyScale, o.qLossCoefficient, this.meta.entropyCoefficient, this.meta.klCoefficient]));
    const importance = np.array(weights ?? new Float32Array(B).fill(1), { shape: [B] });
    const learningRate = this.core.nextLearningRate();
    const [loss, stats] = this.core.update(observations, actions, np.array(targets, { shape: [B] }), np.array(targetDistribution, { shape: [B, atomCount] }), referenceLogProbs, coefficients, importance, dropoutKey(o.seed, this.core.step));
    loss.dispose();
    const s = await readArray(stats);
    this.updates++;
    const entropyCoefficient = this.meta.entropyCoefficient;
    const klCoefficient = this.meta.klCoefficient;
    const temperature = this.meta.temperature;
    this.meta.observe({ entropy: s[4]!, kl: s[3]! });
    if (o.referenceRefreshInterval > 0 && this.updates % o.referenceRefreshInterval === 0) this.refreshReference();
    const metrics = {
      loss: s[0]!,
      policyLoss: s[1]!,
      qLoss: s[2]!,
      kl: s[3]!,
      entropy: s[4]!,
      meanAdvantage: s[5]!,
      entropyCoefficient,
      klCoefficient,
      temperature,
      learningRate,
    };
    return { metrics, tdErrors: s.slice(6, 6 + B) };
  }

  networks(): JsTree<Array> {
    return { model: this.core.params, adam: this.core.state, reference: this.reference };
  }

  loadNetworks(networks: JsTree<Array>): void {
    const loaded = networks as unknown as { model: RewardPenaltyParams; adam: AdamState<RewardPenaltyParams>; reference: PolicyParams };
    this.core.load(loaded.model, loaded.adam, this.core.step);
    tree.dispose(this.reference);
    this.reference = loaded.reference;
  }

  protected override hostExtra(): Record<string, number> {
    return this.meta.getState();
  }

  protected override restoreHostExtra(extra: Record<string, number>): void {
    this.meta.setState(extra);
  }

  override dispose(): void {
    super.dispose();
    this.expectedNextQ.dispose();
  }

}
