/**
 * A small sweep over seeded synthetic CSV files (3 assets, 420 bars from 2010-01-04), for the tests of
 * sweeps, workers and queues: the data folder, the sweep file and how to run the CLI as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { TINY_MODEL_CONFIG } from './tiny-model.js';
import { writeSyntheticCsvs } from './synthetic-files.js';

export interface TinySweepOptions {
  trials?: number;
  batch?: number;
  sampler?: 'grid' | 'random' | 'tpe';
  /** Updates per training (more: longer trials). */
  updates?: number;
  /** Synthetic data seed (another seed: other data, another fingerprint). */
  dataSeed?: number;
  pruning?: 'median' | 'none';
}

/** Write DIR/data (unless present for the seed) and DIR/sweep.yaml; returns their paths. */
export async function writeTinySweep(dir: string, options: TinySweepOptions = {}): Promise<{ sweep: string; base: string; dataDir: string }> {
  const dataDir = join(dir, `data-${options.dataSeed ?? 11}`);
  await writeSyntheticCsvs(dataDir, { assets: 3, bars: 420, seed: options.dataSeed ?? 11 });
  const base = {
    ...TINY_MODEL_CONFIG,
    data: { ...TINY_MODEL_CONFIG.data, paths: [dataDir] },
    splits: { train: { from: '2010-01-01', to: '2010-12-31' }, validation: { from: '2011-01-01', to: '2011-03-31' }, test: { from: '2011-04-01', to: '2011-07-29' } },
    training: { ...TINY_MODEL_CONFIG.training, updates: options.updates ?? 2 },
  };
  const basePath = join(dir, 'base.yaml');
  await writeFile(basePath, stringify(base));
  const sweep = {
    name: 'tiny',
    base: 'base.yaml',
    space: { 'algorithm.learningRate': { loguniform: [1e-4, 1e-2] }, 'algorithm.initialStd': { choices: [0.1, 0.3] } },
    sampler: { type: options.sampler ?? 'random', trials: options.trials ?? 4, batch: options.batch ?? 2, seed: 1 },
    objective: { folds: 2, validationBars: 30 },
    pruning: { type: options.pruning ?? 'median', minTrials: 2 },
  };
  const sweepPath = join(dir, 'sweep.yaml');
  await writeFile(sweepPath, stringify(sweep));
  return { sweep: sweepPath, base: basePath, dataDir };
}

/** The CLI as a child process from source (with more environment, e.g. a crash point); its stderr collected. */
export function spawnCli(args: string[], cwd = process.cwd(), environment: Record<string, string> = {}): { child: ChildProcess; stderr: () => string; exited: Promise<NodeJS.Signals | number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'test', 'run-cli.ts'), ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...environment } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, stderr: () => stderr, exited };
}
