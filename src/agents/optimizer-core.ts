/**
 * The optimisation half of the policy-gradient core: value-and-gradient of an algorithm's loss
 * (with auxiliary statistics), global-norm gradient clipping, Adam, and a learning-rate schedule,
 * compiled once into one jitted program. Both algorithms (group-relative GRPO and the
 * reward-penalty agent) drive their networks through it.
 */
import { adamScalars, adamUpdate, initAdamState } from '../nn/index.js';
import type { AdamOptions, AdamState, LearningRateSchedule } from '../nn/index.js';
import { jit, numpy as np, tree, valueAndGrad } from '../nn/jax.js';
import type { Array, JsTree } from '../nn/jax.js';

/** A scalar loss plus a 1-D array of statistics, of (params, ...batch); must consume its arguments. */
export type LossWithStatistics<P> = (params: P, ...batch: Array[]) => [Array, Array];

type Step<P> = (params: P, state: AdamState<P>, scalars: Array, ...batch: Array[]) => [P, AdamState<P>, Array, Array];

export class OptimizerCore<P extends JsTree<Array>> {
  params: P;
  state: AdamState<P>;
  /** Completed optimiser steps. */
  step = 0;
  private readonly compiled: Step<P> & { dispose(): void };

  /** Takes ownership of `params`. */
  constructor(
    params: P,
    loss: LossWithStatistics<P>,
    readonly options: AdamOptions,
    readonly schedule: LearningRateSchedule,
  ) {
    this.params = params;
    this.state = initAdamState(params);
    const lossAndGrad = valueAndGrad(loss as (params: P, ...batch: Array[]) => [Array, Array], { hasAux: true }) as unknown as (
      params: P,
      ...batch: Array[]
    ) => [[Array, Array], P];
    const step: Step<P> = (p, state, scalars, ...batch) => {
      const [[value, statistics], grads] = lossAndGrad(tree.ref(p), ...batch);
      const updated = adamUpdate(p, grads, state, scalars, options);
      return [updated.params, updated.state, value, statistics];
    };
    this.compiled = jit(step as never) as unknown as Step<P> & { dispose(): void };
  }

  /** Learning rate of the next step. */
  nextLearningRate(): number {
    return this.schedule(this.step + 1);
  }

  /** One step on a batch (consumed). Returns [loss, statistics]; the caller reads or disposes them. */
  update(...batch: Array[]): [Array, Array] {
    const scalars = np.array(adamScalars(this.options, this.step + 1, this.schedule(this.step + 1)));
    const [params, state, loss, statistics] = this.compiled(this.params, this.state, scalars, ...batch);
    this.params = params;
    this.state = state;
    this.step += 1;
    return [loss, statistics];
  }

  /** Replace parameters, optimiser moments and the step counter (all taken over), e.g. from a checkpoint. */
  load(params: P, state: AdamState<P>, step: number): void {
    tree.dispose(this.params);
    tree.dispose(this.state);
    this.params = params;
    this.state = state;
    this.step = step;
  }

  dispose(): void {
    tree.dispose(this.params);
    tree.dispose(this.state);
    this.compiled.dispose();
  }
}
