/**
 * Group-relative policy optimisation (GRPO of DeepSeekMath / DeepSeek-R1) adapted to trading.
 *
 * Each update: N environments advance T steps. At every state the policy is evaluated once (one
 * batched call for all N environments) and G actions are sampled from it. Each action is scored by
 * restoring the environment's snapshot and rolling `horizon` steps (the action held as the target)
 * with costs: exact counterfactuals, because our orders do not move prices (the environment's
 * prices are data, not a function of our trades). Scores are turned into advantages within the
 * group; groups with zero variance are dropped. The environment then follows the first sample (an
 * ordinary on-policy draw). The loss is DAPO's clipped surrogate with separate ε_low / ε_high,
 * averaged over every kept sample, plus β · k3-KL to a reference policy refreshed every R updates,
 * minus an entropy bonus. See docs/agents.md.
 */
import { Rng } from '../core/index.js';
import type { Env, EnvSnapshot } from '../env/index.js';
import { readArray } from '../nn/index.js';
import { adamOptions } from '../nn/index.js';
import { jit, numpy as np, tree } from '../nn/jax.js';
import type { Array, JsTree } from '../nn/jax.js';
import type { AdamState } from '../nn/index.js';
import type { AgentHostState, TrainableAgent } from './trainable-agent.js';
import { groupAdvantagesInto, type AdvantageNormalization } from './group-advantages.js';
import { OptimizerCore } from './optimizer-core.js';
import { POLICY_CORE_DEFAULTS, scheduleFromOptions, type PolicyCoreOptions } from './policy-options.js';
import { deterministicActions, sampleActionInto, stepWithStoredAction } from './policy-sampling.js';
import { policyEncodingOf } from './policy-encoding.js';
import { PolicyExplainer, type DecisionExplanation } from './explain.js';
import type { PolicyEncoding } from './policy.js';
import { dropoutKey, initPolicy, logProbsAndEntropy, policyLogStd, policyOutput, trainingContext, type PolicyKind, type PolicyParams } from './policy.js';

export interface GroupRelativeGrpoOptions extends PolicyCoreOptions {
  /** G: actions sampled and scored per state. */
  groupSize: number;
  /** k: steps rolled from the snapshot to score an action (the action held as target). */
  horizon: number;
  /** T: states collected per environment per update. */
  rolloutSteps: number;
  /** Optimisation passes over each collected batch (GRPO's μ). */
  epochs: number;
  /** 'std': (R − mean)/std (GRPO); 'mean': R − mean (Dr. GRPO). */
  advantageNormalization: AdvantageNormalization;
  /** Groups whose score std is ≤ this are dropped. */
  minGroupStd: number;
  clipLow: number;
  clipHigh: number;
  /** β of the k3 KL penalty to the reference policy (0 disables it). */
  klCoefficient: number;
  /** Updates between reference refreshes (the reference becomes the current policy); 0 = never. */
  referenceRefreshInterval: number;
  entropyCoefficient: number;
}

export const GROUP_RELATIVE_DEFAULTS: GroupRelativeGrpoOptions = {
  groupSize: 8,
  horizon: 1,
  rolloutSteps: 16,
  epochs: 2,
  advantageNormalization: 'std',
  minGroupStd: 1e-8,
  clipLow: 0.2,
  clipHigh: 0.28,
  klCoefficient: 0.04,
  referenceRefreshInterval: 10,
  entropyCoefficient: 0,
  ...POLICY_CORE_DEFAULTS,
};

/** What one update did, for progress lines and the metrics log. */
export interface GroupRelativeMetrics {
  update: number;
  /** Mean reward of the steps the environments actually took. */
  meanReward: number;
  /** Mean score of all sampled actions. */
  meanGroupScore: number;
  /** Mean within-group std of the scores. */
  groupScoreStd: number;
  /** Fraction of groups kept (non-zero variance). */
  keptGroups: number;
  loss: number;
  policyLoss: number;
  /** k3 estimate of KL(π ‖ π_ref). */
  kl: number;
  entropy: number;
  clipFraction: number;
  /** Mean (log π_old − log π) on the batch after the last epoch's step was computed. */
  approxKl: number;
  learningRate: number;
  /** Environment steps taken so far (scoring rollouts included). */
  envSteps: number;
  episodes: number;
}



/**
 * The group-relative loss over a batch: −mean_kept[min(r·Â, clip(r, coefficients[2], coefficients[3])·Â)]
 * + β·mean_kept[k3] − c·mean H, with r = exp(log π − log π_old), k3 = e^d − d − 1 for
 * d = log π_ref − log π; coefficients = [β, c, 1 − ε_low, 1 + ε_high]. Statistics:
 * [loss, policy loss, k3 KL, entropy, clip fraction, mean(log π_old − log π)]. Consumes everything.
 */
