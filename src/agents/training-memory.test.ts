/**
 * The training memory estimate: its rollout storage is what the agents allocate (summed from their
 * own arrays), it names the field the user raised, and it keeps every example config far inside the
 * budget of any machine that trains.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../nn/index.js';
import { parseTrainConfig, type TrainConfig } from './train-config.js';
import { loadTrainConfigFile } from './train-config-file.js';
import { createAgent, environmentFactory } from './train.js';
import { syntheticSignalMarket } from './synthetic-market.js';
import { checkTrainingMemory, estimateTrainingMemory } from './training-memory.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

const rolloutPart = (config: TrainConfig, shape: { assets: number; bars: number }) => estimateTrainingMemory(config, shape).parts.find((part) => part.what.startsWith('rollout storage'))!;

/** Bytes of the typed arrays an agent holds directly (its rollout buffers and step scratch). */
function ownArrayBytes(agent: object, names: string[]): number {
  return names.reduce((sum, name) => sum + ((agent as Record<string, ArrayBufferView>)[name]?.byteLength ?? Number.NaN), 0);
}

describe('estimateTrainingMemory', () => {
  const { market, features } = syntheticSignalMarket({ bars: 300, drifts: [0.001, 0, 0], signalStrengths: [0.01, 0, 0], noise: 0.01, seed: 3 });
  const shape = { assets: 3, bars: 300 };
  const base = {
    data: { features: ['signal'] },
    splits: { train: { from: '2000-01-01', to: '2030-12-31' }, validation: null, test: null },
    environment: { lookback: 4, returnHistory: 2, episodeLength: 20 },
  };

  it("counts GRPO's rollout storage exactly as the agent allocates it", () => {
    const config = parseTrainConfig({ ...base, algorithm: { type: 'grpo', hiddenSizes: [8], grpo: { groupSize: 6, rolloutSteps: 5 } }, training: { envs: 3 } });
    const make = environmentFactory(config, market, features);
    const agent = createAgent(config, Array.from({ length: 3 }, () => make({ firstBar: 0, lastBar: 299 }, true)));
    try {
      expect(rolloutPart(config, shape).bytes).toBe(ownArrayBytes(agent, ['batchObservations', 'batchActions', 'scores', 'advantages', 'mask']));
    } finally {
      agent.dispose();
    }
  });

  it("counts the reward-penalty agent's rollout storage exactly as the agent allocates it", () => {
    const config = parseTrainConfig({ ...base, algorithm: { type: 'reward_penalty', hiddenSizes: [8], rewardPenalty: { rolloutSteps: 7 } }, training: { envs: 2 } });
    const make = environmentFactory(config, market, features);
    const agent = createAgent(config, Array.from({ length: 2 }, () => make({ firstBar: 0, lastBar: 299 }, true)));
    try {
      expect(rolloutPart(config, shape).bytes).toBe(ownArrayBytes(agent, ['observations', 'nextObservations', 'actions', 'rewards', 'notDone']));
    } finally {
      agent.dispose();
    }
  });

  it('names the field furthest above its default among those a part grows with', () => {
    const grown = (training: object, grpo: object) => rolloutPart(parseTrainConfig({ ...base, algorithm: { grpo }, training }), shape).field;
    expect(grown({ envs: 8 }, { groupSize: 512, rolloutSteps: 16 })).toBe('algorithm.grpo.groupSize');
    expect(grown({ envs: 512 }, { groupSize: 8, rolloutSteps: 16 })).toBe('training.envs');
    expect(grown({ envs: 8 }, { groupSize: 16, rolloutSteps: 4096 })).toBe('algorithm.grpo.rolloutSteps');
    const wide = estimateTrainingMemory(parseTrainConfig({ ...base, algorithm: { hiddenSizes: [8192, 8192] } }), shape);
    expect(wide.parts.reduce((a, b) => (b.bytes > a.bytes ? b : a)).field).toBe('algorithm.hiddenSizes');
  });

  it('keeps every example config under 512 MiB on the Dow 30 (3,200 bars), also with the deepseek policy', async () => {
    for (const name of ['dow30.yaml', 'dow30-reward-penalty.yaml', 'spy-discrete.yaml']) {
      const config = await loadTrainConfigFile(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)));
      const assets = config.environment.type === 'single_asset' ? 1 : 30;
      for (const policy of ['mlp', 'deepseek'] as const) {
        const estimate = estimateTrainingMemory({ ...config, algorithm: { ...config.algorithm, policy } }, { assets: policy === 'deepseek' ? 30 : assets, bars: 3200 });
        expect(estimate.bytes, `${name} ${policy}`).toBeLessThan(512 * 1024 ** 2);
        expect(() => checkTrainingMemory(config, { assets, bars: 3200 }, { limitBytes: 512 * 1024 ** 2 })).not.toThrow();
      }
    }
  });
});
