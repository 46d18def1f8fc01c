/**
 * The specification's agent interface over the real agents: TD errors of updateFromBatch checked by
 * hand-built transitions, importance weights that act, exploration temperature against the Gaussian
 * formula, stored transitions, save/load, and GRPO's refusal of replay with a coded error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MultiAssetEnv } from '../env/index.js';
import { initEngine } from '../nn/index.js';
import { GroupRelativeGrpo } from './group-relative-grpo.js';
import { RewardPenaltyAgent } from './reward-penalty-agent.js';
import { SpecificationAgent } from './specification-agent.js';
import { syntheticSignalMarket } from './synthetic-market.js';

let dir: string;
beforeAll(async () => {
  await initEngine({ threads: 1 });
  dir = await mkdtemp(join(tmpdir(), 'grpo-spec-agent-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ENV = { lookback: 1, returnHistory: 0, includeCorrelation: false, randomStart: true, episodeLength: 32, lastBar: 299 } as const;

function rewardPenalty(extra: Partial<ConstructorParameters<typeof RewardPenaltyAgent>[1]> = {}) {
  const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0.001, 0], signalStrengths: [0.01, 0], noise: 0.01, seed: 2 });
  return new RewardPenaltyAgent([new MultiAssetEnv(market, features, ENV)], { seed: 5, rolloutSteps: 4, hiddenSizes: [8], initialStd: 0.3, ...extra });
}

/** Two transitions from one state and one action, rewards r1 and r2, no bootstrap (done). */
function pairBatch(agent: RewardPenaltyAgent, r1: number, r2: number) {
  const D = agent.observationSize;
  const state = Float32Array.from({ length: D }, (_, i) => Math.sin(i));
  const observations = new Float32Array(2 * D);
  observations.set(state, 0);
  observations.set(state, D);
  return { observations, actions: Float32Array.from([0.4, 0.6, 0.4, 0.6]), rewards: Float32Array.from([r1, r2]), nextObservations: observations.slice(), dones: [1, 1] };
}

