/**
 * The worker-pool adapter's protocol, driven with small stand-in worker scripts (same message
 * shapes as jax-js's): requests arrive intact, errors come back, and a worker thread that cannot
 * start or that dies mid-run hands its work to the calling thread instead of hanging or returning
 * unwritten results.
 */
import { describe, expect, it } from 'vitest';
import './node-worker-adapter.js';

type Reply = { type: string; ok?: boolean; error?: string; echo?: unknown };
interface WorkerLike {
  onmessage: ((event: { data: Reply }) => void) | null;
  onerror: ((event: { message: string }) => void) | null;
  postMessage(message: unknown): void;
}
const PoolWorker = (globalThis as unknown as { Worker: new (url: string) => WorkerLike }).Worker;

const kernel = (kernelHash: string, begin: number, end: number, ptrs: number[] = [64, 128]) => ({ type: 'kernel', kernelHash, module: null, ptrs, begin, end });

function request(worker: WorkerLike, message: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(message);
  });
}

const scriptUrlFor = (source: string): string => URL.createObjectURL(new Blob([source], { type: 'application/javascript' }));
// The pool's first worker runs on the calling thread; every later one is a thread.
new PoolWorker(scriptUrlFor('self.onmessage = () => {};'));
const threadWorker = (url: string): WorkerLike => new PoolWorker(url);

// 'echo' answers what it received (as an error: plain successes travel as a flag in shared memory,
// errors as messages); 'fail' answers an error; 'die' ends the thread (only where `require` exists,
// i.e. in a thread).
const ECHO = `self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'init') { postMessage({ type: 'ready' }); return; }
  if (m.kernelHash === 'echo') { postMessage({ type: 'done', ok: false, error: JSON.stringify([m.ptrs, m.begin, m.end]) }); return; }
  if (m.kernelHash === 'fail') { postMessage({ type: 'done', ok: false, error: 'failed at ' + m.begin }); return; }
  if (m.kernelHash === 'die' && typeof require === 'function') process.exit(1);
  postMessage({ type: 'done', ok: true, echo: [m.kernelHash, m.ptrs, m.begin, m.end] });
};`;

describe('node worker adapter', () => {
  it('delivers every request intact, through the control block or the port, and errors back', async () => {
    const worker = threadWorker(scriptUrlFor(ECHO));
    expect(await request(worker, { type: 'init', memory: null })).toEqual({ type: 'ready' });
    // The first 'echo' travels with its module through the port, later ones through the control block.
    for (let i = 0; i < 50; i++) {
      const ptrs = [i, 2 * i + 1, 2 ** 31 - 64 * i];
      expect(await request(worker, kernel('echo', i, i + 7, ptrs))).toEqual({ type: 'done', ok: false, error: JSON.stringify([ptrs, i, i + 7]) });
      expect(await request(worker, kernel('a', i, i + 1))).toEqual({ type: 'done', ok: true });
    }
    const many = Array.from({ length: 70 }, (_, i) => i * 16); // more pointers than the control block holds
    expect(await request(worker, kernel('echo', 3, 9, many))).toEqual({ type: 'done', ok: false, error: JSON.stringify([many, 3, 9]) });
    expect(await request(worker, kernel('fail', 5, 6))).toEqual({ type: 'done', ok: false, error: 'failed at 5' });
    expect(await request(worker, kernel('a', 1, 2))).toEqual({ type: 'done', ok: true });
  });

  it('runs a worker that cannot start on the calling thread, with one warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const worker = threadWorker(scriptUrlFor(`if (typeof require === 'function') throw new Error('cannot start here');\n${ECHO}`));
    expect(await request(worker, { type: 'init', memory: null })).toEqual({ type: 'ready' });
    expect(await request(worker, kernel('a', 0, 4, [8]))).toEqual({ type: 'done', ok: true, echo: ['a', [8], 0, 4] });
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.includes('failed to start'))).toHaveLength(1);
  });

  it('replays the unanswered request on the calling thread when the thread dies mid-run', async () => {
    const worker = threadWorker(scriptUrlFor(ECHO));
    expect(await request(worker, { type: 'init', memory: null })).toEqual({ type: 'ready' });
    expect((await request(worker, kernel('a', 0, 1))).ok).toBe(true);
    // The thread exits on 'die'; the calling thread runs it instead (where the script does not exit).
    expect(await request(worker, kernel('die', 2, 3, [5]))).toEqual({ type: 'done', ok: true, echo: ['die', [5], 2, 3] });
    expect(await request(worker, kernel('a', 4, 5, [6]))).toEqual({ type: 'done', ok: true, echo: ['a', [6], 4, 5] });
  });

  it('refuses to stand in for a general-purpose Worker', () => {
    expect(() => new PoolWorker('./some-script.js')).toThrow(/adapter for jax-js's wasm pool only; use node:worker_threads/);
  });
});
