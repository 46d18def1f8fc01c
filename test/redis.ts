/**
 * A real Redis for the queue tests: `GRPO_TRADER_REDIS_URL` when set (CI starts Debian's redis-server
 * and sets it), otherwise a `redis-server` found on the PATH is started on a free port without
 * persistence for the test file. Without either the queue tests are skipped (their names carry
 * REDIS_TAG; the summary reporter prints one line) — unless `GRPO_TRADER_REQUIRE_REDIS=1` (CI), which
 * makes a missing Redis a failure instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export const REDIS_TAG = '[redis]';

function redisServerBinary(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'redis-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Whether the queue tests can run here (or must: GRPO_TRADER_REQUIRE_REDIS=1). */
export function redisAvailable(): boolean {
  return Boolean(process.env['GRPO_TRADER_REDIS_URL']) || redisServerBinary() !== undefined || process.env['GRPO_TRADER_REQUIRE_REDIS'] === '1';
}

/** A TCP port nothing listens on now (127.0.0.1). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

/** Whether a private Redis can be started here (a test that stops Redis needs its own). */
export function canStartRedis(): boolean {
  return redisServerBinary() !== undefined;
}

/** The Redis the tests use (started here when needed; `own`: always a private one, e.g. to kill it). */
export async function startTestRedis(options: { own?: boolean } = {}): Promise<TestRedis & { kill(): void }> {
  const given = process.env['GRPO_TRADER_REDIS_URL'];
  if (given && !options.own) return { url: given, stop: async () => {}, kill: () => { throw new Error('cannot kill the shared Redis'); } };
  const binary = redisServerBinary();
  if (!binary) throw new Error('no Redis: set GRPO_TRADER_REDIS_URL or install redis-server (GRPO_TRADER_REQUIRE_REDIS=1 makes this an error)');
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const { Redis } = await import('ioredis');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      break;
    } catch {
      client.disconnect();
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: () => child.kill('SIGKILL'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
