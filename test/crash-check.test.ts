/**
 * The crash-anywhere check in its quick form (test/crash-check.ts; the long form is `npm run
 * crash-check`): each long-running command killed with SIGKILL at a few moments — named crash points
 * inside the last steps of train, sweep and walk-forward, a moment in the middle of online and serve
 * --live — then resumed, must end with the same files and store records as a run never interrupted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCrashReport, runCrashCheck, type CrashCheckOptions, type CrashCommand, type KillPointResult } from './crash-check.js';

/**
 * Defects this check found that are being fixed on other branches (issue 19): a failure that matches
 * one is printed, not failed, until its fix is merged — then delete the entry, and the check holds
 * it fixed. Anything else that fails, fails the test.
 */
const OPEN_DEFECTS: { command: CrashCommand; match: RegExp; defect: string }[] = [
  {
    command: 'online',
    match: /model_steps_\d+_regime_-?\d+\/online\.json: line \d+ differs: expected\s+null \| got\s+0/,
    defect: 'a resumed stream saves envSnapshot with 0 where the save it resumed held NaN (null in JSON): OnlineLearningAgent restores the snapshot with Float64Array.from, which reads null as 0 (src/online/online-agent.ts)',
  },
  {
    command: 'serve',
    match: /model_steps_\d+_regime_-?\d+\/online\.json: line \d+ differs: expected\s+null \| got\s+0/,
    defect: 'the live session resumes through the same OnlineStream: the NaN in envSnapshot becomes 0 (src/online/online-agent.ts)',
  },
  {
    command: 'serve',
    match: /store:online:[^\n]*: line \d+ differs: expected\s+"status": "finished", \| got\s+"status": "running"/,
    defect: 'a live session killed before its first save and restarted starts the stream over (restartUnsaved) as a new run: the killed run stays "running" in the store beside it (src/online/run-online.ts, src/live/live-session.ts)',
  },
  {
    command: 'online',
    match: /already holds a stream: add --resume/,
    defect: 'online killed after steps.jsonl is created but before its first save: --resume says "nothing to resume" and a new start says "already holds a stream: add --resume" (src/online/run-online.ts)',
  },
];

/** The quick selection: what each command is killed at. */
const QUICK: Record<CrashCommand, Pick<CrashCheckOptions, 'points' | 'only'>> = {
  // Between the last checkpoint's directory and latest.json naming it (resumed from the one before).
  train: { points: 0, only: ['checkpoint.directory-written@2'] },
  // After the selected configuration's test run is recorded, before the sweep is finished.
  sweep: { points: 0, only: ['sweep.final-recorded'] },
  // After the first window's outcome is recorded.
  'walk-forward': { points: 0, only: ['walk-forward.window-recorded@1'] },
  // In the middle of the stream (no crash points in the online code yet: time only).
  online: { points: 1, only: [] },
  serve: { points: 1, only: [] },
};

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'grpo-crash-quick-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe('crash anywhere (quick): kill -9, resume, the same outputs as a run never interrupted', () => {
  for (const command of ['train', 'sweep', 'walk-forward', 'online', 'serve'] as const) {
    it(`${command}`, async () => {
      const results: KillPointResult[] = await runCrashCheck({ commands: [command], size: 'quick', tail: 0, named: 0, root, ...QUICK[command] });
      const report = formatCrashReport(results);
      const tried = results.filter((r) => r.status !== 'missed');
      expect(tried.length, report).toBeGreaterThan(0);
      const failures = tried.filter((r) => r.status === 'failed');
      const known = failures.filter((f) => OPEN_DEFECTS.some((d) => d.command === f.command && d.match.test(f.detail ?? '')));
      for (const f of known) process.stderr.write(`crash check: open defect (fixed elsewhere): ${f.command} ${f.point.label}: ${f.detail}\n`);
      expect(failures.filter((f) => !known.includes(f)), report).toEqual([]);
    }, 240_000);
  }
});
