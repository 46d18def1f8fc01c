/**
 * An environment checker in the spirit of Gymnasium's `check_env`: spaces consistent, observations
 * inside the declared space, seeded runs bit-identical, snapshot/restore exact, and `step()`
 * allocation-free (measured with V8's GC profiler and heap counters).
 */
import { GCProfiler } from 'node:v8';
import { Rng } from '../core/rng.js';
import type { Env } from './types.js';

export interface CheckEnvOptions {
  seed?: number;
  /** Steps per determinism run. */
  steps?: number;
  /** Steps of the allocation measurement. */
  allocationSteps?: number;
  /** Bytes per step tolerated (heap noise from the JIT); default 1. */
  maxBytesPerStep?: number;
}

export interface CheckEnvReport {
  ok: boolean;
  problems: string[];
  /** Heap growth per step over the measurement (no GC ran) or Infinity if a GC ran. */
  bytesPerStep: number;
  garbageCollections: number;
  stepsPerSecond: number;
}

/** Check an environment; returns every problem found (ok when none). */
export function checkEnv(env: Env<ArrayLike<number>>, options: CheckEnvOptions = {}): CheckEnvReport {
  const seed = options.seed ?? 0;
  const steps = options.steps ?? 200;
  const allocationSteps = options.allocationSteps ?? 20_000;
  const problems: string[] = [];
  const space = env.observationSpace;
  if (space.size !== env.observationSize) problems.push(`observationSpace has ${space.size} elements but observationSize is ${env.observationSize}`);
  const action = new Float64Array(env.actionSpace.kind === 'box' ? env.actionSpace.size : 1);
  const sampleInto = (rng: Rng) => {
    if (env.actionSpace.kind === 'box') env.actionSpace.sample(rng, action);
    else action[0] = env.actionSpace.sample(rng);
    const inside = env.actionSpace.kind === 'box' ? env.actionSpace.contains(action) : env.actionSpace.contains(action[0]!);
    if (!inside) problems.push('a sampled action is not inside the action space');
  };

  const trajectory = (): number[] => {
    const rng = new Rng(seed);
    const trace: number[] = [];
    const first = env.reset({ seed });
    if (first.observation.length !== env.observationSize) problems.push(`reset observation has length ${first.observation.length}`);
    if (!space.contains(first.observation)) problems.push('reset observation is outside the observation space');
    trace.push(...first.observation);
    for (let i = 0; i < steps; i++) {
      sampleInto(rng);
      const result = env.step(action);
      if (!space.contains(result.observation)) problems.push(`step ${i}: observation outside the observation space`);
      if (!Number.isFinite(result.reward)) problems.push(`step ${i}: reward ${result.reward} is not finite`);
      if (result.terminated && result.truncated) problems.push(`step ${i}: terminated and truncated at once`);
      trace.push(result.reward, result.terminated ? 1 : 0, result.truncated ? 1 : 0, ...result.observation);
      if (result.terminated || result.truncated) {
        trace.push(...env.reset().observation);
      }
    }
    return trace;
  };
  const first = trajectory();
  const second = trajectory();
  if (!bitIdentical(first, second)) problems.push('the same seed and actions gave different trajectories');

  // Snapshot / restore: a restored environment repeats the same future exactly.
  env.reset({ seed });
  const rng = new Rng(seed + 1);
  sampleInto(rng);
  env.step(action);
  const saved = env.snapshot();
  const future = (): number[] => {
    env.restore(saved);
    const r = new Rng(seed + 2);
    const trace: number[] = [];
    for (let i = 0; i < 5; i++) {
      sampleInto(r);
      const result = env.step(action);
      trace.push(result.reward, ...result.observation);
      if (result.terminated || result.truncated) break;
    }
    return trace;
  };
  if (!bitIdentical(future(), future())) problems.push('restore() did not reproduce the same future');

  // Allocation: a warm loop of step/reset with preallocated actions must not grow the heap.
  const actions = new Float64Array(64 * action.length);
  const actionRows: Float64Array[] = [];
  const r = new Rng(seed + 3);
  for (let k = 0; k < 64; k++) {
    sampleInto(r);
    actions.set(action, k * action.length);
    actionRows.push(actions.subarray(k * action.length, (k + 1) * action.length));
  }
  // Steps only: heap use is read around each run of steps (an episode, or what is left of the
  // budget) and resets happen outside the measured runs, since a cold reset() runs unoptimised.
  const heapUsed = () => process.memoryUsage().heapUsed;
  const runSteps = (budget: number): number => {
    let done = 0;
    while (done < budget) {
      const result = env.step(actionRows[done & 63]!);
      done++;
      if (result.terminated || result.truncated) break;
    }
    return done;
  };
  const measure = (total: number, overhead: number): number => {
    let bytes = 0;
    let stepped = 0;
    while (stepped < total) {
      env.reset();
      const before = heapUsed();
      const count = runSteps(total - stepped);
      bytes += heapUsed() - before - overhead;
      stepped += count;
    }
    return bytes;
  };
  env.reset({ seed });
  measure(allocationSteps, 0); // warm-up: let the JIT optimise everything first
  const overheads: number[] = [];
  for (let i = 0; i < 21; i++) {
    const before = heapUsed();
    overheads.push(heapUsed() - before);
  }
  overheads.sort((x, y) => x - y);
  const overhead = overheads[10]!;
  // Up to five measurements, keeping the best: JIT tiering and a collection already under way when
  // the loop starts (on a loaded machine) show up now and then without step() allocating.
  let bytesPerStep = Number.POSITIVE_INFINITY;
  let gcs = 0;
  let elapsed = 0;
  for (let attempt = 0; attempt < 5 && bytesPerStep > (options.maxBytesPerStep ?? 1); attempt++) {
    const profiler = new GCProfiler();
    profiler.start();
    const began = performance.now();
    const bytes = measure(allocationSteps, overhead);
    elapsed = performance.now() - began;
    gcs = profiler.stop().statistics.length;
    bytesPerStep = gcs > 0 ? Number.POSITIVE_INFINITY : Math.max(0, bytes) / allocationSteps;
  }
  const maxBytes = options.maxBytesPerStep ?? 1;
  if (bytesPerStep > maxBytes) problems.push(`step() allocates: ${gcs > 0 ? `${gcs} garbage collections` : `${bytesPerStep.toFixed(1)} bytes`} over ${allocationSteps} steps`);
  return { ok: problems.length === 0, problems: [...new Set(problems)], bytesPerStep, garbageCollections: gcs, stepsPerSecond: (allocationSteps / elapsed) * 1000 };
}

function bitIdentical(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
