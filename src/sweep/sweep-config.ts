/**
 * The sweep file (`grpo-trader sweep --config SWEEP.yaml`): a base training config (a file beside it,
 * or inline), a search space over its paths, the sampler, the walk-forward validation objective and
 * pruning. One zod schema; errors name the file and the field.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { readConfigFile } from '../core/config-file.js';
import { ErrorCodes, GrpoTraderError, schemaError } from '../core/index.js';
import { loadTrainConfigFile } from '../agents/train-config-file.js';
import { parseTrainConfig, type TrainConfig } from '../agents/train-config.js';
import { checkTrainingMemory, estimateTrainingMemory, type MarketShape } from '../agents/training-memory.js';
import { resolveDataPaths } from '../data/data-paths.js';
import { domainExtremes, gridSize, MAX_SWEEP_TRIALS, SearchSpaceSchema, withParameters, type Assignment, type SearchSpace } from './search-space.js';

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
      trials: z.number().int().min(1).max(MAX_SWEEP_TRIALS).nullable().default(null).describe('Trials to run (null: the whole grid; required for random and tpe)'),
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
  /** The sweep file, named in errors about its space. */
  file?: string;
}

export function parseSweepConfig(input: unknown, file = '<sweep>'): SweepConfig {
  const parsed = sweepConfigSchema.safeParse(input ?? {});
  if (!parsed.success) throw schemaError(parsed.error.issues, { file, input });
  const sweep = parsed.data;
  if (sweep.sampler.type !== 'grid' && sweep.sampler.trials === null) throw schemaError([{ path: ['sampler', 'trials'], message: `the ${sweep.sampler.type} sampler needs a number of trials` }], { file, input });
  if (sweep.sampler.type === 'grid' && sweep.sampler.trials === null) {
    // Trials are computed from their index, so a large grid costs nothing until it runs: only its count is bounded.
    const size = gridSize(sweep.space);
    if (size > MAX_SWEEP_TRIALS) {
      throw schemaError([{ path: ['sampler', 'trials'], message: `the grid of the space has ${size} combinations, more than the ${MAX_SWEEP_TRIALS} trials a sweep runs: set sampler.trials, use the random or tpe sampler, or give fewer values` }], { file, input });
    }
  }
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
  return { sweep, base, name, file };
}

/** `base` with `params` set, parsed; a refusal names the space's path and the value it would propose. */
function trialConfig(base: TrainConfig, params: Assignment, source: string): TrainConfig {
  try {
    return parseTrainConfig(withParameters(base as unknown as Record<string, unknown>, params), source);
  } catch (error) {
    const [path, value] = Object.entries(params)[0]!;
    if (!(error instanceof GrpoTraderError) || Object.keys(params).length !== 1) throw error;
    const field = error.location?.field;
    throw new GrpoTraderError(error.code, `the space can propose ${path} = ${JSON.stringify(value)}, which the training config refuses${field === undefined || field === path ? '' : ` (${field})`}: ${error.message}`, {
      location: { file: source, field: `space.${path}`, value: JSON.stringify(value) },
      cause: error,
    });
  }
}

/**
 * Check a sweep's space against its base config before any trial runs: every value the space can
 * propose at its edges (each choice, both ends of a range) must pass the training config's schema
 * and bounds, and — given the market's shape — the trial with the space's largest values (each path
 * at the edge that needs the most memory) must fit the memory budget. A huge value is one error
 * naming `space.<path>` now, not a trial that runs out of memory later.
 */
export function checkSweepSpace(base: TrainConfig, space: SearchSpace, options: { file: string; shape?: MarketShape; limitBytes?: number }): void {
  const largest: Assignment = {};
  for (const [path, domain] of Object.entries(space)) {
    let heaviest = Number.NEGATIVE_INFINITY;
    for (const value of domainExtremes(domain)) {
      const config = trialConfig(base, { [path]: value }, options.file);
      const bytes = options.shape ? estimateTrainingMemory(config, options.shape).bytes : 0;
      if (bytes > heaviest) {
        heaviest = bytes;
        largest[path] = value;
      }
    }
  }
  if (!options.shape) return;
  const config = parseTrainConfig(withParameters(base as unknown as Record<string, unknown>, largest), options.file);
  try {
    checkTrainingMemory(config, options.shape, { what: "a trial with the space's largest values", file: options.file, ...(options.limitBytes === undefined ? {} : { limitBytes: options.limitBytes }) });
  } catch (error) {
    const field = error instanceof GrpoTraderError ? error.location?.field : undefined;
    if (field === undefined || !(field in space)) throw error;
    throw new GrpoTraderError(ErrorCodes.invalidConfig, (error as GrpoTraderError).message.replace(/lower (\S+)$/, 'narrow space.$1'), {
      location: { file: options.file, field: `space.${field}`, value: JSON.stringify(largest[field]) },
      cause: error,
    });
  }
}

/** The JSON Schema of the sweep file (draft 2020-12), as published in schema/. */
export function sweepConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(sweepConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