describe('updateFromBatch (reward-penalty agents, off-policy through the critic)', () => {
  it('returns TD errors target − Q(s, a): the same (s, a) with rewards r1, r2 and no bootstrap differ by (r1 − r2)·rewardMultiplier', async () => {
    const agent = rewardPenalty({ rewardMultiplier: 100 });
    const spec = new SpecificationAgent(agent);
    const { tdErrors, metrics } = await spec.updateFromBatch(pairBatch(agent, 0.01, -0.02));
    expect(tdErrors).toHaveLength(2);
    expect(tdErrors[0]! - tdErrors[1]!).toBeCloseTo((0.01 + 0.02) * 100, 4);
    expect(metrics['update']).toBe(1);
    agent.dispose();
  });

  it('weights every sample by its importance weight: all ones is the unweighted step, other weights change it', async () => {
    const run = async (weights?: Float32Array) => {
      const agent = rewardPenalty();
      const spec = new SpecificationAgent(agent);
      await spec.updateFromBatch(pairBatch(agent, 0.01, -0.02), weights);
      const output = Array.from((await agent.policyOutputs(new Float32Array(agent.observationSize).fill(0.3), 1)).output);
      agent.dispose();
      return output;
    };
    const plain = await run();
    expect(await run(Float32Array.of(1, 1))).toEqual(plain);
    expect(await run(Float32Array.of(1, 0))).not.toEqual(plain);
  });

  it('names the field of a batch whose sizes do not match', async () => {
    const agent = rewardPenalty();
    const spec = new SpecificationAgent(agent);
    const batch = { ...pairBatch(agent, 0, 0), actions: new Float32Array(3) };
    await expect(spec.updateFromBatch(batch)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', location: { field: 'actions' } });
    await expect(spec.updateFromBatch(pairBatch(agent, 0, 0), Float32Array.of(1))).rejects.toMatchObject({ location: { field: 'importanceWeights' } });
    agent.dispose();
  });
});

describe('selectAction, exploration temperature, stored transitions, save and load', () => {
  it('samples μ + T·σ·ε: at temperature 3 the spread is 3 × σ (0.3), deterministic is the mean', async () => {
    const agent = rewardPenalty();
    const spec = new SpecificationAgent(agent);
    const state = new Float32Array(agent.observationSize).fill(0.2);
    const mean = Array.from(await spec.selectAction(state, { deterministic: true }));
    expect(mean).toEqual(Array.from(await agent.act(state, 1)));
    spec.setExplorationTemp(3);
    const draws = await Promise.all(Array.from({ length: 400 }, () => spec.selectAction(state)));
    const first = draws.map((d) => d[0]!);
    const average = first.reduce((s, x) => s + x, 0) / first.length;
    const std = Math.sqrt(first.reduce((s, x) => s + (x - average) ** 2, 0) / (first.length - 1));
    expect(std).toBeGreaterThan(0.9 * 0.85);
    expect(std).toBeLessThan(0.9 * 1.15);
    expect(Math.abs(average - mean[0]!)).toBeLessThan((4 * 0.9) / Math.sqrt(400));
    expect(() => spec.setExplorationTemp(0)).toThrow(/positive number/);
    agent.dispose();
  });

  it('learns from stored transitions and clears them; save then load restores the policy exactly', async () => {
    const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0.001, 0], signalStrengths: [0.01, 0], noise: 0.01, seed: 2 });
    const env = new MultiAssetEnv(market, features, { ...ENV, randomStart: false });
    const agent = rewardPenalty();
    const spec = new SpecificationAgent(agent, { note: 'test' });
    let state = env.reset().observation.slice();
    for (let t = 0; t < 8; t++) {
      const action = await spec.selectAction(state);
      const step = env.step(action);
      spec.storeTransition(state, action, step.reward, step.observation, step.terminated);
      state = step.observation.slice();
    }
    expect(spec.storedTransitions).toBe(8);
    const metrics = await spec.update();
    expect(Number.isFinite(metrics['qLoss'])).toBe(true);
    expect(spec.storedTransitions).toBe(0);
    const probe = new Float32Array(agent.observationSize).fill(0.1);
    const saved = Array.from(await agent.act(probe, 1));
    await spec.save(join(dir, 'agent'));
    await agent.update();
    expect(Array.from(await agent.act(probe, 1))).not.toEqual(saved);
    await spec.load(join(dir, 'agent'));
    expect(Array.from(await agent.act(probe, 1))).toEqual(saved);
    agent.dispose();
  });

  it('acts deterministically with an autoregressive policy and refuses to sample or learn through this interface, with a coded error', async () => {
    const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0.001, 0], signalStrengths: [0.01, 0], noise: 0.01, seed: 2 });
    const agent = new GroupRelativeGrpo([new MultiAssetEnv(market, features, { ...ENV, lookback: 2 })], {
      seed: 5,
      rolloutSteps: 2,
      groupSize: 4,
      policy: 'deepseek',
      deepseek: { hiddenDim: 8, encoderLayers: 1, encoderHeads: 2, attentionHeads: 2, decoderLayers: 1, decoderHeads: 2, feedForward: 16, dropout: 0, autoregressive: true },
    });
    const spec = new SpecificationAgent(agent);
    const state = new Float32Array(agent.observationSize).fill(0.1);
    expect(Array.from(await spec.selectAction(state, { deterministic: true }))).toEqual(Array.from(await agent.act(state, 1)));
    await expect(spec.selectAction(state)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(() => spec.storeTransition(state, [0, 0], 0, state, false)).toThrow(/autoregressive policies are not supported/);
    agent.dispose();
  });

  it('group-relative GRPO refuses replay batches with a coded error and updates through its environments', async () => {
    const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0.001, 0], signalStrengths: [0.01, 0], noise: 0.01, seed: 2 });
    const agent = new GroupRelativeGrpo([new MultiAssetEnv(market, features, ENV)], { seed: 5, rolloutSteps: 2, groupSize: 4, hiddenSizes: [8] });
    const spec = new SpecificationAgent(agent);
    await expect(spec.updateFromBatch({ observations: new Float32Array(0), actions: new Float32Array(0), rewards: new Float32Array(0), nextObservations: new Float32Array(0), dones: [] })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect((await spec.update())['update']).toBe(1);
    agent.dispose();
  });
});
