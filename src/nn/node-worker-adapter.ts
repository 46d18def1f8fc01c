/**
 * Starts jax-js's wasm worker pool under Node. jax-js builds its pool from the browser's `Worker`
 * and `navigator.hardwareConcurrency` when its module is first evaluated; Node 20 has neither, so
 * without this adapter jax-js runs single-threaded. The adapter gives it a `Worker` class over
 * `node:worker_threads` that loads the blob-URL script jax-js creates. It must run before jax-js is
 * imported, which is why every file in src/nn imports jax-js through `./jax.js`.
 *
 * The pool is lazy: no thread starts until a kernel is dispatched asynchronously (`await x.data()`),
 * so single-threaded use (`dataSync()`) costs nothing.
 */
import { availableParallelism } from 'node:os';
import { resolveObjectURL } from 'node:buffer';
import { Worker as NodeWorker } from 'node:worker_threads';

/** Code run in each thread before jax-js's worker script: maps the Web Worker globals onto worker_threads. */
const BOOTSTRAP = `
const { parentPort } = require('node:worker_threads');
globalThis.self = globalThis;
globalThis.postMessage = (message) => parentPort.postMessage(message);
parentPort.on('message', (data) => { if (typeof globalThis.onmessage === 'function') globalThis.onmessage({ data }); });
`;

interface MessageEventLike {
  data: unknown;
}

/** The subset of the Web Worker interface jax-js 0.1.25 uses. */
class NodeWebWorker {
  onmessage: ((event: MessageEventLike) => void) | null = null;
  onerror: ((event: { message: string }) => void) | null = null;
  private worker: NodeWorker | null = null;
  private readonly queued: unknown[] = [];
  private terminated = false;
  /** Requests posted and not yet answered. */
  private outstanding = 0;

  constructor(url: string | URL) {
    const blob = resolveObjectURL(String(url));
    if (!blob) throw new Error(`jax-js worker script not found at ${String(url)}`);
    // Blob text is asynchronous; jax-js waits for the worker's "ready" reply, so queueing is enough.
    void blob.text().then(
      (source) => this.start(source),
      (error: unknown) => this.onerror?.({ message: String(error) }),
    );
  }

  private start(source: string): void {
    if (this.terminated) return;
    const worker = new NodeWorker(`${BOOTSTRAP}\n${source}`, { eval: true });
    worker.on('message', (data: unknown) => {
      // jax-js sends one request per reply; an idle pool must not keep the process alive.
      this.outstanding -= 1;
      if (this.outstanding === 0) worker.unref();
      this.onmessage?.({ data });
    });
    worker.on('error', (error: Error) => this.onerror?.({ message: error.message }));
    this.worker = worker;
    if (this.outstanding === 0) worker.unref();
    for (const message of this.queued.splice(0)) worker.postMessage(message);
  }

  postMessage(message: unknown): void {
    this.outstanding += 1;
    if (this.worker) {
      this.worker.ref();
      this.worker.postMessage(message);
    } else {
      this.queued.push(message);
    }
  }

  terminate(): void {
    this.terminated = true;
    void this.worker?.terminate();
  }
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
  globals['Worker'] = NodeWebWorker;
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
