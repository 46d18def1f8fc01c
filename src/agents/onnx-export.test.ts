/**
 * The exported ONNX policy, run in onnxruntime (the real consumer of the format), gives the jax-js
 * policy's outputs within 1e-5: the MLP graph and the traced encoder graphs (DeepSeek-R1,
 * per-asset); autoregressive policies are refused with a coded error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { MultiAssetEnv } from '../env/index.js';
import { initEngine } from '../nn/index.js';
import { numpy as np, tree } from '../nn/jax.js';
import type { Array as JaxArray } from '../nn/jax.js';
import { GroupRelativeGrpo } from './group-relative-grpo.js';
import { loadOnnxRuntime, OnnxSession } from './predictor.js';
import { RewardPenaltyAgent } from './reward-penalty-agent.js';
import { syntheticSignalMarket } from './synthetic-market.js';

const ort = await loadOnnxRuntime();
if (!ort) process.stderr.write('onnx: onnxruntime-node is not installed: the ONNX equivalence tests are skipped (npm install onnxruntime-node)\n');

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

describe('ONNX export of the policy', () => {
  const { market, features } = syntheticSignalMarket({ bars: 200, drifts: [0.001, 0, -0.001], signalStrengths: [0.01, 0.01, 0.01], noise: 0.01, seed: 4 });
  const env = () => new MultiAssetEnv(market, features, { lookback: 4, returnHistory: 3 });

  it.skipIf(!ort)('runs in onnxruntime with the same outputs as jax-js (≤ 1e-5), for both algorithms', async () => {
    // The plain MLP graph (any batch); the encoder policies are traced below.
    for (const agent of [new RewardPenaltyAgent([env()], { seed: 3, hiddenSizes: [32, 16], encoder: 'mlp' }), new GroupRelativeGrpo([env()], { seed: 5, hiddenSizes: [24], encoder: 'mlp' })]) {
      const session = await OnnxSession.create(ort!, await agent.exportOnnx({ note: 'test' }));
      const rng = new Rng(9);
      const count = 7;
      const observations = Float32Array.from({ length: count * agent.observationSize }, () => rng.normal());
      const onnx = await session.run(observations, count, agent.observationSize);
      const jax = await agent.policyOutputs(observations, count);
      expect(onnx.output.length).toBe(count * agent.actionSize);
      let worst = 0;
      for (let i = 0; i < jax.output.length; i++) worst = Math.max(worst, Math.abs(onnx.output[i]! - jax.output[i]!));
      expect(worst).toBeLessThanOrEqual(1e-5);
      expect(Array.from(onnx.logStd)).toEqual(Array.from(jax.logStd));
      await session.release();
      agent.dispose();
    }
  });

  it.skipIf(!ort)('traces the DeepSeek-R1 and per-asset policies to ONNX with the same outputs as jax-js (≤ 1e-5)', async () => {
    const deepseek = { hiddenDim: 16, encoderLayers: 2, encoderHeads: 2, attentionHeads: 2, decoderLayers: 2, decoderHeads: 4, feedForward: 32, dropout: 0.1 };
    const agents = [
      new GroupRelativeGrpo([env()], { seed: 5, policy: 'deepseek', deepseek } as never),
      new RewardPenaltyAgent([env()], { seed: 6, policy: 'deepseek', deepseek } as never),
      new RewardPenaltyAgent([env()], { seed: 7, hiddenSizes: [8], encoder: 'per_asset' }),
    ];
    for (const agent of agents) {
      // Random weights of order one, so that every block of the network shows in the outputs.
      const rng = new Rng(11);
      agent.loadNetworks(tree.map((leaf: JaxArray) => np.array(Float32Array.from({ length: leaf.size }, () => 0.5 * rng.normal()), { shape: leaf.shape }), agent.networks()) as never);
      const session = await OnnxSession.create(ort!, await agent.exportOnnx(), agent.encoding === null ? null : 1);
      const observations = Float32Array.from({ length: 3 * agent.observationSize }, () => rng.normal());
      const onnx = await session.run(observations, 3, agent.observationSize);
      const jax = await agent.policyOutputs(observations, 3);
      expect(onnx.output.length).toBe(jax.output.length);
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < jax.output.length; i++) {
        worst = Math.max(worst, Math.abs(onnx.output[i]! - jax.output[i]!));
        scale = Math.max(scale, Math.abs(jax.output[i]!));
      }
      expect(scale).toBeGreaterThan(0.05);
      expect(worst).toBeLessThanOrEqual(1e-5);
      await session.release();
      agent.dispose();
    }
  });

  it('refuses autoregressive policies with a coded error', async () => {
    const agent = new RewardPenaltyAgent([env()], { seed: 3, policy: 'deepseek', deepseek: { hiddenDim: 8, encoderLayers: 1, encoderHeads: 2, attentionHeads: 2, decoderLayers: 1, decoderHeads: 2, feedForward: 16, dropout: 0, autoregressive: true } } as never);
    await expect(agent.exportOnnx()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    agent.dispose();
  });
});
