/**
 * The embedded SQLite store (better-sqlite3): runs with their config and data description, and for each
 * series (a strategy or agent of the run) its metrics, equity curve, weights, trades; statistical tests;
 * training checkpoints. One file, WAL journal, every write in a transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { BacktestResult, Period } from '../backtest/types.js';
import { GrpoTraderError, ErrorCodes } from '../core/errors.js';
import { currentProcess, processState } from '../core/process-identity.js';
import { formatTimestamp } from '../data/dates.js';
import { MIGRATIONS, SCHEMA, SCHEMA_VERSION } from './schema.js';

/**
 * How long a write waits for another process's write to finish before failing (two trainings, or a
 * training and a backtest, share one store file; WAL lets readers go on meanwhile).
 */
export const BUSY_TIMEOUT_MS = 30_000;

export interface RunStoreOptions {
  /** Clock for `created_at` (injectable so tests are deterministic). */
  now?: () => Date;
  /** Open an existing store only (no file created). */
  mustExist?: boolean;
}

/** A checkpoint to index: its step, where its files are, and metrics at that step. */
export interface CheckpointInput {
  step: number;
  path: string;
  metrics?: Record<string, number>;
}

/** One series of a run: a strategy's backtest and its metrics (NaN allowed). */
export interface SeriesInput {
  name: string;
  result: BacktestResult;
  metrics: Record<string, number>;
}

/** What identifies a run and how to reproduce it, known when it starts. */
export interface RunProvenance {
  kind: string;
  name: string;
  period: Period;
  config: unknown;
  data?: unknown;
  /** The seed of every random draw of the run (null when it has none). */
  seed?: number | null;
  /** `marketFingerprint` of the data the run used. */
  dataFingerprint?: string | null;
  /** Paths of what the run wrote: model directory, report, equity files... */
  artifacts?: Record<string, unknown>;
  /** The sweep (its run id) this run is a trial or the final run of. */
  sweepId?: number | null;
}

export interface RecordRunInput extends RunProvenance {
  series: SeriesInput[];
  /** Statistical tests, one per (strategy, baseline). */
  tests?: { strategy: string; baseline: string }[];
  /** Anything else the report needs (e.g. deflated Sharpe ratios), stored as JSON. */
  extra?: Record<string, unknown>;
  status?: string;
  /** Metrics by series name that are not backtest series (e.g. a trial's validation folds). */
  metrics?: Record<string, Record<string, number>>;
  /** Checkpoints the run wrote, indexed in the same transaction. */
  checkpoints?: CheckpointInput[];
}

/** The columns of a run's row that summaries show as they are. */
interface RunColumns {
  id: number;
  kind: string;
  name: string;
  created_at: string;
  finished_at: string | null;
  status: string;
  split: string;
  first_date: string;
  last_date: string;
  bars: number;
  seed: number | null;
  data_fingerprint: string | null;
  sweep_id: number | null;
  /** Where a started run is being run (host and process id) and when it last wrote to the store. */
  host: string | null;
  pid: number | null;
  heartbeat_at: string | null;
}

/**
 * What `status` shows for a run recorded as `running` whose process is gone (killed, crashed, the
 * machine restarted): checked on this host by process id and start time; a run on another host
 * stays `running` (its `heartbeat_at` says when it last wrote).
 */
export const INTERRUPTED_STATUS = 'interrupted';

/** A run that started and has not ended: `running`, or `interrupted` (its process gone) — what a resumed command continues. */
export function isUnfinishedStatus(status: string): boolean {
  return status === 'running' || status === INTERRUPTED_STATUS;
}

export interface RunSummary extends RunColumns {
  series: string[];
}

export interface RunDetail extends RunSummary {
  config: unknown;
  data: unknown;
  extra: Record<string, unknown>;
  artifacts: Record<string, unknown>;
  metrics: Record<string, Record<string, number>>;
  tests: unknown[];
  checkpoints: CheckpointRow[];
  trades: Record<string, number>;
}

export interface CheckpointRow {
  id: number;
  run_id: number;
  step: number;
  path: string;
  created_at: string;
  metrics: Record<string, number>;
}

export interface StoredSeries {
  name: string;
  symbols: string[];
  initialCapital: number;
  time: Float64Array;
  value: Float64Array;
  cost: Float64Array;
  turnover: Float64Array;
  /** `[row × asset]` weights after each bar's decision. */
  weights: Float64Array;
}

