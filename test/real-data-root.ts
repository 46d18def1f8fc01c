/**
 * Where the real market data is, for tests and benchmarks alike (no test-runner imports here, so the
 * benchmarks can use it): `$GRPO_TRADER_DATA` when set (no fallback then), else `../shared/data`
 * beside the repository when it exists, else nowhere.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The real-data folder, or undefined when there is none. */
export function realDataRoot(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = environment['GRPO_TRADER_DATA'];
  if (configured !== undefined && configured !== '') return resolve(configured);
  const beside = join(repositoryRoot, '..', 'shared', 'data');
  return existsSync(beside) ? beside : undefined;
}
