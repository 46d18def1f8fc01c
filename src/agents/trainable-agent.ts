/** What the training loop needs from an algorithm: update, act, and save/restore of everything. */
import type { Array, JsTree } from '../nn/jax.js';
import type { DecisionExplanation } from './explain.js';
import type { Env } from '../env/types.js';

/** Host-side state of an agent, restored exactly by `setState` (environment snapshots included). */
export interface AgentHostState {
  updates: number;
  envSteps: number;
  episodes: number;
  optimizerStep: number;
  rng: number[];
  snapshots: Float64Array[];
  /** Algorithm-specific extras (e.g. the meta-controller's coefficients). */
  extra?: Record<string, number>;
}

export interface TrainableAgent {
  readonly algorithm: string;
  readonly observationSize: number;
  /** Completed updates. */
  readonly updates: number;
  /** The environments it learns from. */
  readonly envs: readonly Env[];
  /** Learn from these environments instead (same count and spaces; e.g. over a market that grew). */
  replaceEnvironments(envs: readonly Env[]): void;
  /** Collect experience and optimise once; returns the update's metrics. */
  update(): Promise<Record<string, number>>;
  /** Deterministic actions for `count` observations: weight vectors, or discrete indices. */
  act(observations: Float32Array, count: number): Promise<Float64Array>;
  /** What `count` decisions attended to (the deepseek policy only; others throw a coded error). */
  explain(observations: Float32Array, count: number): Promise<DecisionExplanation[]>;
  /** Every jax array of the agent (parameters, optimiser moments, reference), owned by the agent. */
  networks(): JsTree<Array>;
  /** Replace every jax array (takes ownership of `tree`, shaped like `networks()`). */
  loadNetworks(tree: JsTree<Array>): void;
  getState(): AgentHostState;
  setState(state: AgentHostState): void;
  dispose(): void;
}
