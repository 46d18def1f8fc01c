/**
 * Crash-safe state of an online learning stream: one directory per save, named as the specification
 * names its saves (`model_steps_{N}_regime_{R}`, without its wall-clock timestamp so that the same
 * stream writes the same names), holding
 *   learner/            the learner's checkpoint (networks, optimiser, generator, counters)
 *   champion.*          the champion's networks (when champion/challenger is on)
 *   last-good.*         the fallback model while a champion is on probation
 *   replay.bin          the prioritised replay buffer; holdout.bin the held-out newest transitions
 *   online.json         detectors, environment snapshot, stream position, generator, counters, and
 *                       the caller's own record (e.g. lines of steps.jsonl written)
 *   checksums.json      the SHA-256 of every file above (core/checksums.ts), written last
 * A save is written into a temporary sibling and renamed into place, then `latest.json` is replaced
 * atomically: `kill -9` at any moment leaves either the previous save or the new one as latest.
 * Resuming checks every file against checksums.json first: a damaged save is refused, naming the
 * file, before anything of it is read (format 1 saves, written before the checksums, are read as
 * they are).
 */
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { CHECKSUMS_FILE, verifyChecksums, writeChecksums } from '../core/checksums.js';
import { pathExists, writeDirectoryAtomic, writeFileAtomic } from '../core/fs.js';
import type { OnlineAgentJsonState, OnlineLearningAgent } from './online-agent.js';

/** Format 2 adds checksums.json; format 1 saves (no checksums) are still resumed. */
export const ONLINE_STATE_FORMAT = 2;
const READABLE_FORMATS: readonly number[] = [1, 2];

/** What the caller records with a save (and gets back on resume). */
export interface OnlineSaveRecord {
  /** Bars processed. */
  step: number;
  /** Regime label at the last processed bar. */
  regime: number;
  /** Anything else the caller needs to continue (e.g. lines of its step log). */
  extra: Record<string, unknown>;
}

interface OnlineStateFile {
  formatVersion: number;
  name: string;
  record: OnlineSaveRecord;
  hasChampion: boolean;
  hasLastGood: boolean;
  agent: OnlineAgentJsonState;
}

/** The directory name of a save (the specification's `model_steps_{N}_regime_{R}`). */
export function onlineStateName(step: number, regime: number): string {
  return `model_steps_${step}_regime_${regime}`;
}

const NAME_PATTERN = /^model_steps_(\d+)_regime_(-?\d+)$/;

/** Save the stream's state into `<directory>/<name>` atomically and point `latest.json` at it; keeps the newest `keep` saves. Returns the save's path and the saves removed. */
export async function saveOnlineState(directory: string, online: OnlineLearningAgent, record: OnlineSaveRecord, keep = 3): Promise<{ path: string; removed: string[] }> {
  const name = onlineStateName(record.step, record.regime);
  const state = online.getState();
  const final = await writeDirectoryAtomic(directory, name, async (temporary) => {
    await online.model.save(join(temporary, 'learner'));
    if (state.champion) await online.model.writeSnapshot(state.champion, join(temporary, 'champion'));
    if (state.lastGood) await online.model.writeSnapshot(state.lastGood, join(temporary, 'last-good'));
    await writeFileAtomic(join(temporary, 'replay.bin'), state.buffer);
    await writeFileAtomic(join(temporary, 'holdout.bin'), state.holdout);
    const file: OnlineStateFile = { formatVersion: ONLINE_STATE_FORMAT, name, record, hasChampion: state.champion !== null, hasLastGood: state.lastGood !== null, agent: state.json };
    await writeFileAtomic(join(temporary, 'online.json'), `${JSON.stringify(file)}\n`);
    await writeChecksums(temporary);
  });
  await writeFileAtomic(join(directory, 'latest.json'), `${JSON.stringify({ state: name, step: record.step })}\n`);
  const removed = await pruneOnlineStates(directory, keep, name);
  return { path: final, removed };
}

