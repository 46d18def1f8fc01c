/**
 * Starts jax-js's wasm worker pool under Node. jax-js builds its pool from the browser's `Worker`
 * and `navigator.hardwareConcurrency` when its module is first evaluated; Node 20 has neither, so
 * without this adapter jax-js runs single-threaded. The adapter gives it a `Worker` class over
 * `node:worker_threads` that loads the blob-URL script jax-js creates. It must run before jax-js is
 * imported, which is why every file in src/nn imports jax-js through `./jax.js`.
 *
 * Transport: jax-js posts one message per kernel chunk and waits for one reply. Over worker_threads'
 * event-loop messaging that round trip costs ~80–160 µs, more than many kernels take. Here each
 * message still travels through a MessagePort (so WebAssembly modules and shared memory clone as
 * usual), but both sides take it off the port synchronously (`receiveMessageOnPort`) and signal with
 * `Atomics` on a shared counter: the worker waits in `Atomics.wait` instead of its event loop, and the
 * calling thread collects the replies in a microtask with `Atomics.wait`, right after jax-js has
 * posted a kernel's chunks to every worker. The calling thread therefore blocks while the pool runs
 * a kernel (as it would compute it itself with one thread); the very first reply ("ready", while the
 * thread starts) is awaited asynchronously.
 *
 * The pool is lazy: no thread starts until a kernel is dispatched asynchronously (`await x.data()`),
 * so single-threaded use (`dataSync()`) costs nothing. Idle workers never keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { resolveObjectURL } from 'node:buffer';
import { MessageChannel, Worker as NodeWorker, receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';

/** Slots of the shared control block (Int32). */
const REQUESTS = 0; // requests posted (counter the worker waits on)
const REPLIES = 1; // replies posted (counter the caller waits on)
const STOP = 2; // 1: terminated by the caller; 2: the worker's loop ended by an error
const REPLY_IN_PORT = 3; // 1: the reply is a message on the reply port; 0: it is {type: 'done', ok: true}
const REQUEST_IN_PORT = 4; // 1: the request is a message on the request port; 0: it is the encoded kernel below
const KERNEL_ID = 5;
const BEGIN = 6;
const END = 7;
const POINTER_COUNT = 8;
const POINTERS = 9;
const MAX_POINTERS = 55;
const CONTROL_SLOTS = POINTERS + MAX_POINTERS;

/** Busy-wait iterations before a thread sleeps in Atomics.wait (the next kernel usually follows within microseconds). */
const WORKER_SPINS = spinsFromEnvironment('GRPO_TRADER_WORKER_SPINS', 20000);
const CALLER_SPINS = spinsFromEnvironment('GRPO_TRADER_CALLER_SPINS', 200000);

