/** The `--store FILE` option every command that records or reads runs takes, and opening it. */
import type { Command } from 'commander';
import { defaultStorePath } from '../../store/default-path.js';
import { RunStore } from '../../store/run-store.js';

/** Add `--store <file>` to a command. */
export function storeOption(command: Command): Command {
  return command.option('--store <file>', 'run store file (default $GRPO_TRADER_STORE or .grpo-trader/runs.sqlite)');
}

/** Open the run store a command was pointed at, use it, close it. */
export async function withRunStore<T>(storeFlag: string | undefined, use: (store: RunStore) => T | Promise<T>, options: { mustExist?: boolean } = {}): Promise<T> {
  const store = RunStore.open(storeFlag ?? defaultStorePath(), options);
  try {
    return await use(store);
  } finally {
    store.close();
  }
}
