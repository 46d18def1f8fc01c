/**
 * The exported ONNX policy, run in onnxruntime (the real consumer of the format), gives the jax-js
 * policy's outputs within 1e-5; encoder policies are refused with a coded error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { MultiAssetEnv } from '../env/index.js';
import { initEngine } from '../nn/index.js';
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
    for (const agent of [new RewardPenaltyAgent([env()], { seed: 3, hiddenSizes: [32, 16] }), new GroupRelativeGrpo([env()], { seed: 5, hiddenSizes: [24] })]) {
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

  it('refuses encoder policies with a coded error', async () => {
    const agent = new RewardPenaltyAgent([env()], { seed: 3, hiddenSizes: [8], encoder: 'per_asset' });
    await expect(agent.exportOnnx()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    agent.dispose();
  });
});