export function groupRelativeLoss(kind: PolicyKind, encoding: PolicyEncoding | null) {
  return (params: PolicyParams, observations: Array, actions: Array, advantages: Array, mask: Array, oldLogProbs: Array, referenceLogProbs: Array, coefficients: Array, key: Array): [Array, Array] => {
    const context = trainingContext(encoding, key);
    const [logProbs, entropy] = logProbsAndEntropy(kind, params, observations, actions, encoding, context);
    context.dispose();
    const beta = coefficients.ref.slice(0);
    const entropyCoefficient = coefficients.ref.slice(1);
    const low = coefficients.ref.slice(2);
    const high = coefficients.slice(3);
    const ratio = np.exp(logProbs.ref.sub(oldLogProbs.ref));
    const clipped = np.minimum(np.maximum(ratio.ref, low.ref), high.ref);
    const surrogate = np.minimum(ratio.ref.mul(advantages.ref), clipped.mul(advantages));
    const logRatioToReference = referenceLogProbs.sub(logProbs.ref);
    const k3 = np.exp(logRatioToReference.ref).sub(logRatioToReference).sub(1);
    const count = np.maximum(mask.ref.sum(), 1);
    const policyLoss = surrogate.mul(mask.ref).sum().div(count.ref).mul(-1);
    const kl = k3.mul(mask.ref).sum().div(count.ref);
    const meanEntropy = entropy.mean();
    const loss = policyLoss.ref.add(kl.ref.mul(beta)).sub(meanEntropy.ref.mul(entropyCoefficient));
    const outside = np.greater(ratio.ref, high).astype(np.float32).add(np.less(ratio, low).astype(np.float32));
    const clipFraction = outside.mul(mask.ref).sum().div(count.ref);
    const approxKl = oldLogProbs.sub(logProbs).mul(mask).sum().div(count);
    const statistics = np.stack([loss.ref, policyLoss, kl, meanEntropy, clipFraction, approxKl]);
    return [loss, statistics];
  };
}

type Forward = ((params: PolicyParams, observations: Array) => [Array, Array]) & { dispose(): void };
type LogProbs = ((params: PolicyParams, observations: Array, actions: Array) => Array) & { dispose(): void };

export class GroupRelativeGrpo implements TrainableAgent {
  readonly algorithm = 'grpo';
  readonly options: GroupRelativeGrpoOptions;
  readonly envs: Env[];
  readonly kind: PolicyKind;
  /** The observation encoder (null: MLP over the whole observation). */
  readonly encoding: PolicyEncoding | null;
  readonly observationSize: number;
  /** Assets (Gaussian) or discrete actions (categorical). */
  readonly actionSize: number;
  readonly core: OptimizerCore<PolicyParams>;
  reference: PolicyParams;
  readonly rng: Rng;
  updates = 0;
  envSteps = 0;
  episodes = 0;

  private readonly forward: Forward;
  private readonly logProbs: LogProbs;
  private readonly current: Float64Array[];
  private readonly snapshots: EnvSnapshot[];
  private readonly batchObservations: Float32Array;
  private readonly batchActions: Float32Array;
  private readonly scores: Float64Array;
  private readonly advantages: Float32Array;
  private readonly mask: Float32Array;
  private readonly stepObservations: Float32Array;
  private readonly actionScratch: Float64Array;
  private readonly probabilities: Float64Array;

