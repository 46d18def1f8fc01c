/**
 * Sweeps and walk-forward windows beyond one machine, on BullMQ and Redis. The coordinator adds each
 * job with a stable id (`{sweep key}:{kind}:{index}`), so a resumed coordinator finds the jobs it
 * already added (finished ones are not run again) and results come back through the queue to be
 * recorded by the coordinator alone. `grpo-trader worker` runs jobs on any machine with the package
 * and the data: each job in a local worker process (`LocalPool`), so the worker's own event loop keeps
 * renewing the job's lock; a worker killed mid-job stops renewing it, the job is found stalled and
 * another worker runs it again (BullMQ's stalled-job handling), and it is counted once, when it
 * completes. Redis must keep every key: `maxmemory-policy noeviction` (docs/sweeps.md).
 */
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job, type RedisOptions } from 'bullmq';
import { Redis, type RedisOptions as IoRedisOptions } from 'ioredis';
import { hostname } from 'node:os';
import { ErrorCodes, GrpoTraderError, type ErrorCode } from '../core/errors.js';
import { decodeJson, encodeJson, jobErrorOf, type JobOutcome, type SweepJob } from './jobs.js';
import { LocalPool, throttledProgress, type JobExecutor } from './local-pool.js';

export const DEFAULT_QUEUE_NAME = 'grpo-trader';

/** How long the coordinator waits for a Redis that stopped answering before it gives up. */
export const DEFAULT_LOST_AFTER_MS = 30_000;

/** Redis connection options from `redis://[user:password@]host[:port][/db]`; a bad URL is one clear error. */
export function redisOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GrpoTraderError(ErrorCodes.invalidArgument, `--queue must be a Redis URL such as redis://127.0.0.1:6379, got "${url}"`, { location: { field: '--queue' } });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new GrpoTraderError(ErrorCodes.invalidArgument, `--queue must be a redis:// URL, got "${url}"`, { location: { field: '--queue' } });
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, `--queue: the database must be a number, got "${parsed.pathname.slice(1)}"`, { location: { field: '--queue' } });
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's blocking commands need requests that wait for a reconnection instead of failing.
    maxRetriesPerRequest: null,
  };
}

