/**
 * The store's tables. `PRAGMA user_version` records the version; MIGRATIONS bring an older file up to
 * date in place (version 2 added each run's seed, data fingerprint, artifact paths and finish time;
 * version 3 the events of long-running runs: refits, alarms, promotions, rollbacks; version 4 the
 * sweep a run belongs to: a sweep's trials and final run point at the sweep's own run; version 5 who
 * runs a `running` run — host, process id and the process's start time — and when it last wrote, so
 * that a run whose process was killed reads as `interrupted` instead of `running` forever).
 */
export const SCHEMA_VERSION = 5;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL,
  split TEXT NOT NULL,
  first_date TEXT NOT NULL,
  last_date TEXT NOT NULL,
  bars INTEGER NOT NULL,
  config TEXT NOT NULL,
  data TEXT NOT NULL,
  extra TEXT NOT NULL,
  seed INTEGER,
  data_fingerprint TEXT,
  artifacts TEXT NOT NULL DEFAULT '{}',
  finished_at TEXT,
  sweep_id INTEGER,
  host TEXT,
  pid INTEGER,
  pid_start TEXT,
  heartbeat_at TEXT
);
CREATE TABLE IF NOT EXISTS series (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  symbols TEXT NOT NULL,
  initial_capital REAL NOT NULL,
  first_bar INTEGER NOT NULL,
  weights BLOB NOT NULL,
  PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  series TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL,
  PRIMARY KEY (run_id, series, name)
);
CREATE TABLE IF NOT EXISTS equity (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  series TEXT NOT NULL,
  row INTEGER NOT NULL,
  date TEXT NOT NULL,
  time REAL NOT NULL,
  value REAL NOT NULL,
  cost REAL NOT NULL,
  turnover REAL NOT NULL,
  PRIMARY KEY (run_id, series, row)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trades (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  series TEXT NOT NULL,
  seq INTEGER NOT NULL,
  date TEXT NOT NULL,
  bar INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  weight_before REAL NOT NULL,
  weight_after REAL NOT NULL,
  notional REAL NOT NULL,
  cost REAL NOT NULL,
  PRIMARY KEY (run_id, series, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tests (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  strategy TEXT NOT NULL,
  baseline TEXT NOT NULL,
  result TEXT NOT NULL,
  PRIMARY KEY (run_id, strategy, baseline)
);
CREATE TABLE IF NOT EXISTS checkpoints (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  path TEXT NOT NULL,
  created_at TEXT NOT NULL,
  metrics TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  bar INTEGER,
  date TEXT,
  created_at TEXT NOT NULL,
  payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_kind ON runs(kind, id);
CREATE INDEX IF NOT EXISTS runs_by_sweep ON runs(sweep_id, id);
CREATE INDEX IF NOT EXISTS events_by_run ON events(run_id, id);
CREATE INDEX IF NOT EXISTS checkpoints_by_run ON checkpoints(run_id, step);
`;

/** Statements that bring a store of version `from` to `from + 1`. */
export const MIGRATIONS: Record<number, string> = {
  4: `
ALTER TABLE runs ADD COLUMN host TEXT;
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN pid_start TEXT;
ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
`,
  3: 'ALTER TABLE runs ADD COLUMN sweep_id INTEGER;',
  2: '', // version 3 only adds the events table, which SCHEMA creates
  1: `
ALTER TABLE runs ADD COLUMN seed INTEGER;
ALTER TABLE runs ADD COLUMN data_fingerprint TEXT;
ALTER TABLE runs ADD COLUMN artifacts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN finished_at TEXT;
`,
};
