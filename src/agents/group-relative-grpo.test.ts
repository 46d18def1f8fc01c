/**
 * Group-relative GRPO: within-group advantages by hand, the Gaussian log-density against the
 * closed form, determinism, and learning on synthetic markets where the right behaviour is known.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MultiAssetEnv, SingleAssetEnv } from '../env/index.js';
import { ForwardContext, initEngine } from '../nn/index.js';
import { equalWeightChooser, randomChooser, runEpisode } from './evaluate.js';
import { groupAdvantagesInto } from './group-advantages.js';
import { GROUP_RELATIVE_STATISTICS, GroupRelativeGrpo, groupRelativeLoss, packCoefficients, type GroupRelativeGrpoOptions } from './group-relative-grpo.js';
import { Rng } from '../core/index.js';
import { readArraySync } from '../nn/index.js';
import { numpy as np, random, tree } from '../nn/jax.js';
import { deepSeekParts, initPolicy, logProbsAndEntropy, type DeepSeekEncoding } from './policy.js';
import { RewardPenaltyAgent } from './reward-penalty-agent.js';
import { syntheticSignalMarket } from './synthetic-market.js';
import { TINY_DEEPSEEK } from './test-helpers.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

describe('within-group advantages', () => {
  it('std-normalises, mean-centres (Dr. GRPO) and drops zero-variance groups', () => {
    const scores = Float64Array.from([1, 2, 3, 4, 5, 5, 5, 5]);
    const advantages = new Float32Array(8);
    const mask = new Float32Array(8);
    const kept = groupAdvantagesInto(advantages, mask, scores, 2, 4, 'std');
    // Group 1: mean 2.5, population std √1.25.
    const std = Math.sqrt(1.25);
    expect(kept).toBe(1);
    expect(Array.from(advantages.subarray(0, 4))).toEqual([-1.5, -0.5, 0.5, 1.5].map((d) => Math.fround(d / (std + 1e-8))));
    expect(Array.from(mask)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(advantages.subarray(4))).toEqual([0, 0, 0, 0]);
    groupAdvantagesInto(advantages, mask, scores, 2, 4, 'mean');
    expect(Array.from(advantages.subarray(0, 4))).toEqual([-1.5, -0.5, 0.5, 1.5]);
  });
});

describe('the group-relative loss', () => {
  it('matches the DAPO clipped surrogate, k3 KL and entropy computed by hand', () => {
    const params = initPolicy(new Rng(9), { kind: 'gaussian', observationSize: 3, actionSize: 2, hiddenSizes: [4], initialStd: 0.5 });
    const B = 2;
    const G = 3;
    const observations = Float32Array.from([0.3, -0.7, 1.2, -0.4, 0.9, 0.1]);
    const actions = Float32Array.from([0.1, 0.2, -0.3, 0.4, 0.6, -0.1, 0.0, 0.3, -0.5, -0.2, 0.2, 0.7]);
    const obs = () => np.array(observations, { shape: [B, 3] });
    const act = () => np.array(actions, { shape: [B, G, 2] });
    const [lpArray, entropyArray] = logProbsAndEntropy('gaussian', tree.ref(params), obs(), act());
    const lp = readArraySync(lpArray);
    const entropy = readArraySync(entropyArray);
    // log π_old: ratios e^0.5 (above 1.28), e^−0.5 (below 0.8), e^0.1 (inside) in each group.
    const shifts = [0.5, -0.5, 0.1, -0.3, 0.4, 0.05];
    const old = Float32Array.from(lp, (value, i) => value - shifts[i]!);
    const reference = Float32Array.from(lp, (value, i) => value + 0.2 * (i - 2));
    const advantages = Float32Array.from([1.5, -0.5, -1, 0.7, -0.2, 0.9]);
    const mask = Float32Array.from([1, 1, 1, 0, 0, 0]); // the second group is dropped
    const [beta, entropyCoefficient, clipLow, clipHigh] = [0.04, 0.01, 0.2, 0.28];
    const [loss, statistics] = groupRelativeLoss('gaussian', null)(
      params,
      obs(),
      act(),
      np.array(advantages, { shape: [B, G] }),
      np.array(mask, { shape: [B, G] }),
      np.array(old, { shape: [B, G] }),
      np.array(reference, { shape: [B, G] }),
      packCoefficients({ klCoefficient: beta, entropyCoefficient, clipLow, clipHigh }),
      random.key(0),
    );
    let surrogate = 0;
    let kl = 0;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 3; i++) {
      const ratio = Math.exp(shifts[i]!);
      const bounded = Math.min(Math.max(ratio, 1 - clipLow), 1 + clipHigh);
      surrogate += Math.min(ratio * advantages[i]!, bounded * advantages[i]!);
      const d = reference[i]! - lp[i]!;
      kl += Math.exp(d) - d - 1;
      // TRL's split: clipped below with a negative advantage, above with a positive one.
      if (ratio < 1 - clipLow && advantages[i]! < 0) low++;
      if (ratio > 1 + clipHigh && advantages[i]! > 0) high++;
    }
    expect([low, high]).toEqual([1, 1]); // e^−0.5 with Â −0.5; e^0.5 with Â 1.5
    const meanEntropy = (entropy[0]! + entropy[1]!) / 2;
    const expectedLoss = -surrogate / 3 + (beta * kl) / 3 - entropyCoefficient * meanEntropy;
    const stats = readArraySync(statistics);
    expect(GROUP_RELATIVE_STATISTICS).toEqual(['loss', 'policyLoss', 'kl', 'entropy', 'clipFractionLow', 'clipFractionHigh', 'approxKl']);
    expect(readArraySync(loss)[0]).toBeCloseTo(expectedLoss, 4);
    expect(stats[0]).toBeCloseTo(expectedLoss, 4);
    expect(stats[1]).toBeCloseTo(-surrogate / 3, 4);
    expect(stats[2]).toBeCloseTo(kl / 3, 4);
    expect(stats[3]).toBeCloseTo(meanEntropy, 4);
    expect(stats[4]).toBeCloseTo(low / 3, 5);
    expect(stats[5]).toBeCloseTo(high / 3, 5);
    expect(stats[6]).toBeCloseTo(-(0.5 - 0.5 + 0.1) / 3, 4);
  });
});

const ENV = { lookback: 1, returnHistory: 0, includeCorrelation: false, randomStart: true, episodeLength: 64, lastBar: 999 } as const;
const EVALUATION = { ...ENV, randomStart: false, episodeLength: null, firstBar: 1000, lastBar: 1499 } as const;
const AGENT: Partial<GroupRelativeGrpoOptions> = { seed: 3, rolloutSteps: 8, groupSize: 8, hiddenSizes: [16], learningRate: 3e-3 };

async function trainAndEvaluate(discrete: boolean, drifts: number[], strengths: number[], updates: number, extra: Partial<GroupRelativeGrpoOptions> = {}, lookback = 1) {
  const { market, features } = syntheticSignalMarket({ bars: 1500, drifts, signalStrengths: strengths, noise: 0.01, seed: 1 });
  const make = (options: object) => (discrete ? new SingleAssetEnv(market, features, { ...options, lookback }) : new MultiAssetEnv(market, features, { ...options, lookback }));
  const agent = new GroupRelativeGrpo(Array.from({ length: 4 }, () => make(ENV)), { ...AGENT, ...extra });
  for (let u = 0; u < updates; u++) await agent.update();
  const evaluation = make(EVALUATION);
  const policy = await runEpisode(evaluation, (observation) => agent.act(Float32Array.from(observation), 1));
  const equal = await runEpisode(evaluation, equalWeightChooser(evaluation));
  const random = await runEpisode(evaluation, randomChooser(evaluation, 7));
  const firstAction = Array.from(await agent.act(Float32Array.from(evaluation.reset().observation), 1));
  agent.dispose();
  return { policy: policy.sharpe, equal: equal.sharpe, random: random.sharpe, firstAction };
}

describe('GRPO learns on synthetic markets (fixed seed, out-of-sample bars 1000–1499)', () => {
  it('reads a feature that predicts the next return (two assets, continuous weights)', async () => {
    const result = await trainAndEvaluate(false, [0.0005, 0], [0.01, 0.01], 60);
    expect(result.policy).toBeGreaterThan(result.equal + 3);
    expect(result.policy).toBeGreaterThan(result.random + 3);
  });

  it('reads the signal with the per-asset encoder (one network shared by both assets)', async () => {
    const result = await trainAndEvaluate(false, [0.0005, 0], [0.01, 0.01], 60, { encoder: 'per_asset' });
    expect(result.policy).toBeGreaterThan(result.equal + 3);
    expect(result.policy).toBeGreaterThan(result.random + 3);
  });

  it("reads the signal with the specification's DeepSeek-R1 network (policy: deepseek, continuous weights)", async () => {
    const result = await trainAndEvaluate(false, [0.0005, 0], [0.01, 0.01], 60, { policy: 'deepseek', deepseek: TINY_DEEPSEEK }, 2);
    expect(result.policy).toBeGreaterThan(result.equal + 3);
    expect(result.policy).toBeGreaterThan(result.random + 3);
  });

  it("reads the signal with the specification's DeepSeek-R1 network (policy: deepseek, discrete short/flat/long)", async () => {
    const result = await trainAndEvaluate(true, [0], [0.01], 60, { policy: 'deepseek', deepseek: TINY_DEEPSEEK }, 2);
    expect(result.policy).toBeGreaterThan(result.equal + 3);
    expect(result.policy).toBeGreaterThan(result.random + 3);
  });

  it('reads the signal with autoregressive continuous actions (each weight conditioned on the ones chosen before it)', async () => {
    const result = await trainAndEvaluate(false, [0.0005, 0], [0.01, 0.01], 60, { policy: 'deepseek', deepseek: { ...TINY_DEEPSEEK, autoregressive: true } }, 2);
    expect(result.policy).toBeGreaterThan(result.equal + 3);
    expect(result.policy).toBeGreaterThan(result.random + 3);
  });

  it('refuses the per-asset encoder on a discrete environment', () => {
    const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0], signalStrengths: [0], noise: 0.01, seed: 1 });
    expect(() => new GroupRelativeGrpo([new SingleAssetEnv(market, features, ENV)], { encoder: 'per_asset' })).toThrow(/per_asset/);
    expect(() => new GroupRelativeGrpo([new SingleAssetEnv(market, features, ENV)], { crossAsset: true })).toThrow(/^algorithm\.crossAsset needs the per_asset encoder .*the policy here is the mlp \(auto\) encoder$/);
    const two = syntheticSignalMarket({ bars: 300, drifts: [0, 0], signalStrengths: [0, 0], noise: 0.01, seed: 1 });
    expect(() => new GroupRelativeGrpo([new MultiAssetEnv(two.market, two.features, ENV)], { encoder: 'mlp', marketContext: true })).toThrow(/^algorithm\.marketContext needs the per_asset encoder .*the policy here is the mlp encoder$/);
    expect(() => new GroupRelativeGrpo([new MultiAssetEnv(two.market, two.features, ENV)], { policy: 'deepseek', crossAsset: true })).toThrow(/^algorithm\.crossAsset needs .*the policy here is the deepseek policy$/);
  });

  it('encoder auto: per_asset for continuous weights of two or more assets, the MLP otherwise', () => {
    const two = syntheticSignalMarket({ bars: 300, drifts: [0, 0], signalStrengths: [0, 0], noise: 0.01, seed: 1 });
    const one = syntheticSignalMarket({ bars: 300, drifts: [0], signalStrengths: [0], noise: 0.01, seed: 1 });
    const agents = [
      new GroupRelativeGrpo([new MultiAssetEnv(two.market, two.features, ENV)]),
      new GroupRelativeGrpo([new MultiAssetEnv(one.market, one.features, ENV)]),
      new GroupRelativeGrpo([new SingleAssetEnv(one.market, one.features, ENV)]),
    ];
    expect(agents.map((agent) => agent.encoding?.type ?? 'mlp')).toEqual(['per_asset', 'mlp', 'mlp']);
    for (const agent of agents) agent.dispose();
  });

  it('reads the signal with a discrete short/flat/long policy (one asset)', async () => {
    const result = await trainAndEvaluate(true, [0], [0.01], 60);
    expect(result.policy).toBeGreaterThan(result.equal + 3);
    expect(result.policy).toBeGreaterThan(result.random + 3);
  });

  it('moves into the asset with a persistent drift and out of the one without (the MLP: the per-asset encoder cannot tell assets apart)', async () => {
    const result = await trainAndEvaluate(false, [0.002, 0], [0, 0], 120, { encoder: 'mlp' });
    // Holding only the drifting asset is the best constant book; the policy's mean action gets close.
    expect(result.firstAction[0]).toBeGreaterThan(0.8);
    expect(Math.abs(result.firstAction[1]!)).toBeLessThan(0.2);
    expect(result.policy).toBeGreaterThan(result.equal + 0.3);
    expect(result.policy).toBeGreaterThan(result.random + 1);
  });
});

describe('determinism', () => {
  it('the same seed gives bit-identical parameters and metrics; with the deepseek policy its dropout is seeded too', async () => {
    const run = async (extra: Partial<GroupRelativeGrpoOptions> = {}) => {
      const { market, features } = syntheticSignalMarket({ bars: 400, drifts: [0.001, 0], signalStrengths: [0.01, 0], noise: 0.01, seed: 2 });
      const agent = new GroupRelativeGrpo([new MultiAssetEnv(market, features, ENV), new MultiAssetEnv(market, features, ENV)], { ...AGENT, rolloutSteps: 4, ...extra });
      const metrics = [];
      for (let u = 0; u < 5; u++) metrics.push(await agent.update());
      const output = await agent.policyOutputs(new Float32Array(agent.observationSize).fill(0.5), 1);
      agent.dispose();
      return { metrics, output: Array.from(output.output) };
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);

    const deepseek = { policy: 'deepseek', deepseek: TINY_DEEPSEEK } as const;
    const withDropout = await run(deepseek);
    expect(await run(deepseek)).toEqual(withDropout);
    // Dropout really acts in the loss: without it the same seed trains to other parameters.
    const withoutDropout = await run({ policy: 'deepseek', deepseek: { ...TINY_DEEPSEEK, dropout: 0 } });
    expect(withoutDropout.metrics[0]!.meanReward).toBe(withDropout.metrics[0]!.meanReward); // same first rollout
    expect(withoutDropout.output).not.toEqual(withDropout.output);
  });

  it('acts deterministically with the deepseek policy: dropout is off when acting', async () => {
    const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0.001, 0], signalStrengths: [0.01, 0], noise: 0.01, seed: 2 });
    const agent = new GroupRelativeGrpo([new MultiAssetEnv(market, features, { ...ENV, lookback: 3 })], { ...AGENT, rolloutSteps: 2, policy: 'deepseek', deepseek: { ...TINY_DEEPSEEK, dropout: 0.5 } });
    await agent.update();
    const observation = new Float32Array(agent.observationSize).fill(0.25);
    const first = Array.from(await agent.act(observation, 1));
    expect(Array.from(await agent.act(observation, 1))).toEqual(first);
    agent.dispose();
  });
});

describe('explanations of the deepseek policy', () => {
  it('gives per-bar feature importances and the attention over the window, each a distribution, for the decision act() takes', async () => {
    const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0.001, 0], signalStrengths: [0.01, 0], noise: 0.01, seed: 2 });
    const env = new MultiAssetEnv(market, features, { ...ENV, lookback: 3 });
    const agent = new GroupRelativeGrpo([env], { ...AGENT, rolloutSteps: 2, policy: 'deepseek', deepseek: TINY_DEEPSEEK });
    await agent.update();
    const layout = env.observationLayout();
    const observations = new Float32Array(2 * agent.observationSize);
    observations.set(Float32Array.from(env.reset({ seed: 1 }).observation), 0);
    observations.set(Float32Array.from(env.step([0.5, 0.5]).observation), agent.observationSize);
    const [first, second] = await agent.explain(observations, 2);
    const A = layout.symbols.length;
    const F = layout.featureNames.length;
    expect(first!.symbols).toEqual([...layout.symbols]);
    expect(first!.features).toEqual([...layout.featureNames]);
    expect(first!.importance.length).toBe(3 * A * F);
    const sum = (values: ArrayLike<number>, from = 0, to = values.length) => Array.from(values).slice(from, to).reduce((s, v) => s + v, 0);
    for (const explanation of [first!, second!]) {
      for (let t = 0; t < 3; t++) expect(sum(explanation.importance, t * A * F, (t + 1) * A * F)).toBeCloseTo(1, 5);
      expect(sum(explanation.featureImportance)).toBeCloseTo(1, 5);
      expect(sum(explanation.assetImportance)).toBeCloseTo(1, 5);
      expect(explanation.temporal.length).toBe(3);
      expect(sum(explanation.temporal)).toBeCloseTo(1, 5);
    }
    // The explained output is the decision act() takes (another compiled program: equal to rounding).
    const acted = await agent.act(observations.subarray(0, agent.observationSize), 1);
    first!.output.forEach((value, a) => expect(value).toBeCloseTo(acted[a]!, 6));
    agent.dispose();
  });

  it('refuses to explain a policy without the deepseek network, with a coded error', async () => {
    const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0.001, 0], signalStrengths: [0.01, 0], noise: 0.01, seed: 2 });
    const agent = new GroupRelativeGrpo([new MultiAssetEnv(market, features, ENV)], { ...AGENT, rolloutSteps: 2 });
    await expect(agent.explain(new Float32Array(agent.observationSize), 1)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    agent.dispose();
  });
});

describe('autoregressive actions', () => {
  it('log π(u|s) is the sum of the conditionals: teacher-forced equals asset-by-asset by hand', async () => {
    const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0.001, 0, 0.0005], signalStrengths: [0.01, 0, 0.01], noise: 0.01, seed: 2 });
    const env = new MultiAssetEnv(market, features, { ...ENV, lookback: 2 });
    const agent = new GroupRelativeGrpo([env], { ...AGENT, rolloutSteps: 2, policy: 'deepseek', deepseek: { ...TINY_DEEPSEEK, autoregressive: true } });
    await agent.update(); // move the parameters off their initial values
    const encoding = agent.encoding as DeepSeekEncoding;
    const head = encoding.autoregressive!;
    const D = agent.observationSize;
    const observation = Float32Array.from(env.reset({ seed: 4 }).observation);
    const u = [0.3, -0.2, 0.5];
    const params = agent.core.params;
    const [teacherForced] = logProbsAndEntropy('gaussian', tree.ref(params), np.array(observation, { shape: [1, D] }), np.array(Float32Array.from(u), { shape: [1, 1, 3] }), encoding);
    const logProb = readArraySync(teacherForced)[0]!;

    // By hand: the action head's means m, then for asset i the head's (μ_i, log σ_i) given only u_0..u_{i-1} (later entries zeroed).
    const { autoregressive: _head, ...rest } = tree.ref(params);
    tree.dispose(_head!);
    rest.logStd.dispose();
    const [base, hidden] = deepSeekParts(rest as typeof params, np.array(observation, { shape: [1, D] }), encoding, ForwardContext.evaluation());
    const m = readArraySync(base);
    let expected = 0;
    for (let i = 0; i < 3; i++) {
      const known = u.map((value, j) => (j < i ? value : 0));
      const [mu, logStd] = head.distribution(tree.ref(params.autoregressive!), hidden.ref, np.array(Float32Array.from(known), { shape: [1, 3] }), ForwardContext.evaluation());
      const mean = m[i]! + readArraySync(mu)[i]!;
      const sigma = Math.exp(readArraySync(logStd)[i]!);
      expected += -0.5 * ((u[i]! - mean) / sigma) ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - Math.tanh(u[i]!) ** 2);
    }
    hidden.dispose();
    expect(logProb).toBeCloseTo(expected, 4);

    // Acting takes the chain of conditional means, squashed: within (−1, 1), and reproducible.
    const action = Array.from(await agent.act(observation, 1));
    expect(action.every((w) => Math.abs(w) < 1)).toBe(true);
    expect(Array.from(await agent.act(observation, 1))).toEqual(action);
    agent.dispose();
  });

  it('is refused for discrete actions by both algorithms, naming the field', () => {
    const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0], signalStrengths: [0], noise: 0.01, seed: 1 });
    const options = { policy: 'deepseek', deepseek: { ...TINY_DEEPSEEK, autoregressive: true } } as const;
    const discrete = () => new SingleAssetEnv(market, features, { ...ENV, lookback: 2 });
    expect(() => new GroupRelativeGrpo([discrete()], options)).toThrow(/autoregressive actions are for continuous weights/);
    expect(() => new RewardPenaltyAgent([discrete()], options)).toThrow(expect.objectContaining({ location: expect.objectContaining({ field: 'algorithm.deepseek.autoregressive' }) }));
  });
});
