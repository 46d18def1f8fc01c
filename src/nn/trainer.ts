/**
 * A jitted training step: value-and-gradient of a loss over a parameter tree plus an Adam/AdamW
 * update, compiled once into one jax-js program. The trainer owns the parameters and optimiser state.
 */
import { jit, numpy as np, tree, valueAndGrad } from './jax.js';
import type { Array, JsTree, OwnedFunction } from './jax.js';
import { adamScalars, adamUpdate, initAdamState } from './optimizer.js';
import type { AdamOptions, AdamState } from './optimizer.js';
import { constantSchedule } from './schedules.js';
import type { LearningRateSchedule } from './schedules.js';

/** A scalar loss of (params, ...batch); must consume its arguments. */
export type LossFunction<P> = (params: P, ...batch: Array[]) => Array;

type StepFunction<P> = OwnedFunction<(params: P, state: AdamState<P>, scalars: Array, ...batch: Array[]) => [P, AdamState<P>, Array]>;

/** Compile loss + gradient + optimiser update into one jitted function. */
export function compileTrainStep<P extends JsTree<Array>>(loss: LossFunction<P>, options: AdamOptions): StepFunction<P> {
  const lossAndGrad = valueAndGrad(loss as (params: P, ...batch: Array[]) => Array);
  const step = (params: P, state: AdamState<P>, scalars: Array, ...batch: Array[]): [P, AdamState<P>, Array] => {
    const [value, grads] = (lossAndGrad as unknown as (p: P, ...b: Array[]) => [Array, P])(tree.ref(params), ...batch);
    const updated = adamUpdate(params, grads, state, scalars, options);
    return [updated.params, updated.state, value];
  };
  return jit(step as never) as unknown as StepFunction<P>;
}

export class Trainer<P extends JsTree<Array>> {
  params: P;
  state: AdamState<P>;
  /** Completed steps. */
  step = 0;
  readonly options: AdamOptions;
  private readonly schedule: LearningRateSchedule;
  private readonly compiled: StepFunction<P>;

  /** Takes ownership of `params`. */
  constructor(params: P, loss: LossFunction<P>, options: AdamOptions, schedule?: LearningRateSchedule) {
    this.params = params;
    this.state = initAdamState(params);
    this.options = options;
    this.schedule = schedule ?? constantSchedule(options.learningRate);
    this.compiled = compileTrainStep(loss, options);
  }

  /** Learning rate the next step will use. */
  nextLearningRate(): number {
    return this.schedule(this.step + 1);
  }

  /** One optimisation step on a batch (consumed). Returns the loss array (caller reads or disposes it). */
  update(...batch: Array[]): Array {
    const learningRate = this.schedule(this.step + 1);
    const scalars = np.array(adamScalars(this.options, this.step + 1, learningRate));
    const [params, state, loss] = this.compiled(this.params, this.state, scalars, ...batch);
    this.params = params;
    this.state = state;
    this.step += 1;
    return loss;
  }

  /** Free the parameters, optimiser state and compiled program. */
  dispose(): void {
    tree.dispose(this.params);
    tree.dispose(this.state);
    this.compiled.dispose();
  }
}
