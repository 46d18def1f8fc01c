/**
 * Glue between trained agents and the evaluation: an agent chooses its actions asynchronously (its
 * network runs on jax-js), while `runEnvEpisode` takes a synchronous policy. The episode is played
 * once to collect the agent's actions, then replayed through `runEnvEpisode` — the environment is
 * deterministic, so the replay sees the same observations (checked) and records the run with the
 * same accounting as every other backtest. The recorded weights become a strategy table, so the agent
 * can join a `StrategyBenchmark` beside the baselines.
 */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import type { MultiAssetEnv } from '../env/multi-asset-env.js';
import { runEnvEpisode, type EnvEpisodeOptions } from './run-env-episode.js';
import { policyFromTargets } from './run-backtest.js';
import type { BacktestResult, Policy } from './types.js';

/** An observation → action function that may be asynchronous (a trained agent's deterministic `act`). */
export type AsyncObservationPolicy = (observation: Float64Array) => Promise<ArrayLike<number>> | ArrayLike<number>;

function checksum(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * ((i % 7) + 1);
  return sum;
}

/** One deterministic episode of an asynchronous policy, recorded by `runEnvEpisode`. */
export async function runAgentEpisode(env: MultiAssetEnv, choose: AsyncObservationPolicy, options: EnvEpisodeOptions = {}): Promise<BacktestResult> {
  const resetOptions: { start?: number; episodeLength?: number | null } = {};
  if (options.start !== undefined) resetOptions.start = options.start;
  if (options.episodeLength !== undefined) resetOptions.episodeLength = options.episodeLength;
  let observation = env.reset({ options: resetOptions }).observation;
  const actions: Float64Array[] = [];
  const sums: number[] = [];
  for (;;) {
    sums.push(checksum(observation));
    const action = Float64Array.from(await choose(observation));
    actions.push(action);
    const step = env.step(action);
    observation = step.observation;
    if (step.terminated || step.truncated) break;
  }
  let k = 0;
  const result = runEnvEpisode(
    env,
    (replayed) => {
      if (k >= actions.length || checksum(replayed) !== sums[k]) {
        throw new GrpoTraderError(ErrorCodes.internal, `the environment did not replay deterministically at step ${k}`);
      }
      return actions[k++]!;
    },
    options,
  );
  if (k !== actions.length) throw new GrpoTraderError(ErrorCodes.internal, `the replayed episode took ${k} steps, the first ${actions.length}`);
  return result;
}

/**
 * Target-weight table `[bar × asset]` (length bars × assets of the market the result ran on) that
 * replays a recorded run through `runBacktest`: the weights after each decision at the decision bars,
 * NaN (no trade) everywhere else — including the result's last row, where no decision is taken.
 */
export function targetsFromResult(result: BacktestResult, nBars: number): Float64Array {
  const n = result.symbols.length;
  const table = new Float64Array(nBars * n).fill(Number.NaN);
  for (let row = 0; row + 1 < result.barIndex.length; row++) {
    const bar = result.barIndex[row]!;
    for (let a = 0; a < n; a++) table[bar * n + a] = result.weights[row * n + a]!;
  }
  return table;
}

/** A recorded run (e.g. a trained agent's) as a policy for `runBacktest` / `StrategyBenchmark`. */
export function replayPolicy(name: string, result: BacktestResult, nBars: number): Policy {
  return policyFromTargets(name, targetsFromResult(result, nBars), result.symbols.length);
}
