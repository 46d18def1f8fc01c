/** The engine: the worker pool computes the same numbers as the calling thread, and never hangs the process. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { ActorCritic } from './actor-critic.js';
import { initEngine, readArray } from './engine.js';
import { ForwardContext } from './forward-context.js';
import { numpy as np, tree } from './jax.js';
import { adamOptions } from './optimizer.js';
import { TemporalEncoder } from './temporal-encoder.js';
import { Trainer } from './trainer.js';
import { batchArrays, randomTrainingBatch } from './test-helpers.js';
import type { ActorCriticParams } from './actor-critic.js';

describe('engine', () => {
  it('runs on the worker pool with threads 2 and matches the single-thread result bit for bit', async () => {
    const encoder = new TemporalEncoder({ featureDim: 8, hiddenDim: 32, numHeads: 4, numLayers: 1 });
    const params = encoder.init(1);
    const rng = new Rng(2);
    const x = Float32Array.from({ length: 16 * 12 * 8 }, () => rng.normal());
    const run = async () => readArray(encoder.apply(tree.ref(params), np.array(x, { shape: [16, 12, 8] }), ForwardContext.evaluation()));
    const single = await initEngine({ threads: 1 });
    expect(single.threads).toBe(1);
    const reference = await run();
    const pooled = await initEngine({ threads: 2 });
    expect(pooled.workerAdapter).toBe(true);
    expect(pooled.threads).toBe(Math.min(2, pooled.poolSize));
    expect(await run()).toEqual(reference);
    await initEngine({ threads: 1 });
    tree.dispose(params);
  });

  it('trains bit-identically on the calling thread and on the pool (hundreds of kernels per step)', async () => {
    const model = new ActorCritic({ featureDim: 8, hiddenDim: 32, numHeads: 4, numLayers: 2, numActions: 3, dropout: 0 });
    const data = randomTrainingBatch(5, 32, 12, 8);
    const train = async (threads: number): Promise<number[]> => {
      await initEngine({ threads });
      const trainer = new Trainer<ActorCriticParams>(
        model.init(3),
        (p, xs, a, adv, ret) => model.loss(p, xs!, a!, adv!, ret!),
        adamOptions({ learningRate: 1e-3 }),
      );
      const losses: number[] = [];
      for (let step = 0; step < 4; step++) {
        const loss = trainer.update(...batchArrays(data));
        losses.push((await readArray(loss))[0]!);
      }
      trainer.dispose();
      return losses;
    };
    const single = await train(1);
    const pooled = await train(2);
    await initEngine({ threads: 1 });
    expect(pooled).toEqual(single);
    expect(single[3]).not.toEqual(single[0]);
  });

  it('a process that used the pool exits by itself', () => {
    const script = `
      const { initEngine, readArray, jax } = await import(${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))});
      await initEngine({ threads: 2 });
      const y = jax.numpy.ones([4096]).mul(3).sum();
      console.log((await readArray(y))[0]);
    `;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, GRPO_TRADER_THREADS: '2' },
    });
    expect(output.trim()).toBe('12288');
  });
});
