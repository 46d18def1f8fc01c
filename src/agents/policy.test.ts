/**
 * Log-probabilities and entropies of the policy heads against the closed forms computed in plain
 * JavaScript, and the per-asset encoder's weight sharing (permuting assets permutes the means).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { initEngine, readArraySync } from '../nn/index.js';
import { numpy as np, tree } from '../nn/jax.js';
import { initPolicy, logProbsAndEntropy, policyLogStd, policyOutput } from './policy.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

describe('policy heads', () => {
  it('Gaussian log-density and entropy match the closed form', () => {
    const params = initPolicy(new Rng(1), { kind: 'gaussian', observationSize: 3, actionSize: 2, hiddenSizes: [4], initialStd: 0.4, initialMean: 0.1 });
    const observations = Float32Array.from([0.5, -1, 2, 0, 0.3, -0.2]);
    const actions = Float32Array.from([0.2, -0.3, 0.9, 0.1, -0.5, 0.05, 0.4, 0.4]); // [2 states, 2 samples, 2 assets]
    const means = readArraySync(policyOutput(tree.ref(params), np.array(observations, { shape: [2, 3] })));
    const logStd = readArraySync(policyLogStd(tree.ref(params)));
    const [logProbs, entropy] = logProbsAndEntropy('gaussian', params, np.array(observations, { shape: [2, 3] }), np.array(actions, { shape: [2, 2, 2] }));
    const lp = readArraySync(logProbs);
    const h = readArraySync(entropy);
    expect(logStd[0]).toBeCloseTo(Math.log(0.4), 6);
    for (let s = 0; s < 2; s++) {
      for (let g = 0; g < 2; g++) {
        let expected = 0;
        for (let a = 0; a < 2; a++) {
          const sigma = Math.exp(logStd[a]!);
          const x = actions[(s * 2 + g) * 2 + a]!;
          expected += -((x - means[s * 2 + a]!) ** 2) / (2 * sigma * sigma) - Math.log(sigma * Math.sqrt(2 * Math.PI));
        }
        expect(lp[s * 2 + g]).toBeCloseTo(expected, 4);
      }
      expect(h[s]).toBeCloseTo(2 * (Math.log(0.4) + 0.5 * Math.log(2 * Math.PI * Math.E)), 5);
    }
  });

  it('categorical log-probability of a one-hot action and entropy match softmax by hand', () => {
    const params = initPolicy(new Rng(2), { kind: 'categorical', observationSize: 2, actionSize: 3, hiddenSizes: [5], initialStd: 1 });
    // Large output weights so the distribution is far from uniform.
    const sharpened = { ...params, output: { weight: params.output!.weight.mul(300), bias: params.output!.bias } };
    const observations = Float32Array.from([1, -1]);
    const logits = readArraySync(policyOutput(tree.ref(sharpened), np.array(observations, { shape: [1, 2] })));
    const [logProbs, entropy] = logProbsAndEntropy('categorical', sharpened, np.array(observations, { shape: [1, 2] }), np.array(Float32Array.from([0, 1, 0]), { shape: [1, 1, 3] }));
    const total = logits.reduce((sum, z) => sum + Math.exp(z), 0);
    const p = Array.from(logits, (z) => Math.exp(z) / total);
    expect(readArraySync(logProbs)[0]).toBeCloseTo(Math.log(p[1]!), 5);
    expect(readArraySync(entropy)[0]).toBeCloseTo(-p.reduce((sum, q) => sum + q * Math.log(q), 0), 5);
  });

  it('the per-asset encoder shares weights: swapping two assets swaps their means', () => {
    const layout = { lookback: 2, assets: 3, features: 2 };
    const params = initPolicy(new Rng(3), { kind: 'gaussian', observationSize: 2 * 3 * 2 + 3 + 1, actionSize: 3, hiddenSizes: [6], initialStd: 0.3, encoding: { type: 'per_asset', layout } });
    const scaled = { ...params, output: { weight: params.output!.weight.mul(100), bias: params.output!.bias } };
    // [lag][asset][feature], then weights [3], then one portfolio value the encoder ignores.
    const base = [0.1, 0.2, -0.5, 0.7, 1.1, -0.3, 0.4, -0.9, 0.6, 0.0, -1.2, 0.8, 0.2, 0.3, 0.5, 9];
    const swapped = base.slice();
    for (const lag of [0, 1]) for (const f of [0, 1]) [swapped[lag * 6 + f], swapped[lag * 6 + 4 + f]] = [base[lag * 6 + 4 + f]!, base[lag * 6 + f]!];
    [swapped[12], swapped[14]] = [base[14]!, base[12]!];
    const means = readArraySync(policyOutput(tree.ref(scaled), np.array(Float32Array.from([...base, ...swapped]), { shape: [2, 16] }), { type: 'per_asset', layout }));
    tree.dispose(scaled);
    expect(means[3]).toBeCloseTo(means[2]!, 5);
    expect(means[5]).toBeCloseTo(means[0]!, 5);
    expect(means[4]).toBeCloseTo(means[1]!, 5);
    expect(means[0]).not.toBeCloseTo(means[2]!, 3);
  });
});
