/** Behaviour of the networks: determinism, masks, dropout modes, heads, the typed-array boundary. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, isGrpoTraderError } from '../core/index.js';
import { initEngine, readArraySync } from './engine.js';
import { FeatureAttentionModule } from './feature-attention.js';
import { ForwardContext } from './forward-context.js';
import { numpy as np, random, tree } from './jax.js';
import { causalBias } from './masks.js';
import { DeepSeekPolicyNetwork, squashedGaussianLogProbability } from './policy-network.js';
import { Predictor } from './predict.js';
import { QValueHead } from './q-value-head.js';
import { namedLeaves } from './serialization.js';
import { TemporalEncoder } from './temporal-encoder.js';
import { decoderLayer, initDecoderLayer } from './transformer-layers.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

const data = (seed: number, size: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: size }, () => rng.normal());
};

describe('determinism', () => {
  it('the same seed gives bit-identical parameters and outputs; another seed does not', () => {
    const encoder = new TemporalEncoder({ featureDim: 3, hiddenDim: 8, numHeads: 2, numLayers: 1 });
    const x = data(1, 2 * 5 * 3);
    const run = (seed: number) => readArraySync(encoder.apply(encoder.init(seed), np.array(x, { shape: [2, 5, 3] }), ForwardContext.evaluation()));
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('initialises Linear layers inside PyTorch’s U(±1/√fan_in) and LayerNorm to ones and zeros', () => {
    const encoder = new TemporalEncoder({ featureDim: 16, hiddenDim: 8, numHeads: 2, numLayers: 1 });
    const leaves = new Map(namedLeaves(encoder.init(3)).map(([name, leaf]) => [name, readArraySync(leaf)]));
    expect(Math.max(...leaves.get('featureEmbedding.weight')!.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...leaves.get('featureEmbedding.weight')!.map(Math.abs))).toBeGreaterThan(0.2);
    expect(Array.from(leaves.get('layers.0.norm1.weight')!)).toEqual(new Array(8).fill(1));
    expect(Array.from(leaves.get('layers.0.selfAttention.outProjection.bias')!)).toEqual(new Array(8).fill(0));
  });
});

describe('masks', () => {
  it('a padded sequence encodes exactly like the unpadded one, whatever the padding holds', () => {
    const encoder = new TemporalEncoder({ featureDim: 3, hiddenDim: 8, numHeads: 2, numLayers: 2 });
    const params = encoder.init(4);
    const valid = data(2, 4 * 3);
    const padded = new Float32Array(6 * 3);
    padded.set(valid);
    padded.fill(123, 4 * 3);
    const short = readArraySync(encoder.apply(tree.ref(params), np.array(valid, { shape: [1, 4, 3] }), ForwardContext.evaluation()));
    const long = readArraySync(encoder.apply(params, np.array(padded, { shape: [1, 6, 3] }), ForwardContext.evaluation(), [4]));
    short.forEach((value, i) => expect(long[i]).toBeCloseTo(value, 5));
  });

  it('with a causal mask, changing a later target step leaves earlier outputs unchanged', () => {
    const config = { dModel: 8, numHeads: 2, feedForward: 16, dropout: 0, gelu: 'exact' as const, normFirst: false };
    const params = initDecoderLayer(new Rng(5), config);
    const target = data(3, 5 * 8);
    const memory = data(4, 3 * 8);
    const perturbed = target.slice();
    for (let i = 3 * 8; i < 5 * 8; i++) perturbed[i] = perturbed[i]! + 10;
    const run = (t: Float32Array) =>
      readArraySync(decoderLayer(tree.ref(params), np.array(t, { shape: [1, 5, 8] }), np.array(memory, { shape: [1, 3, 8] }), ForwardContext.evaluation(), config, causalBias(5)));
    const before = run(target);
    const after = run(perturbed);
    expect(Array.from(after.subarray(0, 3 * 8))).toEqual(Array.from(before.subarray(0, 3 * 8)));
    expect(Array.from(after.subarray(3 * 8))).not.toEqual(Array.from(before.subarray(3 * 8)));
    tree.dispose(params);
  });
});

describe('train and eval modes', () => {
  it('dropout is off in evaluation, keyed and reproducible in training', () => {
    const encoder = new TemporalEncoder({ featureDim: 3, hiddenDim: 8, numHeads: 2, numLayers: 1, dropout: 0.5 });
    const params = encoder.init(6);
    const x = data(5, 2 * 4 * 3);
    const run = (context: ForwardContext) => {
      const out = readArraySync(encoder.apply(tree.ref(params), np.array(x, { shape: [2, 4, 3] }), context));
      context.dispose();
      return out;
    };
    const evaluation = run(ForwardContext.evaluation());
    expect(run(ForwardContext.evaluation())).toEqual(evaluation);
    const trainingA = run(new ForwardContext(true, random.key(1)));
    expect(run(new ForwardContext(true, random.key(1)))).toEqual(trainingA);
    expect(trainingA).not.toEqual(evaluation);
    expect(run(new ForwardContext(true, random.key(2)))).not.toEqual(trainingA);
    tree.dispose(params);
  });
});

describe('heads', () => {
  it('the discrete policy returns log-probabilities that sum to one, from flat or sequential states', () => {
    const policy = new DeepSeekPolicyNetwork({ stateDim: 4, actionDim: 3, hiddenDim: 16 });
    expect(policy.config).toMatchObject({ numLayers: 4, numHeads: 8, dropout: 0.1, feedForward: 64 });
    const params = policy.init(1);
    for (const shape of [[2, 4], [2, 3, 4]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const logProbabilities = readArraySync(policy.logProbabilities(tree.ref(params), np.array(data(7, size), { shape }), ForwardContext.evaluation()));
      for (let b = 0; b < 2; b++) expect(Math.exp(logProbabilities[b * 3]!) + Math.exp(logProbabilities[b * 3 + 1]!) + Math.exp(logProbabilities[b * 3 + 2]!)).toBeCloseTo(1, 5);
    }
    tree.dispose(params);
  });

  it('the squashed Gaussian log-density matches the change-of-variables formula', () => {
    const means = [0.1, -0.4];
    const logStd = [-0.5, 0.2];
    const u = [0.3, -1.2];
    let expected = 0;
    for (let i = 0; i < 2; i++) {
      const sigma = Math.exp(logStd[i]!);
      expected += -0.5 * ((u[i]! - means[i]!) / sigma) ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - Math.tanh(u[i]!) ** 2);
    }
    const actual = readArraySync(squashedGaussianLogProbability(np.array([means]), np.array(logStd), np.array([u])))[0]!;
    expect(actual).toBeCloseTo(expected, 4);
  });

  it('feature importance weights are a softmax over features for every step', () => {
    const module = new FeatureAttentionModule({ featureDim: 5, hiddenDim: 8, numHeads: 2 });
    const out = module.apply(module.init(2), np.array(data(8, 2 * 3 * 5), { shape: [2, 3, 5] }), ForwardContext.evaluation());
    const importance = readArraySync(out.importance);
    out.weighted.dispose();
    out.attended.dispose();
    for (let row = 0; row < 6; row++) expect(importance.subarray(row * 5, row * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe('typed-array boundary', () => {
  it('Predictor maps a Float32Array through a jitted forward pass', async () => {
    const head = new QValueHead(3, 2, 8);
    const params = head.init(3);
    const states = data(9, 4 * 3);
    const actions = Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1]);
    const direct = readArraySync(head.apply(tree.ref(params), np.array(states, { shape: [4, 3] }), np.array(actions, { shape: [4, 2] })));
    const joint = new Float32Array(4 * 5);
    for (let b = 0; b < 4; b++) {
      joint.set(states.subarray(b * 3, b * 3 + 3), b * 5);
      joint.set(actions.subarray(b * 2, b * 2 + 2), b * 5 + 3);
    }
    const predictor = new Predictor(params, (p, input) => head.apply(p, input.ref.slice([], [0, 3]), input.slice([], [3, 5])));
    // Same numbers as the eager call up to float32 rounding: jit fuses the slices into the matrix
    // kernel, where fused multiply-add (wasm-features.ts) may round differently from the eager kernel.
    const expectClose = (actual: Float32Array): void => {
      expect(actual).toHaveLength(direct.length);
      actual.forEach((value, i) => expect(value).toBeCloseTo(direct[i]!, 6));
    };
    const viaSync = predictor.predictSync(joint, [4, 5]);
    expectClose(viaSync);
    expect(await predictor.predict(joint, [4, 5])).toEqual(viaSync);
    expect(() => predictor.predictSync(joint, [3, 5])).toThrow(/input.length = 20: shape \[3, 5\] needs 15 values/);
    predictor.dispose();
  });

  it('initEngine refuses a non-positive thread count with a typed error', async () => {
    await expect(initEngine({ threads: 0 })).rejects.toSatisfy(isGrpoTraderError);
  });
});
