/**
 * `grpo-trader sweep --config SWEEP.yaml [--workers N] [--queue redis://HOST:PORT] [--resume ID]` and
 * `grpo-trader worker --queue redis://… [--concurrency N]`: thin adapters over `runSweep` and
 * `startQueueWorker` (src/sweep).
 */
import type { Command } from 'commander';
import { crashPoint } from '../../core/crash-point.js';
import { invalidArgument } from '../../core/errors.js';
import type { CliIo } from '../output.js';
import { formatNumber, formatTable, numberFlag, toJson } from './backtest-common.js';
import { resolveRunId } from './runs.js';
import { storeOption, withRunStore } from './store-option.js';
import { importanceUnavailable } from '../../sweep/importance.js';
import { prepareOutputDirectory } from '../../core/fs.js';
import { storeInput } from './output-options.js';
import type { JobExecutor } from '../../sweep/local-pool.js';
import type { SweepSummary } from '../../sweep/run-sweep.js';
import type { WalkForwardInput } from '../../sweep/walk-forward-retraining.js';
import { formatParams } from '../../sweep/search-space.js';

interface ExecutorFlags {
  workers?: string;
  queue?: string;
  queueName?: string;
  redisTimeout?: string;
  data?: string[];
}

/** Local job processes at most: each is a Node process with its own jax-js engine (about 150 MB before it trains). */
const WORKER_LIMIT = { max: 64, reason: 'each worker is a Node process with its own jax-js engine (about 150 MB before it trains); more than the cores only queue up' } as const;

/** What the executor flags ask for, checked before any file is read: BullMQ with --queue, else --workers local processes. */
type ExecutorChoice = { kind: 'queue'; url: string; queueName: string | undefined; lostAfterMs: number | undefined } | { kind: 'local'; workers: number | undefined };

export function executorChoice(flags: ExecutorFlags): ExecutorChoice {
  if (flags.queue !== undefined) {
    if (flags.workers !== undefined) throw invalidArgument('give --workers or --queue, not both (with --queue, start workers with grpo-trader worker)');
    return { kind: 'queue', url: flags.queue, queueName: flags.queueName, lostAfterMs: flags.redisTimeout === undefined ? undefined : numberFlag('--redis-timeout', flags.redisTimeout, 0, { min: 1 }) * 1000 };
  }
  return { kind: 'local', workers: flags.workers === undefined ? undefined : numberFlag('--workers', flags.workers, 1, { min: 1, integer: true, ...WORKER_LIMIT }) };
}

/** Open the executor `executorChoice` chose. */
export async function openExecutor(choice: ExecutorChoice, io: CliIo): Promise<JobExecutor> {
  if (choice.kind === 'queue') {
    const { QueueExecutor } = await import('../../sweep/queue.js');
    return QueueExecutor.open(choice.url, { ...(choice.queueName ? { queueName: choice.queueName } : {}), ...(choice.lostAfterMs === undefined ? {} : { lostAfterMs: choice.lostAfterMs }), onWarning: (line) => io.progress(`warning: ${line}\n`) });
  }
  const { LocalPool, defaultWorkers, throttledProgress } = await import('../../sweep/local-pool.js');
  return new LocalPool(choice.workers ?? defaultWorkers(), { onProgress: throttledProgress((line) => io.progress(`  ${line}`)) });
}

/** Close the executor on Ctrl-C too (local worker processes stop with it; queued jobs stay in Redis for --resume). */
export async function withExecutor<T>(executor: JobExecutor, use: (executor: JobExecutor) => Promise<T>): Promise<T> {
  const stop = () => void executor.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await use(executor);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await executor.close();
  }
}

