/** `grpo-trader runs list|show`: the runs recorded in the SQLite run store. */
import type { Command } from 'commander';
import { invalidArgument } from '../../core/errors.js';
import { defaultStorePath } from '../../store/default-path.js';
import { RunStore } from '../../store/run-store.js';
import type { CliIo } from '../output.js';
import { commandGroup } from './group.js';
import { formatNumber, formatTable, numberFlag, toJson } from './backtest-common.js';

interface RunsFlags {
  store?: string;
  kind?: string;
  limit?: string;
  json?: boolean;
}

function withStore<T>(flags: RunsFlags, use: (store: RunStore) => T): T {
  const store = RunStore.open(flags.store ?? defaultStorePath(), { mustExist: true });
  try {
    return use(store);
  } finally {
    store.close();
  }
}

/** Parse a run id argument. */
export function parseRunId(text: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(id) || id <= 0) throw invalidArgument(`run id must be a positive integer, got "${text}"`);
  return id;
}

export function registerRuns(program: Command, io: CliIo): void {
  const runs = commandGroup(program, 'runs', 'Runs recorded in the SQLite run store');
  runs
    .command('list')
    .description('List recorded runs, newest first')
    .option('--store <file>', 'run store file (default $GRPO_TRADER_STORE or .grpo-trader/runs.sqlite)')
    .option('--kind <kind>', 'only runs of this kind (compare, backtest, walk_forward, train...)')
    .option('--limit <n>', 'at most n runs')
    .option('--json', 'print a JSON array')
    .action((flags: RunsFlags) => {
      const limit = numberFlag('--limit', flags.limit, -1, { min: 1, integer: true });
      const list = withStore(flags, (store) => store.listRuns({ ...(flags.kind === undefined ? {} : { kind: flags.kind }), limit }));
      if (flags.json) return io.stdout(`${toJson(list)}\n`);
      if (list.length === 0) return io.stdout('no runs recorded\n');
      io.stdout(formatTable(['id', 'kind', 'name', 'created', 'split', 'dates', 'bars', 'series'], list.map((r) => [String(r.id), r.kind, r.name, r.created_at.slice(0, 19), r.split, `${r.first_date}..${r.last_date}`, String(r.bars), r.series.join(',')])));
    });
  runs
    .command('show')
    .description('Show one run: config, dates covered, metrics of each series, tests, checkpoints')
    .argument('<id>', 'run id (see runs list)')
    .option('--store <file>', 'run store file (default $GRPO_TRADER_STORE or .grpo-trader/runs.sqlite)')
    .option('--json', 'print the run as JSON (NaN/Infinity as null)')
    .action((idText: string, flags: RunsFlags) => {
      const id = parseRunId(idText);
      const run = withStore(flags, (store) => store.getRun(id));
      if (flags.json) return io.stdout(`${toJson(run)}\n`);
      io.stdout(`run ${run.id}: ${run.kind} "${run.name}" (${run.status}), recorded ${run.created_at}\n`);
      io.stdout(`dates: ${run.first_date} .. ${run.last_date}, ${run.bars} bars, split ${run.split}\n`);
      io.stdout(`config: ${toJson(run.config)}\n\n`);
      const names = ['total_return', 'annual_return', 'sharpe_ratio', 'sortino_ratio', 'max_drawdown', 'volatility', 'total_turnover', 'round_trips'];
      io.stdout(formatTable(['series', ...names, 'trades'], run.series.map((s) => [s, ...names.map((n) => formatNumber(run.metrics[s]?.[n] ?? Number.NaN, 4)), String(run.trades[s] ?? 0)])));
      if (run.tests.length > 0) io.stdout(`\n${run.tests.length} paired test(s) recorded (see --json)\n`);
      if (run.checkpoints.length > 0) io.stdout(`\ncheckpoints:\n${run.checkpoints.map((c) => `  step ${c.step}: ${c.path}`).join('\n')}\n`);
    });
}
