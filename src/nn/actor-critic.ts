/**
 * A TemporalEncoder with a categorical policy head and a scalar value head: the network the issue's
 * benchmark trains (and a ready-made actor-critic for agents). Loss:
 *   −mean(log π(a|s) · advantage) + valueCoefficient · mean((V(s) − return)²)
 */
import { Rng } from '../core/index.js';
import { nn } from './jax.js';
import type { Array } from './jax.js';
import { ForwardContext } from './forward-context.js';
import { initLinear, linear } from './linear.js';
import type { LinearParams } from './linear.js';
import { TemporalEncoder } from './temporal-encoder.js';
import type { TemporalEncoderOptions, TemporalEncoderParams } from './temporal-encoder.js';

export interface ActorCriticOptions extends TemporalEncoderOptions {
  numActions: number;
  /** Weight of the value loss; default 0.5. */
  valueCoefficient?: number;
}

export type ActorCriticParams = { encoder: TemporalEncoderParams; policy: LinearParams; value: LinearParams };

export class ActorCritic {
  readonly encoder: TemporalEncoder;
  readonly numActions: number;
  readonly valueCoefficient: number;

  constructor(options: ActorCriticOptions) {
    const { numActions, valueCoefficient, ...encoderOptions } = options;
    this.encoder = new TemporalEncoder(encoderOptions);
    this.numActions = numActions;
    this.valueCoefficient = valueCoefficient ?? 0.5;
  }

  /** Fresh parameters from a seed. */
  init(seed: number | Rng): ActorCriticParams {
    const rng = typeof seed === 'number' ? new Rng(seed) : seed;
    const hidden = this.encoder.config.hiddenDim;
    return { encoder: this.encoder.init(rng), policy: initLinear(rng, hidden, this.numActions), value: initLinear(rng, hidden, 1) };
  }

  /** x [B, T, F] → [log-probabilities [B, A], values [B]]. Consumes params and x. */
  apply(params: ActorCriticParams, x: Array, context: ForwardContext): [Array, Array] {
    const batch = x.shape[0]!;
    const pooled = this.encoder.apply(params.encoder, x, context);
    const logProbabilities = nn.logSoftmax(linear(params.policy, pooled.ref), -1);
    const values = linear(params.value, pooled).reshape([batch]);
    return [logProbabilities, values];
  }

  /**
   * The training loss for x [B, T, F], one-hot actions [B, A], advantages [B], returns [B] and an
   * optional PRNG key for dropout. Consumes everything.
   */
  loss(params: ActorCriticParams, x: Array, actionsOneHot: Array, advantages: Array, returns: Array, key: Array | null = null): Array {
    const context = new ForwardContext(true, key);
    const [logProbabilities, values] = this.apply(params, x, context);
    context.dispose();
    const chosen = logProbabilities.mul(actionsOneHot).sum(-1);
    const policyLoss = chosen.mul(advantages).mean().mul(-1);
    const error = values.sub(returns);
    const valueLoss = error.ref.mul(error).mean();
    return policyLoss.add(valueLoss.mul(this.valueCoefficient));
  }
}