function spinsFromEnvironment(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** Code run in each thread before jax-js's worker script: a synchronous request loop over the control block. */
const BOOTSTRAP = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
const requests = workerData.requests;
const replies = workerData.replies;
const kernels = new Map();
globalThis.self = globalThis;
// However the thread ends (process.exit, an uncaught error), tell the caller instead of leaving it waiting.
process.on('exit', () => {
  if (Atomics.load(control, ${STOP}) === 0) Atomics.store(control, ${STOP}, 2);
  Atomics.notify(control, ${REPLIES});
});
globalThis.postMessage = (message) => {
  if (message && message.type === 'done' && message.ok === true) control[${REPLY_IN_PORT}] = 0;
  else { replies.postMessage(message); control[${REPLY_IN_PORT}] = 1; }
  Atomics.add(control, ${REPLIES}, 1);
  Atomics.notify(control, ${REPLIES});
};
setImmediate(() => {
  let handled = 0;
  try {
  for (;;) {
    let spins = 0;
    while (Atomics.load(control, ${REQUESTS}) === handled) {
      if (Atomics.load(control, ${STOP}) !== 0) return;
      if (++spins > ${WORKER_SPINS}) Atomics.wait(control, ${REQUESTS}, handled, 1000);
    }
    handled += 1;
    let message;
    if (control[${REQUEST_IN_PORT}] === 1) {
      let entry = receiveMessageOnPort(requests);
      while (entry === undefined) entry = receiveMessageOnPort(requests);
      message = entry.message;
      if (message.type === 'kernel' && message.kernelId !== undefined) kernels.set(message.kernelId, message);
    } else {
      const kernel = kernels.get(control[${KERNEL_ID}]);
      const ptrs = [];
      for (let i = 0; i < control[${POINTER_COUNT}]; i++) ptrs.push(control[${POINTERS} + i]);
      message = { type: 'kernel', kernelHash: kernel.kernelHash, module: kernel.module, ptrs, begin: control[${BEGIN}], end: control[${END}] };
    }
    if (typeof globalThis.onmessage === 'function') globalThis.onmessage({ data: message });
  }
  } catch (error) {
    Atomics.store(control, ${STOP}, 2);
    Atomics.notify(control, ${REPLIES});
    throw error;
  }
});
`;

/** `Atomics.waitAsync` (Node ≥ 16; typed only in TypeScript's es2024 library). */
interface AtomicsWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}

interface MessageEventLike {
  data: unknown;
}

interface KernelMessage {
  type: 'kernel';
  kernelHash: string;
  module: unknown;
  ptrs: number[];
  begin: number;
  end: number;
  kernelId?: number;
}

/** Small integer ids for jax-js's kernel hashes, shared by every worker. */
const kernelIds = new Map<string, number>();

/** The subset of the Web Worker interface jax-js 0.1.25 uses, on a `node:worker_threads` thread. */
class NodeWebWorker {
  onmessage: ((event: MessageEventLike) => void) | null = null;
  onerror: ((event: { message: string }) => void) | null = null;
  private worker: NodeWorker | null = null;
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
  private readonly requestPort: MessagePort;
  private readonly replyPort: MessagePort;
  private readonly workerPorts: [MessagePort, MessagePort];
  private readonly queued: unknown[] = [];
  /** Kernel ids whose module this worker has received. */
  private readonly known = new Set<number>();
  private terminated = false;
  /** Requests posted and not yet answered. */
  private outstanding = 0;
  /** Replies already delivered to `onmessage`. */
  private delivered = 0;
  private draining = false;

  /** Set when the thread could not start: its share then runs on the calling thread. */
  private fallback: InThreadRunner | null = null;
  /** jax-js's first message (the shared memory), replayed to the fallback. */
  private initMessage: unknown = null;
  private started = false;
  private source = '';
  /** Requests sent and not yet answered (at most one: jax-js waits for every reply before the next kernel). */
  private readonly inFlight: unknown[] = [];

  constructor(url: string | URL) {
    const requests = new MessageChannel();
    const replies = new MessageChannel();
    this.requestPort = requests.port1;
    this.replyPort = replies.port2;
    this.workerPorts = [requests.port2, replies.port1];
    this.requestPort.unref();
    this.replyPort.unref();
    // Blob text is asynchronous; jax-js waits for the worker's "ready" reply, so queueing is enough.
    void workerSource(url).then(
      (source) => this.start(source),
      (error: unknown) => this.onerror?.({ message: String(error) }),
    );
  }

  private start(source: string): void {
    if (this.terminated) return;
    this.source = source;
    const [requests, replies] = this.workerPorts;
    let worker: NodeWorker;
    try {
      worker = new NodeWorker(`${BOOTSTRAP}\n${source}`, {
        eval: true,
        // Not the parent's flags: --input-type=module, loaders or --import would change how the script runs.
        execArgv: [],
        workerData: { control: this.control.buffer, requests, replies },
        transferList: [requests, replies],
      });
    } catch (error) {
      this.failOver(error);
      return;
    }
    worker.on('error', (error: Error) => {
      // jax-js would read unwritten memory if a worker never answered its first message.
      if (!this.started) this.failOver(error);
      else this.onerror?.({ message: error.message });
    });
    worker.on('exit', () => {
      if (Atomics.load(this.control, STOP) !== 0) return;
      Atomics.store(this.control, STOP, 2);
      Atomics.notify(this.control, REPLIES);
    });
    worker.unref();
    this.worker = worker;
    const queued = this.queued.splice(0);
    for (const message of queued) this.send(message);
    // The first reply comes once the thread has started: wait for it without blocking.
    void this.drainAsync();
  }

  /**
   * The thread could not start or has stopped: say so once and run this slot's share on the calling
   * thread (the wasm memory is shared), replaying the unanswered request. Kernels only write their
   * outputs, so running one again is harmless.
   */
  private failOver(error: unknown): void {
    if (this.fallback || this.terminated) return;
    process.emitWarning(
      `jax-js worker thread ${this.started ? 'stopped' : 'failed to start'} (${error instanceof Error ? error.message : String(error)}); its share of each kernel runs on the calling thread`,
    );
    // A replayed "init" after start would answer "ready" to the kernel jax-js is waiting on: drop that reply.
    let dropReady = this.started;
    this.fallback = new InThreadRunner(this.source, (message) => {
      if (dropReady && (message as { type?: string }).type === 'ready') {
        dropReady = false;
        return;
      }
      this.onmessage?.({ data: message });
    });
    const unanswered = this.inFlight.splice(0);
    this.outstanding = 0;
    Atomics.notify(this.control, REPLIES);
    void this.worker?.terminate();
    if (this.initMessage !== null && (this.started || !unanswered.includes(this.initMessage))) this.fallback.post(this.initMessage);
    for (const message of unanswered) this.fallback.post(message);
  }

  postMessage(message: unknown): void {
    if ((message as { type?: string }).type === 'init') this.initMessage = message;
    if (this.fallback) {
      this.fallback.post(message);
      return;
    }
    this.outstanding += 1;
    if (!this.worker) {
      this.queued.push(message);
      return;
    }
    this.send(message);
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => this.drainSync());
    }
  }

  private send(message: unknown): void {
    const control = this.control;
    // The control block holds one request: a second before the reply would overwrite the first.
    if (this.inFlight.length > 0) throw new Error('jax-js posted a second request to a worker before its reply (unsupported by this adapter)');
    this.inFlight.push(message);
    const kernel = message as KernelMessage;
    if (kernel.type === 'kernel' && kernel.ptrs.length <= MAX_POINTERS) {
      let id = kernelIds.get(kernel.kernelHash);
      if (id === undefined) {
        id = kernelIds.size;
        kernelIds.set(kernel.kernelHash, id);
      }
      if (this.known.has(id)) {
        control[KERNEL_ID] = id;
        control[BEGIN] = kernel.begin;
        control[END] = kernel.end;
        control[POINTER_COUNT] = kernel.ptrs.length;
        for (let i = 0; i < kernel.ptrs.length; i++) control[POINTERS + i] = kernel.ptrs[i]!;
        control[REQUEST_IN_PORT] = 0;
        Atomics.add(control, REQUESTS, 1);
        Atomics.notify(control, REQUESTS);
        return;
      }
      this.known.add(id);
      message = { ...kernel, kernelId: id };
    }
    this.requestPort.postMessage(message);
    control[REQUEST_IN_PORT] = 1;
    Atomics.add(control, REQUESTS, 1);
    Atomics.notify(control, REQUESTS);
  }

  /** Deliver every reply that has arrived; true when nothing is outstanding. */
  private deliver(): boolean {
    if (Atomics.load(this.control, STOP) === 2 && this.delivered === Atomics.load(this.control, REPLIES)) {
      // The worker's thread ended with a request unanswered: take over on the calling thread.
      this.failOver(new Error('the thread exited'));
      return true;
    }
    while (this.delivered < Atomics.load(this.control, REPLIES)) {
      let data: unknown = { type: 'done', ok: true };
      if (this.control[REPLY_IN_PORT] === 1) {
        let entry = receiveMessageOnPort(this.replyPort);
        while (entry === undefined) entry = receiveMessageOnPort(this.replyPort);
        data = entry.message;
      }
      this.delivered += 1;
      this.outstanding -= 1;
      this.inFlight.shift();
      this.started = true;
      this.onmessage?.({ data });
    }
    return this.outstanding === 0;
  }

  private drainSync(): void {
    this.draining = false;
    while (!this.terminated && !this.fallback && !this.deliver()) {
      const seen = this.delivered;
      const waiting = (): boolean => Atomics.load(this.control, REPLIES) === seen && Atomics.load(this.control, STOP) === 0;
      let spins = 0;
      while (waiting() && ++spins <= CALLER_SPINS);
      // A thread that dies sets STOP and notifies; checked just before sleeping, so at worst a death
      // that lands in between is noticed after the 1 s timeout.
      if (waiting()) Atomics.wait(this.control, REPLIES, seen, 1000);
    }
  }

  private async drainAsync(): Promise<void> {
    // An Atomics.waitAsync promise does not keep Node's event loop alive; the referenced worker does.
    this.worker?.ref();
    while (!this.terminated && !this.fallback && !this.deliver()) {
      const seen = this.delivered;
      const waiting = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.control, REPLIES, seen);
      if (waiting.async) await waiting.value;
    }
    this.worker?.unref();
  }

  terminate(): void {
    this.terminated = true;
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, REQUESTS);
    Atomics.notify(this.control, REPLIES);
    void this.worker?.terminate();
  }
}

/**
 * Runs jax-js's worker script on the calling thread, with its own `self` and `postMessage`. A
 * posted message is handled in a microtask, so that jax-js first posts a kernel's other chunks to
 * the real workers and the calling thread then computes its share while they compute theirs.
 */
class InThreadRunner {
  private readonly handler: ((event: MessageEventLike) => void) | null;
  private readonly pending: unknown[] = [];
  private scheduled = false;

  constructor(
    source: string,
    private readonly reply: (message: unknown) => void,
  ) {
    const scope: { onmessage: ((event: MessageEventLike) => void) | null } = { onmessage: null };
    // jax-js's own worker script (from its blob URL), run with `scope` as its `self`.
    new Function('self', 'postMessage', source)(scope, reply);
    this.handler = scope.onmessage;
  }

  post(message: unknown): void {
    this.pending.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    for (const message of this.pending.splice(0)) {
      try {
        this.handler?.({ data: message });
      } catch (error) {
        // jax-js's script answers its own errors; anything else must not escape into a microtask.
        this.reply({ type: 'done', ok: false, error: String(error) });
      }
    }
  }
}

/** Pool slot 0: the calling thread computes a share of every kernel instead of idling. */
class InThreadWorker {
  onmessage: ((event: MessageEventLike) => void) | null = null;
  onerror: ((event: { message: string }) => void) | null = null;
  private runner: InThreadRunner | null = null;
  private readonly queued: unknown[] = [];

  constructor(url: string | URL) {
    void workerSource(url).then(
      (source) => {
        this.runner = new InThreadRunner(source, (message) => this.onmessage?.({ data: message }));
        for (const message of this.queued.splice(0)) this.runner.post(message);
      },
      (error: unknown) => this.onerror?.({ message: String(error) }),
    );
  }

  postMessage(message: unknown): void {
    if (this.runner) this.runner.post(message);
    else this.queued.push(message);
  }

  terminate(): void {
    this.runner = null;
  }
}

/** The text of jax-js's worker script, from the blob URL it created. */
async function workerSource(url: string | URL): Promise<string> {
  const blob = resolveObjectURL(String(url));
  if (!blob) throw new Error(`jax-js worker script not found at ${String(url)}`);
  return blob.text();
}

let workersCreated = 0;

/** jax-js's pool: slot 0 on the calling thread, the others on worker threads. */
function PoolWorker(url: string | URL): NodeWebWorker | InThreadWorker {
  if (!resolveObjectURL(String(url))) {
    throw new Error(`Worker(${String(url)}): this process's global Worker is grpo-trader's adapter for jax-js's wasm pool only; use node:worker_threads`);
  }
  return workersCreated++ === 0 ? new InThreadWorker(url) : new NodeWebWorker(url);
}

/** Number of threads jax-js will size its pool to: GRPO_TRADER_THREADS, else the machine's cores. */
export function configuredPoolSize(): number {
  const fromEnvironment = Number(process.env['GRPO_TRADER_THREADS']);
  if (Number.isInteger(fromEnvironment) && fromEnvironment >= 1) return fromEnvironment;
  return Math.max(1, availableParallelism());
}

const globals = globalThis as Record<string, unknown>;
export const workerAdapterInstalled = typeof globals['Worker'] === 'undefined' && typeof process !== 'undefined';
let navigatorShimmed = false;
if (workerAdapterInstalled) {
  // jax-js checks `typeof Worker` at run time too (shared memory in generated kernels), so it stays.
  globals['Worker'] = PoolWorker;
  if (typeof globals['navigator'] === 'undefined') {
    globals['navigator'] = { hardwareConcurrency: configuredPoolSize() };
    navigatorShimmed = true;
  }
}

/**
 * Remove the temporary `navigator` once jax-js has sized its pool (its wasm path reads it only
 * then), so other libraries' browser detection does not see a fake browser.
 */
export function removeNavigatorShim(): void {
  if (navigatorShimmed) {
    delete globals['navigator'];
    navigatorShimmed = false;
  }
}
