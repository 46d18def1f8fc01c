/**
 * The sweep file (`grpo-trader sweep --config SWEEP.yaml`): a base training config (a file beside it,
 * or inline), a search space over its paths, the sampler, the walk-forward validation objective and
 * pruning. One zod schema; errors name the file and the field.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { readConfigFile } from '../core/config-file.js';
import { schemaError } from '../core/index.js';
import { loadTrainConfigFile } from '../agents/train-config-file.js';
import { parseTrainConfig, type TrainConfig } from '../agents/train-config.js';
import { resolveDataPaths } from '../data/data-paths.js';
import { SearchSpaceSchema, withParameters } from './search-space.js';

export const sweepConfigSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(200)
    // The name becomes a folder under sweeps/: a path separator (or ..) would write elsewhere.
    // eslint-disable-next-line no-control-regex
    .regex(/^(?!\.\.?$)[^/\\\u0000-\u001f]+$/, 'a name without / or \\ (it names a folder under sweeps/)')
    .optional()
    .describe('Name of the sweep (default: the file name); it names the folder sweeps/NAME-KEY'),
  base: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).describe('The training config every trial starts from: a file (relative to the sweep file) or the config inline'),
  set: z
    .record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.number())]))
    .default({})
    .describe('Fixed values set in the base config for every trial (config path → value), e.g. a shorter training.updates while searching'),
  space: SearchSpaceSchema.describe('Config path → domain ({ choices }, { uniform }, { loguniform }, { int })'),
  sampler: z
    .strictObject({
      type: z.enum(['grid', 'random', 'tpe']).default('tpe'),
      trials: z.number().int().min(1).max(10_000).nullable().default(null).describe('Trials to run (null: the whole grid; required for random and tpe)'),
      batch: z.number().int().min(1).max(256).default(4).describe('Trials in flight at most: trial i is proposed (and pruned) from trials 0 .. i − batch only, so results do not depend on how many workers ran them; give at least the number of workers'),
      seed: z.number().int().min(0).default(0),
      startupTrials: z.number().int().min(1).default(8).describe('tpe: random trials before the estimator is used'),
    })
    .default({ type: 'tpe', trials: null, batch: 4, seed: 0, startupTrials: 8 }),
  objective: z
    .strictObject({
      folds: z.number().int().min(1).max(50).default(3).describe('Walk-forward folds inside the base config\'s train + validation period: each trains on everything before its validation window'),
      validationBars: z.number().int().min(5).default(63).describe('Bars of each fold\'s validation window'),
    })
    .default({ folds: 3, validationBars: 63 }),
  pruning: z
    .strictObject({
      type: z.enum(['median', 'none']).default('median').describe('median: stop a trial after a fold when its running mean is below the median of earlier batches\' trials at that fold'),
      minTrials: z.number().int().min(1).default(4).describe('Earlier trials needed at a fold before pruning there'),
    })
    .default({ type: 'median', minTrials: 4 }),
});

export type SweepConfig = z.infer<typeof sweepConfigSchema>;

/** A sweep file read and checked, with its base config parsed and data paths made absolute. */
export interface LoadedSweep {
  sweep: SweepConfig;
  base: TrainConfig;
  name: string;
}

export function parseSweepConfig(input: unknown, file = '<sweep>'): SweepConfig {
  const parsed = sweepConfigSchema.safeParse(input ?? {});
  if (!parsed.success) throw schemaError(parsed.error.issues, { file, input });
  const sweep = parsed.data;
  if (sweep.sampler.type !== 'grid' && sweep.sampler.trials === null) throw schemaError([{ path: ['sampler', 'trials'], message: `the ${sweep.sampler.type} sampler needs a number of trials` }], { file, input });
  return sweep;
}

/** The config with its data paths expanded and made absolute (against its file's folder), so a worker process anywhere can read them. */
export function withResolvedData(config: TrainConfig, file: string, environment: NodeJS.ProcessEnv = process.env): TrainConfig {
  return { ...config, data: { ...config.data, paths: resolveDataPaths(config.data.paths, { baseDir: dirname(resolve(file)), source: file, environment }) } };
}

/** Read a sweep file; its base config's data paths are resolved (against the base file's folder) so workers can find them. */
export async function loadSweepConfigFile(file: string, environment: NodeJS.ProcessEnv = process.env): Promise<LoadedSweep> {
  const sweep = parseSweepConfig(await readConfigFile(file), file);
  const folder = dirname(resolve(file));
  let base: TrainConfig;
  let baseFile = file;
  if (typeof sweep.base === 'string') {
    baseFile = isAbsolute(sweep.base) ? sweep.base : resolve(folder, sweep.base);
    base = await loadTrainConfigFile(baseFile);
  } else {
    base = parseTrainConfig(sweep.base, `${file} (base)`);
  }
  if (Object.keys(sweep.set).length > 0) base = parseTrainConfig(withParameters(base as unknown as Record<string, unknown>, sweep.set), `${file} (set)`);
  base = withResolvedData(base, baseFile, environment);
  const name = sweep.name ?? file.split(/[\\/]/).pop()!.replace(/\.(ya?ml|json)$/i, '');
  return { sweep, base, name };
}

/** The JSON Schema of the sweep file (draft 2020-12), as published in schema/. */
export function sweepConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(sweepConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
