/**
 * N environments stepped in one call, observations in one preallocated `[N × observationSize]`
 * buffer (each environment writes its own row). Auto-reset is explicit:
 * - `same-step`: an environment that finishes is reset in the same call; the observation that
 *   ended its episode is kept in `finalObservations` (row flagged in `hasFinal`).
 * - `next-step` (Gymnasium's default): the call after an environment finished resets it instead
 *   of stepping it; its action is ignored, its reward is 0 and `wasReset` flags the row.
 * - `disabled`: a finished environment is left alone (reward 0, flags kept) until `resetAt(i)`.
 */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import type { Env, ResetArguments, StepInfo } from './types.js';

export type AutoResetMode = 'same-step' | 'next-step' | 'disabled';

export interface VectorEnvOptions {
  autoReset?: AutoResetMode;
}

export class VectorEnv {
  readonly count: number;
  readonly envs: Env<ArrayLike<number>>[];
  readonly observationSize: number;
  readonly actionSize: number;
  readonly autoReset: AutoResetMode;
  readonly observations: Float64Array;
  readonly finalObservations: Float64Array;
  readonly hasFinal: Uint8Array;
  /** Portfolio value at the end of an episode finished in the last call (same-step mode). */
  readonly finalValues: Float64Array;
  readonly wasReset: Uint8Array;
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  /** Each environment's (reused) info object. */
  readonly infos: StepInfo[];
  private readonly actionBuffer: Float64Array;
  private readonly actionViews: Float64Array[];
  private readonly done: Uint8Array;

  /**
   * `makeEnv(i, row)` must build an environment writing its observations into `row` (it is called
   * once more first with `row` undefined, to learn the observation size). In same-step mode the
   * info of a finished step is overwritten by the reset: its final value is kept in `finalValues`.
   */
  constructor(count: number, makeEnv: (index: number, observationBuffer: Float64Array | undefined) => Env<ArrayLike<number>>, options: VectorEnvOptions = {}) {
    if (!(Number.isInteger(count) && count > 0)) throw new GrpoTraderError(ErrorCodes.invalidArgument, `count must be a positive integer, got ${count}`);
    this.count = count;
    this.autoReset = options.autoReset ?? 'same-step';
    // Build one environment first to learn the sizes, then the shared buffer and the others.
    const probe = makeEnv(0, undefined);
    this.observationSize = probe.observationSize;
    this.actionSize = probe.actionSpace.kind === 'box' ? probe.actionSpace.size : 1;
    this.observations = new Float64Array(count * this.observationSize);
    this.finalObservations = new Float64Array(count * this.observationSize);
    this.envs = [];
    for (let i = 0; i < count; i++) this.envs.push(makeEnv(i, this.observations.subarray(i * this.observationSize, (i + 1) * this.observationSize)));
    this.hasFinal = new Uint8Array(count);
    this.finalValues = new Float64Array(count);
    this.wasReset = new Uint8Array(count);
    this.rewards = new Float64Array(count);
    this.terminated = new Uint8Array(count);
    this.truncated = new Uint8Array(count);
    this.done = new Uint8Array(count);
    this.actionBuffer = new Float64Array(count * this.actionSize);
    this.actionViews = [];
    for (let i = 0; i < count; i++) this.actionViews.push(this.actionBuffer.subarray(i * this.actionSize, (i + 1) * this.actionSize));
    this.infos = this.envs.map(() => undefined as unknown as StepInfo);
  }

  /** Reset every environment; with a seed, environment i is seeded with seed + i. */
  reset(args: ResetArguments = {}): Float64Array {
    for (let i = 0; i < this.count; i++) this.resetAt(i, args.seed === undefined ? { options: args.options } : { seed: args.seed + i, options: args.options });
    return this.observations;
  }

  /** Reset environment i alone (its observation row is rewritten). */
  resetAt(index: number, args: ResetArguments = {}): void {
    this.infos[index] = this.envs[index]!.reset(args).info;
    this.done[index] = 0;
    this.terminated[index] = 0;
    this.truncated[index] = 0;
  }

  /** Step every environment with `actions` laid out `[N × actionSize]`; results in the public buffers. */
  step(actions: ArrayLike<number>): Float64Array {
    if (actions.length !== this.actionBuffer.length) throw new GrpoTraderError(ErrorCodes.invalidArgument, `actions has ${actions.length} values, expected ${this.count} × ${this.actionSize}`);
    for (let i = 0; i < actions.length; i++) this.actionBuffer[i] = actions[i]!;
    const size = this.observationSize;
    for (let i = 0; i < this.count; i++) {
      this.hasFinal[i] = 0;
      this.wasReset[i] = 0;
      if (this.done[i]) {
        this.rewards[i] = 0;
        if (this.autoReset === 'next-step') {
          this.resetAt(i);
          this.wasReset[i] = 1;
        }
        continue;
      }
      const result = this.envs[i]!.step(this.actionViews[i]!);
      this.rewards[i] = result.reward;
      this.terminated[i] = result.terminated ? 1 : 0;
      this.truncated[i] = result.truncated ? 1 : 0;
      this.infos[i] = result.info;
      if (result.terminated || result.truncated) {
        if (this.autoReset === 'same-step') {
          this.finalValues[i] = result.info.portfolioValue;
          const row = i * size;
          for (let k = 0; k < size; k++) this.finalObservations[row + k] = this.observations[row + k]!;
          this.hasFinal[i] = 1;
          this.envs[i]!.reset();
        } else {
          this.done[i] = 1;
        }
      }
    }
    return this.observations;
  }
}
