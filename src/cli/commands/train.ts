/**
 * `grpo-trader train`: train an agent from a JSON/YAML config (validated; schema in
 * schema/train-config.schema.json), with progress lines, metrics.jsonl, atomic checkpoints, early
 * stopping on validation Sharpe and exact `--resume`.
 */
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { invalidArgument } from '../../core/errors.js';
import type { TrainConfig } from '../../agents/index.js';
import { storeTrainingRecorder } from '../../store/training-recorder.js';
import type { CliIo } from '../output.js';
import { storeOption, withRunStore } from './store-option.js';
import { prepareOutputDirectory, samePath } from '../../core/fs.js';
import { resolveDataPaths } from '../../data/data-paths.js';
import { dataInputs, overwriteOption, storeInput } from './output-options.js';

interface TrainFlags {
  config?: string;
  out: string;
  seed?: string;
  updates?: string;
  resume?: string;
  threads?: string;
  data?: string[];
  store?: string;
  overwrite?: boolean;
  json?: boolean;
}

function integerFlag(flag: string, text: string | undefined, minimum: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < minimum) throw invalidArgument(`${flag} must be an integer >= ${minimum}, got "${text}"`);
  return value;
}

export function registerTrain(program: Command, io: CliIo): void {
  overwriteOption(
    storeOption(program.command('train').description('Train a GRPO agent (group-relative, or the specification\'s reward-penalty agents) from a JSON/YAML config; the run and its checkpoints are recorded in the run store')),
    'a previous run in --out (the folder is emptied first)',
  )
    .option('--config <file>', 'training config (JSON or YAML); optional with --resume (the checkpoint\'s config is used)')
    .requiredOption('--out <dir>', 'output directory: checkpoints/, best/, metrics.jsonl, summary.json (new or empty, unless --resume continues the run in it or --overwrite)')
    .option('--seed <n>', 'override the config\'s seed')
    .option('--updates <n>', 'total number of updates (with --resume: continue up to this total)')
    .option('--resume <dir>', 'resume from a run directory or a checkpoint directory (into the same run, or into a new --out that receives a complete copy)')
    .option('--threads <n>', 'jax-js worker threads (overrides training.threads)')
    .option('--data <paths...>', 'OHLCV files or directories instead of the config\'s data.paths (relative to the working directory)')
    .option('--json', 'print the final summary as JSON on stdout')
    .action(async (flags: TrainFlags) => {
      // Loaded on use: the agents module brings jax-js, which other commands do not need.
      const { checkpointRunDirectory, loadTrainConfigFile, readCheckpointConfig, resumeTarget, runTraining } = await import('../../agents/index.js');
      const seed = integerFlag('--seed', flags.seed, 0);
      const updates = integerFlag('--updates', flags.updates, 1);
      const threads = integerFlag('--threads', flags.threads, 1);
      // A run killed before its first checkpoint has nothing to continue from: --resume starts it over in place.
      const checkpoint = flags.resume === undefined ? undefined : await resumeTarget(flags.resume);
      if (checkpoint === null && !(await samePath(flags.resume!, flags.out))) {
        throw invalidArgument(`--resume ${flags.resume} holds a run killed before its first checkpoint: nothing to copy into another --out; resume it in place (--out ${flags.resume})`);
      }
      let config: TrainConfig;
      let baseDir = process.cwd();
      let configFile: string | undefined;
      if (flags.config) {
        config = await loadTrainConfigFile(flags.config);
        baseDir = dirname(resolve(flags.config));
        configFile = flags.config;
      } else if (checkpoint) {
        ({ config } = await readCheckpointConfig(checkpoint));
      } else if (checkpoint === null) {
        throw invalidArgument(`--resume ${flags.resume} holds a run killed before its first checkpoint, which saved no config: give --config FILE to start it over in place`);
      } else {
        throw invalidArgument('train needs --config FILE (or --resume DIR)');
      }
      if (seed !== undefined) config = { ...config, seed };
      if (updates !== undefined || threads !== undefined) {
        config = { ...config, training: { ...config.training, ...(updates === undefined ? {} : { updates }), ...(threads === undefined ? {} : { threads }) } };
      }
      if (flags.data !== undefined) {
        config = { ...config, data: { ...config.data, paths: flags.data.map((path) => resolve(path)) } };
        configFile = undefined;
      }
      // The output folder: a new or empty one, the run being resumed (continued in place), or — with --overwrite — a previous run, emptied first.
      const continuing = typeof checkpoint === 'string' && (await samePath(checkpointRunDirectory(checkpoint), flags.out));
      const dataPaths = resolveDataPaths(config.data.paths, { baseDir, ...(configFile === undefined ? {} : { source: configFile }) });
      await prepareOutputDirectory(flags.out, {
        option: '--out',
        existing: flags.overwrite || checkpoint === null ? 'replace' : continuing ? 'continue' : 'refuse',
        what: 'a training run',
        markers: ['metrics.jsonl', 'checkpoints', 'best', 'summary.json', 'data.json'],
        inputs: [
          ...(flags.config === undefined ? [] : [{ option: '--config', path: flags.config }]),
          ...(await dataInputs(flags.data === undefined ? 'data.paths' : '--data', dataPaths)),
          ...(typeof checkpoint === 'string' ? [{ option: '--resume', path: checkpoint }] : []),
          storeInput(flags.store),
        ],
        hint: 'give a new --out, --resume DIR to continue the run in it, or --overwrite to replace it',
      });
      const { summary, runId } = await withRunStore(flags.store, async (store) => {
        const recorder = storeTrainingRecorder(store, { name: basename(resolve(flags.out)) });
        const result = await runTraining(config, {
          outDir: flags.out,
          baseDir,
          ...(configFile === undefined ? {} : { configFile }),
          ...(typeof checkpoint === 'string' ? { resume: flags.resume! } : {}),
          onProgress: (line) => io.progress(line),
          recorder,
        });
        return { summary: result, runId: recorder.runId };
      });
      io.progress(`train: recorded as run ${runId} (grpo-trader runs show ${runId})\n`);
      if (flags.json) io.stdout(`${JSON.stringify({ ...summary, run_id: runId })}\n`);
      else {
        io.stdout(
          `${flags.out}: ${summary.algorithm}, ${summary.updates} updates${summary.stoppedEarly ? ' (stopped early)' : ''}, best validation Sharpe ${summary.bestValidationSharpe?.toFixed(3) ?? 'n/a'} at update ${summary.bestUpdate ?? 'n/a'}` +
            (summary.test ? `, test Sharpe ${summary.test.policy.sharpe.toFixed(3)} (equal weight ${summary.test.equalWeight.sharpe.toFixed(3)})` : '') +
            '\n',
        );
      }
    });
}
