/**
 * Run one deterministic episode of a policy (or a baseline) through an environment and summarise
 * its net returns: annualised Sharpe (core's `sharpeRatio`, the one every report uses), total return.
 */
import { Rng, sharpeRatio } from '../core/index.js';
import type { Env } from '../env/index.js';

export interface EpisodeSummary {
  steps: number;
  totalReturn: number;
  meanReturn: number;
  sharpe: number;
  finalValue: number;
  returns: Float64Array;
}

/** Chooses an action (a weight vector, or a discrete index in a length-1 array) from an observation. */
export type ActionChooser = (observation: Float64Array) => Promise<ArrayLike<number>> | ArrayLike<number>;

/** Run from `env.reset({ options: { start } })` (default: the env's first start) to the episode's end. */
export async function runEpisode(env: Env, choose: ActionChooser, start?: number, periodsPerYear = 252): Promise<EpisodeSummary> {
  let observation = env.reset(start === undefined ? {} : { options: { start } }).observation;
  const returns: number[] = [];
  let value: number;
  let initial = Number.NaN;
  for (;;) {
    const action = await choose(observation);
    const result = env.step(env.actionSpace.kind === 'discrete' ? action[0]! : action);
    if (Number.isNaN(initial)) initial = result.info.valueBeforeCosts;
    returns.push(result.info.portfolioReturn);
    value = result.info.portfolioValue;
    observation = result.observation;
    if (result.terminated || result.truncated) break;
  }
  const typed = Float64Array.from(returns);
  const mean = returns.reduce((a, b) => a + b, 0) / Math.max(1, returns.length);
  return { steps: returns.length, totalReturn: value / initial - 1, meanReturn: mean, sharpe: sharpeRatio(typed, periodsPerYear), finalValue: value, returns: typed };
}

/** Equal weight 1/A in every asset (continuous envs) — the usual baseline; always-long for discrete ladders. */
export function equalWeightChooser(env: Env): ActionChooser {
  if (env.actionSpace.kind === 'discrete') {
    const n = env.actionSpace.n;
    const action = [n - 1];
    return () => action;
  }
  const size = env.actionSpace.size;
  const action = new Float64Array(size).fill(1 / size);
  return () => action;
}

/** Uniformly random actions from the action space (seeded). */
export function randomChooser(env: Env, seed = 0): ActionChooser {
  const rng = new Rng(seed);
  const space = env.actionSpace;
  if (space.kind === 'discrete') return () => [rng.int(space.n)];
  const action = new Float64Array(space.size);
  return () => {
    for (let a = 0; a < action.length; a++) action[a] = rng.uniform(space.low[a]!, space.high[a]!);
    return action;
  };
}
