/**
 * Records a training run in the store as it happens: the run row when it starts (config, seed, data
 * fingerprint, the training split's dates), every checkpoint in the checkpoint index as it is written
 * (a rewritten `best/` replaces its entry, pruned checkpoints leave it), and the final status with the
 * validation and test metrics.
 *
 * A training killed before its end leaves its run `running`: the next training of the same model
 * directory with the same config and data (`--resume`, or started again when nothing was saved)
 * continues that record — one run, as if never interrupted — and the index is rebuilt from what is on
 * disk; with another config the killed run is marked `stopped`. A `--resume` with the same config of a
 * run that already finished (killed after recording its end) trains nothing and records that run again.
 */
import { internalError } from '../core/errors.js';
import { join } from 'node:path';
import type { TrainingRecorder, TrainingStart, TrainSummary } from '../agents/train.js';
import { isUnfinishedStatus, type RunStore } from './run-store.js';

export interface StoreTrainingRecorder extends TrainingRecorder {
  /** The run's id once it has started. */
  readonly runId: number | undefined;
}

/** Metrics by series (`validation`, `test`) of a training summary, policy and equal weight side by side. */
export function trainingMetrics(summary: TrainSummary): Record<string, Record<string, number>> {
  const metrics: Record<string, Record<string, number>> = {
    training: { updates: summary.updates, env_steps: summary.envSteps, seconds: summary.seconds, best_update: summary.bestUpdate ?? Number.NaN, best_validation_sharpe: summary.bestValidationSharpe ?? Number.NaN },
  };
  for (const evaluation of [summary.validation, summary.test]) {
    if (!evaluation) continue;
    metrics[evaluation.split] = {
      sharpe_ratio: evaluation.policy.sharpe,
      total_return: evaluation.policy.totalReturn,
      equal_weight_sharpe_ratio: evaluation.equalWeight.sharpe,
      equal_weight_total_return: evaluation.equalWeight.totalReturn,
    };
  }
  return metrics;
}

/** A recorder writing to `store` under `name` (kind `train` unless told). */
export function storeTrainingRecorder(store: RunStore, options: { name: string; kind?: string; extra?: Record<string, unknown> }): StoreTrainingRecorder {
  let runId: number | undefined;
  let outDir = '';
  let resumedFrom: string | null = null;
  const need = (): number => {
    if (runId === undefined) throw internalError('training recorder: the run has not started');
    return runId;
  };
  return {
    get runId() {
      return runId;
    },
    started(run: TrainingStart) {
      outDir = run.outDir;
      resumedFrom = run.resumedFrom;
      const kind = options.kind ?? 'train';
      const previous = store.latestRunWithArtifact(kind, 'model_directory', run.outDir);
      const same = previous !== null && previous.data_fingerprint === run.dataFingerprint && JSON.stringify(previous.config) === JSON.stringify(JSON.parse(JSON.stringify(run.config)));
      if (previous && same && (isUnfinishedStatus(previous.status) || run.resumedFrom !== null)) {
        runId = previous.id;
        store.claimRun(previous.id);
        // Whatever the killed process indexed: the continuing training indexes the checkpoints on disk again.
        for (const checkpoint of previous.checkpoints) store.removeCheckpoint(previous.id, checkpoint.path);
        return;
      }
      const killed = previous && isUnfinishedStatus(previous.status) ? previous : null;
      runId = store.startRun({
        kind: options.kind ?? 'train',
        name: options.name,
        period: run.period,
        config: run.config,
        data: { symbols: run.symbols, paths: run.config.data.paths },
        seed: run.seed,
        dataFingerprint: run.dataFingerprint,
        artifacts: { model_directory: run.outDir, metrics_log: join(run.outDir, 'metrics.jsonl') },
        extra: { ...(options.extra ?? {}), resumed_from: run.resumedFrom },
      });
      if (killed) store.finishRun(killed.id, { status: 'stopped', extra: { stopped: `killed before its end; its model directory was trained again as run ${runId} with another configuration` } });
    },
    checkpoint(entry) {
      store.indexCheckpoint(need(), entry);
    },
    checkpointRemoved(path) {
      store.removeCheckpoint(need(), path);
    },
    finished(summary) {
      store.finishRun(need(), { status: 'finished', metrics: trainingMetrics(summary), extra: { summary, resumed_from: resumedFrom }, artifacts: { summary: join(outDir, 'summary.json') } });
    },
    failed(error) {
      if (runId === undefined) return;
      store.finishRun(runId, { status: 'failed', extra: { error: error instanceof Error ? error.message : String(error) } });
    },
  };
}
