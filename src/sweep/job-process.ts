/**
 * A local worker process (forked by `LocalPool`): runs the jobs its parent sends, one at a time, and
 * sends back each outcome or error. It keeps loaded data between jobs, and exits when its parent goes
 * away (the IPC channel closes, e.g. the coordinator was killed), so no training outlives its sweep.
 */
import { decodeJson, encodeJson, jobErrorOf, runJob, type DataCache, type SweepJob } from './jobs.js';

export type ToChild = { type: 'run'; job: string; dataPaths?: string[] };
export type FromChild = { type: 'progress'; id: string; line: string } | { type: 'done'; id: string; outcome: string } | { type: 'failed'; id: string; code: string; message: string };

const cache: DataCache = new Map();
const send = (message: FromChild) => process.send?.(message);

process.on('disconnect', () => process.exit(0));
// Load the training code (jax-js) before the first job arrives.
import('../agents/train.js').catch(() => {}); // a failure shows again, with its message, in the first job
process.on('message', (message: ToChild) => {
  if (message.type !== 'run') return;
  const job = decodeJson<SweepJob>(message.job);
  runJob(job, { cache, ...(message.dataPaths ? { dataPaths: message.dataPaths } : {}), onProgress: (line) => send({ type: 'progress', id: job.id, line }) }).then(
    (outcome) => send({ type: 'done', id: job.id, outcome: encodeJson(outcome) }),
    (error: unknown) => send({ type: 'failed', id: job.id, ...jobErrorOf(error) }),
  );
});
