/**
 * The one way tests and benchmarks find the real market data (`../shared/data`'s layout:
 * us-equities-daily/, crypto/, messy/). `GRPO_TRADER_DATA` names the folder when set; otherwise
 * `../shared/data` beside the repository is used when present. Without either, the tests that need
 * it are skipped (their names carry REAL_DATA_TAG, which the summary reporter counts) and every
 * other test still runs. The data stays outside the repository: its licence is not ours.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { realDataRoot } from './real-data-root.js';

export { realDataRoot };

/** Marks the name of every test or suite that needs the real data. */
export const REAL_DATA_TAG = '[real data]';

/** Whether `parts` (e.g. 'us-equities-daily', 'AAPL.csv') exists under the real-data folder. */
export function hasRealData(...parts: string[]): boolean {
  const root = realDataRoot();
  return root !== undefined && existsSync(join(root, ...parts));
}

/** The path of `parts` under the real-data folder; throws (inside a test) when it is not there. */
export function realDataPath(...parts: string[]): string {
  const root = realDataRoot();
  if (root === undefined || !existsSync(join(root, ...parts))) {
    throw new Error(`real data ${join(...parts)} not found: set GRPO_TRADER_DATA (see test/real-data.ts); guard this test with describeRealData`);
  }
  return join(root, ...parts);
}

/**
 * A suite that needs `parts` of the real data: skipped (and counted) when they are missing. Its body
 * still runs to collect the tests, so read the data in `beforeAll` or inside the tests, not in the body.
 */
export function describeRealData(parts: string | string[], name: string, body: () => void): void {
  describe.skipIf(!hasRealData(...[parts].flat()))(`${REAL_DATA_TAG} ${name}`, body);
}

/** One test that needs `parts` of the real data (see describeRealData). */
export function itRealData(parts: string | string[], name: string, body: () => unknown | Promise<unknown>, timeout?: number): void {
  it.skipIf(!hasRealData(...[parts].flat()))(`${REAL_DATA_TAG} ${name}`, body, timeout);
}
