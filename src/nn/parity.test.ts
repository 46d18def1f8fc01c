/**
 * Forward parity with PyTorch 1.13: fixtures from scripts/make-nn-fixtures.py (fixed random
 * weights, eval mode). Our layers must reproduce nn.MultiheadAttention, nn.TransformerEncoderLayer
 * (post-norm, exact GELU) with attention pooling, and nn.TransformerDecoderLayer with a causal mask.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { initEngine, readArraySync } from './engine.js';
import { ForwardContext } from './forward-context.js';
import { numpy as np, tree } from './jax.js';
import { initAttention, multiHeadAttention } from './attention.js';
import { causalBias, paddingBias } from './masks.js';
import { paramsFromNamed } from './serialization.js';
import { TemporalEncoder } from './temporal-encoder.js';
import { decoderLayer, initDecoderLayer } from './transformer-layers.js';

type Tensor = { shape: number[]; data: number[] };
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/nn/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

function expectClose(actual: Float32Array, expected: Tensor, tolerance = 2e-5): void {
  expect(actual.length).toBe(expected.data.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected.data[i]!) / (1 + Math.abs(expected.data[i]!)));
  expect(worst).toBeLessThan(tolerance);
}

const input = (t: Tensor) => np.array(Float32Array.from(t.data), { shape: t.shape });

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

describe('parity with PyTorch', () => {
  it('multi-head self-attention matches nn.MultiheadAttention, including averaged weights', () => {
    const f = fixture('attention.json') as { params: Record<string, Tensor>; x: Tensor; output: Tensor; weights: Tensor };
    const params = paramsFromNamed(initAttention(new Rng(0), 8), f.params);
    const [output, weights] = multiHeadAttention(params, input(f.x), null, ForwardContext.evaluation(), { numHeads: 2, returnWeights: true });
    expectClose(readArraySync(output), f.output);
    expectClose(readArraySync(weights!), f.weights);
  });

  it('attention over six keys (padded internally to eight) with a key padding mask matches nn.MultiheadAttention', () => {
    const f = fixture('attention-padded-keys.json') as { params: Record<string, Tensor>; x: Tensor; lengths: number[]; output: Tensor; weights: Tensor };
    const params = paramsFromNamed(initAttention(new Rng(0), 8), f.params);
    const bias = paddingBias(f.lengths, 6);
    const [output, weights] = multiHeadAttention(params, input(f.x), null, ForwardContext.evaluation(), { numHeads: 2, returnWeights: true, bias });
    expectClose(readArraySync(output), f.output);
    expect(weights!.shape).toEqual([2, 6, 6]);
    expectClose(readArraySync(weights!), f.weights);
  });

  it('TemporalEncoder (post-norm encoder, sinusoidal positions, attention pooling) matches PyTorch', () => {
    const f = fixture('temporal-encoder.json') as {
      config: { featureDim: number; hiddenDim: number; numHeads: number; numLayers: number; feedForward: number; dropout: number };
      params: Record<string, Tensor>;
      x: Tensor;
      lengths: number[];
      pooled: Tensor;
      weights: Tensor;
      pooledMasked: Tensor;
      weightsMasked: Tensor;
    };
    const encoder = new TemporalEncoder(f.config);
    const params = paramsFromNamed(encoder.init(0), f.params);
    const keep = { ...params };
    const [pooled, weights] = encoder.applyWithWeights(tree.ref(keep), input(f.x), ForwardContext.evaluation());
    expectClose(readArraySync(pooled), f.pooled);
    expectClose(readArraySync(weights), f.weights);
    const [pooledMasked, weightsMasked] = encoder.applyWithWeights(params, input(f.x), ForwardContext.evaluation(), f.lengths);
    expectClose(readArraySync(pooledMasked), f.pooledMasked);
    expectClose(readArraySync(weightsMasked), f.weightsMasked);
  });

  it('decoder layer with a causal target mask matches nn.TransformerDecoderLayer', () => {
    const f = fixture('decoder-layer.json') as { config: { dModel: number; numHeads: number; feedForward: number }; params: Record<string, Tensor>; target: Tensor; memory: Tensor; output: Tensor };
    const config = { ...f.config, dropout: 0, gelu: 'exact' as const, normFirst: false };
    const params = paramsFromNamed(initDecoderLayer(new Rng(0), config), f.params);
    const length = f.target.shape[1]!;
    const output = decoderLayer(params, input(f.target), input(f.memory), ForwardContext.evaluation(), config, causalBias(length), null);
    expectClose(readArraySync(output), f.output);
  });
});

