/** Where the run store lives unless a command is told otherwise. */
import { join } from 'node:path';

/** `$GRPO_TRADER_STORE`, else `.grpo-trader/runs.sqlite` under the working directory. */
export function defaultStorePath(environment: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const configured = environment.GRPO_TRADER_STORE;
  return configured !== undefined && configured !== '' ? configured : join(cwd, '.grpo-trader', 'runs.sqlite');
}