export interface StoredEvent {
  id: number;
  kind: string;
  bar: number | null;
  date: string | null;
  created_at: string;
  payload: Record<string, unknown>;
}

export interface StoredTrade {
  date: string;
  bar: number;
  symbol: string;
  weight_before: number;
  weight_after: number;
  notional: number;
  cost: number;
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : v > 0 ? 'Infinity' : '-Infinity') : v));
}

/** Which stored value is being read: named in the error when it cannot be. */
interface Cell {
  table: string;
  /** The row's id (rowid where the table has no id column). */
  row: number;
  column: string;
}

function parseJson(text: string, file: string, cell: Cell): unknown {
  try {
    if (typeof text !== 'string') throw new Error(`a ${text === null ? 'NULL' : typeof text} where JSON text belongs`);
    return JSON.parse(text, (_key, v: unknown) => (v === 'Infinity' ? Number.POSITIVE_INFINITY : v === '-Infinity' ? Number.NEGATIVE_INFINITY : v));
  } catch (error) {
    throw corruptCell(file, cell, `is not valid JSON (${(error as Error).message})`, error);
  }
}

/** A stored value that cannot be what it should be: the store file, table, row and column named. */
function corruptCell(file: string, cell: Cell, problem: string, cause?: unknown): GrpoTraderError {
  return new GrpoTraderError(ErrorCodes.corrupted, `table ${cell.table}, row ${cell.row}, column ${cell.column} ${problem}; the store was damaged or edited by hand`, { location: { file }, cause });
}

/** A JSON object stored in a column (config, extra, artifacts, payload, metrics…). */
function parseObject(text: string, file: string, cell: Cell): Record<string, unknown> {
  const value = parseJson(text, file, cell);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw corruptCell(file, cell, 'is not a JSON object');
  return value as Record<string, unknown>;
}

function number(value: number | null): number {
  return value === null ? Number.NaN : value;
}

interface RunRow extends RunColumns {
  pid_start: string | null;
  config: string;
  data: string;
  extra: string;
  artifacts: string;
}

/** How a run that was started ends: its status, and metrics by series (e.g. validation, test). */
export interface FinishRunInput {
  status: 'finished' | 'failed' | 'stopped';
  metrics?: Record<string, Record<string, number>>;
  /** Merged into the run's extra. */
  extra?: Record<string, unknown>;
  /** Merged into the run's artifacts. */
  artifacts?: Record<string, unknown>;
  /**
   * Backtest series and tests of the finished run (e.g. an online stream against its baselines);
   * they replace any the run has, so that finishing a run again (a resumed stream that was killed
   * after finishing) records the same rows once.
   */
  series?: SeriesInput[];
  tests?: { strategy: string; baseline: string }[];
}

