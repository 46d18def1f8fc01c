/**
 * A small multi-asset model trained in a test, on seeded synthetic CSV files (3 assets from
 * 2010-01-04): the model directory, its data folder and how to run the CLI in process. Tests that
 * need "a trained model" share this one definition instead of repeating config and training.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/output.js';
import { writeSyntheticCsvs } from './synthetic-files.js';

/** The config every tiny model starts from (overridden per test). */
export const TINY_MODEL_CONFIG = {
  seed: 4,
  data: { paths: ['data'], features: ['RSI_norm', 'MACD_norm'] as string[] | string },
  splits: { train: { from: '2010-01-01', to: '2010-09-30' }, validation: { from: '2010-10-01', to: '2011-01-31' } as { from: string; to: string } | null, test: null },
  environment: { lookback: 3, episodeLength: 20, returnHistory: 2 },
  // The plain MLP: its ONNX graph takes any batch (the export and serving tests read that).
  algorithm: { type: 'reward_penalty', encoder: 'mlp', hiddenSizes: [16], initialMean: 'equal', initialStd: 0.2 } as Record<string, unknown>,
  training: { updates: 2, envs: 2, evalInterval: 1, checkpointInterval: 2, patience: 0 },
};

/** Run the CLI in process; its exit code and what it printed. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

/** Write `bars` synthetic bars into DIR/data and train DIR/model with the config (and `overrides`). */
export async function trainTinyModel(dir: string, options: { bars: number; overrides?: Partial<typeof TINY_MODEL_CONFIG> }): Promise<{ model: string; dataDir: string; store: string }> {
  const dataDir = join(dir, 'data');
  await writeSyntheticCsvs(dataDir, { assets: 3, bars: options.bars, seed: 11 });
  const config = { ...TINY_MODEL_CONFIG, ...options.overrides };
  await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, data: { ...config.data, paths: [dataDir] } }));
  const model = join(dir, 'model');
  const store = join(dir, 'train.sqlite');
  const trained = await runCli(['train', '--config', join(dir, 'config.json'), '--out', model, '--store', store]);
  if (trained.code !== 0) throw new Error(`training the tiny model failed: ${trained.err}`);
  return { model, dataDir, store };
}
