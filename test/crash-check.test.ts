/**
 * The crash-anywhere check in its quick form (test/crash-check.ts; the long form is `npm run
 * crash-check`): each long-running command killed with SIGKILL at a few named crash points — before
 * its first save and inside its last steps — then resumed, must end with the same files and store
 * records as a run never interrupted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCrashReport, runCrashCheck, type CrashCheckOptions, type CrashCommand, type KillPointResult } from './crash-check.js';

/** The quick selection: what each command is killed at. */
const QUICK: Record<CrashCommand, Pick<CrashCheckOptions, 'points' | 'only'>> = {
  // Between the last checkpoint's directory and latest.json naming it (resumed from the one before).
  // And before its first checkpoint (--resume starts it over in place).
  train: { points: 0, only: ['checkpoint.directory-written@2', 'train.metrics-appended@1'] },
  // After the selected configuration's test run is recorded, before the sweep is finished.
  sweep: { points: 0, only: ['sweep.final-recorded'] },
  // After the first window's outcome is recorded.
  'walk-forward': { points: 0, only: ['walk-forward.window-recorded@1'] },
  // Before the first save (the stream starts over in place); the kills after the last save are
  // src/cli/commands/online.test.ts's. serve: after its session's end is recorded.
  online: { points: 0, only: ['online.step-recorded@3'] },
  serve: { points: 0, only: ['online.finished'] },
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
      expect(failures, report).toEqual([]);
    }, 240_000);
  }
});