/** A store of runs in one SQLite file. */
export class RunStore {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly now: () => Date,
  ) {}

  /** Open (creating the file and its directory unless `mustExist`) and bring the schema up to date. */
  static open(path: string, options: RunStoreOptions = {}): RunStore {
    if (!options.mustExist && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: options.mustExist ?? false, timeout: BUSY_TIMEOUT_MS });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (options.mustExist && /unable to open|does not exist/i.test(message)) throw new GrpoTraderError(ErrorCodes.notFound, 'no run store here (record a run first, e.g. grpo-trader demo)', { location: { file: path }, cause: error });
      throw new GrpoTraderError(ErrorCodes.io, `cannot open the run store: ${message}`, { location: { file: path }, cause: error });
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      if ((db.pragma('user_version', { simple: true }) as number) !== SCHEMA_VERSION) RunStore.migrate(db, path);
    } catch (error) {
      db.close();
      if (error instanceof GrpoTraderError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new GrpoTraderError(ErrorCodes.corrupted, `not a grpo-trader run store: ${message}`, { location: { file: path }, cause: error });
    }
    return new RunStore(db, path, options.now ?? (() => new Date()));
  }

  /** Create or upgrade the schema in one write transaction (another process may be doing the same). */
  private static migrate(db: Database.Database, path: string): void {
    db.transaction(() => {
      let version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) throw new GrpoTraderError(ErrorCodes.unsupported, `the run store has schema version ${version}; this grpo-trader reads up to ${SCHEMA_VERSION}`, { location: { file: path } });
      if (version === SCHEMA_VERSION) return;
      // A new file gets the current tables; an older one its missing columns, then any missing table.
      if (version > 0) for (; version < SCHEMA_VERSION; version++) db.exec(MIGRATIONS[version]!);
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Record a finished run with all its series in one transaction; returns its id. */
  recordRun(input: RecordRunInput): number {
    return this.write(() => {
      const now = this.now().toISOString();
      const runId = this.insertRun(input, input.status ?? 'finished', input.extra ?? {}, now, now);
      this.insertResults(runId, input.series, input.tests ?? []);
      this.upsertMetrics(runId, input.metrics ?? {});
      for (const c of input.checkpoints ?? []) this.insertCheckpoint(runId, c, now);
      return runId;
    });
  }

  /** Metrics by series (NaN stored as NULL), inside the caller's transaction. */
  private upsertMetrics(runId: number, metrics: Record<string, Record<string, number>>): void {
    const upsert = this.db.prepare('INSERT OR REPLACE INTO metrics (run_id, series, name, value) VALUES (?, ?, ?, ?)');
    for (const [series, values] of Object.entries(metrics)) for (const [name, value] of Object.entries(values)) upsert.run(runId, series, name, Number.isNaN(value) ? null : value);
  }

  /** A run's series (equity, metrics, trades) and tests, inside the caller's transaction. */
  private insertResults(runId: number, series: readonly SeriesInput[], tests: readonly { strategy: string; baseline: string }[]): void {
    const insertSeries = this.db.prepare('INSERT INTO series (run_id, name, position, symbols, initial_capital, first_bar, weights) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertEquity = this.db.prepare('INSERT INTO equity (run_id, series, row, date, time, value, cost, turnover) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const insertTrade = this.db.prepare('INSERT INTO trades (run_id, series, seq, date, bar, symbol, weight_before, weight_after, notional, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const insertTest = this.db.prepare('INSERT INTO tests (run_id, strategy, baseline, result) VALUES (?, ?, ?, ?)');
    series.forEach((entry, position) => {
      const r = entry.result;
      const weights = Buffer.from(r.weights.buffer, r.weights.byteOffset, r.weights.byteLength);
      insertSeries.run(runId, entry.name, position, json(r.symbols), r.initialCapital, r.barIndex[0] ?? 0, weights);
      for (let i = 0; i < r.time.length; i++) insertEquity.run(runId, entry.name, i, formatTimestamp(r.time[i]!), r.time[i]!, r.value[i]!, r.cost[i]!, r.turnover[i]!);
      const t = r.trades;
      for (let k = 0; k < t.count; k++) {
        const bar = t.bar[k]!;
        const row = bar - r.barIndex[0]!;
        insertTrade.run(runId, entry.name, k, formatTimestamp(r.time[row]!), bar, r.symbols[t.asset[k]!]!, t.weightBefore[k]!, t.weightAfter[k]!, t.notional[k]!, t.cost[k]!);
      }
    });
    this.upsertMetrics(runId, Object.fromEntries(series.map((entry) => [entry.name, entry.metrics])));
    for (const test of tests) insertTest.run(runId, test.strategy, test.baseline, json(test));
  }

  /**
   * Run `body` in a write transaction that takes the lock first (BEGIN IMMEDIATE: a deferred one
   * could not wait for another process's commit); a lock held past the busy timeout is one coded error.
   */
  private write<T>(body: () => T): T {
    try {
      return this.db.transaction(body).immediate();
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
        throw new GrpoTraderError(ErrorCodes.io, `the run store stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000} s`, { location: { file: this.path }, cause: error });
      }
      throw error;
    }
  }

  private insertRun(input: RunProvenance, status: string, extra: Record<string, unknown>, createdAt: string, finishedAt: string | null): number {
    const p = input.period;
    // A run that is starting records who runs it, so that its death can be told later.
    const owner = status === 'running' ? currentProcess() : null;
    return Number(
      this.db
        .prepare(
          'INSERT INTO runs (kind, name, created_at, finished_at, status, split, first_date, last_date, bars, config, data, extra, seed, data_fingerprint, artifacts, sweep_id, host, pid, pid_start, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(input.kind, input.name, createdAt, finishedAt, status, p.split, p.first, p.last, p.bars, json(input.config), json(input.data ?? null), json(extra), input.seed ?? null, input.dataFingerprint ?? null, json(input.artifacts ?? {}), input.sweepId ?? null, owner?.host ?? null, owner?.pid ?? null, owner?.start ?? null, owner ? createdAt : null).lastInsertRowid,
    );
  }

  /** Record a run that is starting (status `running`), so that its checkpoints can be indexed as they are written. */
  startRun(input: RunProvenance & { extra?: Record<string, unknown> }): number {
    return this.write(() => this.insertRun(input, 'running', input.extra ?? {}, this.now().toISOString(), null));
  }

  /**
   * End a started run: status, metrics by series, and extra/artifacts merged into what it has; series
   * and tests given replace the run's. Idempotent: finishing a run twice with the same input leaves
   * the same rows as finishing it once.
   */
  finishRun(id: number, input: FinishRunInput): void {
    this.write(() => {
      const row = this.requireRun(id);
      const extra = { ...this.runObject(row, 'extra'), ...(input.extra ?? {}) };
      const artifacts = { ...this.runObject(row, 'artifacts'), ...(input.artifacts ?? {}) };
      this.db.prepare('UPDATE runs SET status = ?, finished_at = ?, extra = ?, artifacts = ? WHERE id = ?').run(input.status, this.now().toISOString(), json(extra), json(artifacts), id);
      this.upsertMetrics(id, input.metrics ?? {});
      // The series replaced go with their equity rows and trades.
      if (input.series !== undefined) for (const table of ['series', 'equity', 'trades']) this.db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(id);
      if (input.tests !== undefined) this.db.prepare('DELETE FROM tests WHERE run_id = ?').run(id);
      this.insertResults(id, input.series ?? [], input.tests ?? []);
    });
  }

  /**
   * A started run is being run (again) by this process — e.g. a stream resumed after a kill: status
   * `running`, this host and process, no finish time.
   */
  claimRun(id: number): void {
    this.write(() => {
      this.requireRun(id);
      const owner = currentProcess();
      this.db.prepare('UPDATE runs SET status = ?, finished_at = NULL, host = ?, pid = ?, pid_start = ?, heartbeat_at = ? WHERE id = ?').run('running', owner.host, owner.pid, owner.start, this.now().toISOString(), id);
    });
  }

  /** A running run wrote something: remember when (runs on other hosts are judged by it). */
  private heartbeat(runId: number, now: string): void {
    this.db.prepare("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'").run(now, runId);
  }

  /** Index a training checkpoint (its files live at `path`). */
  addCheckpoint(runId: number, checkpoint: CheckpointInput): number {
    return this.write(() => {
      this.requireRun(runId);
      const now = this.now().toISOString();
      this.heartbeat(runId, now);
      return this.insertCheckpoint(runId, checkpoint, now);
    });
  }

  /**
   * Index a checkpoint whose files live at `path`, replacing any entry for that path (a rewritten
   * `best/`, a save written again after a resume), in one transaction.
   */
  indexCheckpoint(runId: number, checkpoint: CheckpointInput): number {
    return this.write(() => {
      this.requireRun(runId);
      this.db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND path = ?').run(runId, checkpoint.path);
      const now = this.now().toISOString();
      this.heartbeat(runId, now);
      return this.insertCheckpoint(runId, checkpoint, now);
    });
  }

  private insertCheckpoint(runId: number, checkpoint: CheckpointInput, createdAt: string): number {
    return Number(this.db.prepare('INSERT INTO checkpoints (run_id, step, path, created_at, metrics) VALUES (?, ?, ?, ?, ?)').run(runId, checkpoint.step, checkpoint.path, createdAt, json(checkpoint.metrics ?? {})).lastInsertRowid);
  }

  /**
   * Record an event of a running run (an online agent's refit, drift alarm, promotion, rollback; a
   * server's alert), with the bar and date it happened at and any JSON payload; returns its id.
   */
  recordEvent(runId: number, event: { kind: string; bar?: number | null; date?: string | null; payload?: Record<string, unknown> }): number {
    return this.write(() => {
      this.requireRun(runId);
      const now = this.now().toISOString();
      this.heartbeat(runId, now);
      return Number(
        this.db
          .prepare('INSERT INTO events (run_id, kind, bar, date, created_at, payload) VALUES (?, ?, ?, ?, ?, ?)')
          .run(runId, event.kind, event.bar ?? null, event.date ?? null, now, json(event.payload ?? {})).lastInsertRowid,
      );
    });
  }

  /**
   * Forget a run's events at bars ≥ `bar` (a stream resumed from a save made before them replays
   * those bars and records their events again); returns how many were removed.
   */
  removeEventsFrom(runId: number, bar: number): number {
    return this.write(() => {
      this.requireRun(runId);
      return this.db.prepare('DELETE FROM events WHERE run_id = ? AND bar >= ?').run(runId, bar).changes;
    });
  }

  /** A run's events in the order they were recorded (optionally of one kind). */
  events(runId: number, kind?: string): StoredEvent[] {
    this.requireRun(runId);
    const rows = this.db
      .prepare<{ id: number; kind: string; bar: number | null; date: string | null; created_at: string; payload: string }>(`SELECT id, kind, bar, date, created_at, payload FROM events WHERE run_id = ? ${kind === undefined ? '' : 'AND kind = ?'} ORDER BY id`)
      .all(...(kind === undefined ? [runId] : [runId, kind]));
    return rows.map((row) => ({ ...row, payload: parseObject(row.payload, this.path, { table: 'events', row: row.id, column: 'payload' }) }));
  }

  /** Merge paths into a run's artifacts (e.g. a report written after the run was recorded). */
  addArtifacts(id: number, artifacts: Record<string, unknown>): void {
    this.write(() => {
      const row = this.requireRun(id);
      this.db.prepare('UPDATE runs SET artifacts = ? WHERE id = ?').run(json({ ...this.runObject(row, 'artifacts'), ...artifacts }), id);
    });
  }

  /** Drop a run's checkpoint index entries for `path` (its files were pruned or replaced). */
  removeCheckpoint(runId: number, path: string): void {
    this.db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND path = ?').run(runId, path);
  }

  /** The newest run of `kind` whose artifact `key` is `value` (the run that wrote a folder), or null. */
  latestRunWithArtifact(kind: string, key: string, value: string): RunDetail | null {
    for (const summary of this.listRuns({ kind })) {
      const run = this.getRun(summary.id);
      if (run.artifacts[key] === value) return run;
    }
    return null;
  }

  /** Runs, newest first (optionally of one kind, or the runs of one sweep). */
  listRuns(options: { kind?: string; limit?: number; sweepId?: number } = {}): RunSummary[] {
    const where: string[] = [];
    const values: (string | number)[] = [];
    if (options.kind !== undefined) {
      where.push('kind = ?');
      values.push(options.kind);
    }
    if (options.sweepId !== undefined) {
      where.push('sweep_id = ?');
      values.push(options.sweepId);
    }
    const rows = this.db
      .prepare<RunRow>(`SELECT * FROM runs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`)
      .all(...values, options.limit ?? -1);
    const series = this.db.prepare<{ name: string }>('SELECT name FROM series WHERE run_id = ? ORDER BY position');
    return rows.map((row) => this.summary(row, series.all(row.id).map((s) => s.name)));
  }

  /** A JSON object column of a run's row. */
  private runObject(row: RunRow, column: 'extra' | 'artifacts'): Record<string, unknown> {
    return parseObject(row[column], this.path, { table: 'runs', row: row.id, column });
  }

  /** The status to show: a `running` run whose process on this host is gone is `interrupted`. */
  private shownStatus(row: RunRow): string {
    if (row.status !== 'running' || row.host === null || row.pid === null) return row.status;
    return processState({ host: row.host, pid: row.pid, start: row.pid_start }) === 'dead' ? INTERRUPTED_STATUS : row.status;
  }

  private summary(row: RunRow, series: string[]): RunSummary {
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      created_at: row.created_at,
      finished_at: row.finished_at,
      status: this.shownStatus(row),
      split: row.split,
      first_date: row.first_date,
      last_date: row.last_date,
      bars: row.bars,
      seed: row.seed,
      data_fingerprint: row.data_fingerprint,
      sweep_id: row.sweep_id,
      host: row.host,
      pid: row.pid,
      heartbeat_at: row.heartbeat_at,
      series,
    };
  }

  /** Whether the store holds run `id`. */
  hasRun(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
  }

  private requireRun(id: number): RunRow {
    const row = this.db.prepare<RunRow>('SELECT * FROM runs WHERE id = ?').get(id);
    if (!row) throw new GrpoTraderError(ErrorCodes.notFound, `no run ${id} in the store`, { location: { file: this.path } });
    return row;
  }

  /** A run with its config, metrics by series, tests, checkpoints and trade counts. */
  getRun(id: number): RunDetail {
    const row = this.requireRun(id);
    const seriesNames = this.db.prepare<{ name: string }>('SELECT name FROM series WHERE run_id = ? ORDER BY position').all(id).map((s) => s.name);
    const metrics: Record<string, Record<string, number>> = {};
    for (const name of seriesNames) metrics[name] = {};
    for (const m of this.db.prepare<{ series: string; name: string; value: number | null }>('SELECT series, name, value FROM metrics WHERE run_id = ? ORDER BY rowid').all(id)) {
      (metrics[m.series] ??= {})[m.name] = number(m.value);
    }
    const trades: Record<string, number> = {};
    for (const t of this.db.prepare<{ series: string; count: number }>('SELECT series, COUNT(*) AS count FROM trades WHERE run_id = ? GROUP BY series').all(id)) trades[t.series] = t.count;
    return {
      ...this.summary(row, seriesNames),
      config: parseJson(row.config, this.path, { table: 'runs', row: id, column: 'config' }),
      data: parseJson(row.data, this.path, { table: 'runs', row: id, column: 'data' }),
      extra: this.runObject(row, 'extra'),
      artifacts: this.runObject(row, 'artifacts'),
      metrics,
      tests: this.db
        .prepare<{ rowid: number; result: string }>('SELECT rowid, result FROM tests WHERE run_id = ? ORDER BY rowid')
        .all(id)
        .map((t) => parseObject(t.result, this.path, { table: 'tests', row: t.rowid, column: 'result' })),
      checkpoints: this.db
        .prepare<Omit<CheckpointRow, 'metrics'> & { metrics: string }>('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step, path')
        .all(id)
        .map((c) => ({ ...c, metrics: parseObject(c.metrics, this.path, { table: 'checkpoints', row: c.id, column: 'metrics' }) as Record<string, number> })),
      trades,
    };
  }

  /** The stored curves (equity, costs, turnover, weights) of a run's series, in recording order. */
  series(runId: number): StoredSeries[] {
    this.requireRun(runId);
    const rows = this.db.prepare<{ rowid: number; name: string; symbols: string; initial_capital: number; weights: Buffer }>('SELECT rowid, name, symbols, initial_capital, weights FROM series WHERE run_id = ? ORDER BY position').all(runId);
    const equity = this.db.prepare<{ row: number; time: number; value: number; cost: number; turnover: number }>('SELECT row, time, value, cost, turnover FROM equity WHERE run_id = ? AND series = ? ORDER BY row');
    return rows.map((row) => {
      const cell = (column: string): Cell => ({ table: 'series', row: row.rowid, column });
      const points = equity.all(runId, row.name);
      for (const point of points) {
        for (const column of ['time', 'value', 'cost', 'turnover'] as const) {
          // SQLite keeps whatever is written: text in a REAL column would be read as NaN.
          if (typeof point[column] !== 'number') throw corruptCell(this.path, { table: 'equity', row: point.row, column }, `(run ${runId}, series ${row.name}) holds ${JSON.stringify(point[column])}, not a number`);
        }
      }
      if (!(row.weights instanceof Uint8Array)) throw corruptCell(this.path, cell('weights'), 'is not a blob of float64 weights');
      const bytes = new Uint8Array(row.weights);
      const symbols = parseJson(row.symbols, this.path, cell('symbols'));
      if (!Array.isArray(symbols) || !symbols.every((s) => typeof s === 'string')) throw corruptCell(this.path, cell('symbols'), 'is not a JSON list of symbols');
      if (bytes.byteLength !== points.length * symbols.length * 8) throw corruptCell(this.path, cell('weights'), `holds ${bytes.byteLength} bytes; ${points.length} rows × ${symbols.length} assets of float64 weights are ${points.length * symbols.length * 8}`);
      return {
        name: row.name,
        symbols: symbols as string[],
        initialCapital: row.initial_capital,
        time: Float64Array.from(points, (p) => p.time),
        value: Float64Array.from(points, (p) => p.value),
        cost: Float64Array.from(points, (p) => p.cost),
        turnover: Float64Array.from(points, (p) => p.turnover),
        weights: new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      };
    });
  }

  /** A series' trades in order. */
  trades(runId: number, series: string): StoredTrade[] {
    this.requireRun(runId);
    return this.db.prepare<StoredTrade>('SELECT date, bar, symbol, weight_before, weight_after, notional, cost FROM trades WHERE run_id = ? AND series = ? ORDER BY seq').all(runId, series);
  }

  /** Delete a run and everything recorded with it. */
  deleteRun(id: number): void {
    this.requireRun(id);
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  }
}
