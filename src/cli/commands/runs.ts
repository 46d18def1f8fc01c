/** `grpo-trader runs list|show`: the runs recorded in the SQLite run store. */
import type { Command } from 'commander';
import { ErrorCodes, GrpoTraderError, invalidArgument } from '../../core/errors.js';
import { INTERRUPTED_STATUS, type RunStore, type RunSummary } from '../../store/run-store.js';
import type { CliIo } from '../output.js';
import { commandGroup } from './group.js';
import { formatNumber, formatTable, numberFlag, toJson } from './backtest-common.js';
import { storeOption, withRunStore } from './store-option.js';

interface RunsFlags {
  store?: string;
  kind?: string;
  sweep?: string;
  limit?: string;
  json?: boolean;
}


/** A run id argument: a positive integer, or `latest` (the newest run in the store). */
export function resolveRunId(store: RunStore, text: string): number {
  if (text.trim() === 'latest') {
    const newest = store.listRuns({ limit: 1 })[0];
    if (newest === undefined) throw new GrpoTraderError(ErrorCodes.notFound, 'the run store holds no run yet', { location: { file: store.path } });
    return newest.id;
  }
  const id = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(id) || id <= 0) throw invalidArgument(`run id must be a positive integer or "latest", got "${text}"`);
  return id;
}

/** Runs in list order, but each sweep followed by its trials and final run (in id order); `member` marks those. */
export function groupBySweep(list: readonly RunSummary[]): { run: RunSummary; member: boolean }[] {
  const present = new Set(list.map((r) => r.id));
  const members = new Map<number, RunSummary[]>();
  for (const run of list) if (run.sweep_id !== null && present.has(run.sweep_id)) members.set(run.sweep_id, [...(members.get(run.sweep_id) ?? []), run]);
  const out: { run: RunSummary; member: boolean }[] = [];
  for (const run of list) {
    if (run.sweep_id !== null && present.has(run.sweep_id)) continue;
    out.push({ run, member: run.sweep_id !== null });
    for (const member of (members.get(run.id) ?? []).sort((a, b) => a.id - b.id)) out.push({ run: member, member: true });
  }
  return out;
}

export function registerRuns(program: Command, io: CliIo): void {
  const runs = commandGroup(program, 'runs', 'Runs recorded in the SQLite run store');
  storeOption(runs.command('list').description('List recorded runs, newest first'))
    .option('--kind <kind>', 'only runs of this kind (compare, backtest, walk_forward, train...)')
    .option('--sweep <id>', 'only sweep ID and its trials')
    .option('--limit <n>', 'at most n runs')
    .option('--json', 'print a JSON array')
    .action(async (flags: RunsFlags) => {
      const limit = numberFlag('--limit', flags.limit, -1, { min: 1, integer: true });
      const list = await withRunStore(
        flags.store,
        (store) => {
          if (flags.sweep === undefined) return store.listRuns({ ...(flags.kind === undefined ? {} : { kind: flags.kind }), limit });
          const sweepId = resolveRunId(store, flags.sweep);
          return [store.getRun(sweepId), ...store.listRuns({ sweepId, ...(flags.kind === undefined ? {} : { kind: flags.kind }), limit })];
        },
        { mustExist: true },
      );
      if (flags.json) return io.stdout(`${toJson(list)}\n`);
      if (list.length === 0) return io.stdout('no runs recorded\n');
      io.stdout(
        formatTable(
          ['id', 'kind', 'status', 'name', 'created', 'split', 'dates', 'bars', 'seed', 'data', 'series'],
          groupBySweep(list).map(({ run: r, member }) => [String(r.id), r.kind, r.status, `${member ? '  └ ' : ''}${r.name}`, r.created_at.slice(0, 19), r.split, `${r.first_date}..${r.last_date}`, String(r.bars), r.seed === null ? '-' : String(r.seed), r.data_fingerprint?.slice(7, 19) ?? '-', r.series.join(',') || '-']),
        ),
      );
    });
  storeOption(runs.command('show').description('Show one run: config, seed, data fingerprint, dates covered, metrics, tests, checkpoints, artifacts').argument('<id>', 'run id (see runs list), or latest'))
    .option('--json', 'print the run as JSON (NaN/Infinity as null)')
    .action(async (idText: string, flags: RunsFlags) => {
      const run = await withRunStore(flags.store, (store) => store.getRun(resolveRunId(store, idText)), { mustExist: true });
      if (flags.json) return io.stdout(`${toJson(run)}\n`);
      io.stdout(`run ${run.id}: ${run.kind} "${run.name}" (${run.status}), recorded ${run.created_at}${run.finished_at ? `, finished ${run.finished_at}` : ''}\n`);
      io.stdout(`dates: ${run.first_date} .. ${run.last_date}, ${run.bars} bars, split ${run.split}\n`);
      io.stdout(`seed: ${run.seed ?? '-'}, data fingerprint: ${run.data_fingerprint ?? '-'}\n`);
      if ((run.status === 'running' || run.status === INTERRUPTED_STATUS) && run.pid !== null) io.stdout(`process: ${run.pid} on ${run.host ?? '?'}${run.status === INTERRUPTED_STATUS ? ' (gone: killed or crashed before the run finished)' : ''}, last wrote ${run.heartbeat_at ?? '-'}\n`);
      io.stdout(`config: ${toJson(run.config)}\n`);
      for (const [name, path] of Object.entries(run.artifacts)) io.stdout(`${name}: ${String(path)}\n`);
      io.stdout('\n');
      if (run.series.length > 0) {
        const names = ['total_return', 'annual_return', 'sharpe_ratio', 'sortino_ratio', 'max_drawdown', 'volatility', 'total_turnover', 'round_trips'];
        io.stdout(formatTable(['series', ...names, 'trades'], run.series.map((s) => [s, ...names.map((n) => formatNumber(run.metrics[s]?.[n] ?? Number.NaN, 4)), String(run.trades[s] ?? 0)])));
      } else {
        for (const [series, values] of Object.entries(run.metrics)) io.stdout(`${series}: ${Object.entries(values).map(([n, v]) => `${n} ${formatNumber(v, 4)}`).join(', ')}\n`);
      }
      if (run.tests.length > 0) io.stdout(`\n${run.tests.length} paired test(s) recorded (see --json)\n`);
      if (run.checkpoints.length > 0) io.stdout(`\ncheckpoints:\n${run.checkpoints.map((c) => `  step ${c.step}: ${c.path}`).join('\n')}\n`);
    });
}
