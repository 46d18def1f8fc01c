/**
 * Jobs on local worker processes (`child_process.fork`): N processes, each running one job at a time,
 * so N trainings use N cores (jax-js runs on the main thread of each). A process that dies mid-job
 * fails that job with a clear error and is replaced for the next one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, GrpoTraderError, type ErrorCode } from '../core/errors.js';
import type { FromChild, ToChild } from './job-process.js';
import { decodeJson, encodeJson, type JobOutcome, type SweepJob } from './jobs.js';

/** Where jobs run: local processes or a queue. */
export interface JobExecutor {
  /** How the jobs run, for progress lines (`2 local processes`, `BullMQ at redis://…`). */
  readonly description: string;
  /** Jobs it can run at once, when it knows (local processes); a queue's workers are elsewhere. */
  readonly capacity?: number;
  run(job: SweepJob): Promise<JobOutcome>;
  close(): Promise<void>;
}

/**
 * A progress sink that passes on at most one line per job every `intervalMs` (trainings print a line
 * per update; a sweep of long trials should say how each is doing, not flood the terminal).
 */
export function throttledProgress(write: (line: string) => void, intervalMs = 15_000, now: () => number = Date.now): (jobId: string, line: string) => void {
  const last = new Map<string, number>();
  return (jobId, line) => {
    const t = now();
    if (t - (last.get(jobId) ?? Number.NEGATIVE_INFINITY) < intervalMs) return;
    last.set(jobId, t);
    write(line.endsWith('\n') ? line : `${line}\n`);
  };
}

/** The default number of local workers: the cores this process may use. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * V8 flags of a job process. `--single-threaded-gc`: a training process otherwise keeps ≈ 1.14 cores
 * busy (V8's parallel garbage-collector threads beside jax-js's one compute thread), so two on two
 * cores slow each other; with the collector on the main thread one job runs as fast as before and two
 * scale 1.70× (median of five runs) instead of 1.64× (`npm run bench -- sweep.scaling`, docs/sweeps.md).
 */
export const JOB_PROCESS_FLAGS: readonly string[] = ['--single-threaded-gc'];

/** The job process's module and the Node flags to start it with (TypeScript sources run through tsx). */
function childModule(): { path: string; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return { path: fileURLToPath(new URL('./job-process.ts', here)), execArgv: [...JOB_PROCESS_FLAGS, '--import', import.meta.resolve('tsx')] };
  return { path: fileURLToPath(new URL('./job-process.js', here)), execArgv: [...JOB_PROCESS_FLAGS] };
}

interface Slot {
  child: ChildProcess | null;
  busy: boolean;
}

interface Pending {
  job: SweepJob;
  resolve: (outcome: JobOutcome) => void;
  reject: (error: unknown) => void;
}

export interface LocalPoolOptions {
  /** Data files the jobs read instead of their own paths. */
  dataPaths?: string[];
  /** Each job's progress lines (training updates, prefixed with the trial and fold). */
  onProgress?: (jobId: string, line: string) => void;
}

export class LocalPool implements JobExecutor {
  readonly description: string;
  get capacity(): number {
    return this.size;
  }
  private readonly slots: Slot[];
  private readonly waiting: Pending[] = [];
  private closed = false;

  constructor(readonly size: number, private readonly options: LocalPoolOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new GrpoTraderError(ErrorCodes.invalidArgument, `workers must be a positive integer, got ${size}`, { location: { field: '--workers' } });
    this.slots = Array.from({ length: size }, () => ({ child: null, busy: false }));
    // Start the processes now: they load the training code while the coordinator loads its data.
    for (const slot of this.slots) this.spawn(slot);
    this.description = `${size} local worker process${size === 1 ? '' : 'es'}`;
  }

  run(job: SweepJob): Promise<JobOutcome> {
    if (this.closed) return Promise.reject(new GrpoTraderError(ErrorCodes.unavailable, 'the worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.waiting.shift();
      if (!next) return;
      this.start(slot, next);
    }
  }

  /** The slot's process, started when it has none (or it died). */
  private spawn(slot: Slot): ChildProcess {
    if (!slot.child || slot.child.exitCode !== null || slot.child.signalCode !== null) {
      const { path, execArgv } = childModule();
      slot.child = fork(path, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    }
    return slot.child;
  }

  private start(slot: Slot, pending: Pending): void {
    slot.busy = true;
    const child = this.spawn(slot);
    const finish = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      slot.busy = false;
      this.dispatch();
    };
    const onMessage = (message: FromChild) => {
      if (message.id !== pending.job.id) return;
      if (message.type === 'progress') return this.options.onProgress?.(message.id, message.line);
      finish();
      if (message.type === 'done') pending.resolve(decodeJson<JobOutcome>(message.outcome));
      else pending.reject(new GrpoTraderError(message.code as ErrorCode, message.message));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      slot.child = null;
      finish();
      pending.reject(new GrpoTraderError(ErrorCodes.internal, `the worker process running ${pending.job.id} exited (${signal ?? `code ${code}`}) before finishing it`));
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    const message: ToChild = { type: 'run', job: encodeJson(pending.job), ...(this.options.dataPaths ? { dataPaths: this.options.dataPaths } : {}) };
    child.send(message);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.waiting.splice(0)) pending.reject(new GrpoTraderError(ErrorCodes.unavailable, 'the worker pool was closed'));
    await Promise.all(
      this.slots.map(async (slot) => {
        const child = slot.child;
        slot.child = null;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }),
    );
  }
}
