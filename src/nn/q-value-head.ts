/**
 * Q(s, a) for the reward-penalty agent (specification 3.2, `estimate_q_value(states, actions_onehot)`):
 * an MLP over the concatenated state and one-hot action, Linear → GELU → Linear → GELU → Linear(·, 1).
 */
import { Rng } from '../core/index.js';
import { numpy as np } from './jax.js';
import type { Array } from './jax.js';
import { gelu } from './activation.js';
import { initLinear, linear } from './linear.js';
import type { LinearParams } from './linear.js';

export type QValueParams = { layer1: LinearParams; layer2: LinearParams; output: LinearParams };

export class QValueHead {
  constructor(
    readonly stateDim: number,
    readonly actionDim: number,
    readonly hiddenDim: number,
  ) {}

  /** Fresh parameters (PyTorch default initialisation). */
  init(seed: number | Rng): QValueParams {
    const rng = typeof seed === 'number' ? new Rng(seed) : seed;
    return {
      layer1: initLinear(rng, this.stateDim + this.actionDim, this.hiddenDim),
      layer2: initLinear(rng, this.hiddenDim, this.hiddenDim),
      output: initLinear(rng, this.hiddenDim, 1),
    };
  }

  /** Q values [B] for states [B, S] and one-hot actions [B, A]. Consumes params and inputs. */
  apply(params: QValueParams, states: Array, actionsOneHot: Array): Array {
    const batch = states.shape[0]!;
    const joint = np.concatenate([states, actionsOneHot], -1);
    const hidden = gelu(linear(params.layer2, gelu(linear(params.layer1, joint))));
    return linear(params.output, hidden).reshape([batch]);
  }
}
