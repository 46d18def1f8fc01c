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
import type { Env, EnvSnapshot } from '../env/index.js';
import { readArray } from '../nn/index.js';
import { adamOptions } from '../nn/index.js';
import { numpy as np, tree } from '../nn/jax.js';
import type { Array, JsTree } from '../nn/jax.js';
import type { AdamState } from '../nn/index.js';
import { PolicyAgent } from './policy-agent.js';
import { groupAdvantagesInto, type AdvantageNormalization } from './group-advantages.js';
import { OptimizerCore } from './optimizer-core.js';
import { POLICY_CORE_DEFAULTS, scheduleFromOptions, type PolicyCoreOptions } from './policy-options.js';
import { grpoSectionSchema } from './train-config.js';
import { sampleActionInto } from './policy-sampling.js';
import type { PolicyEncoding } from './policy.js';
import { dropoutKey, logProbsAndEntropy, trainingContext, type PolicyKind, type PolicyParams } from './policy.js';

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

/** The config schema's `algorithm.grpo` defaults and the shared ones (src/agents/train-config.ts). */
export const GROUP_RELATIVE_DEFAULTS: GroupRelativeGrpoOptions = { ...grpoSectionSchema.parse({}), ...POLICY_CORE_DEFAULTS };

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
  /** Share of kept samples with Â < 0 whose ratio fell below 1 − ε_low (their gradient is clipped away). */
  clipFractionLow: number;
  /** Share of kept samples with Â > 0 whose ratio rose above 1 + ε_high. */
  clipFractionHigh: number;
  /** Mean (log π_old − log π) on the batch after the last epoch's step was computed. */
  approxKl: number;
  learningRate: number;
  /** Environment steps taken so far (scoring rollouts included). */
  envSteps: number;
  episodes: number;
}



/** The loss's coefficients, in the order `packCoefficients` lays them out for the compiled step. */
export interface GroupRelativeCoefficients {
  /** β of the k3 KL penalty to the reference policy. */
  klCoefficient: number;
  /** c of the entropy bonus. */
  entropyCoefficient: number;
  /** ε_low: the ratio is clipped below at 1 − ε_low (DAPO). */
  clipLow: number;
  /** ε_high: the ratio is clipped above at 1 + ε_high (DAPO's clip-higher). */
  clipHigh: number;
}

/** The statistics the loss returns, in order (names of the metrics log). */
export const GROUP_RELATIVE_STATISTICS = ['loss', 'policyLoss', 'kl', 'entropy', 'clipFractionLow', 'clipFractionHigh', 'approxKl'] as const;

/** One coefficient array for the compiled step (a jit input, so changing a value recompiles nothing). */
export function packCoefficients(c: GroupRelativeCoefficients): Array {
  return np.array(new Float32Array([c.klCoefficient, c.entropyCoefficient, c.clipLow, c.clipHigh]));
}

/** Log-ratios are clamped to ±MAX_LOG_RATIO before exp: e^20 ≈ 5·10⁸ keeps the ratio finite (and clipped) whatever the policy did. */
const MAX_LOG_RATIO = 20;

/**
 * The group-relative loss over a batch of kept samples (mask 1), as TRL's GRPO loss:
 *   ratio        = exp(log π − log π_old)
 *   surrogate    = min(ratio·Â, clip(ratio, 1 − ε_low, 1 + ε_high)·Â)
 *   k3           = e^d − d − 1,  d = log π_ref − log π          (Schulman's unbiased KL estimator)
 *   loss         = −mean(surrogate) + β·mean(k3) − c·mean(H)
 * Statistics (GROUP_RELATIVE_STATISTICS): the loss and its terms; the clip fractions split as TRL's:
 * low = the share of samples with Â < 0 and ratio < 1 − ε_low, high = Â > 0 and ratio > 1 + ε_high
 * (the samples whose gradient the clip removes); approxKl = mean(log π_old − log π). Consumes everything.
 */
export function groupRelativeLoss(kind: PolicyKind, encoding: PolicyEncoding | null) {
  return (params: PolicyParams, observations: Array, actions: Array, advantages: Array, mask: Array, oldLogProbs: Array, referenceLogProbs: Array, coefficients: Array, key: Array): [Array, Array] => {
    const beta = coefficients.ref.slice(0);
    const entropyCoefficient = coefficients.ref.slice(1);
    const lowerBound = coefficients.ref.slice(2).mul(-1).add(1);
    const upperBound = coefficients.slice(3).add(1);
    const count = np.maximum(mask.ref.sum(), 1);
    const maskedMean = (x: Array): Array => x.mul(mask.ref).sum().div(count.ref);

    const context = trainingContext(encoding, key);
    const [logProbs, entropy] = logProbsAndEntropy(kind, params, observations, actions, encoding, context);
    context.dispose();

    const logRatio = np.clip(logProbs.ref.sub(oldLogProbs), -MAX_LOG_RATIO, MAX_LOG_RATIO);
    const ratio = np.exp(logRatio.ref);
    const clippedRatio = np.minimum(np.maximum(ratio.ref, lowerBound.ref), upperBound.ref);
    const surrogate = np.minimum(ratio.ref.mul(advantages.ref), clippedRatio.mul(advantages.ref));
    const policyLoss = maskedMean(surrogate).mul(-1);

    const logRatioToReference = np.clip(referenceLogProbs.sub(logProbs), -MAX_LOG_RATIO, MAX_LOG_RATIO);
    const k3 = np.exp(logRatioToReference.ref).sub(logRatioToReference).sub(1);
    const kl = maskedMean(k3);
    const meanEntropy = entropy.mean();
    const loss = policyLoss.ref.add(kl.ref.mul(beta)).sub(meanEntropy.ref.mul(entropyCoefficient));

    const isLowClipped = np.less(ratio.ref, lowerBound).astype(np.float32).mul(np.less(advantages.ref, 0).astype(np.float32));
    const isHighClipped = np.greater(ratio, upperBound).astype(np.float32).mul(np.greater(advantages, 0).astype(np.float32));
    const clipFractionLow = maskedMean(isLowClipped);
    const clipFractionHigh = maskedMean(isHighClipped);
    const approxKl = maskedMean(logRatio.mul(-1));
    mask.dispose();
    count.dispose();
    const statistics = np.stack([loss.ref, policyLoss, kl, meanEntropy, clipFractionLow, clipFractionHigh, approxKl]);
    return [loss, statistics];
  };
}

