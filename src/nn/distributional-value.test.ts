/** C51: the categorical projection against hand calculations, and the network's outputs. */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initEngine, readArraySync } from './engine.js';
import { DistributionalValueNetwork, projectDistributionInto } from './distributional-value.js';
import { ForwardContext } from './forward-context.js';
import { numpy as np } from './jax.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

describe('categorical projection', () => {
  it('matches a hand calculation on a 5-atom support', () => {
    // Support {-2, -1, 0, 1, 2}, Δz = 1. r = 0.5, γ = 0.5: atoms map to -0.5, 0, 0.5, 1, 1.5.
    // -0.5 splits 0.1 half/half between -1 and 0; 0 → 0 (0.2); 0.5 splits 0.3 between 0 and 1;
    // 1 → 1 (0.25); 1.5 splits 0.15 between 1 and 2.
    const next = Float32Array.from([0.1, 0.2, 0.3, 0.25, 0.15]);
    const out = new Float32Array(5);
    projectDistributionInto(out, next, [0.5], [0], 0.5, -2, 2, 5);
    const expected = [0, 0.05, 0.05 + 0.2 + 0.15, 0.15 + 0.25 + 0.075, 0.075];
    expected.forEach((value, i) => expect(out[i]).toBeCloseTo(value, 6));
  });

  it('puts all mass on the clipped reward at a terminal transition', () => {
    // done = 1: every atom maps to r; r = 7 clips to v_max = 2; r = 0.25 splits 0.75 / 0.25 between 0 and 1.
    const next = Float32Array.from([0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]);
    const out = new Float32Array(10);
    projectDistributionInto(out, next, [7, 0.25], [1, 1], 0.99, -2, 2, 5);
    expect(Array.from(out.subarray(0, 5))).toEqual([0, 0, 0, 0, expect.closeTo(1, 6)]);
    [0, 0, 0.75, 0.25, 0].forEach((value, i) => expect(out[5 + i]).toBeCloseTo(value, 6));
  });

  it('conserves probability mass for any rewards, discounts and distributions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 51, maxLength: 51 }),
        fc.float({ min: -30, max: 30, noNaN: true }),
        fc.float({ min: 0, max: 1, noNaN: true }),
        (weights, reward, gamma) => {
          const total = weights.reduce((a, b) => a + b, 0) || 1;
          const next = Float32Array.from(weights.length ? weights.map((w) => (total ? w / total : 1 / 51)) : []);
          if (weights.every((w) => w === 0)) next.fill(1 / 51);
          const out = new Float32Array(51);
          projectDistributionInto(out, next, [reward], [0], gamma, -10, 10, 51);
          const sum = out.reduce((a, b) => a + b, 0);
          expect(sum).toBeCloseTo(1, 4);
          expect(out.every((p) => p >= 0)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('DistributionalValueNetwork', () => {
  it('uses the specification defaults and returns a distribution over 51 atoms', () => {
    const critic = new DistributionalValueNetwork({ stateDim: 4, actionDim: 3, hiddenDim: 8 });
    expect(critic.config).toMatchObject({ numAtoms: 51, vMin: -10, vMax: 10, numHeads: 4, numLayers: 2, dropout: 0.1 });
    expect(critic.support[0]).toBe(-10);
    expect(critic.support[50]).toBe(10);
    expect(critic.deltaZ).toBeCloseTo(0.4, 12);
    const logProbabilities = critic.logProbabilities(critic.init(1), np.ones([2, 4]), np.array([[1, 0, 0], [0, 0, 1]]), ForwardContext.evaluation());
    const probabilities = readArraySync(np.exp(logProbabilities));
    for (let b = 0; b < 2; b++) expect(probabilities.subarray(b * 51, b * 51 + 51).reduce((a, c) => a + c, 0)).toBeCloseTo(1, 5);
  });
});
