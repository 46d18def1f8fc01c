/**
 * Gradient checks: for every module, jax-js's reverse-mode gradient of a scalar loss (a fixed random
 * projection of the module's outputs) agrees with central finite differences, at one random entry
 * of every parameter tensor. Tiny dimensions, float32, ε = 1e-2.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { ActorCritic } from './actor-critic.js';
import { DistributionalValueNetwork } from './distributional-value.js';
import { initEngine, readArraySync } from './engine.js';
import { FeatureAttentionModule } from './feature-attention.js';
import { ForwardContext } from './forward-context.js';
import { grad, jit, numpy as np, tree } from './jax.js';
import type { Array, JsTree } from './jax.js';
import { causalBias } from './masks.js';
import { DeepSeekPolicyNetwork, squashedGaussianLogProbability } from './policy-network.js';
import { QValueHead } from './q-value-head.js';
import { namedLeaves } from './serialization.js';
import { TemporalEncoder } from './temporal-encoder.js';
import { decoderLayer, initDecoderLayer } from './transformer-layers.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

const randomData = (rng: Rng, size: number, scale = 1) => Float32Array.from({ length: size }, () => rng.normal() * scale);
const constant = (data: Float32Array, shape: number[]) => np.array(data, { shape });

/** Check ∂loss/∂θ at one random entry of every leaf. `loss` consumes its params. */
function checkGradients<P extends JsTree<Array>>(params: P, loss: (p: P) => Array, seed: number, epsilon = 1e-2): void {
  const rng = new Rng(seed);
  const gradients = (grad(loss) as unknown as (p: P) => P)(tree.ref(params));
  const gradientLeaves = namedLeaves(gradients);
  const paramLeaves = namedLeaves(params);
  const [, definition] = tree.flatten(params);
  const values = paramLeaves.map(([, leaf]) => readArraySync(leaf.ref));
  const shapes = paramLeaves.map(([, leaf]) => leaf.shape.slice());
  tree.dispose(params);
  const evaluate = jit(loss as never) as unknown as ((p: P) => Array) & { dispose(): void };
  const lossAt = (leafIndex: number, entry: number, delta: number): number => {
    const leaves = values.map((data, i) => {
      if (i !== leafIndex) return np.array(data, { shape: shapes[i]! });
      const copy = data.slice();
      copy[entry] = copy[entry]! + delta;
      return np.array(copy, { shape: shapes[i]! });
    });
    return readArraySync(evaluate(tree.unflatten(definition, leaves) as P))[0]!;
  };
  const failures: string[] = [];
  let informative = 0;
  gradientLeaves.forEach(([name, leaf], leafIndex) => {
    const analytic = readArraySync(leaf);
    const entry = rng.int(analytic.length);
    const numeric = (lossAt(leafIndex, entry, epsilon) - lossAt(leafIndex, entry, -epsilon)) / (2 * epsilon);
    if (Math.abs(numeric) > 1e-2) informative += 1;
    const error = Math.abs(numeric - analytic[entry]!);
    if (error > 2e-3 + 3e-2 * Math.max(Math.abs(numeric), Math.abs(analytic[entry]!))) failures.push(`${name}[${entry}]: analytic ${analytic[entry]} vs numeric ${numeric}`);
  });
  evaluate.dispose();
  expect(failures).toEqual([]);
  // Guard against a vacuous check: most sampled entries must have a clearly non-zero derivative.
  expect(informative).toBeGreaterThanOrEqual(Math.ceil(gradientLeaves.length / 2));
}

