/** The environment contract shared by every environment, the vectorised form and the checker. */
import type { RewardInfo } from '../rewards/types.js';
import type { Box, Discrete } from './spaces.js';

/** Facts about one step. The object and its arrays are reused: copy what you keep. */
export interface StepInfo extends RewardInfo {
  /** Portfolio value at the new bar's close. */
  portfolioValue: number;
  /** Value at the decision bar's close before this step's costs. */
  valueBeforeCosts: number;
  /** Weights held just before the rebalance (drifted from the previous decision). */
  weightsBefore: Float64Array;
  /** Target weights after the rebalance (normalised action). */
  weightsAfter: Float64Array;
  /** Weights now, drifted to the new bar's close. */
  weights: Float64Array;
  /** Net return of the step: portfolioValue / valueBeforeCosts − 1. */
  portfolioReturn: number;
  /** Correlation concentration penalty subtracted from the reward. */
  correlationPenalty: number;
  /** Drawdown of the value from the episode's peak. */
  drawdown: number;
  /** Bar index (into the market) of the observation now returned. */
  barIndex: number;
  /** UTC epoch ms of that bar. */
  time: number;
  /** Steps taken in this episode. */
  episodeStep: number;
}

export interface ResetResult<Observation> {
  observation: Observation;
  info: StepInfo;
}

export interface StepResult<Observation> {
  observation: Observation;
  reward: number;
  /** The episode ended by itself: bankrupt, or the drawdown limit hit. */
  terminated: boolean;
  /** The episode was cut: end of the data or of the episode length. */
  truncated: boolean;
  info: StepInfo;
}

export interface ResetArguments {
  seed?: number;
  options?: {
    /** Bar index to start at (overrides random or fixed starts). */
    start?: number;
    episodeLength?: number | null;
  };
}

/** A saved complete environment state (flat, no data copied). Reusable as an output buffer. */
export interface EnvSnapshot {
  readonly data: Float64Array;
}

/** The Gymnasium-like contract. `step()` allocates nothing; the observation buffer is reused. */
export interface Env<Action = Float64Array | ArrayLike<number> | number> {
  readonly observationSpace: Box;
  readonly actionSpace: Box | Discrete;
  readonly observationSize: number;
  reset(args?: ResetArguments): ResetResult<Float64Array>;
  step(action: Action): StepResult<Float64Array>;
  snapshot(out?: EnvSnapshot): EnvSnapshot;
  restore(snapshot: EnvSnapshot): Float64Array;
}
