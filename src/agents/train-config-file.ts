/** Read a training config from a JSON or YAML file (by extension; YAML is a superset of JSON), or from a checkpoint's state.json. */
import { join } from 'node:path';
import { readConfigFile } from '../core/config-file.js';
import { readCheckpointState, type CheckpointState } from './checkpoint.js';
import { parseTrainConfig, type TrainConfig } from './train-config.js';

/** Parse and validate a config file; errors name the file, the line (syntax) or the field (schema). */
export async function loadTrainConfigFile(file: string): Promise<TrainConfig> {
  return parseTrainConfig(await readConfigFile(file), file);
}

/**
 * A checkpoint's state and its training config, validated by the same schema (and bounds) as a config
 * file before anything is built from it: a state.json edited to a huge size is refused naming the file
 * and the field, not allocated.
 */
export async function readCheckpointConfig(directory: string): Promise<{ state: CheckpointState; config: TrainConfig }> {
  const state = await readCheckpointState(directory);
  return { state, config: parseTrainConfig(withSavedRewardDefault(state.config), join(directory, 'state.json')) };
}

/**
 * Every config saved since the training reward's default became `mean_variance` holds its reward; one
 * without any was saved when an unset reward meant the plain return, and still means it — so a model
 * resumed, evaluated or learning online keeps the reward it was trained with.
 */
function withSavedRewardDefault(config: unknown): unknown {
  const environment = (config as { environment?: unknown } | null)?.environment;
  if (environment === null || typeof environment !== 'object' || 'reward' in environment) return config;
  return { ...(config as object), environment: { ...environment, reward: { type: 'return' } } };
}