export function formatSweepTable(summary: SweepSummary): string {
  const rows = summary.rows.map((r) => [
    `#${r.trial + 1}${summary.best?.trial === r.trial ? ' *' : ''}`,
    r.status,
    formatNumber(r.objective, 3),
    String(r.folds.length),
    formatNumber(r.deflatedSharpe, 3),
    formatParams(r.params),
  ]);
  let text = formatTable(['trial', 'status', 'objective', 'folds', 'deflated', 'parameters'], rows);
  text += `\nobjective: mean validation Sharpe (annualised) over ${summary.folds.length} walk-forward folds; deflated: probability that the trial's Sharpe beats the best of ${summary.trialsRun} unskilled trials (expected max ${formatNumber(summary.expectedMaxSharpe, 4)} per bar)\n`;
  if (summary.best) text += `selected: trial ${summary.best.trial + 1} (${formatParams(summary.best.params)}), objective ${formatNumber(summary.best.objective, 3)}, deflated Sharpe ${formatNumber(summary.best.deflatedSharpe, 3)}\n`;
  if (summary.final) text += `test ${summary.final.test.from} .. ${summary.final.test.to} (touched once): Sharpe ${formatNumber(summary.final.test.policy.sharpe, 3)}, return ${formatNumber(summary.final.test.policy.totalReturn * 100, 2)}%  |  equal weight Sharpe ${formatNumber(summary.final.test.equalWeight.sharpe, 3)}, return ${formatNumber(summary.final.test.equalWeight.totalReturn * 100, 2)}%\n`;
  const importance = Object.entries(summary.importance).sort((a, b) => (b[1] || 0) - (a[1] || 0));
  const unavailable = importanceUnavailable(summary.rows.filter((r) => r.status === 'finished'));
  if (importance.length > 0 && unavailable !== undefined) text += `parameter importance: ${unavailable}\n`;
  else if (importance.length > 0) text += `parameter importance (share of the objective's variance, η²): ${importance.map(([name, value]) => `${name} ${formatNumber(value, 2)}`).join(', ')}\n`;
  return text;
}

interface SweepFlags extends ExecutorFlags {
  config?: string;
  resume?: string;
  out?: string;
  report?: boolean;
  json?: boolean;
  store?: string;
}

export function registerSweep(program: Command, io: CliIo): void {
  storeOption(
    program
      .command('sweep')
      .description('Search hyperparameters: trials scored by walk-forward validation Sharpe, run on local processes or BullMQ workers, recorded in the run store; the selected config is tested once'),
  )
    .option('--config <file>', 'sweep file (YAML/JSON): base config, space, sampler, objective, pruning (see docs/sweeps.md)')
    .option('--workers <n>', 'local worker processes (default: the number of cores)')
    .option('--queue <url>', 'run trials as BullMQ jobs on Redis (redis://HOST:PORT); start workers with grpo-trader worker')
    .option('--queue-name <name>', 'BullMQ queue name (default grpo-trader)')
    .option('--redis-timeout <s>', 'give up when Redis stops answering for this long (default 30)')
    .option('--resume <id>', 'continue sweep ID (see runs list --kind sweep) without re-running finished trials')
    .option('--out <dir>', 'where trials write their runs (default sweeps/NAME-KEY)')
    .option('--no-report', 'do not write the sweep report page')
    .option('--json', 'print the table as JSON')
    .action(async (flags: SweepFlags) => {
      if ((flags.config === undefined) === (flags.resume === undefined)) throw invalidArgument('sweep needs --config FILE, or --resume ID (not both)');
      const choice = executorChoice(flags);
      if (flags.out !== undefined && flags.config !== undefined) {
        await prepareOutputDirectory(flags.out, { option: '--out', existing: 'refuse', what: 'a sweep', markers: [], inputs: [{ option: '--config', path: flags.config }, storeInput(flags.store)], hint: 'give another --out (a sweep is continued with --resume ID)' });
      }
      const { loadSweepConfigFile } = await import('../../sweep/sweep-config.js');
      const { runSweep } = await import('../../sweep/run-sweep.js');
      const loaded = flags.config ? await loadSweepConfigFile(flags.config) : null;
      const executor = await openExecutor(choice, io);
      const summary = await withRunStore(flags.store, (store) =>
        withExecutor(executor, (ex) =>
          runSweep(loaded, {
            store,
            executor: ex,
            ...(flags.out ? { outDir: flags.out } : {}),
            ...(flags.resume ? { resume: resolveRunId(store, flags.resume) } : {}),
            onProgress: (line) => io.progress(line),
          }),
        ),
      );
      let report: string | null = null;
      if (flags.report !== false) {
        const { writeSweepReport } = await import('../../sweep/sweep-report.js');
        report = await writeSweepReport(summary);
        crashPoint('sweep.report-written');
        await withRunStore(flags.store, (store) => store.addArtifacts(summary.sweepId, { report }));
      }
      if (flags.json) return io.stdout(`${toJson({ ...summary, rows: summary.rows.map(({ returns: _r, ...row }) => row), report })}\n`);
      io.stdout(formatSweepTable(summary));
      if (report) io.stdout(`report: ${report}\n`);
      io.stdout(`recorded as sweep ${summary.sweepId} (grpo-trader runs list --sweep ${summary.sweepId})\n`);
    });
}

