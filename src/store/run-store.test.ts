import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest/run-backtest.js';
import { smaCross, buyAndHold } from '../backtest/strategies/index.js';
import { summarizeBacktest, flattenSummary } from '../backtest/summarize.js';
import { marketFromCloses } from '../backtest/test-helpers.js';
import Database from 'better-sqlite3';
import { RunStore } from './run-store.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';
import { GrpoTraderError } from '../core/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const closes = Array.from({ length: 80 }, (_, t) => 100 + 10 * Math.sin(t / 6));
const market = marketFromCloses(['A', 'B'], [closes, closes.map((c) => 200 - c)]);

function record(store: RunStore) {
  const cross = runBacktest(market, smaCross({ fast: 3, slow: 8 }), { tradingCost: 0.001 });
  const hold = runBacktest(market, buyAndHold());
  return {
    cross,
    hold,
    id: store.recordRun({
      kind: 'compare',
      name: 'test run',
      period: cross.period,
      config: { strategies: ['sma_cross', 'buy_and_hold'], tradingCost: 0.001 },
      data: { symbols: ['A', 'B'] },
      series: [
        { name: 'sma_cross', result: cross, metrics: flattenSummary(summarizeBacktest(cross, market)) },
        { name: 'buy_and_hold', result: hold, metrics: flattenSummary(summarizeBacktest(hold, market)) },
      ],
      tests: [{ strategy: 'sma_cross', baseline: 'buy_and_hold', p: 0.5 } as { strategy: string; baseline: string }],
      extra: { note: 'x', infinite: Number.POSITIVE_INFINITY },
    }),
  };
}

