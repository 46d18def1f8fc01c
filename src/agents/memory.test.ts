/**
 * Ownership over a long run: after many updates every array an agent replaced (parameters, Adam
 * moments, old reference policies) has been released, live ones hold exactly the references the
 * agent keeps, and the JS heap stays flat.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { MultiAssetEnv, SingleAssetEnv } from '../env/index.js';
import { initEngine } from '../nn/index.js';
import { tree } from '../nn/jax.js';
import type { Array } from '../nn/jax.js';
import { GroupRelativeGrpo } from './group-relative-grpo.js';
import { RewardPenaltyAgent } from './reward-penalty-agent.js';
import { syntheticSignalMarket } from './synthetic-market.js';
import type { TrainableAgent } from './trainable-agent.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const heap = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

const ENV = { lookback: 1, returnHistory: 0, includeCorrelation: false, randomStart: true, episodeLength: 32 } as const;
const leaves = (agent: TrainableAgent) => tree.leaves(agent.networks() as never) as Array[];

async function checkAgent(agent: TrainableAgent, updates: number): Promise<void> {
  for (let u = 0; u < 20; u++) await agent.update();
  const afterWarmUp = heap();
  let replaced: Array[] = [];
  for (let u = 20; u < updates; u++) {
    if (u === 40) replaced = leaves(agent);
    await agent.update();
  }
  expect(replaced.length).toBeGreaterThan(0);
  // Updates 40..updates crossed several reference refreshes (every 7): nothing from update 40 survives.
  expect(replaced.every((leaf) => leaf.refCount === 0)).toBe(true);
  expect(leaves(agent).every((leaf) => leaf.refCount >= 1 && leaf.refCount <= 2)).toBe(true);
  expect(heap() - afterWarmUp).toBeLessThan(8 * 1024 * 1024);
  agent.dispose();
}

describe('memory over many updates', () => {
  const { market, features } = syntheticSignalMarket({ bars: 400, drifts: [0.001, 0], signalStrengths: [0.01, 0], noise: 0.01, seed: 4 });

  it('group-relative GRPO releases every replaced array', async () => {
    const envs = [new MultiAssetEnv(market, features, ENV), new MultiAssetEnv(market, features, ENV)];
    await checkAgent(new GroupRelativeGrpo(envs, { groupSize: 4, rolloutSteps: 4, hiddenSizes: [8], referenceRefreshInterval: 7 }), 150);
  });

  it('the reward-penalty agent (DeepSeek-R1 variant, temporal encoder, C51 critic) releases every replaced array', async () => {
    const envs = [new SingleAssetEnv(market, features, { ...ENV, symbol: 'SYN0' }), new SingleAssetEnv(market, features, { ...ENV, symbol: 'SYN0' })];
    await checkAgent(new RewardPenaltyAgent(envs, { variant: 'deepseek_r1', rolloutSteps: 4, hiddenSizes: [8], referenceRefreshInterval: 7, metaController: true, klCoefficient: 0.01, critic: 'distributional', encoder: 'temporal' }), 150);
  });
});
