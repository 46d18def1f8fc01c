/** The engine: the Node worker pool computes the same numbers as the calling thread. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { initEngine, readArray } from './engine.js';
import { ForwardContext } from './forward-context.js';
import { numpy as np, tree } from './jax.js';
import { TemporalEncoder } from './temporal-encoder.js';

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
});
