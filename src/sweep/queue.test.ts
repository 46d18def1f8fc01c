/**
 * Sweeps through BullMQ on a real Redis (CI starts Debian's redis-server; locally one on the PATH is
 * started for this file, or the tests are skipped with one line): the same trial metrics as local
 * worker processes; a worker killed with kill -9 mid-job → the stalled job is run again by another
 * worker and every trial is counted once; a worker with other data refuses the job with one clear
 * line; Redis unreachable → one line and a non-zero exit, quickly; a walk-forward coordinator killed
 * with kill -9 and resumed on the queue ends as on local processes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_AT_ENV } from '../core/crash-point.js';
import { RunStore } from '../store/run-store.js';
import { canStartRedis, freePort, REDIS_TAG, redisAvailable, startTestRedis, type TestRedis } from '../../test/redis.js';
import { runCli } from '../../test/tiny-model.js';
import { spawnCli, writeTinySweep } from '../../test/tiny-sweep.js';
import { QueueExecutor, startQueueWorker } from './queue.js';
import type { TrialRecord } from './run-sweep.js';

function trialsOf(file: string) {
  const store = RunStore.open(file, { mustExist: true });
  const trials = store.listRuns({ kind: 'trial' }).map((r) => store.getRun(r.id).extra as unknown as TrialRecord);
  store.close();
  return trials.sort((a, b) => a.trial - b.trial);
}

const metrics = (t: TrialRecord) => ({ params: t.params, status: t.status, objective: t.objective, returns: t.returns, folds: t.folds.map((f) => [f.sharpe, f.totalReturn, f.bestUpdate]) });

describe.skipIf(!redisAvailable())(`${REDIS_TAG} sweeps on BullMQ and Redis`, () => {
  let redis: TestRedis;
  let dir: string;
  let sweepFile: string;
  let localTrials: TrialRecord[];
  const queueName = () => `grpo-test-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    redis = await startTestRedis();
    dir = await mkdtemp(join(tmpdir(), 'grpo-queue-'));
    ({ sweep: sweepFile } = await writeTinySweep(dir, { trials: 4, batch: 2 }));
    const local = await runCli(['sweep', '--config', sweepFile, '--workers', '2', '--store', join(dir, 'local.sqlite'), '--out', join(dir, 'local')]);
    expect(local.code, local.err).toBe(0);
    localTrials = trialsOf(join(dir, 'local.sqlite'));
  }, 120_000);
  afterAll(async () => {
    await redis?.stop();
    // Retries: a job process of a killed worker may still be writing its last files as it exits.
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  });

  it('gives the same trial metrics through the queue as on local processes, results written by the coordinator', async () => {
    const name = queueName();
    const lines: string[] = [];
    const worker = await startQueueWorker({ url: redis.url, queueName: name, concurrency: 2, onLine: (line) => lines.push(line) });
    try {
      const queued = await runCli(['sweep', '--config', sweepFile, '--queue', redis.url, '--queue-name', name, '--store', join(dir, 'queued.sqlite'), '--out', join(dir, 'queued')]);
      expect(queued.code, queued.err).toBe(0);
      expect(queued.err).toMatch(/on BullMQ queue "grpo-test-\w+" at redis:\/\/127\.0\.0\.1:\d+/);
      expect(trialsOf(join(dir, 'queued.sqlite')).map(metrics)).toEqual(localTrials.map(metrics));
      expect(lines.filter((l) => /: done in/.test(l))).toHaveLength(5); // 4 trials and the selected config's test run
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('walk-forward windows as queue jobs: the same windows and stitched curve as on local processes', async () => {
    const name = queueName();
    const worker = await startQueueWorker({ url: redis.url, queueName: name, concurrency: 2 });
    try {
      const args = ['walk-forward', '--config', join(dir, 'base.yaml'), '--windows', 'train=200,test=60,validation=40', '--json'];
      const local = await runCli([...args, '--workers', '2', '--store', join(dir, 'wf-local.sqlite'), '--out', join(dir, 'wf-local')]);
      const queued = await runCli([...args, '--queue', redis.url, '--queue-name', name, '--store', join(dir, 'wf-queue.sqlite'), '--out', join(dir, 'wf-queue')]);
      expect(local.code, local.err).toBe(0);
      expect(queued.code, queued.err).toBe(0);
      const strip = (out: string) => {
        const json = JSON.parse(out) as { windows: { policy: unknown; equalWeight: unknown; test: unknown }[]; metrics: unknown };
        return { windows: json.windows.map((w) => [w.test, w.policy, w.equalWeight]), metrics: json.metrics };
      };
      expect(strip(queued.out)).toEqual(strip(local.out));
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('walk-forward coordinator killed with kill -9 after its first window, then --resume on the queue: the jobs finished meanwhile are collected, none runs twice, the same windows and curve as on local processes', async () => {
    const name = queueName();
    const lines: string[] = [];
    const worker = await startQueueWorker({ url: redis.url, queueName: name, concurrency: 2, onLine: (line) => lines.push(line) });
    try {
      const args = ['--config', join(dir, 'base.yaml'), '--windows', 'train=200,test=60,validation=40'];
      const local = await runCli(['walk-forward', ...args, '--workers', '2', '--store', join(dir, 'wf-resume-local.sqlite'), '--out', join(dir, 'wf-resume-local'), '--json']);
      expect(local.code, local.err).toBe(0);
      const store = join(dir, 'wf-resume-queue.sqlite');
      const coordinator = spawnCli(['walk-forward', ...args, '--queue', redis.url, '--queue-name', name, '--store', store, '--out', join(dir, 'wf-resume-queue')], process.cwd(), { [CRASH_AT_ENV]: 'walk-forward.window-recorded@1' });
      expect(await coordinator.exited, coordinator.stderr()).toBe('SIGKILL');
      const resumed = await runCli(['walk-forward', '--resume', '1', '--queue', redis.url, '--queue-name', name, '--store', store, '--json']);
      expect(resumed.code, resumed.err).toBe(0);
      expect(resumed.err).toContain('1 window(s) already recorded, not run again');
      // Every window ran once on the worker, though the killed coordinator had added them all.
      const started = lines.filter((l) => /: started/.test(l)).map((l) => l.split(': ')[0]);
      expect(started).toHaveLength(3);
      expect(new Set(started).size).toBe(3);
      const strip = (out: string) => {
        const json = JSON.parse(out) as { windows: { test: unknown; policy: unknown; equalWeight: unknown; bestUpdate: unknown }[]; metrics: unknown };
        return { windows: json.windows.map((w) => [w.test, w.policy, w.equalWeight, w.bestUpdate]), metrics: json.metrics };
      };
      expect(strip(resumed.out)).toEqual(strip(local.out));
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('a worker killed with kill -9 mid-job: the stalled job runs again on another worker, every trial counted once', async () => {
    const name = queueName();
    const killedDir = join(dir, 'stall');
    const { sweep } = await writeTinySweep(killedDir, { trials: 2, batch: 2 });
    const a = spawnCli(['worker', '--queue', redis.url, '--queue-name', name, '--concurrency', '2', '--lock-ms', '1500', '--stalled-ms', '500']);
    const store = join(killedDir, 'stall.sqlite');
    const sweepDone = runCli(['sweep', '--config', sweep, '--queue', redis.url, '--queue-name', name, '--store', store, '--out', join(killedDir, 'out')]);
    // Both trials started on worker A (a trial takes over a second in a fresh process): kill it.
    while ((a.stderr().match(/: started/g) ?? []).length < 2) {
      if (a.child.exitCode !== null) throw new Error(`worker A ended: ${a.stderr()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    const lines: string[] = [];
    const b = await startQueueWorker({ url: redis.url, queueName: name, concurrency: 2, lockDuration: 1500, stalledInterval: 500, onLine: (line) => lines.push(line) });
    try {
      const result = await sweepDone;
      expect(result.code, result.err).toBe(0);
      // B ran both trials again, after their stall, and the selected config's test run.
      expect(lines.filter((l) => /trial:\d: started \(attempt \d+, after 1 stall\)/.test(l))).toHaveLength(2);
      const trials = trialsOf(store);
      expect(trials.map((t) => t.trial)).toEqual([0, 1]);
      // The same sweep's first batch locally gives the same trials (batch 0 has no earlier trials to prune against).
      expect(trials.map(metrics)).toEqual(localTrials.slice(0, 2).map(metrics));
      const executor = await QueueExecutor.open(redis.url, { queueName: name });
      const counts = await executor.counts();
      await executor.close();
      expect(counts).toMatchObject({ completed: 3, failed: 0, active: 0, wait: 0 });
    } finally {
      await b.close();
    }
  }, 120_000);

  it('a coordinator killed with kill -9, then sweep --resume on the queue: jobs finished meanwhile are collected, not run again', async () => {
    const name = queueName();
    const lines: string[] = [];
    const worker = await startQueueWorker({ url: redis.url, queueName: name, concurrency: 2, onLine: (line) => lines.push(line) });
    try {
      const store = join(dir, 'coordinator.sqlite');
      const coordinator = spawnCli(['sweep', '--config', sweepFile, '--queue', redis.url, '--queue-name', name, '--store', store, '--out', join(dir, 'coordinator')]);
      const recorded = () => {
        try {
          return trialsOf(store).length;
        } catch {
          return 0; // the store is not created yet
        }
      };
      while (recorded() < 1) {
        if (coordinator.child.exitCode !== null) throw new Error(`the sweep ended before it could be killed: ${coordinator.stderr()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      coordinator.child.kill('SIGKILL');
      expect(await coordinator.exited).toBe('SIGKILL');
      const before = trialsOf(store).length;
      const resumed = await runCli(['sweep', '--resume', '1', '--queue', redis.url, '--queue-name', name, '--store', store]);
      expect(resumed.code, resumed.err).toBe(0);
      expect(resumed.err).toContain(`${before} trial(s) already recorded, not run again`);
      // Every job ran once on the worker: 4 trials and the final test run.
      const started = lines.filter((l) => /: started/.test(l)).map((l) => l.split(': ')[0]);
      expect(started).toHaveLength(5);
      expect(new Set(started).size).toBe(5);
      expect(trialsOf(store).map(metrics)).toEqual(localTrials.map(metrics));
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('a worker whose data differs refuses the job by fingerprint; the sweep stops with one line', async () => {
    const name = queueName();
    const { dataDir: other } = await writeTinySweep(join(dir, 'other'), { dataSeed: 99 });
    const worker = await startQueueWorker({ url: redis.url, queueName: name, concurrency: 1, dataPaths: [other] });
    try {
      const result = await runCli(['sweep', '--config', sweepFile, '--queue', redis.url, '--queue-name', name, '--store', join(dir, 'refused.sqlite'), '--out', join(dir, 'refused')]);
      expect(result.code).not.toBe(0);
      const errors = result.err.split('\n').filter((line) => line.startsWith('grpo-trader:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/refuses job \w+:trial:\d: its data \(fingerprint \w+\) differs from the coordinator's \(\w+\)/);
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('Redis unreachable: one line and a non-zero exit within seconds, for sweep and worker', async () => {
    const port = await freePort();
    const started = Date.now();
    const sweep = await runCli(['sweep', '--config', sweepFile, '--queue', `redis://127.0.0.1:${port}`, '--store', join(dir, 'down.sqlite')]);
    expect(sweep.code).not.toBe(0);
    expect(sweep.err.trim().split('\n')).toHaveLength(1);
    expect(sweep.err).toMatch(new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED`));
    const worker = await runCli(['worker', '--queue', `redis://127.0.0.1:${port}`]);
    expect(worker.code).not.toBe(0);
    expect(worker.err).toMatch(/cannot reach Redis/);
    const url = await runCli(['worker', '--queue', 'http://x']);
    expect(url.err).toMatch(/--queue must be a redis:\/\/ URL/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.skipIf(!canStartRedis())('Redis lost in the middle of a sweep: one line and a non-zero exit after --redis-timeout, not a hang', async () => {
    const own = await startTestRedis({ own: true });
    const name = queueName();
    // Trials long enough (300 updates) that Redis goes away while the first one runs.
    const { sweep: slowSweep } = await writeTinySweep(join(dir, 'slow'), { updates: 300 });
    const worker = spawnCli(['worker', '--queue', own.url, '--queue-name', name]);
    try {
      const sweep = runCli(['sweep', '--config', slowSweep, '--queue', own.url, '--queue-name', name, '--redis-timeout', '2', '--store', join(dir, 'lost.sqlite'), '--out', join(dir, 'lost')]);
      while (!/: started/.test(worker.stderr())) {
        if (worker.child.exitCode !== null) throw new Error(`worker ended: ${worker.stderr()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      own.kill();
      const started = Date.now();
      const result = await sweep;
      expect(result.code).not.toBe(0);
      const errors = result.err.split('\n').filter((line) => line.startsWith('grpo-trader:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/lost Redis at redis:\/\/127\.0\.0\.1:\d+: no answer for \d+ s; .*--resume/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      worker.child.kill('SIGKILL');
      await own.stop();
    }
  }, 60_000);
});
