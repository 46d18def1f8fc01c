/** The embedded SQLite run store. */
export { RunStore, type RunStoreOptions, type RecordRunInput, type SeriesInput, type RunSummary, type RunDetail, type CheckpointRow, type StoredSeries, type StoredTrade } from './run-store.js';
export { defaultStorePath } from './default-path.js';
export { SCHEMA_VERSION } from './schema.js';
