/**
 * Training checkpoints: a directory per checkpoint holding every jax array of the agent
 * (`networks.safetensors` + `networks.json`, via nn's saveParams) and `state.json` (the agent's host
 * state — RNG, environment snapshots, counters — and the trainer's). A checkpoint is written into a
 * temporary sibling directory and renamed into place, then `latest.json` is replaced atomically, so
 * a crash never leaves a half-written checkpoint behind the `latest` pointer.
 */
import { cp, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { crashPoint, decodeFloat64, encodeFloat64, ErrorCodes, GrpoTraderError, pathExists, readJsonFile, writeDirectoryAtomic, writeFileAtomic } from '../core/index.js';
import { loadParams, saveParams } from '../nn/index.js';
import { numpy as np, tree } from '../nn/jax.js';
import type { Array, JsTree } from '../nn/jax.js';
import type { AgentHostState, TrainableAgent } from './trainable-agent.js';

export const CHECKPOINT_KIND = 'grpo-trader-training';

/** The training loop's own resumable state. */
export interface TrainerState {
  bestValidationSharpe: number | null;
  bestUpdate: number | null;
  evaluationsWithoutImprovement: number;
  stoppedEarly: boolean;
  /** Lines of metrics.jsonl written up to this checkpoint. */
  metricsLines: number;
}

export interface CheckpointState {
  formatVersion: 1;
  algorithm: string;
  update: number;
  config: unknown;
  agent: Omit<AgentHostState, 'snapshots'> & { snapshots: string[] };
  trainer: TrainerState;
}

/** Name of the checkpoint directory of an update. */
export function checkpointName(update: number): string {
  return `update-${String(update).padStart(6, '0')}`;
}

/**
 * Write a checkpoint of `agent` into `<directory>/<name>` atomically; returns its path. With
 * `updateLatest` (default) `<directory>/latest.json` then points at it.
 */
export async function writeCheckpoint(directory: string, name: string, agent: TrainableAgent, trainer: TrainerState, config: unknown, updateLatest = true): Promise<string> {
  const host = agent.getState();
  const state: CheckpointState = {
    formatVersion: 1,
    algorithm: agent.algorithm,
    update: agent.updates,
    config,
    // The RNG's spare normal is NaN when none is cached: JSON has no NaN, so it is stored as null.
    agent: { ...host, rng: host.rng.map((x) => (Number.isNaN(x) ? (null as unknown as number) : x)), snapshots: host.snapshots.map(encodeFloat64) },
    trainer,
  };
  const final = await writeDirectoryAtomic(directory, name, async (temporary) => {
    await saveParams(join(temporary, 'networks'), agent.networks(), CHECKPOINT_KIND, { algorithm: agent.algorithm });
    await writeFileAtomic(join(temporary, 'state.json'), `${JSON.stringify(state)}\n`);
  });
  if (updateLatest) crashPoint('checkpoint.directory-written');
  if (updateLatest) await writeFileAtomic(join(directory, 'latest.json'), `${JSON.stringify({ checkpoint: name, update: agent.updates })}\n`);
  return final;
}

/** What `latest.json` may name: a checkpoint directory beside it, never a path elsewhere. */
const CHECKPOINT_NAME = /^update-\d{6}$/;

/**
 * Resolve a run directory (with checkpoints/latest.json) or a checkpoint directory to the checkpoint
 * directory. The pointer must name a checkpoint beside it (`update-NNNNNN`: never `../` or an
 * absolute path, which would resume another run's checkpoint) that exists.
 */
export async function resolveCheckpoint(path: string): Promise<string> {
  if (await pathExists(join(path, 'state.json'), 'file')) return path;
  for (const pointer of [join(path, 'latest.json'), join(path, 'checkpoints', 'latest.json')]) {
    if (await pathExists(pointer, 'file')) {
      const content = await readJsonFile<{ checkpoint?: unknown } | null>(pointer);
      const checkpoint = content !== null && typeof content === 'object' ? content.checkpoint : undefined;
      if (typeof checkpoint !== 'string' || !CHECKPOINT_NAME.test(checkpoint)) {
        throw new GrpoTraderError(ErrorCodes.corrupted, 'does not name a checkpoint of its folder (expected "update-NNNNNN")', {
          location: { file: pointer, field: 'checkpoint', ...(typeof checkpoint === 'string' ? { value: checkpoint } : {}) },
        });
      }
      const directory = join(dirname(pointer), checkpoint);
      if (!(await pathExists(join(directory, 'state.json'), 'file'))) {
        throw new GrpoTraderError(ErrorCodes.notFound, `names ${checkpoint}, which is not in ${dirname(pointer)} (deleted or pruned?)`, { location: { file: pointer, field: 'checkpoint', value: checkpoint } });
      }
      return directory;
    }
  }
  // The CLI prints the location before the message: the path once.
  throw new GrpoTraderError(ErrorCodes.notFound, 'no checkpoint found (expected state.json, latest.json or checkpoints/latest.json)', { location: { file: path } });
}

/**
 * What `--resume PATH` continues: the checkpoint `resolveCheckpoint` finds, or null when PATH is a
 * run directory killed before its first checkpoint (it holds a metrics log or data record but no
 * checkpoint): nothing to continue from, so the run starts over in place.
 */
export async function resumeTarget(path: string): Promise<string | null> {
  try {
    return await resolveCheckpoint(path);
  } catch (error) {
    const started = (await pathExists(join(path, 'metrics.jsonl'), 'file')) || (await pathExists(join(path, 'data.json'), 'file'));
    const noCheckpoint = !(await pathExists(join(path, 'checkpoints', 'latest.json'), 'file')) && !(await pathExists(join(path, 'latest.json'), 'file'));
    if (error instanceof GrpoTraderError && error.code === ErrorCodes.notFound && started && noCheckpoint) return null;
    throw error;
  }
}

/** The run directory a checkpoint belongs to: `<run>/checkpoints/update-N` and `<run>/best` both belong to `<run>`. */
export function checkpointRunDirectory(checkpoint: string): string {
  const parent = dirname(resolve(checkpoint));
  return basename(parent) === 'checkpoints' ? dirname(parent) : parent;
}

/** Copy a checkpoint directory to `<directory>/<name>` atomically; with `updateLatest`, `<directory>/latest.json` then points at it. */
export async function copyCheckpoint(source: string, directory: string, name: string, update: number, updateLatest: boolean): Promise<string> {
  const final = await writeDirectoryAtomic(directory, name, (temporary) => cp(source, temporary, { recursive: true }));
  if (updateLatest) await writeFileAtomic(join(directory, 'latest.json'), `${JSON.stringify({ checkpoint: name, update })}\n`);
  return final;
}

/** Read a checkpoint's state.json. */
export async function readCheckpointState(directory: string): Promise<CheckpointState> {
  const file = join(directory, 'state.json');
  const state = await readJsonFile<CheckpointState | null>(file);
  if (state === null || typeof state !== 'object' || state.formatVersion !== 1) {
    throw new GrpoTraderError(ErrorCodes.unsupported, `${file}: checkpoint format ${String(state?.formatVersion)} is not supported`, { location: { file, field: 'formatVersion' } });
  }
  return state;
}

/** Load a checkpoint into `agent` (networks, then host state). Returns the saved state. */
export async function loadCheckpoint(directory: string, agent: TrainableAgent): Promise<CheckpointState> {
  const state = await readCheckpointState(directory);
  if (state.algorithm !== agent.algorithm) {
    throw new GrpoTraderError(ErrorCodes.invalidConfig, `${directory}: checkpoint of a ${state.algorithm} agent cannot resume a ${agent.algorithm} agent`, {
      location: { file: join(directory, 'state.json'), field: 'algorithm', value: state.algorithm },
    });
  }
  const template = tree.map((leaf: Array) => np.zeros(leaf.shape), agent.networks()) as JsTree<Array>;
  const { params } = await loadParams(join(directory, 'networks'), template, CHECKPOINT_KIND);
  agent.loadNetworks(params);
  agent.setState({
    ...state.agent,
    rng: state.agent.rng.map((x) => (x === null ? Number.NaN : x)),
    snapshots: state.agent.snapshots.map(decodeFloat64),
  });
  return state;
}

/** Keep the newest `keep` update-* checkpoints in `directory`; returns the paths removed. */
export async function pruneCheckpoints(directory: string, keep: number): Promise<string[]> {
  const names = (await readdir(directory)).filter((name) => /^update-\d{6}$/.test(name)).sort();
  const removed = names.slice(0, Math.max(0, names.length - keep)).map((name) => join(directory, name));
  for (const path of removed) await rm(path, { recursive: true, force: true });
  return removed;
}
