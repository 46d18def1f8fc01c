/** The autoregressive continuous head: causality over assets, gradients, sampling. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { AutoregressiveGaussianHead } from './autoregressive-head.js';
import { initEngine, readArraySync } from './engine.js';
import { ForwardContext } from './forward-context.js';
import { grad, numpy as np, random, tree } from './jax.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

const data = (seed: number, size: number) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: size }, () => rng.normal());
};

describe('AutoregressiveGaussianHead', () => {
  const head = new AutoregressiveGaussianHead({ actionDim: 4, hiddenDim: 8, numHeads: 2 });
  const context = data(1, 2 * 3 * 8);

  it("asset i's distribution depends only on the earlier assets' values", () => {
    const params = head.init(2);
    const u = data(3, 2 * 4);
    const changed = u.slice();
    changed[2] = changed[2]! + 5; // asset 2 of row 0
    const means = (values: Float32Array) => {
      const [m, s] = head.distribution(tree.ref(params), np.array(context, { shape: [2, 3, 8] }), np.array(values, { shape: [2, 4] }), ForwardContext.evaluation());
      s.dispose();
      return readArraySync(m);
    };
    const before = means(u);
    const after = means(changed);
    expect([after[0], after[1], after[2]]).toEqual([before[0], before[1], before[2]]);
    expect(after[3]).not.toBe(before[3]);
    expect(Array.from(after.subarray(4))).toEqual(Array.from(before.subarray(4)));
    tree.dispose(params);
  });

  it('the log-density gradient matches finite differences for the start token', () => {
    const params = head.init(4);
    const u = data(5, 2 * 4);
    const loss = (start: ReturnType<typeof np.array>) =>
      head.logProbability({ ...tree.ref(params), startToken: start }, np.array(context, { shape: [2, 3, 8] }), np.array(u, { shape: [2, 4] }), ForwardContext.evaluation()).sum();
    const start = readArraySync(params.startToken.ref);
    const analytic = readArraySync(grad(loss)(np.array(start)));
    const epsilon = 1e-2;
    for (const index of [0, 5]) {
      const plus = start.slice();
      plus[index] = plus[index]! + epsilon;
      const minus = start.slice();
      minus[index] = minus[index]! - epsilon;
      const numeric = (readArraySync(loss(np.array(plus)))[0]! - readArraySync(loss(np.array(minus)))[0]!) / (2 * epsilon);
      expect(Math.abs(numeric - analytic[index]!)).toBeLessThan(2e-3 + 3e-2 * Math.abs(numeric));
    }
    tree.dispose(params);
  });

  it('samples reproducibly from a key, and the deterministic sample is the chain of means', async () => {
    const params = head.init(6);
    const draw = async (seed: number) => readArraySync(await head.sample(params, np.array(context, { shape: [2, 3, 8] }), random.key(seed)));
    expect(await draw(1)).toEqual(await draw(1));
    expect(await draw(1)).not.toEqual(await draw(2));
    const greedy = readArraySync(await head.sample(params, np.array(context, { shape: [2, 3, 8] }), random.key(0), true));
    const [means, logStds] = head.distribution(tree.ref(params), np.array(context, { shape: [2, 3, 8] }), np.array(greedy, { shape: [2, 4] }), ForwardContext.evaluation());
    logStds.dispose();
    const m = readArraySync(means);
    m.forEach((value, i) => expect(greedy[i]).toBeCloseTo(value, 5));
    tree.dispose(params);
  });
});
