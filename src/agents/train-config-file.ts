/** Read a training config from a JSON or YAML file (by extension; YAML is a superset of JSON). */
import { readFile } from 'node:fs/promises';
import { parse, YAMLParseError } from 'yaml';
import { ErrorCodes, GrpoTraderError } from '../core/index.js';
import { parseTrainConfig, type TrainConfig } from './train-config.js';

/** Parse and validate a config file; errors name the file, the line (syntax) or the field (schema). */
export async function loadTrainConfigFile(file: string): Promise<TrainConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? ErrorCodes.notFound : ErrorCodes.io;
    throw new GrpoTraderError(code, code === ErrorCodes.notFound ? 'no such config file' : `cannot read the config file (${(error as Error).message})`, { location: { file }, cause: error });
  }
  let raw: unknown;
  if (file.toLowerCase().endsWith('.json')) {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new GrpoTraderError(ErrorCodes.invalidConfig, `invalid JSON: ${(error as Error).message}`, { location: { file }, cause: error });
    }
  } else {
    try {
      raw = parse(text);
    } catch (error) {
      const line = error instanceof YAMLParseError ? error.linePos?.[0].line : undefined;
      const message = (error as Error).message.split('\n')[0]!;
      throw new GrpoTraderError(ErrorCodes.invalidConfig, `invalid YAML: ${message}`, { location: { file, ...(line === undefined ? {} : { line }) }, cause: error });
    }
  }
  return parseTrainConfig(raw ?? {}, file);
}