describe('gradients match finite differences', () => {
  it('TemporalEncoder with attention pooling and padded sequences', () => {
    const encoder = new TemporalEncoder({ featureDim: 3, hiddenDim: 8, numHeads: 2, numLayers: 1, feedForward: 12, dropout: 0 });
    const rng = new Rng(1);
    const x = randomData(rng, 2 * 5 * 3);
    const projection = randomData(rng, 2 * 8);
    checkGradients(
      encoder.init(2),
      (p) => encoder.apply(p, constant(x, [2, 5, 3]), ForwardContext.evaluation(), [5, 3]).mul(constant(projection, [2, 8])).sum(),
      3,
    );
  });

  it('TemporalEncoder with learned positions, pre-norm and mean pooling', () => {
    const encoder = new TemporalEncoder({ featureDim: 3, hiddenDim: 8, numHeads: 2, numLayers: 1, feedForward: 12, dropout: 0, positional: 'learned', pooling: 'mean', normFirst: true, maxLength: 8 });
    const rng = new Rng(4);
    const x = randomData(rng, 2 * 4 * 3);
    const projection = randomData(rng, 2 * 8);
    checkGradients(encoder.init(5), (p) => encoder.apply(p, constant(x, [2, 4, 3]), ForwardContext.evaluation()).mul(constant(projection, [2, 8])).sum(), 6);
  });

  it('decoder layer with causal self-attention and cross-attention', () => {
    const config = { dModel: 8, numHeads: 2, feedForward: 12, dropout: 0, gelu: 'exact' as const, normFirst: false };
    const rng = new Rng(7);
    const target = randomData(rng, 2 * 3 * 8);
    const memory = randomData(rng, 2 * 4 * 8);
    const projection = randomData(rng, 2 * 3 * 8);
    checkGradients(
      initDecoderLayer(new Rng(8), config),
      (p) =>
        decoderLayer(p, constant(target, [2, 3, 8]), constant(memory, [2, 4, 8]), ForwardContext.evaluation(), config, causalBias(3))
          .mul(constant(projection, [2, 3, 8]))
          .sum(),
      9,
    );
  });

  it('FeatureAttentionModule outputs and importance weights', () => {
    const module = new FeatureAttentionModule({ featureDim: 4, hiddenDim: 8, numHeads: 2 });
    const rng = new Rng(10);
    const x = randomData(rng, 2 * 3 * 4);
    const a = randomData(rng, 2 * 3 * 4);
    const b = randomData(rng, 2 * 3 * 8);
    checkGradients(
      module.init(11),
      (p) => {
        const out = module.apply(p, constant(x, [2, 3, 4]), ForwardContext.evaluation());
        return out.weighted.mul(constant(a, [2, 3, 4])).sum().add(out.attended.mul(constant(b, [2, 3, 8])).sum()).add(out.importance.mul(constant(a, [2, 3, 4])).sum());
      },
      12,
    );
  });

  it('DeepSeekPolicyNetwork, discrete head', () => {
    const policy = new DeepSeekPolicyNetwork({ stateDim: 4, actionDim: 3, hiddenDim: 8, numLayers: 1, numHeads: 2, dropout: 0 });
    const rng = new Rng(13);
    const states = randomData(rng, 2 * 3 * 4);
    const projection = randomData(rng, 2 * 3);
    checkGradients(policy.init(14), (p) => policy.logProbabilities(p, constant(states, [2, 3, 4]), ForwardContext.evaluation()).mul(constant(projection, [2, 3])).sum(), 15);
  });

  it('DeepSeekPolicyNetwork, squashed Gaussian head log-density', () => {
    const policy = new DeepSeekPolicyNetwork({ stateDim: 4, actionDim: 2, hiddenDim: 8, numLayers: 1, numHeads: 2, dropout: 0, actionSpace: 'gaussian', initialLogStd: -0.5 });
    const rng = new Rng(16);
    const states = randomData(rng, 2 * 4);
    const preTanh = randomData(rng, 2 * 2, 0.5);
    checkGradients(
      policy.init(17),
      (p) => {
        const [means, logStd] = policy.gaussian(p, constant(states, [2, 4]), ForwardContext.evaluation());
        return squashedGaussianLogProbability(means, logStd, constant(preTanh, [2, 2])).sum();
      },
      18,
    );
  });

  it('DistributionalValueNetwork log-probabilities over atoms', () => {
    const critic = new DistributionalValueNetwork({ stateDim: 4, actionDim: 3, hiddenDim: 8, numHeads: 2, numAtoms: 11, dropout: 0 });
    const rng = new Rng(19);
    const states = randomData(rng, 2 * 4);
    const actions = Float32Array.from([1, 0, 0, 0, 0, 1]);
    const target = Float32Array.from({ length: 22 }, (_, i) => (i % 11 === 2 ? 4 : i % 11 === 9 ? -3 : 0.5));
    checkGradients(
      critic.init(20),
      (p) => critic.logProbabilities(p, constant(states, [2, 4]), constant(actions, [2, 3]), ForwardContext.evaluation()).mul(constant(target, [2, 11])).sum().mul(-1),
      21,
    );
  });

  it('Q-value head and the actor-critic training loss', () => {
    const head = new QValueHead(4, 3, 8);
    const rng = new Rng(22);
    const states = randomData(rng, 3 * 4);
    const actions = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const weights = randomData(rng, 3);
    checkGradients(head.init(23), (p) => head.apply(p, constant(states, [3, 4]), constant(actions, [3, 3])).mul(constant(weights, [3])).sum(), 24);

    const model = new ActorCritic({ featureDim: 3, hiddenDim: 8, numHeads: 2, numLayers: 1, feedForward: 12, dropout: 0, numActions: 3, pooling: 'mean', positional: 'learned', maxLength: 8 });
    const x = randomData(rng, 3 * 4 * 3);
    const advantages = randomData(rng, 3);
    const returns = randomData(rng, 3);
    checkGradients(
      model.init(25),
      (p) => model.loss(p, constant(x, [3, 4, 3]), constant(actions, [3, 3]), constant(advantages, [3]), constant(returns, [3])),
      26,
    );
  });
});
