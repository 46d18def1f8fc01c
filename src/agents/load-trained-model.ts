/**
 * Load a trained model from a `train --out` directory for evaluation: its config (stored in every
 * checkpoint), the market it was trained on (`data.json`), and a deterministic action chooser (the
 * Gaussian mean / the most probable action) over an environment built exactly as in training.
 */
import { isAbsolute, join } from 'node:path';
import { ErrorCodes, GrpoTraderError, pathExists, readJsonFile } from '../core/index.js';
import type { MarketData } from '../data/types.js';
import type { Env, FeatureTensor } from '../env/index.js';
import { initEngine, loadParams } from '../nn/index.js';
import { numpy as np, tree } from '../nn/jax.js';
import type { Array as JaxArray, JsTree } from '../nn/jax.js';
import { CHECKPOINT_KIND, checkpointName, resolveCheckpoint } from './checkpoint.js';
import type { ActionChooser } from './evaluate.js';
import type { TrainConfig } from './train-config.js';
import { readCheckpointConfig } from './train-config-file.js';
import { checkTrainingMemory } from './training-memory.js';
import { createAgent, environmentFactory, type ModelDataRecord } from './train.js';
import type { TrainableAgent } from './trainable-agent.js';

/** A run directory's model, before it is bound to a market. */
export interface TrainedModelInfo {
  /** The run directory. */
  directory: string;
  /** The checkpoint directory whose weights are used. */
  checkpoint: string;
  /** `best`, `latest` or the checkpoint's directory name. */
  checkpointLabel: string;
  /** Update count of that checkpoint. */
  update: number;
  algorithm: string;
  config: TrainConfig;
  /** Symbols the model was trained on, in network order (null for runs written before data.json existed). */
  symbols: string[] | null;
  /** The training market's dates and features (null when unknown). */
  data: ModelDataRecord | null;
}

/** A model bound to a market: a deterministic chooser and the environments built as in training. */
export interface TrainedModel {
  info: TrainedModelInfo;
  agent: TrainableAgent;
  /** Deterministic action for an observation (the agent's `act`). */
  chooser: ActionChooser;
  /** An evaluation environment over bars [firstBar, lastBar], built exactly as the training ones (no random start, no episode length). */
  makeEnv(bars: { firstBar: number; lastBar: number }): Env;
  dispose(): void;
}

/**
 * Describe the model of a run directory. `checkpoint`: `best` (default when `best/` exists, else the
 * latest), `latest`, an update number, a checkpoint name (`update-000010`) or a checkpoint directory.
 */
export async function readTrainedModel(directory: string, checkpoint?: string): Promise<TrainedModelInfo> {
  if (!(await pathExists(directory, 'directory'))) {
    throw new GrpoTraderError(ErrorCodes.notFound, `no such model directory (expected the --out directory of grpo-trader train)`, { location: { file: directory } });
  }
  let resolved: string;
  let label: string;
  const wanted = checkpoint ?? ((await pathExists(join(directory, 'best', 'state.json'), 'file')) ? 'best' : 'latest');
  if (wanted === 'best') {
    resolved = join(directory, 'best');
    if (!(await pathExists(join(resolved, 'state.json'), 'file'))) {
      throw new GrpoTraderError(ErrorCodes.notFound, `no best/ checkpoint (the run had no validation split); use --checkpoint latest`, { location: { file: resolved } });
    }
    label = 'best';
  } else if (wanted === 'latest') {
    if (!(await pathExists(join(directory, 'checkpoints', 'latest.json'), 'file'))) {
      throw new GrpoTraderError(ErrorCodes.notFound, `no checkpoint found (expected best/ or checkpoints/latest.json from grpo-trader train --out)`, { location: { file: directory } });
    }
    // A damaged pointer, or one naming a checkpoint that is gone, is reported as such.
    resolved = await resolveCheckpoint(join(directory, 'checkpoints'));
    label = 'latest';
  } else {
    const candidates = /^\d+$/.test(wanted)
      ? [join(directory, 'checkpoints', checkpointName(Number(wanted)))]
      : [join(directory, 'checkpoints', wanted), join(directory, wanted), ...(isAbsolute(wanted) ? [wanted] : [wanted])];
    const found = [];
    for (const candidate of candidates) if (await pathExists(join(candidate, 'state.json'), 'file')) found.push(candidate);
    if (found.length === 0) {
      throw new GrpoTraderError(ErrorCodes.notFound, `no checkpoint "${wanted}" (give best, latest, an update number kept in checkpoints/, or a checkpoint directory)`, {
        location: { file: directory, field: 'checkpoint', value: wanted },
      });
    }
    resolved = found[0]!;
    label = wanted;
  }
  const { state, config } = await readCheckpointConfig(resolved);
  let data: ModelDataRecord | null = null;
  const dataFile = join(directory, 'data.json');
  if (await pathExists(dataFile, 'file')) data = await readJsonFile<ModelDataRecord>(dataFile);
  return { directory, checkpoint: resolved, checkpointLabel: label, update: state.update, algorithm: state.algorithm, config, symbols: data?.symbols ?? config.data.symbols, data };
}

/**
 * Bind a model to a market and its features (which must have the model's symbols, in order, and its
 * feature set): builds the agent as in training (over `envs` environments spanning the whole market,
 * default 1) and loads the checkpoint's networks — parameters, optimiser moments and reference.
 */
export async function loadTrainedModel(info: TrainedModelInfo, market: MarketData, features: FeatureTensor, options: { envs?: number } = {}): Promise<TrainedModel> {
  if (info.symbols !== null && info.symbols.join(',') !== market.symbols.join(',')) {
    throw new GrpoTraderError(ErrorCodes.invalidArgument, `the data's symbols (${market.symbols.join(',')}) do not match the model's (${info.symbols.join(',')}, in this order)`, {
      location: { file: info.directory, field: 'symbols', value: market.symbols.join(',') },
    });
  }
  const envs = options.envs ?? 1;
  // The checkpoint's sizes on this market, before its environments and networks are built.
  checkTrainingMemory(info.config, { assets: market.symbols.length, bars: market.time.length }, { file: join(info.checkpoint, 'state.json'), envs });
  await initEngine({ threads: 1 });
  const make = environmentFactory(info.config, market, features);
  const whole = { firstBar: 0, lastBar: market.time.length - 1 };
  // One environment for acting; an online learner asks for its training count (GRPO scores its groups through them).
  const agent = createAgent(info.config, Array.from({ length: envs }, () => make(whole, false)));
  try {
    const template = tree.map((leaf: JaxArray) => np.zeros(leaf.shape), agent.networks()) as JsTree<JaxArray>;
    const { params } = await loadParams(join(info.checkpoint, 'networks'), template, CHECKPOINT_KIND);
    agent.loadNetworks(params);
  } catch (error) {
    agent.dispose();
    if (error instanceof GrpoTraderError && info.symbols === null) {
      throw new GrpoTraderError(error.code, `${error.message} (the data's ${market.symbols.length} symbols may not be the ones the model was trained on)`, { cause: error });
    }
    throw error;
  }
  const input = new Float32Array(agent.observationSize);
  const chooser: ActionChooser = async (observation) => {
    for (let i = 0; i < input.length; i++) input[i] = observation[i]!;
    return agent.act(input, 1);
  };
  return { info, agent, chooser, makeEnv: (bars) => make(bars, false), dispose: () => agent.dispose() };
}
