/**
 * Log-probabilities and entropies of the policy heads against the closed forms computed in plain
 * JavaScript, and the per-asset encoder's weight sharing (permuting assets permutes the means).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/index.js';
import { initEngine, readArraySync } from '../nn/index.js';
import { numpy as np, tree } from '../nn/jax.js';
import { initPolicy, logProbsAndEntropy, policyLogStd, policyOutput, type PolicyParams } from './policy.js';

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
    const params = initPolicy(new Rng(3), { kind: 'gaussian', observationSize: 2 * 3 * 2 + 3 + 1, actionSize: 3, hiddenSizes: [6], initialStd: 0.3, encoding: { type: 'per_asset', layout, crossAsset: false, marketContext: false } });
    const scaled = { ...params, output: { weight: params.output!.weight.mul(100), bias: params.output!.bias } };
    // [lag][asset][feature], then weights [3], then one portfolio value the encoder ignores.
    const base = [0.1, 0.2, -0.5, 0.7, 1.1, -0.3, 0.4, -0.9, 0.6, 0.0, -1.2, 0.8, 0.2, 0.3, 0.5, 9];
    const swapped = base.slice();
    for (const lag of [0, 1]) for (const f of [0, 1]) [swapped[lag * 6 + f], swapped[lag * 6 + 4 + f]] = [base[lag * 6 + 4 + f]!, base[lag * 6 + f]!];
    [swapped[12], swapped[14]] = [base[14]!, base[12]!];
    const means = readArraySync(policyOutput(tree.ref(scaled), np.array(Float32Array.from([...base, ...swapped]), { shape: [2, 16] }), { type: 'per_asset', layout, crossAsset: false, marketContext: false }));
    tree.dispose(scaled);
    expect(means[3]).toBeCloseTo(means[2]!, 5);
    expect(means[5]).toBeCloseTo(means[0]!, 5);
    expect(means[4]).toBeCloseTo(means[1]!, 5);
    expect(means[0]).not.toBeCloseTo(means[2]!, 3);
  });

  it("cross-asset term: an asset's mean moves with another asset's latest features by exactly the learned linear weight, and not with older bars", () => {
    const layout = { lookback: 2, assets: 3, features: 2 };
    const encoding = { type: 'per_asset' as const, layout, crossAsset: true, marketContext: false };
    const params = initPolicy(new Rng(5), { kind: 'gaussian', observationSize: 2 * 3 * 2 + 3, actionSize: 3, hiddenSizes: [4], initialStd: 0.3, encoding });
    // [lag][asset][feature] (lag 1 the latest bar), then weights [3]. Row 2 changes asset 0's latest
    // features, row 3 its older ones.
    const older = [0.3, -0.2, 0.5, 0.1, -0.4, 0.6];
    const latest = [0.2, 0.4, -0.1, 0.7, 0.9, -0.3];
    const weights = [0.1, 0.2, 0.3];
    const rows = [
      [...older, ...latest, ...weights],
      [...older, 1.2, -0.7, ...latest.slice(2), ...weights],
      [2.3, 0.8, ...older.slice(2), ...latest, ...weights],
    ].flat();
    const means = (p: PolicyParams) => readArraySync(policyOutput(tree.ref(p), np.array(Float32Array.from(rows), { shape: [3, 15] }), encoding));
    // Initially the term is zero: assets 1 and 2 do not see asset 0.
    expect(readArraySync(params.crossAsset!.mixing.ref).every((v) => v === 0)).toBe(true);
    const unmixed = means(params);
    for (const row of [1, 2]) for (const asset of [1, 2]) expect(unmixed[row * 3 + asset]).toBeCloseTo(unmixed[asset]!, 6);
    // Each asset's latest input is [features…, weight] (3 values); rows of the map are asset·3 + input,
    // columns assets. Asset 2 reads asset 0's first feature with weight 2, asset 1 its second with −1,
    // asset 2 also asset 1's weight with 5.
    const mixing = new Float32Array(9 * 3);
    mixing[0 * 3 + 2] = 2;
    mixing[1 * 3 + 1] = -1;
    mixing[5 * 3 + 2] = 5;
    const mixed: PolicyParams = { ...params, crossAsset: { mixing: np.array(mixing, { shape: [9, 3] }) } };
    const moved = means(mixed);
    expect(moved[5]! - moved[2]!).toBeCloseTo(2 * (1.2 - 0.2), 5);
    expect(moved[4]! - moved[1]!).toBeCloseTo(-1 * (-0.7 - 0.4), 5);
    expect(moved[2]! - unmixed[2]!).toBeCloseTo(2 * 0.2 + 5 * 0.2, 5);
    // Older bars do not reach other assets: rows 1 and 3 agree for assets 1 and 2.
    expect(moved[7]).toBeCloseTo(moved[1]!, 6);
    expect(moved[8]).toBeCloseTo(moved[2]!, 6);
    // Asset 0's own mean is its per-asset network's plus the term's 0.
    for (const row of [0, 1, 2]) expect(moved[row * 3]).toBeCloseTo(unmixed[row * 3]!, 6);
    mixed.crossAsset!.mixing.dispose();
    tree.dispose(params);
  });

  it("market context: each asset's row is [its window, its weight, the window averaged over assets], checked against a forward pass by hand", () => {
    const layout = { lookback: 2, assets: 3, features: 2 };
    const encoding = { type: 'per_asset' as const, layout, crossAsset: false, marketContext: true };
    const params = initPolicy(new Rng(8), { kind: 'gaussian', observationSize: 2 * 3 * 2 + 3, actionSize: 3, hiddenSizes: [4], initialStd: 0.3, encoding });
    const scaled: PolicyParams = { ...params, output: { weight: params.output!.weight.mul(100), bias: params.output!.bias } };
    // [lag][asset][feature], then weights [3].
    const obs = [0.3, -0.2, 0.5, 0.1, -0.4, 0.6, 0.2, 0.4, -0.1, 0.7, 0.9, -0.3, 0.1, 0.2, 0.3];
    const means = readArraySync(policyOutput(tree.ref(scaled), np.array(Float32Array.from(obs), { shape: [1, 15] }), encoding));
    const w1 = readArraySync(scaled.layers[0]!.weight.ref); // [9, 4]
    const b1 = readArraySync(scaled.layers[0]!.bias.ref);
    const wo = readArraySync(scaled.output!.weight.ref); // [4, 1]
    const bo = readArraySync(scaled.output!.bias.ref)[0]!;
    const at = (lag: number, asset: number, f: number) => obs[lag * 6 + asset * 2 + f]!;
    const average = [0, 1].flatMap((lag) => [0, 1].map((f) => (at(lag, 0, f) + at(lag, 1, f) + at(lag, 2, f)) / 3));
    for (let asset = 0; asset < 3; asset++) {
      const row = [at(0, asset, 0), at(0, asset, 1), at(1, asset, 0), at(1, asset, 1), obs[12 + asset]!, ...average];
      expect(row).toHaveLength(9);
      const hidden = [0, 1, 2, 3].map((j) => Math.tanh(b1[j]! + row.reduce((sum, x, i) => sum + x * w1[i * 4 + j]!, 0)));
      expect(means[asset]).toBeCloseTo(bo + hidden.reduce((sum, h, j) => sum + h * wo[j]!, 0), 5);
    }
    tree.dispose(scaled);
  });
});