/** The URL without its password, for messages. */
export function redisLabel(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * Check that Redis answers (within `timeoutMs`), once, before anything waits on it: an unreachable
 * server is one clear error instead of a client retrying forever. Returns a warning when Redis may
 * evict keys (BullMQ then loses jobs).
 */
export async function checkRedis(url: string, timeoutMs = 3_000): Promise<{ warning: string | null }> {
  const client = new Redis({ ...(redisOptions(url) as IoRedisOptions), lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  let lastError: Error | null = null;
  client.on('error', (error: Error) => (lastError = error));
  try {
    await client.connect();
    await client.ping();
    let policy = 'noeviction';
    try {
      const answer = (await client.config('GET', 'maxmemory-policy')) as string[];
      policy = answer[1] ?? policy;
    } catch {
      // CONFIG may be disabled on managed Redis; nothing to check then.
    }
    return { warning: policy === 'noeviction' ? null : `Redis at ${redisLabel(url)} has maxmemory-policy ${policy}; BullMQ needs noeviction or jobs may be lost` };
  } catch (error) {
    const reason = (lastError as Error | null)?.message ?? (error instanceof Error ? error.message : String(error));
    throw new GrpoTraderError(ErrorCodes.unavailable, `cannot reach Redis at ${redisLabel(url)} (${reason}); start it (docs/sweeps.md) or run without --queue`, { location: { field: '--queue' } });
  } finally {
    client.disconnect();
  }
}

function failureOf(reason: string): GrpoTraderError {
  const match = /^([A-Z_]+): ([\s\S]*)$/.exec(reason);
  return match ? new GrpoTraderError(match[1] as ErrorCode, match[2]!) : new GrpoTraderError(ErrorCodes.internal, reason);
}

function outcomeOf(value: unknown): JobOutcome {
  let v = value;
  while (typeof v === 'string') v = v.startsWith('{') ? decodeJson<JobOutcome>(v) : JSON.parse(v);
  return v as JobOutcome;
}

/** The coordinator's side: jobs added to the queue, outcomes awaited through its events. */
export class QueueExecutor implements JobExecutor {
  readonly description: string;
  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    url: string,
  ) {
    this.description = `BullMQ queue "${queue.name}" at ${redisLabel(url)}`;
    this.lost = new Promise<never>((_resolve, reject) => (this.declareLost = reject));
    this.lost.catch(() => {}); // observed by the races; not an unhandled rejection when no job waits
  }

  static async open(url: string, options: { queueName?: string; onWarning?: (line: string) => void; lostAfterMs?: number } = {}): Promise<QueueExecutor> {
    const { warning } = await checkRedis(url);
    if (warning) options.onWarning?.(warning);
    const connection = redisOptions(url);
    const name = options.queueName ?? DEFAULT_QUEUE_NAME;
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    queue.on('error', () => {});
    events.on('error', () => {});
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const executor = new QueueExecutor(queue, events, url);
    executor.watch(url, options.lostAfterMs ?? DEFAULT_LOST_AFTER_MS);
    return executor;
  }

  private lostError: GrpoTraderError | null = null;
  /** Rejects (once) when Redis is lost; every waiting job races it. */
  private readonly lost: Promise<never>;
  private declareLost: (error: GrpoTraderError) => void = () => {};
  private watchdog: NodeJS.Timeout | null = null;
  private closeProbe: () => void = () => {};

  /**
   * Fail every waiting job when Redis stops answering for `lostAfterMs` (BullMQ's clients would
   * otherwise retry for ever and the sweep would hang); `--resume` continues once it is back.
   */
  private watch(url: string, lostAfterMs: number): void {
    const probe = new Redis({ ...(redisOptions(url) as IoRedisOptions), maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 500, connectTimeout: 1_000 });
    probe.on('error', () => {});
    let lastAnswer = Date.now();
    this.watchdog = setInterval(() => {
      probe.ping().then(
        () => (lastAnswer = Date.now()),
        () => {
          if (Date.now() - lastAnswer < lostAfterMs || this.lostError) return;
          this.lostError = new GrpoTraderError(ErrorCodes.unavailable, `lost Redis at ${redisLabel(url)}: no answer for ${Math.round((Date.now() - lastAnswer) / 1000)} s; the jobs stay in the queue — restart Redis, then continue with --resume`, { location: { field: '--queue' } });
          this.declareLost(this.lostError);
        },
      );
    }, Math.min(1_000, lostAfterMs / 2));
    this.watchdog.unref();
    this.closeProbe = () => probe.disconnect();
  }

  async run(job: SweepJob): Promise<JobOutcome> {
    if (this.lostError) throw this.lostError;
    return Promise.race([this.submit(job), this.lost]);
  }

  private async submit(job: SweepJob): Promise<JobOutcome> {
    // A job that failed before (e.g. refused by a worker with other data) is added again on resume.
    const previous = await this.queue.getJob(job.id);
    if (previous && (await previous.isFailed())) await previous.remove();
    const added = await this.queue.add(job.kind, { job: encodeJson(job) }, { jobId: job.id, attempts: 1, removeOnComplete: false, removeOnFail: false });
    try {
      return outcomeOf(await added.waitUntilFinished(this.events));
    } catch (error) {
      throw failureOf(error instanceof Error ? error.message : String(error));
    }
  }

  /** Counts of the queue's jobs by state (tests and `worker` progress). */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('wait', 'active', 'completed', 'failed', 'delayed');
  }

  async close(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    this.closeProbe();
    if (this.lostError) {
      // Closing would wait for a Redis that is gone.
      this.events.disconnect().catch(() => {});
      this.queue.disconnect().catch(() => {});
      return;
    }
    await this.events.close();
    await this.queue.close();
  }
}

export interface QueueWorkerOptions {
  url: string;
  queueName?: string;
  /** Jobs run at once (each in its own process). */
  concurrency: number;
  /** Data files to read instead of the jobs' paths. */
  dataPaths?: string[];
  /** How long a job's lock lasts without renewal (ms); a killed worker's job is stalled after this. */
  lockDuration?: number;
  /** How often this worker looks for stalled jobs (ms). */
  stalledInterval?: number;
  onLine?: (line: string) => void;
}

export interface QueueWorkerHandle {
  /** Stop taking jobs, wait for the running ones, stop the processes. */
  close(): Promise<void>;
}

/** `grpo-trader worker`: take jobs from the queue until closed. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const { warning } = await checkRedis(options.url);
  const line = options.onLine ?? (() => {});
  if (warning) line(`warning: ${warning}\n`);
  const pool = new LocalPool(options.concurrency, { ...(options.dataPaths ? { dataPaths: options.dataPaths } : {}), onProgress: throttledProgress((text) => line(`  ${text}`)) });
  const processor = async (job: Job<{ job: string }>) => {
    const sweepJob = decodeJson<SweepJob>(job.data.job);
    line(`${sweepJob.id}: started (attempt ${job.attemptsStarted}${job.stalledCounter > 0 ? `, after ${job.stalledCounter} stall` : ''})\n`);
    try {
      const outcome = await pool.run(sweepJob);
      line(`${sweepJob.id}: done in ${outcome.seconds.toFixed(1)} s\n`);
      return encodeJson(outcome);
    } catch (error) {
      const { code, message } = jobErrorOf(error);
      line(`${sweepJob.id}: failed: ${message}\n`);
      // Other data will not become the same data on a retry.
      if (code === ErrorCodes.invalidData) throw Object.assign(new UnrecoverableError(`${code}: ${message}`), { cause: error });
      throw new Error(`${code}: ${message}`, { cause: error });
    }
  };
  const worker = new Worker(options.queueName ?? DEFAULT_QUEUE_NAME, processor, {
    connection: redisOptions(options.url),
    concurrency: options.concurrency,
    ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
    ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
    name: `${hostname()}:${process.pid}`,
  });
  // A connection error repeats every reconnection attempt: say it once until it changes.
  let lastError = '';
  worker.on('error', (error) => {
    if (error.message !== lastError) line(`worker: ${error.message} (retrying)\n`);
    lastError = error.message;
  });
  worker.on('ready', () => (lastError = ''));
  await worker.waitUntilReady();
  line(`worker ${hostname()}:${process.pid}: taking jobs from "${options.queueName ?? DEFAULT_QUEUE_NAME}" at ${redisLabel(options.url)}, ${options.concurrency} at a time\n`);
  return {
    async close() {
      await worker.close();
      await pool.close();
    },
  };
}
