import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpoTraderError } from '../core/errors.js';
import { resolveDataPaths } from './data-paths.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-data-paths-'));
  await mkdir(join(dir, 'mine', 'us-equities-daily'), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function failure(run: () => unknown): GrpoTraderError {
  try {
    run();
  } catch (error) {
    if (error instanceof GrpoTraderError) return error;
    throw error;
  }
  throw new Error('expected a GrpoTraderError');
}

describe('resolveDataPaths', () => {
  it('replaces ${GRPO_TRADER_DATA} from the environment and resolves relative paths against the config folder', () => {
    const environment = { GRPO_TRADER_DATA: join(dir, 'mine') };
    expect(resolveDataPaths(['${GRPO_TRADER_DATA}/us-equities-daily', 'mine'], { baseDir: dir, environment })).toEqual([join(dir, 'mine', 'us-equities-daily'), join(dir, 'mine')]);
  });

  it('names the config file, the field and the variable when the variable is not set, and says how to get data', () => {
    const error = failure(() => resolveDataPaths(['a', '${GRPO_TRADER_DATA}/us-equities-daily'], { baseDir: dir, source: 'examples/dow30.yaml', environment: {} }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.location).toEqual({ file: 'examples/dow30.yaml', field: 'data.paths[0]', value: 'a' });
    const unset = failure(() => resolveDataPaths(['${GRPO_TRADER_DATA}/us-equities-daily'], { baseDir: dir, source: 'c.yaml', environment: { GRPO_TRADER_DATA: '' } }));
    expect(unset.message).toMatch(/^\$\{GRPO_TRADER_DATA\} is not set; .*--data PATHS.*grpo-trader data fetch --source yahoo/);
    expect(unset.location?.field).toBe('data.paths[0]');
  });

  it('names the resolved path that does not exist', () => {
    const error = failure(() => resolveDataPaths(['${GRPO_TRADER_DATA}/crypto'], { baseDir: dir, environment: { GRPO_TRADER_DATA: join(dir, 'mine') } }));
    expect(error.message).toContain(`${join(dir, 'mine', 'crypto')} does not exist`);
    expect(error.location?.value).toBe('${GRPO_TRADER_DATA}/crypto');
  });
});
