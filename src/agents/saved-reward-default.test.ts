/**
 * The training reward's default changed from the plain return to mean_variance (issue 20). A config
 * parsed now always holds its reward, so what a run trained with is written into its checkpoints; a
 * checkpoint saved before the change holds none, and is read as the plain return it was trained with.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainTinyModel } from '../../test/tiny-model.js';
import { parseTrainConfig } from './train-config.js';
import { readCheckpointConfig } from './train-config-file.js';

let dir: string;
let model: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-saved-reward-'));
  ({ model } = await trainTinyModel(dir, { bars: 400 }));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the training reward default', () => {
  it('is mean_variance with λ 50, filled in when the config leaves it out', () => {
    expect(parseTrainConfig({}).environment.reward).toEqual({ type: 'mean_variance', weight: 1, scale: 1, risk_aversion: 50 });
    expect(parseTrainConfig({ environment: { reward: { type: 'return' } } }).environment.reward).toEqual({ type: 'return', weight: 1, scale: 1 });
  });

  it('is written into the checkpoint; a checkpoint without a reward was trained on the plain return and is read so', async () => {
    const best = join(model, 'best');
    expect((await readCheckpointConfig(best)).config.environment.reward).toMatchObject({ type: 'mean_variance', risk_aversion: 50 });
    const file = join(best, 'state.json');
    const state = JSON.parse(await readFile(file, 'utf8')) as { config: { environment: Record<string, unknown> } };
    expect(state.config.environment.reward).toMatchObject({ type: 'mean_variance' });
    delete state.config.environment.reward;
    await writeFile(file, JSON.stringify(state));
    expect((await readCheckpointConfig(best)).config.environment.reward).toEqual({ type: 'return', weight: 1, scale: 1 });
  });
});