/** The loss statistics by name. */
function namedStatistics(values: Float32Array): Record<(typeof GROUP_RELATIVE_STATISTICS)[number], number> {
  return Object.fromEntries(GROUP_RELATIVE_STATISTICS.map((name, i) => [name, values[i]!])) as Record<(typeof GROUP_RELATIVE_STATISTICS)[number], number>;
}


export class GroupRelativeGrpo extends PolicyAgent<GroupRelativeGrpoOptions, PolicyParams> {
  readonly algorithm = 'grpo';
  readonly core: OptimizerCore<PolicyParams>;

  private readonly snapshots: EnvSnapshot[];
  private readonly batchObservations: Float32Array;
  private readonly batchActions: Float32Array;
  private readonly scores: Float64Array;
  private readonly advantages: Float32Array;
  private readonly mask: Float32Array;
  /** One step's autoregressive draws (deepseek.autoregressive). */
  private readonly draws: Float32Array;

  /** `envs` must share observation and action spaces; environment i is reset here with seed · 1000 + i. */
  constructor(envs: Env[], options: Partial<GroupRelativeGrpoOptions> = {}) {
    super('GroupRelativeGrpo', envs, { ...GROUP_RELATIVE_DEFAULTS, ...options });
    const o = this.options;
    const adam = adamOptions({ learningRate: o.learningRate, maxGradNorm: o.maxGradNorm });
    this.core = new OptimizerCore(this.initialPolicy, this.lossFunction(), adam, scheduleFromOptions(o, o.epochs));
    const N = envs.length;
    const D = this.observationSize;
    const B = N * o.rolloutSteps;
    this.snapshots = envs.map((env) => env.snapshot());
    this.batchObservations = new Float32Array(B * D);
    this.batchActions = new Float32Array(B * o.groupSize * this.actionSize);
    this.scores = new Float64Array(B * o.groupSize);
    this.advantages = new Float32Array(B * o.groupSize);
    this.mask = new Float32Array(B * o.groupSize);
    this.draws = new Float32Array(this.autoregressive ? N * o.groupSize * this.actionSize : 0);
  }

  protected policyParams(): PolicyParams {
    return this.core.params;
  }

  protected policyOfNetworks(networks: JsTree<Array>): PolicyParams {
    return (networks as unknown as { policy: PolicyParams }).policy;
  }

  private lossFunction() {
    return groupRelativeLoss(this.kind, this.encoding);
  }

  /** Step `env` with the action stored at `offset` of the batch actions. */
  private stepWith(env: Env, offset: number) {
    return this.stepStored(env, this.batchActions, offset);
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
      this.gatherObservations();
      const { output, logStd } = this.autoregressive ? { output: this.draws, logStd: this.draws } : await this.policyOutputs(this.stepObservations, N);
      if (this.autoregressive) await this.autoregressive.sample(this.core.params, this.stepObservations, N, G, this.rng, this.explorationTemperature, this.draws);
      for (let i = 0; i < N; i++) {
        const env = this.envs[i]!;
        const state = t * N + i;
        this.batchObservations.set(this.stepObservations.subarray(i * D, (i + 1) * D), state * D);
        const snapshot = (this.snapshots[i] = env.snapshot(this.snapshots[i]));
        for (let g = 0; g < G; g++) {
          const offset = (state * G + g) * A;
          if (this.autoregressive) this.batchActions.set(this.draws.subarray((i * G + g) * A, (i * G + g + 1) * A), offset);
          else sampleActionInto(this.kind, this.rng, this.batchActions, offset, output, logStd, i, this.actionSize, this.probabilities, this.explorationTemperature);
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
    const coefficients = packCoefficients(o);
    const learningRate = this.core.nextLearningRate();
    let statistics: Float32Array = new Float32Array(GROUP_RELATIVE_STATISTICS.length);
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
      ...namedStatistics(statistics),
      learningRate,
      envSteps: this.envSteps,
      episodes: this.episodes,
    };
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
}
