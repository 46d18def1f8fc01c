/** Shared by the nn tests and the nn benchmark: a seeded random ActorCritic training batch. */
import { Rng } from '../core/index.js';
import { numpy as np } from './jax.js';
import type { Array } from './jax.js';

export interface TrainingBatch {
  x: Float32Array;
  /** One-hot actions, [batch, numActions]. */
  actions: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  shape: [number, number, number];
  numActions: number;
}

/** Standard-normal states [batch, sequence, features], uniform one-hot actions, normal advantages and returns. */
export function randomTrainingBatch(seed: number, batch: number, sequence: number, features: number, numActions = 3): TrainingBatch {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: batch * sequence * features }, () => rng.normal());
  const actions = new Float32Array(batch * numActions);
  for (let b = 0; b < batch; b++) actions[b * numActions + rng.int(numActions)] = 1;
  const advantages = Float32Array.from({ length: batch }, () => rng.normal());
  const returns = Float32Array.from({ length: batch }, () => rng.normal());
  return { x, actions, advantages, returns, shape: [batch, sequence, features], numActions };
}

/** The batch as fresh jax arrays, in ActorCritic.loss's argument order. */
export function batchArrays(data: TrainingBatch): [Array, Array, Array, Array] {
  return [
    np.array(data.x, { shape: data.shape }),
    np.array(data.actions, { shape: [data.shape[0], data.numActions] }),
    np.array(data.advantages),
    np.array(data.returns),
  ];
}
