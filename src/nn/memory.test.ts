/**
 * Reference counting holds over a long run: 500 jitted training steps on a tiny model leave no
 * parameter, optimiser state or intermediate alive, and memory stays flat.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ActorCritic } from './actor-critic.js';
import type { ActorCriticParams } from './actor-critic.js';
import { initEngine, readArraySync } from './engine.js';
import { tree } from './jax.js';
import type { Array } from './jax.js';
import { adamOptions } from './optimizer.js';
import { Trainer } from './trainer.js';
import { batchArrays, randomTrainingBatch } from './test-helpers.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

// jax-js has no public live-array counter: leaks are checked through reference counts, and memory
// after a forced collection (RSS alone swings by ±50 MB with the JS heap between collections).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const memory = () => {
  collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
};

describe('memory over 500 training steps', () => {
  it('frees every replaced array and keeps RSS flat', () => {
    const model = new ActorCritic({ featureDim: 4, hiddenDim: 16, numHeads: 2, numLayers: 1, feedForward: 32, dropout: 0, numActions: 3, positional: 'learned', pooling: 'mean', maxLength: 16 });
    const trainer = new Trainer<ActorCriticParams>(model.init(1), (p, x, a, adv, r) => model.loss(p, x!, a!, adv!, r!), adamOptions({ learningRate: 1e-3 }));
    const data = randomTrainingBatch(2, 8, 8, 4);
    const step = (): number => readArraySync(trainer.update(...batchArrays(data)))[0]!;

    let replaced: Array[] = [];
    let afterWarmUp = { rss: 0, heap: 0 };
    for (let i = 0; i < 500; i++) {
      const before = tree.leaves(trainer.params as never) as Array[];
      step();
      // Collect every 50 steps: otherwise V8 lets garbage pile up and grows its heap capacity, and
      // RSS rose 40–52 MB between steps 100 and 500 before levelling off (the heap itself did not).
      if (i % 50 === 49) collectGarbage();
      if (i === 99) afterWarmUp = memory();
      if (i === 250) replaced = before;
    }
    // Every parameter the trainer replaced at step 250 has been released.
    expect(replaced.length).toBeGreaterThan(0);
    expect(replaced.every((leaf) => leaf.refCount === 0)).toBe(true);
    // Live parameters hold exactly one reference each (nothing else kept them).
    expect((tree.leaves(trainer.params as never) as Array[]).every((leaf) => leaf.refCount === 1)).toBe(true);
    const atEnd = memory();
    expect(atEnd.heap - afterWarmUp.heap).toBeLessThan(8 * 1024 * 1024);
    expect(atEnd.rss - afterWarmUp.rss).toBeLessThan(48 * 1024 * 1024);
    trainer.dispose();
  });
});
