/**
 * Reference counting holds over a long run: 500 jitted training steps on a tiny model leave no
 * parameter, optimiser state or intermediate alive, and memory stays flat.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { ActorCritic } from './actor-critic.js';
import type { ActorCriticParams } from './actor-critic.js';
import { initEngine, readArraySync } from './engine.js';
import { numpy as np, tree } from './jax.js';
import type { Array } from './jax.js';
import { adamOptions } from './optimizer.js';
import { Trainer } from './trainer.js';

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
    const rng = new Rng(2);
    const batch = 8;
    const x = Float32Array.from({ length: batch * 8 * 4 }, () => rng.normal());
    const actions = new Float32Array(batch * 3);
    for (let b = 0; b < batch; b++) actions[b * 3 + rng.int(3)] = 1;
    const advantages = Float32Array.from({ length: batch }, () => rng.normal());
    const returns = Float32Array.from({ length: batch }, () => rng.normal());
    const step = (): number =>
      readArraySync(trainer.update(np.array(x, { shape: [batch, 8, 4] }), np.array(actions, { shape: [batch, 3] }), np.array(advantages), np.array(returns)))[0]!;

    let replaced: Array[] = [];
    let afterWarmUp = { rss: 0, heap: 0 };
    for (let i = 0; i < 500; i++) {
      const before = tree.leaves(trainer.params as never) as Array[];
      step();
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
