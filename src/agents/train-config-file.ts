/** Read a training config from a JSON or YAML file (by extension; YAML is a superset of JSON). */
import { readConfigFile } from '../core/config-file.js';
import { parseTrainConfig, type TrainConfig } from './train-config.js';

/** Parse and validate a config file; errors name the file, the line (syntax) or the field (schema). */
export async function loadTrainConfigFile(file: string): Promise<TrainConfig> {
  return parseTrainConfig(await readConfigFile(file), file);
}