  /** `envs` must share observation and action spaces; environment i is reset here with seed · 1000 + i. */
  constructor(envs: Env[], options: Partial<GroupRelativeGrpoOptions> = {}) {
    if (envs.length === 0) throw new Error('GroupRelativeGrpo needs at least one environment');
    this.options = { ...GROUP_RELATIVE_DEFAULTS, ...options };
    const o = this.options;
    this.envs = envs;
    const space = envs[0]!.actionSpace;
    this.kind = space.kind === 'discrete' ? 'categorical' : 'gaussian';
    this.actionSize = space.kind === 'discrete' ? space.n : space.size;
    this.observationSize = envs[0]!.observationSize;
    this.encoding = policyEncodingOf(o, envs[0]!, this.kind);
    this.rng = new Rng(o.seed);
    const initRng = new Rng(o.seed ^ 0x5eed);
    const params = initPolicy(initRng, { kind: this.kind, observationSize: this.observationSize, actionSize: this.actionSize, hiddenSizes: o.hiddenSizes, initialStd: o.initialStd, initialMean: o.initialMean === 'equal' ? 1 / this.actionSize : 0, encoding: this.encoding });
    this.reference = tree.ref(params);
    const adam = adamOptions({ learningRate: o.learningRate, maxGradNorm: o.maxGradNorm });
    this.core = new OptimizerCore(params, this.lossFunction(), adam, scheduleFromOptions(o, o.epochs));
    const kind = this.kind;
    const encoding = this.encoding;
    this.forward = jit((p: PolicyParams, x: Array): [Array, Array] => [policyOutput(tree.ref(p), x, encoding), policyLogStd(p)]) as unknown as Forward;
    this.logProbs = jit((p: PolicyParams, x: Array, a: Array): Array => {
      const [logProbs, entropy] = logProbsAndEntropy(kind, p, x, a, encoding);
      entropy.dispose();
      return logProbs;
    }) as unknown as LogProbs;

    const N = envs.length;
    const D = this.observationSize;
    const B = N * o.rolloutSteps;
    this.current = envs.map((env, i) => Float64Array.from(env.reset({ seed: o.seed * 1000 + i }).observation));
    this.snapshots = envs.map((env) => env.snapshot());
    this.batchObservations = new Float32Array(B * D);
    this.batchActions = new Float32Array(B * o.groupSize * this.actionSize);
    this.scores = new Float64Array(B * o.groupSize);
    this.advantages = new Float32Array(B * o.groupSize);
    this.mask = new Float32Array(B * o.groupSize);
    this.stepObservations = new Float32Array(N * D);
    this.actionScratch = new Float64Array(this.actionSize);
    this.probabilities = new Float64Array(this.actionSize);
  }

  private lossFunction() {
    return groupRelativeLoss(this.kind, this.encoding);
  }

  /** Policy outputs for `count` observations [count × D]: Gaussian means or logits, and the log-std. */
  async policyOutputs(observations: Float32Array, count: number): Promise<{ output: Float32Array; logStd: Float32Array }> {
    const [output, logStd] = this.forward(tree.ref(this.core.params), np.array(observations, { shape: [count, this.observationSize] }));
    return { output: await readArray(output), logStd: await readArray(logStd) };
  }

  private explainer: PolicyExplainer | null = null;

  /** What `count` decisions attended to (deepseek policy): feature importances and attention over the window. */
  async explain(observations: Float32Array, count: number): Promise<DecisionExplanation[]> {
    this.explainer ??= new PolicyExplainer(this.encoding, this.envs[0]!);
    return this.explainer.explain(this.core.params, observations, count);
  }

  /** Deterministic actions for a batch: Gaussian means, or the most probable discrete action (as its index). */
  async act(observations: Float32Array, count: number): Promise<Float64Array> {
    const { output } = await this.policyOutputs(observations, count);
    return deterministicActions(this.kind, output, count, this.actionSize);
  }

  /** Step `env` with the action stored at `offset` of the batch actions. */
  private stepWith(env: Env, offset: number) {
    return stepWithStoredAction(env, this.kind, this.batchActions, offset, this.actionSize, this.actionScratch);
  }

  /** Collect one batch: T steps of N environments, G scored actions per state. Returns the mean followed reward. */
  async collect(): Promise<{ meanReward: number; meanGroupScore: number; groupScoreStd: number; keptGroups: number }> {
    const o = this.options;
    const N = this.envs.length;
    const D = this.observationSize;
    const A = this.actionSize;
    const G = o.groupSize;
    let rewardSum = 0;
    for (let t = 0; t < o.rolloutSteps; t++) {
      for (let i = 0; i < N; i++) {
        const row = this.current[i]!;
        for (let d = 0; d < D; d++) this.stepObservations[i * D + d] = row[d]!;
      }
      const { output, logStd } = await this.policyOutputs(this.stepObservations, N);
      for (let i = 0; i < N; i++) {
        const env = this.envs[i]!;
        const state = t * N + i;
        this.batchObservations.set(this.stepObservations.subarray(i * D, (i + 1) * D), state * D);
        const snapshot = (this.snapshots[i] = env.snapshot(this.snapshots[i]));
        for (let g = 0; g < G; g++) {
          const offset = (state * G + g) * A;
          sampleActionInto(this.kind, this.rng, this.batchActions, offset, output, logStd, i, this.actionSize, this.probabilities);
          env.restore(snapshot);
          let score = 0;
          for (let k = 0; k < o.horizon; k++) {
            const result = this.stepWith(env, offset);
            this.envSteps++;
            score += result.reward;
            if (result.terminated || result.truncated) break;
          }
          this.scores[state * G + g] = score;
        }
        // Follow the first sample: an ordinary draw from the policy.
        env.restore(snapshot);
        const result = this.stepWith(env, state * G * A);
        this.envSteps++;
        rewardSum += result.reward;
        if (result.terminated || result.truncated) {
          this.episodes++;
          this.current[i]!.set(env.reset().observation);
        } else {
          this.current[i]!.set(result.observation);
        }
      }
    }
    const groups = N * o.rolloutSteps;
    const kept = groupAdvantagesInto(this.advantages, this.mask, this.scores, groups, G, o.advantageNormalization, o.minGroupStd);
    let scoreSum = 0;
    let stdSum = 0;
    for (let s = 0; s < groups; s++) {
      let mean = 0;
      for (let g = 0; g < G; g++) mean += this.scores[s * G + g]!;
      mean /= G;
      let variance = 0;
      for (let g = 0; g < G; g++) variance += (this.scores[s * G + g]! - mean) ** 2;
      scoreSum += mean;
      stdSum += Math.sqrt(variance / G);
    }
    return { meanReward: rewardSum / groups, meanGroupScore: scoreSum / groups, groupScoreStd: stdSum / groups, keptGroups: kept / groups };
  }