/** The path of the latest save in `directory`, or null when there is none. */
export async function latestOnlineState(directory: string): Promise<string | null> {
  const pointer = join(directory, 'latest.json');
  const text = await readFile(pointer, 'utf8').catch(() => null);
  if (text === null) return null;
  let name: string;
  try {
    name = (JSON.parse(text) as { state: string }).state;
  } catch (error) {
    throw new GrpoTraderError(ErrorCodes.invalidData, `not valid JSON (${(error as Error).message})`, { location: { file: pointer }, cause: error });
  }
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) throw new GrpoTraderError(ErrorCodes.invalidData, `names no online state (state: ${JSON.stringify(name)})`, { location: { file: pointer, field: 'state' } });
  return join(directory, name);
}

/** Restore the latest save of `directory` into `online` (built exactly as the saved one); returns the caller's record. */
export async function loadOnlineState(directory: string, online: OnlineLearningAgent): Promise<OnlineSaveRecord & { path: string }> {
  const path = await latestOnlineState(directory);
  if (path === null) throw new GrpoTraderError(ErrorCodes.notFound, `no online state to resume (no latest.json); run without --resume to start`, { location: { file: directory } });
  const jsonFile = join(path, 'online.json');
  // Every file of the save, online.json included, is checked before any of it is used.
  const checked = await pathExists(join(path, CHECKSUMS_FILE));
  if (checked) await verifyChecksums(path);
  let file: OnlineStateFile;
  try {
    file = JSON.parse(await readFile(jsonFile, 'utf8')) as OnlineStateFile;
  } catch (error) {
    throw new GrpoTraderError(ErrorCodes.io, `cannot read the online state (${(error as Error).message})`, { location: { file: jsonFile }, cause: error });
  }
  if (!READABLE_FORMATS.includes(file.formatVersion)) throw new GrpoTraderError(ErrorCodes.unsupported, `online state format ${String(file.formatVersion)} is not supported`, { location: { file: jsonFile, field: 'formatVersion' } });
  if (!checked && file.formatVersion >= 2) await verifyChecksums(path); // refuses: its checksums.json is gone
  if (file.hasChampion !== online.options.championChallenger) {
    throw new GrpoTraderError(ErrorCodes.invalidConfig, `the saved stream ${file.hasChampion ? 'used' : 'did not use'} champion/challenger; resume it with the same options`, { location: { file: jsonFile, field: 'championChallenger' } });
  }
  await online.model.load(join(path, 'learner'));
  const champion = file.hasChampion ? await online.model.readSnapshot(join(path, 'champion')) : null;
  const lastGood = file.hasLastGood ? await online.model.readSnapshot(join(path, 'last-good')) : null;
  const [buffer, holdout] = await Promise.all([readFile(join(path, 'replay.bin')), readFile(join(path, 'holdout.bin'))]);
  online.setState({ json: file.agent, buffer: new Uint8Array(buffer), holdout: new Uint8Array(holdout), champion, lastGood });
  return { ...file.record, path };
}

/** Keep the newest `keep` saves (never `current`); remove leftovers of interrupted saves. */
async function pruneOnlineStates(directory: string, keep: number, current: string): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(directory);
  const saves = entries
    .map((name) => ({ name, match: NAME_PATTERN.exec(name) }))
    .filter((e): e is { name: string; match: RegExpExecArray } => e.match !== null)
    .sort((a, b) => Number(a.match[1]) - Number(b.match[1]));
  for (const save of saves.slice(0, Math.max(0, saves.length - keep))) {
    if (save.name === current) continue;
    await rm(join(directory, save.name), { recursive: true, force: true });
    removed.push(join(directory, save.name));
  }
  for (const name of entries) {
    if (name.startsWith('.model_steps_') && name.includes('.tmp-') && !name.endsWith(`.tmp-${process.pid}`)) {
      const info = await stat(join(directory, name)).catch(() => null);
      if (info?.isDirectory()) await rm(join(directory, name), { recursive: true, force: true });
    }
  }
  return removed;
}
