/**
 * sweep.scaling: trials per minute of a small fixed sweep (8 random trials, 2 walk-forward folds, no
 * pruning, so every run does the same work) on 1 and on 2 local worker processes — the scaling ratio
 * (goal ≥ 1.7 on 2 cores) — and through BullMQ on a real Redis with 2 workers against the 2 local
 * processes (queue overhead, goal ≤ 10 %). Synthetic data (6 assets, 800 bars), so it needs no real data;
 * Redis: $GRPO_TRADER_REDIS_URL or a redis-server on the PATH (the BullMQ part is skipped without one).
 * `cpu_loop_ratio`: the same measure for a pure-CPU loop in 1 vs 2 processes — what the machine itself
 * allows two processes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { round, type Benchmark, type BenchResult } from './harness.js';

const TRIALS = 8;

async function setUp(dir: string) {
  const { writeSyntheticCsvs } = await import('../test/synthetic-files.js');
  const dataDir = join(dir, 'data');
  await writeSyntheticCsvs(dataDir, { assets: 6, bars: 800, seed: 3 });
  const sweep = {
    name: 'bench',
    base: {
      seed: 0,
      data: { paths: [dataDir], features: 'normalized' },
      splits: { train: { from: '2010-01-01', to: '2011-12-31' }, validation: { from: '2012-01-01', to: '2012-06-30' }, test: null },
      environment: { lookback: 5, episodeLength: 63, returnHistory: 10 },
      algorithm: { type: 'grpo', hiddenSizes: [64], initialMean: 'equal' },
      training: { updates: 160, envs: 4, evalInterval: 40, checkpointInterval: 160, patience: 0 },
    },
    // Parameters that do not change a trial's cost, so 8 trials split evenly over 2 workers.
    space: { 'algorithm.learningRate': { loguniform: [1e-4, 1e-2] }, 'algorithm.initialStd': { choices: [0.2, 0.4] } },
    sampler: { type: 'random', trials: TRIALS, batch: TRIALS, seed: 0 },
    objective: { folds: 2, validationBars: 63 },
    pruning: { type: 'none' },
  };
  const file = join(dir, 'sweep.yaml');
  await writeFile(file, stringify(sweep));
  return file;
}

async function timeSweep(file: string, dir: string, executor: import('../src/sweep/local-pool.js').JobExecutor, label: string): Promise<number> {
  const { loadSweepConfigFile } = await import('../src/sweep/sweep-config.js');
  const { runSweep } = await import('../src/sweep/run-sweep.js');
  const { RunStore } = await import('../src/store/run-store.js');
  const store = RunStore.open(join(dir, `${label}.sqlite`));
  const started = performance.now();
  try {
    await runSweep(await loadSweepConfigFile(file), { store, executor, outDir: join(dir, label) });
  } finally {
    store.close();
    await executor.close();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`bench: sweep.scaling ${label}: ${TRIALS} trials in ${seconds.toFixed(1)} s\n`);
  return seconds;
}

/** What the machine gives two processes: a pure-CPU loop timed alone, then two at once (ratio 2 means two real cores). */
async function cpuLoopRatio(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const loop = 'let x=0;for(let i=0;i<4e8;i++)x=(x+i*7)%1000003;process.stdout.write(String(x))';
  const once = () => new Promise<void>((resolve) => spawn(process.execPath, ['-e', loop], { stdio: 'ignore' }).on('exit', () => resolve()));
  let started = performance.now();
  await once();
  const alone = performance.now() - started;
  started = performance.now();
  await Promise.all([once(), once()]);
  return round((2 * alone) / (performance.now() - started));
}

async function run(): Promise<BenchResult[]> {
  const { LocalPool } = await import('../src/sweep/local-pool.js');
  const dir = await mkdtemp(join(tmpdir(), 'grpo-bench-sweep-'));
  try {
    const file = await setUp(dir);
    // Warm the compile cache of the worker processes' sources (tsx) so both timings start alike.
    await timeSweep(file, dir, new LocalPool(2), 'warm-up');
    const one = await timeSweep(file, dir, new LocalPool(1), 'local-1');
    const two = await timeSweep(file, dir, new LocalPool(2), 'local-2');
    const perMinute = (seconds: number) => round((TRIALS * 60) / seconds);
    const results: BenchResult[] = [
      { name: 'sweep.scaling', value: perMinute(two), unit: 'trials/min (2 local workers)', reference: perMinute(one), reference_name: 'the same sweep on 1 local worker', ratio: round(one / two), runs: 1, goal: '≥ 1.7', cpu_loop_ratio: await cpuLoopRatio() },
    ];
    const { redisAvailable, startTestRedis } = await import('../test/redis.js');
    if (!redisAvailable()) {
      process.stderr.write('bench: sweep.scaling BullMQ part skipped: no redis-server on the PATH and no GRPO_TRADER_REDIS_URL\n');
      return results;
    }
    const redis = await startTestRedis();
    const { QueueExecutor, startQueueWorker } = await import('../src/sweep/queue.js');
    const queueName = `grpo-bench-${randomBytes(4).toString('hex')}`;
    const workers = [await startQueueWorker({ url: redis.url, queueName, concurrency: 1 }), await startQueueWorker({ url: redis.url, queueName, concurrency: 1 })];
    try {
      const queued = await timeSweep(file, dir, await QueueExecutor.open(redis.url, { queueName }), 'bullmq-2');
      results.push({ name: 'sweep.queue_overhead', value: perMinute(queued), unit: 'trials/min (BullMQ, 2 workers)', reference: perMinute(two), reference_name: '2 local worker processes', ratio: round(two / queued), runs: 1, overhead_percent: round(((queued - two) / two) * 100, 3), goal: 'overhead ≤ 10 %' });
    } finally {
      for (const worker of workers) await worker.close();
      await redis.stop();
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [{ name: 'sweep.scaling', description: 'a fixed 8-trial sweep on 1 vs 2 local worker processes, and through BullMQ with 2 workers', run }];
