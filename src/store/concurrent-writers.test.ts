/**
 * Two processes write one store at once — each a real training (run row, checkpoint index, final
 * status) followed by a burst of recorded runs — and no row is lost or damaged (WAL journal, busy
 * timeout, write transactions that take the lock first).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCsvs } from '../../test/synthetic-files.js';
import { RunStore } from './run-store.js';

const writer = fileURLToPath(new URL('../../test/fixtures/store/writer.ts', import.meta.url));
const BURST = 150;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-store-concurrent-'));
  await writeSyntheticCsvs(join(dir, 'data'), { assets: 2, bars: 400, seed: 3, start: '2010-01-04' });
  const config = {
    seed: 1,
    data: { paths: ['data'] },
    splits: { train: { from: '2010-01-01', to: '2010-12-31' }, validation: { from: '2011-01-01', to: '2011-06-30' }, test: null },
    environment: { lookback: 2, episodeLength: 20, returnHistory: 2 },
    algorithm: { hiddenSizes: [8], grpo: { groupSize: 4, rolloutSteps: 4 } },
    training: { updates: 4, envs: 2, evalInterval: 1, checkpointInterval: 1, patience: 0 },
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runWriter(store: string, tag: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, store, join(dir, 'config.json'), join(dir, `out-${tag}`), tag, String(BURST)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the run store under two writing processes', () => {
  it('keeps every run, checkpoint entry and metric of two trainings and two bursts written at once', async () => {
    const store = join(dir, 'runs.sqlite');
    const results = await Promise.all([runWriter(store, 'a'), runWriter(store, 'b')]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    const runs = RunStore.open(store, { mustExist: true });
    try {
      const all = runs.listRuns();
      expect(all.length).toBe(2 + 2 * BURST);
      expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
      for (const tag of ['a', 'b']) {
        const names = all.filter((r) => r.kind === 'compare' && r.name.startsWith(`${tag}-`)).map((r) => r.name);
        expect(names.sort()).toEqual(Array.from({ length: BURST }, (_, i) => `${tag}-${i}`).sort());
      }
      const trainings = all.filter((r) => r.kind === 'train');
      expect(trainings.map((r) => r.status)).toEqual(['finished', 'finished']);
      for (const training of trainings) {
        const detail = runs.getRun(training.id);
        // checkpointInterval 1, 4 updates, keep 3: update-000002..4 remain, plus best/.
        const updates = detail.checkpoints.filter((c) => c.path.includes('update-')).map((c) => c.step);
        expect(updates).toEqual([2, 3, 4]);
        expect(detail.checkpoints.some((c) => c.path.endsWith('best'))).toBe(true);
        expect(detail.metrics['training']!['updates']).toBe(4);
      }
      // Each burst run is whole: its series and its 30 equity rows.
      const sample = all.find((r) => r.name === 'b-77')!;
      expect(runs.series(sample.id)[0]!.value.length).toBe(30);
      expect(runs.getRun(sample.id).metrics['buy_and_hold']!['final_value']).toBeGreaterThan(0);
    } finally {
      runs.close();
    }
  }, 120_000);
});
