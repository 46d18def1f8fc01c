/** The training config: defaults, validation errors naming the field, and the published JSON Schema. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GrpoTraderError } from '../core/index.js';
import { parseTrainConfig, trainConfigJsonSchema } from './train-config.js';
import { loadTrainConfigFile } from './train-config-file.js';

describe('train config', () => {
  it('fills every default from an empty object', () => {
    const config = parseTrainConfig({});
    expect(config.algorithm.type).toBe('grpo');
    expect(config.algorithm.grpo).toMatchObject({ groupSize: 8, horizon: 1, clipLow: 0.2, clipHigh: 0.28, advantageNormalization: 'std' });
    expect(config.algorithm.rewardPenalty).toMatchObject({ rewardScale: 0.5, penaltyScale: 1 });
    expect(config.splits.validation).toEqual({ from: '2015-01-01', to: '2015-12-31' });
  });

  it('names the file, field and value of a bad entry', () => {
    try {
      parseTrainConfig({ training: { updates: -3 } }, 'run.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GrpoTraderError);
      const e = error as GrpoTraderError;
      expect(e.code).toBe('INVALID_CONFIG');
      expect(e.location).toMatchObject({ file: 'run.yaml', field: 'training.updates', value: '-3' });
    }
    expect(() => parseTrainConfig({ algorithm: { grpo: { grupSize: 4 } } })).toThrow(/grupSize/);
  });

  it('keeps every problem of a config, not only the first: all in the message, each in details', () => {
    try {
      parseTrainConfig({ seed: -1, training: { updates: 0 }, algorithm: { deepseek: { dropout: 1.5 } } }, 'many.yaml');
      expect.unreachable();
    } catch (error) {
      const e = error as GrpoTraderError;
      const issues = (e.details as { issues: { field: string; value?: string }[] }).issues;
      expect(issues.map((i) => i.field).sort()).toEqual(['algorithm.deepseek.dropout', 'seed', 'training.updates']);
      expect(issues.find((i) => i.field === 'training.updates')!.value).toBe('0');
      expect(e.message).toMatch(/\(and 2 more: /);
      expect(e.message.split('\n')).toHaveLength(1);
    }
  });

  it('every example config is valid', async () => {
    for (const name of ['dow30.yaml', 'dow30-reward-penalty.yaml', 'spy-discrete.yaml']) {
      const config = await loadTrainConfigFile(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)));
      expect(config.splits.train).toEqual({ from: '2005-01-01', to: '2014-12-31' });
    }
    const dow = await loadTrainConfigFile(fileURLToPath(new URL('../../examples/dow30.yaml', import.meta.url)));
    expect(dow.data.symbols).toHaveLength(30);
    expect(dow.splits.validation).toEqual({ from: '2015-01-01', to: '2015-12-31' });
  });

  it('reports a YAML syntax error with its line', async () => {
    const file = join(tmpdir(), `grpo-bad-${process.pid}.yaml`);
    writeFileSync(file, 'seed: 1\nseed: 2\n'); // a duplicate key on line 2
    await expect(loadTrainConfigFile(file)).rejects.toMatchObject({ code: 'INVALID_CONFIG', location: { file, line: 2 } });
    rmSync(file);
  });

  it('bounds every size, naming the field, the bound and why', () => {
    for (const [input, field, maximum] of [
      [{ training: { envs: 1e9 } }, 'training.envs', 1024],
      [{ algorithm: { hiddenSizes: [64, 1e9] } }, 'algorithm.hiddenSizes.1', 8192],
      [{ algorithm: { hiddenSizes: Array.from({ length: 17 }, () => 8) } }, 'algorithm.hiddenSizes', 16],
      [{ algorithm: { grpo: { groupSize: 1e8 } } }, 'algorithm.grpo.groupSize', 1024],
      [{ algorithm: { deepseek: { hiddenDim: 8 * 1e6 } } }, 'algorithm.deepseek.hiddenDim', 2048],
      [{ algorithm: { rewardPenalty: { atoms: 1e7 } } }, 'algorithm.rewardPenalty.atoms', 1024],
      [{ environment: { lookback: 1e6 } }, 'environment.lookback', 2048],
    ] as const) {
      try {
        parseTrainConfig(input, 'big.yaml');
        expect.unreachable(field);
      } catch (error) {
        const e = error as GrpoTraderError;
        expect(e.code).toBe('INVALID_CONFIG');
        expect(e.location?.field).toBe(field);
        expect(e.message).toMatch(new RegExp(`^must (be|hold) at most ${maximum}( layers)?: \\w`));
      }
    }
  });

  it('publishes every bound with its reason in the JSON Schema', () => {
    const bounded: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      const maximum = schema['maximum'] ?? schema['maxItems'];
      // The safe-integer maximum zod writes for an unbounded integer is not a bound.
      if (typeof maximum === 'number' && maximum < Number.MAX_SAFE_INTEGER && schema['type'] !== 'number') {
        expect(schema['description'], path).toMatch(new RegExp(`At most ${maximum}( layers)?(: | of )`));
        bounded.push(path);
      }
      for (const [key, value] of Object.entries(schema)) visit(value, `${path}.${key}`);
    };
    visit(trainConfigJsonSchema(), '');
    expect(bounded.length).toBeGreaterThan(20);
  });

  it('refuses overlapping or out-of-order splits, naming both splits and their dates', () => {
    const refused = (splits: object) => {
      try {
        parseTrainConfig({ splits }, 'splits.yaml');
      } catch (error) {
        const e = error as GrpoTraderError;
        expect(e.code).toBe('INVALID_CONFIG');
        return { field: e.location?.field, value: e.location?.value, message: e.message };
      }
      return null;
    };
    const train = { from: '2005-01-01', to: '2014-12-31' };
    expect(refused({ train, validation: { from: '2014-06-01', to: '2015-12-31' } })).toEqual({
      field: 'splits.validation.from',
      value: '2014-06-01',
      message: 'splits.validation 2014-06-01 .. 2015-12-31 overlaps splits.train 2005-01-01 .. 2014-12-31: splits.validation must start after 2014-12-31',
    });
    // The default validation is 2015; a test split inside it overlaps it.
    expect(refused({ train, test: { from: '2015-06-30', to: '2017-12-31' } })?.message).toBe('splits.test 2015-06-30 .. 2017-12-31 overlaps splits.validation 2015-01-01 .. 2015-12-31: splits.test must start after 2015-12-31');
    expect(refused({ train, validation: null, test: { from: '2014-12-31', to: '2017-12-31' } })?.message).toMatch(/^splits\.test 2014-12-31 \.\. 2017-12-31 overlaps splits\.train /);
    expect(refused({ train, validation: { from: '2001-01-01', to: '2001-12-31' } })).toMatchObject({ field: 'splits.validation.from', message: expect.stringMatching(/^splits\.validation 2001-01-01 \.\. 2001-12-31 comes before splits\.train 2005-01-01 \.\. 2014-12-31: splits must be in time order/) });
    expect(refused({ train: { from: '2015-01-01', to: '2014-12-31' } })).toMatchObject({ field: 'splits.train.to', message: 'splits.train 2015-01-01 .. 2014-12-31 ends before it starts' });
    // Back to back (the next split starts the day after) and null splits are fine.
    expect(refused({ train, validation: { from: '2015-01-01', to: '2015-01-01' }, test: { from: '2015-01-02', to: '2015-03-31' } })).toBeNull();
    expect(refused({ train, validation: null, test: null })).toBeNull();
  });

  it('publishes the JSON Schema generated from the zod schema (scripts/make-train-schema.ts)', () => {
    const published = JSON.parse(readFileSync(new URL('../../schema/train-config.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const { $id: _id, title: _title, ...rest } = published;
    expect(rest).toEqual(trainConfigJsonSchema());
  });
});