describe('RunStore', () => {
  it('records a run and reads back its curves, weights, trades and metrics exactly', () => {
    const path = join(dir, 'a', 'runs.sqlite');
    const store = RunStore.open(path, { now: () => new Date('2026-01-02T03:04:05Z') });
    const { cross, hold, id } = record(store);
    store.close();
    const again = RunStore.open(path, { mustExist: true });
    const run = again.getRun(id);
    expect(run).toMatchObject({ id, kind: 'compare', name: 'test run', created_at: '2026-01-02T03:04:05.000Z', split: 'all', first_date: '2020-01-01', bars: 80, series: ['sma_cross', 'buy_and_hold'] });
    expect(run.config).toEqual({ strategies: ['sma_cross', 'buy_and_hold'], tradingCost: 0.001 });
    expect(run.extra).toEqual({ note: 'x', infinite: Number.POSITIVE_INFINITY });
    expect(run.metrics.sma_cross!.final_value).toBe(cross.value[79]);
    expect(Number.isNaN(run.metrics.buy_and_hold!.trade_win_rate)).toBe(true);
    expect(run.trades).toEqual({ sma_cross: cross.trades.count, buy_and_hold: 2 });
    expect(run.tests).toEqual([{ strategy: 'sma_cross', baseline: 'buy_and_hold', p: 0.5 }]);
    const [first, second] = again.series(id);
    expect(first!.name).toBe('sma_cross');
    expect(Array.from(first!.value)).toEqual(Array.from(cross.value));
    expect(Array.from(first!.weights)).toEqual(Array.from(cross.weights));
    expect(Array.from(second!.time)).toEqual(Array.from(hold.time));
    const trades = again.trades(id, 'sma_cross');
    expect(trades).toHaveLength(cross.trades.count);
    expect(trades[0]).toEqual({ date: '2020-01-08', bar: 7, symbol: expect.any(String), weight_before: 0, weight_after: 0.5, notional: expect.any(Number), cost: expect.any(Number) });
    again.close();
  });

  it('lists runs newest first, filters by kind, indexes checkpoints and deletes with everything attached', () => {
    const store = RunStore.open(join(dir, 'b.sqlite'));
    const first = record(store).id;
    const second = record(store).id;
    expect(store.listRuns().map((r) => r.id)).toEqual([second, first]);
    expect(store.listRuns({ limit: 1 }).map((r) => r.id)).toEqual([second]);
    expect(store.listRuns({ kind: 'train' })).toEqual([]);
    store.addCheckpoint(first, { step: 200, path: 'checkpoints/200', metrics: { loss: 0.5 } });
    store.addCheckpoint(first, { step: 100, path: 'checkpoints/100' });
    expect(store.getRun(first).checkpoints.map((c) => [c.step, c.path, c.metrics])).toEqual([[100, 'checkpoints/100', {}], [200, 'checkpoints/200', { loss: 0.5 }]]);
    store.deleteRun(first);
    expect(() => store.getRun(first)).toThrow(/no run \d+ in the store/);
    expect(() => store.series(first)).toThrow(/no run/);
    expect(store.listRuns().map((r) => r.id)).toEqual([second]);
    expect(() => store.addCheckpoint(999, { step: 1, path: 'x' })).toThrow(/no run 999/);
    store.close();
  });

  it('refuses a missing store when asked to open an existing one, and a file that is not a store', async () => {
    expect(() => RunStore.open(join(dir, 'missing', 'none.sqlite'), { mustExist: true })).toThrow(/no run store here/);
    const junk = join(dir, 'junk.sqlite');
    await writeFile(junk, 'this is not a database, just some text that is long enough to be a header '.repeat(20));
    expect(() => RunStore.open(junk)).toThrow(/not a grpo-trader run store/);
  });

  it('records a long run as it goes: started, checkpoints indexed (a rewritten path replaces its entry), finished with metrics', () => {
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const store = RunStore.open(join(dir, 'c.sqlite'), { now: () => new Date((clock += 1000)) });
    const id = store.startRun({ kind: 'train', name: 't', period: { first: '2020-01-01', last: '2020-12-31', bars: 252, split: 'train' }, config: { seed: 9 }, seed: 9, dataFingerprint: 'sha256:ab', artifacts: { model_directory: '/m' } });
    expect(store.getRun(id)).toMatchObject({ status: 'running', finished_at: null, seed: 9, data_fingerprint: 'sha256:ab', artifacts: { model_directory: '/m' } });
    store.addCheckpoint(id, { step: 1, path: '/m/best' });
    store.removeCheckpoint(id, '/m/best');
    store.addCheckpoint(id, { step: 3, path: '/m/best', metrics: { validationSharpe: 1.5 } });
    store.finishRun(id, { status: 'finished', metrics: { validation: { sharpe_ratio: 1.5, total_return: Number.NaN } }, artifacts: { summary: '/m/summary.json' } });
    const run = store.getRun(id);
    expect(run).toMatchObject({ status: 'finished', created_at: '2026-03-01T00:00:01.000Z', finished_at: '2026-03-01T00:00:04.000Z', artifacts: { model_directory: '/m', summary: '/m/summary.json' } });
    expect(run.checkpoints.map((c) => [c.step, c.path, c.metrics])).toEqual([[3, '/m/best', { validationSharpe: 1.5 }]]);
    expect(run.metrics['validation']!['sharpe_ratio']).toBe(1.5);
    expect(run.metrics['validation']!['total_return']).toBeNaN();
    store.close();
  });

  it('upgrades a version-1 store in place: old runs stay readable, new columns are empty', () => {
    const path = join(dir, 'v1.sqlite');
    const old = new Database(path);
    // The version-1 runs table, as grpo-trader 0.1 wrote it.
    old.exec(`CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL, status TEXT NOT NULL,
      split TEXT NOT NULL, first_date TEXT NOT NULL, last_date TEXT NOT NULL, bars INTEGER NOT NULL, config TEXT NOT NULL, data TEXT NOT NULL, extra TEXT NOT NULL);
      INSERT INTO runs (kind, name, created_at, status, split, first_date, last_date, bars, config, data, extra)
      VALUES ('compare', 'old', '2025-01-01T00:00:00.000Z', 'finished', 'all', '2020-01-01', '2020-02-01', 22, '{"a":1}', 'null', '{}');`);
    old.pragma('user_version = 1');
    old.close();
    const store = RunStore.open(path);
    expect(store.getRun(1)).toMatchObject({ name: 'old', config: { a: 1 }, seed: null, data_fingerprint: null, finished_at: null, artifacts: {}, checkpoints: [], sweep_id: null, host: null, pid: null, heartbeat_at: null });
    expect(store.startRun({ kind: 'train', name: 'new', period: { first: '2020-01-01', last: '2020-02-01', bars: 22, split: 'train' }, config: {}, seed: 1 })).toBe(2);
    expect(store.getRun(2)).toMatchObject({ status: 'running', host: hostname(), pid: process.pid });
    store.close();
    const check = new Database(path);
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });

  it('records the events of a running run in order, filters them by kind, and deletes them with the run', () => {
    let clock = Date.parse('2026-05-01T00:00:00Z');
    const store = RunStore.open(join(dir, 'events.sqlite'), { now: () => new Date((clock += 1000)) });
    const id = store.startRun({ kind: 'online', name: 'o', period: { first: '2020-01-01', last: '2020-12-31', bars: 252, split: 'stream' }, config: {} });
    store.recordEvent(id, { kind: 'refit', bar: 78, date: '2020-04-22', payload: { reason: 'first' } });
    store.recordEvent(id, { kind: 'alarm', bar: 140, date: '2020-07-20', payload: { detector: 'page-hinkley', direction: -1 } });
    store.recordEvent(id, { kind: 'refit', bar: 141, date: '2020-07-21', payload: { reason: 'drift', agreement: 0.8 } });
    expect(store.events(id).map((e) => [e.kind, e.bar])).toEqual([['refit', 78], ['alarm', 140], ['refit', 141]]);
    expect(store.events(id, 'refit').map((e) => e.payload)).toEqual([{ reason: 'first' }, { reason: 'drift', agreement: 0.8 }]);
    expect(store.events(id)[1]).toMatchObject({ date: '2020-07-20', created_at: '2026-05-01T00:00:03.000Z' });
    expect(() => store.recordEvent(999, { kind: 'x' })).toThrow(/no run 999/);
    store.deleteRun(id);
    expect(() => store.events(id)).toThrow(/no run/);
    store.close();
  });

  it('groups a sweep\'s runs: trials point at the sweep, recorded with their metrics and checkpoints in one transaction', () => {
    const store = RunStore.open(join(dir, 'sweeps.sqlite'));
    const period = { first: '2020-01-01', last: '2020-12-31', bars: 252, split: 'walk-forward validation' };
    const sweep = store.startRun({ kind: 'sweep', name: 's', period, config: {} });
    const other = store.recordRun({ kind: 'backtest', name: 'b', period, config: {}, series: [] });
    const trial = store.recordRun({ kind: 'trial', name: 's #1', period, config: {}, series: [], sweepId: sweep, status: 'pruned', metrics: { validation: { objective: 0.5, folds: 1 } }, checkpoints: [{ step: 7, path: '/t/fold-0/best', metrics: { fold: 0 } }] });
    expect(store.listRuns({ sweepId: sweep }).map((r) => r.id)).toEqual([trial]);
    expect(store.listRuns().map((r) => [r.id, r.sweep_id])).toEqual([[trial, sweep], [other, null], [sweep, null]]);
    const run = store.getRun(trial);
    expect(run).toMatchObject({ status: 'pruned', sweep_id: sweep, metrics: { validation: { objective: 0.5, folds: 1 } } });
    expect(run.checkpoints.map((c) => [c.step, c.path, c.metrics])).toEqual([[7, '/t/fold-0/best', { fold: 0 }]]);
    store.close();
  });

  it('upgrades a version-4 store: its running runs have no process recorded and stay running', () => {
    const path = join(dir, 'v4.sqlite');
    const old = new Database(path);
    // The version-4 tables: the current schema without the columns version 5 added.
    old.exec(SCHEMA.replace(/,\s*host TEXT,\s*pid INTEGER,\s*pid_start TEXT,\s*heartbeat_at TEXT/, ''));
    old.exec(`INSERT INTO runs (kind, name, created_at, status, split, first_date, last_date, bars, config, data, extra) VALUES ('train', 'old', '2025-01-01T00:00:00.000Z', 'running', 'train', '2020-01-01', '2020-02-01', 22, '{}', 'null', '{}')`);
    old.pragma('user_version = 4');
    old.close();
    const store = RunStore.open(path);
    expect(store.getRun(1)).toMatchObject({ status: 'running', host: null, pid: null, heartbeat_at: null });
    store.close();
  });

  it('shows a running run whose process is gone as interrupted (process id and start time on this host); another host\'s stays running; claiming it again makes it running', () => {
    let clock = Date.parse('2026-06-01T00:00:00Z');
    const path = join(dir, 'owners.sqlite');
    const store = RunStore.open(path, { now: () => new Date((clock += 1000)) });
    const period = { first: '2020-01-01', last: '2020-12-31', bars: 252, split: 'train' };
    const ids = [0, 1, 2, 3].map(() => store.startRun({ kind: 'train', name: 't', period, config: {} }));
    store.recordEvent(ids[0]!, { kind: 'refit' });
    const raw = new Database(path);
    // A process that has exited: its pid names no process (or, reused, one started at another time).
    const exited = spawnSync(process.execPath, ['-e', '']).pid!;
    raw.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(exited, ids[1]);
    raw.prepare("UPDATE runs SET pid_start = '1' WHERE id = ?").run(ids[2]);
    raw.prepare("UPDATE runs SET host = 'another-host', pid = ? WHERE id = ?").run(exited, ids[3]);
    raw.close();
    expect(store.listRuns().map((r) => [r.id, r.status])).toEqual([[ids[3], 'running'], [ids[2], 'interrupted'], [ids[1], 'interrupted'], [ids[0], 'running']]);
    expect(store.getRun(ids[0]!)).toMatchObject({ status: 'running', pid: process.pid, heartbeat_at: '2026-06-01T00:00:05.000Z' });
    store.claimRun(ids[1]!);
    expect(store.getRun(ids[1]!)).toMatchObject({ status: 'running', pid: process.pid, finished_at: null });
    store.finishRun(ids[2]!, { status: 'finished' });
    expect(store.getRun(ids[2]!).status).toBe('finished');
    store.close();
  });

  it('finishing a run again replaces its series, equity, trades and tests instead of failing on them', () => {
    const store = RunStore.open(join(dir, 'refinish.sqlite'));
    const cross = runBacktest(market, smaCross({ fast: 3, slow: 8 }), { tradingCost: 0.001 });
    const id = store.startRun({ kind: 'online', name: 'o', period: cross.period, config: {} });
    const finish = () => store.finishRun(id, { status: 'finished', series: [{ name: 'online', result: cross, metrics: flattenSummary(summarizeBacktest(cross, market)) }], tests: [{ strategy: 'online', baseline: 'frozen' }], artifacts: { last_state: '/s' } });
    finish();
    const once = { run: store.getRun(id), series: store.series(id), trades: store.trades(id, 'online') };
    finish();
    expect({ run: store.getRun(id), series: store.series(id), trades: store.trades(id, 'online') }).toEqual({ ...once, run: { ...once.run, finished_at: expect.any(String) } });
    expect(once.run.series).toEqual(['online']);
    expect(once.trades.length).toBe(cross.trades.count);
    store.close();
  });

  it('names the store file, table, row and column of a damaged row (one coded error, not a crash inside)', async () => {
    const path = join(dir, 'damaged.sqlite');
    const store = RunStore.open(path);
    const { id } = record(store);
    store.recordEvent(id, { kind: 'alarm', payload: { x: 1 } });
    const raw = new Database(path);
    const damage = (sql: string) => raw.prepare(sql).run(id);
    const expectCorrupt = (read: () => unknown, message: RegExp) => {
      let thrown: unknown;
      try {
        read();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(GrpoTraderError);
      expect(thrown).toMatchObject({ code: 'CORRUPTED', location: { file: path } });
      expect((thrown as Error).message).toMatch(message);
    };
    damage(`UPDATE runs SET config = '{"strategies": [' WHERE id = ?`);
    expectCorrupt(() => store.getRun(id), new RegExp(`^table runs, row ${id}, column config is not valid JSON \\(.+\\); the store was damaged or edited by hand$`));
    damage(`UPDATE runs SET config = '{}', artifacts = '[1]' WHERE id = ?`);
    expectCorrupt(() => store.addArtifacts(id, { report: 'r.html' }), new RegExp(`^table runs, row ${id}, column artifacts is not a JSON object`));
    damage(`UPDATE runs SET artifacts = '{}' WHERE id = ?`);
    damage(`UPDATE events SET payload = 'nope' WHERE run_id = ?`);
    expectCorrupt(() => store.events(id), /^table events, row \d+, column payload is not valid JSON/);
    damage(`UPDATE tests SET result = '' WHERE run_id = ?`);
    expectCorrupt(() => store.getRun(id), /^table tests, row \d+, column result is not valid JSON/);
    damage(`UPDATE series SET weights = substr(weights, 1, 12) WHERE run_id = ? AND name = 'sma_cross'`);
    expectCorrupt(() => store.series(id), /^table series, row \d+, column weights holds 12 bytes; 80 rows × 2 assets of float64 weights are 1280/);
    damage(`UPDATE equity SET value = 'abc' WHERE run_id = ? AND series = 'buy_and_hold' AND row = 5`);
    damage(`UPDATE series SET weights = (SELECT weights FROM series WHERE name = 'buy_and_hold') WHERE run_id = ? AND name = 'sma_cross'`);
    expectCorrupt(() => store.series(id), /^table equity, row 5, column value \(run \d+, series buy_and_hold\) holds "abc", not a number/);
    raw.close();
    store.close();
  });
});
