/** The serve config bounds the online agent's sizes as the agent does, naming the field and the reason. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServeConfig } from './serve-config.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-serve-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('serve config', () => {
  it('refuses a huge replay capacity, batch or evaluation window, naming the file and the field', async () => {
    for (const [field, value, maximum] of [
      ['bufferCapacity', 1e9, 1_000_000],
      ['batchSize', 1e8, 8192],
      ['evaluationWindow', 1e7, 10_000],
    ] as const) {
      const file = join(dir, `${field}.yaml`);
      await writeFile(file, `online: { ${field}: ${value} }\n`);
      await expect(loadServeConfig(file), field).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(new RegExp(`^invalid serve config: must be at most ${maximum}: \\w`)),
        location: { file, field: `online.${field}`, value: String(value) },
      });
    }
    const fine = join(dir, 'fine.yaml');
    await writeFile(fine, 'online: { bufferCapacity: 100000, batchSize: 64, evaluationWindow: 60 }\n');
    await expect(loadServeConfig(fine)).resolves.toMatchObject({ online: { bufferCapacity: 100_000 } });
  });
});