  /** Collect a batch and optimise on it; returns the update's metrics. */
  async update(): Promise<GroupRelativeMetrics & Record<string, number>> {
    const o = this.options;
    const collected = await this.collect();
    const B = this.envs.length * o.rolloutSteps;
    const D = this.observationSize;
    const G = o.groupSize;
    const A = this.actionSize;
    const observations = np.array(this.batchObservations, { shape: [B, D] });
    const actions = np.array(this.batchActions, { shape: [B, G, A] });
    const oldLogProbs = this.logProbs(tree.ref(this.core.params), observations.ref, actions.ref);
    const referenceLogProbs = this.logProbs(tree.ref(this.reference), observations.ref, actions.ref);
    const advantages = np.array(this.advantages, { shape: [B, G] });
    const mask = np.array(this.mask, { shape: [B, G] });
    const coefficients = np.array(new Float32Array([o.klCoefficient, o.entropyCoefficient, 1 - o.clipLow, 1 + o.clipHigh]));
    const learningRate = this.core.nextLearningRate();
    let statistics: Float32Array = new Float32Array(6);
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const last = epoch === o.epochs - 1;
      const [loss, stats] = this.core.update(
        last ? observations : observations.ref,
        last ? actions : actions.ref,
        last ? advantages : advantages.ref,
        last ? mask : mask.ref,
        last ? oldLogProbs : oldLogProbs.ref,
        last ? referenceLogProbs : referenceLogProbs.ref,
        last ? coefficients : coefficients.ref,
        dropoutKey(o.seed, this.core.step),
      );
      loss.dispose();
      if (last) statistics = await readArray(stats);
      else stats.dispose();
    }
    this.updates++;
    if (o.referenceRefreshInterval > 0 && this.updates % o.referenceRefreshInterval === 0) this.refreshReference();
    return {
      update: this.updates,
      ...collected,
      loss: statistics[0]!,
      policyLoss: statistics[1]!,
      kl: statistics[2]!,
      entropy: statistics[3]!,
      clipFraction: statistics[4]!,
      approxKl: statistics[5]!,
      learningRate,
      envSteps: this.envSteps,
      episodes: this.episodes,
    };
  }

  /** The reference policy becomes the current policy. */
  refreshReference(): void {
    tree.dispose(this.reference);
    this.reference = tree.ref(this.core.params);
  }

  networks(): JsTree<Array> {
    return { policy: this.core.params, adam: this.core.state, reference: this.reference };
  }

  loadNetworks(networks: JsTree<Array>): void {
    const loaded = networks as unknown as { policy: PolicyParams; adam: AdamState<PolicyParams>; reference: PolicyParams };
    this.core.load(loaded.policy, loaded.adam, this.core.step);
    tree.dispose(this.reference);
    this.reference = loaded.reference;
  }

  /** Host state for a checkpoint (networks are saved separately). */
  getState(): AgentHostState {
    return {
      updates: this.updates,
      envSteps: this.envSteps,
      episodes: this.episodes,
      optimizerStep: this.core.step,
      rng: this.rng.getState(),
      snapshots: this.envs.map((env, i) => env.snapshot(this.snapshots[i]).data.slice()),
    };
  }

  /** Restore host state saved by getState (environments return to their saved states). */
  setState(state: AgentHostState): void {
    this.updates = state.updates;
    this.envSteps = state.envSteps;
    this.episodes = state.episodes;
    this.core.step = state.optimizerStep;
    this.rng.setState(state.rng);
    this.envs.forEach((env, i) => {
      this.current[i]!.set(env.restore({ data: state.snapshots[i]! }));
    });
  }

  dispose(): void {
    this.explainer?.dispose();
    this.core.dispose();
    tree.dispose(this.reference);
    this.forward.dispose();
    this.logProbs.dispose();
  }
}