interface WorkerFlags {
  queue: string;
  queueName?: string;
  concurrency?: string;
  data?: string[];
  lockMs?: string;
  stalledMs?: string;
}

export function registerWorker(program: Command, io: CliIo): void {
  program
    .command('worker')
    .description('Run sweep trials and walk-forward windows from a BullMQ queue on Redis (any machine with grpo-trader and the same data); stops on Ctrl-C after its running jobs')
    .requiredOption('--queue <url>', 'Redis URL (redis://HOST:PORT)')
    .option('--queue-name <name>', 'BullMQ queue name (default grpo-trader)')
    .option('--concurrency <n>', 'jobs at once, each in its own process (default 1)')
    .option('--data <paths...>', 'read these OHLCV files or directories instead of the jobs\' paths (checked by fingerprint)')
    .option('--lock-ms <ms>', 'job lock duration: a job whose worker died is run again after this (default 30000)')
    .option('--stalled-ms <ms>', 'how often to look for stalled jobs (default 30000)')
    .action(async (flags: WorkerFlags) => {
      const { startQueueWorker } = await import('../../sweep/queue.js');
      const { resolve } = await import('node:path');
      const concurrency = numberFlag('--concurrency', flags.concurrency, 1, { min: 1, integer: true, ...WORKER_LIMIT });
      const lockDuration = numberFlag('--lock-ms', flags.lockMs, 30_000, { min: 100, integer: true });
      const stalledInterval = numberFlag('--stalled-ms', flags.stalledMs, 30_000, { min: 100, integer: true });
      const worker = await startQueueWorker({
        url: flags.queue,
        concurrency,
        lockDuration,
        stalledInterval,
        ...(flags.queueName ? { queueName: flags.queueName } : {}),
        ...(flags.data ? { dataPaths: flags.data.map((p) => resolve(p)) } : {}),
        onLine: (line) => io.progress(line),
      });
      await new Promise<void>((done) => {
        const stop = () => {
          io.progress('worker: stopping after the running jobs\n');
          worker.close().then(done, done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

interface WalkForwardFlags extends ExecutorFlags {
  config?: string;
  windows?: string;
  updates?: string;
  resume?: string;
  out?: string;
  json?: boolean;
  store?: string;
}

export function registerWalkForward(program: Command, io: CliIo): void {
  storeOption(
    program
      .command('walk-forward')
      .description('Retrain and evaluate a training config per walk-forward window (each window a job on local processes or BullMQ workers) and stitch the out-of-sample curve'),
  )
    .option('--config <file>', 'training config (JSON or YAML); its splits are replaced by the windows')
    .option('--windows <spec>', 'train=BARS,test=BARS[,step=BARS][,validation=BARS][,anchored] (validation: the last bars of each training window, for early stopping)')
    .option('--updates <n>', "updates per window's training (overrides the config's training.updates)")
    .option('--resume <id>', 'continue walk-forward run ID (see runs list --kind walk_forward) without re-running its finished windows')
    .option('--workers <n>', 'local worker processes (default: the number of cores)')
    .option('--queue <url>', 'run windows as BullMQ jobs on Redis (redis://HOST:PORT)')
    .option('--queue-name <name>', 'BullMQ queue name (default grpo-trader)')
    .option('--redis-timeout <s>', 'give up when Redis stops answering for this long (default 30)')
    .option('--out <dir>', 'where window runs (window-1, window-2, ...) and stitched.csv go (default walk-forward/NAME-KEY)')
    .option('--json', 'print the windows and stitched metrics as JSON')
    .action(async (flags: WalkForwardFlags) => {
      const fresh = flags.config !== undefined || flags.windows !== undefined;
      if (flags.resume !== undefined && (fresh || flags.updates !== undefined || flags.out !== undefined)) throw invalidArgument('walk-forward --resume ID continues a run with its own config, windows, updates and out dir: give --resume alone (with --workers or --queue)');
      if (flags.resume === undefined && (flags.config === undefined || flags.windows === undefined)) throw invalidArgument('walk-forward needs --config FILE and --windows SPEC (or --resume ID)');
      const choice = executorChoice(flags);
      const { parseWindowsSpec, runWalkForwardRetraining } = await import('../../sweep/walk-forward-retraining.js');
      let input: WalkForwardInput | null = null;
      if (flags.resume === undefined) {
        const { withResolvedData } = await import('../../sweep/sweep-config.js');
        const { loadTrainConfigFile } = await import('../../agents/train-config-file.js');
        const { parseTrainConfig } = await import('../../agents/train-config.js');
        const windows = parseWindowsSpec(flags.windows!);
        let base = withResolvedData(await loadTrainConfigFile(flags.config!), flags.config!);
        if (flags.updates !== undefined) {
          const updates = numberFlag('--updates', flags.updates, base.training.updates, { min: 1, integer: true });
          base = parseTrainConfig({ ...base, training: { ...base.training, updates } }, flags.config!);
        }
        input = { base, windows, name: flags.config!.split(/[\\/]/).pop()!.replace(/\.(ya?ml|json)$/i, '') };
      }
      const executor = await openExecutor(choice, io);
      const result = await withRunStore(flags.store, (store) =>
        withExecutor(executor, (ex) =>
          runWalkForwardRetraining(input, {
            store,
            executor: ex,
            ...(flags.out ? { outDir: flags.out } : {}),
            ...(flags.resume ? { resume: resolveRunId(store, flags.resume) } : {}),
            onProgress: (line) => io.progress(line),
          }),
        ),
      );
      if (flags.json) return io.stdout(`${toJson({ run_id: result.runId, windows: result.windows, metrics: result.metrics, stitched: result.csv })}\n`);
      io.stdout(
        formatTable(
          ['window', 'train', 'test', 'sharpe', 'return %', 'EW sharpe', 'EW return %'],
          result.windows.map((w) => [String(w.index + 1), `${w.train.from}..${w.validation?.to ?? w.train.to}`, `${w.test.from}..${w.test.to}`, formatNumber(w.policy.sharpe, 3), formatNumber(w.policy.totalReturn * 100, 2), formatNumber(w.equalWeight.sharpe, 3), formatNumber(w.equalWeight.totalReturn * 100, 2)]),
        ),
      );
      const m = result.metrics;
      io.stdout(`stitched out of sample ${result.dates[0]} .. ${result.dates.at(-1)}: Sharpe ${formatNumber(m.policy.sharpe_ratio, 3)}, return ${formatNumber(m.policy.total_return * 100, 2)}%, max drawdown ${formatNumber(m.policy.max_drawdown * 100, 2)}%  |  equal weight Sharpe ${formatNumber(m.equalWeight.sharpe_ratio, 3)}, return ${formatNumber(m.equalWeight.total_return * 100, 2)}%\n`);
      io.stdout(`windows: ${result.outDir}/window-1 .. window-${result.windows.length}\ncurve: ${result.csv}\nrecorded as run ${result.runId}\n`);
    });
}
