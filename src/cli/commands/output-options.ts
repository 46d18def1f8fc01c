/**
 * The `--overwrite` option of every command that writes a file or a folder, and the inputs a
 * command hands to the output checks of src/core/fs.ts (checkOutputFile, prepareOutputDirectory):
 * an output is never one of the inputs, and an existing one is replaced only when asked.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CommandInput } from '../../core/fs.js';
import { expandDataPaths } from '../../data/load-market.js';
import { defaultStorePath } from '../../store/default-path.js';

/** Add `--overwrite` to a command; `what` says what it replaces. */
export function overwriteOption(command: Command, what: string): Command {
  return command.option('--overwrite', `replace ${what} if it already exists (never one of the inputs)`);
}

/** The data files and folders an option names, as inputs (folders expanded to the files read). */
export async function dataInputs(option: string, paths: readonly string[]): Promise<CommandInput[]> {
  const files = await expandDataPaths(paths);
  return [...paths, ...files].map((path) => ({ option, path }));
}

/** The run store a command opens, as an input (an output must not replace or empty it). */
export function storeInput(storeFlag: string | undefined): CommandInput {
  return { option: '--store', path: storeFlag ?? defaultStorePath() };
}

/** The files of a trained model a command reads (its checkpoint's and data.json), as inputs. */
export function modelInputs(option: string, model: { directory: string; checkpoint: string }): CommandInput[] {
  return [model.directory, join(model.directory, 'data.json'), model.checkpoint, ...['state.json', 'networks.json', 'networks.safetensors'].map((name) => join(model.checkpoint, name))].map((path) => ({ option, path }));
}
