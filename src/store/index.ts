/** The embedded SQLite run store. */
export { RunStore, BUSY_TIMEOUT_MS, type RunStoreOptions, type RunProvenance, type FinishRunInput, type RecordRunInput, type SeriesInput, type RunSummary, type RunDetail, type CheckpointRow, type StoredSeries, type StoredTrade, type StoredEvent } from './run-store.js';
export { defaultStorePath } from './default-path.js';
export { SCHEMA_VERSION } from './schema.js';
export { storeTrainingRecorder, trainingMetrics, type StoreTrainingRecorder } from './training-recorder.js';
