/**
 * Issue 4's network benchmarks: a training step (forward, loss, backward, Adam) for the small and
 * medium configurations and small-model inference at batch 1 and 64, against PyTorch measured in
 * the same run (scripts/nn-reference-bench.py, one thread) when /usr/bin/python3 has torch, else the
 * figures stated in the issue. Each case runs with jax-js on the calling thread and on its worker
 * pool; `value` is the faster mode's median, both are reported.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ActorCritic, ForwardContext, Trainer, adamOptions, initEngine, jax, readArray } from '../src/nn/index.js';
import type { ActorCriticParams, JaxArray as Array } from '../src/nn/index.js';
import { batchArrays, randomTrainingBatch } from '../src/nn/test-helpers.js';

const { numpy: np, jit, tree } = jax;
import { round, timeMedianMs } from './harness.js';
import type { Benchmark, BenchResult } from './harness.js';

interface Size {
  batch: number;
  sequence: number;
  features: number;
  dModel: number;
  heads: number;
  layers: number;
  feedForward: number;
}

const SIZES: Record<'small' | 'medium', Size> = {
  small: { batch: 64, sequence: 30, features: 32, dModel: 64, heads: 4, layers: 2, feedForward: 256 },
  medium: { batch: 128, sequence: 60, features: 48, dModel: 128, heads: 8, layers: 4, feedForward: 512 },
};

interface Reference {
  train_small: number;
  train_medium: number;
  infer_small_b1: number | null;
  infer_small_b64: number | null;
  source: string;
}

let referenceCache: Reference | null = null;

function reference(): Reference {
  if (referenceCache) return referenceCache;
  const script = fileURLToPath(new URL('../scripts/nn-reference-bench.py', import.meta.url));
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
    const output = execFileSync('/usr/bin/python3', [script, '7'], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
    const measured = JSON.parse(output) as Omit<Reference, 'source'> & { torch: string };
    referenceCache = { ...measured, source: `PyTorch ${measured.torch}, 1 thread, measured in this run` };
  } catch {
    referenceCache = { train_small: 29, train_medium: 572, infer_small_b1: null, infer_small_b64: null, source: 'issue (PyTorch 1.13, 1 core)' };
  }
  return referenceCache;
}

function model(size: Size): ActorCritic {
  return new ActorCritic({
    featureDim: size.features,
    hiddenDim: size.dModel,
    numHeads: size.heads,
    numLayers: size.layers,
    feedForward: size.feedForward,
    dropout: 0,
    positional: 'learned',
    pooling: 'mean',
    numActions: 3,
  });
}

async function timeTrainStep(size: Size, threads: number, runs: number, warmup: number): Promise<number> {
  await initEngine({ threads });
  const network = model(size);
  const data = randomTrainingBatch(7, size.batch, size.sequence, size.features);
  const trainer = new Trainer<ActorCriticParams>(
    network.init(1),
    (params, x, actions, advantages, returns) => network.loss(params, x!, actions!, advantages!, returns!),
    adamOptions({ learningRate: 3e-4 }),
  );
  const step = async (): Promise<void> => {
    await readArray(trainer.update(...batchArrays(data)));
  };
  const median = await timeMedianMs(step, runs, warmup);
  trainer.dispose();
  return median;
}

async function timeInference(size: Size, batch: number, threads: number, runs: number): Promise<number> {
  await initEngine({ threads });
  const network = model(size);
  const params = network.init(1);
  const data = randomTrainingBatch(7, batch, size.sequence, size.features);
  const forward = jit((p: ActorCriticParams, x: Array) => {
    const [logProbabilities, values] = network.apply(p, x, ForwardContext.evaluation());
    return [logProbabilities, values];
  });
  const call = async (): Promise<void> => {
    const [logProbabilities, values] = forward(tree.ref(params), np.array(data.x, { shape: [batch, size.sequence, size.features] })) as [Array, Array];
    await readArray(logProbabilities);
    await readArray(values);
  };
  const median = await timeMedianMs(call, runs, 2);
  forward.dispose();
  tree.dispose(params);
  return median;
}

function result(name: string, times: Record<string, number>, referenceMs: number | null, source: string, runs: number): BenchResult {
  const [bestMode, best] = Object.entries(times).sort((a, b) => a[1] - b[1])[0]!;
  return {
    name,
    value: round(best),
    unit: 'ms',
    reference: referenceMs === null ? null : round(referenceMs),
    reference_name: source,
    ratio: referenceMs === null ? null : round(referenceMs / best),
    runs,
    mode: bestMode,
    ...Object.fromEntries(Object.entries(times).map(([mode, ms]) => [`ms_${mode}`, round(ms)])),
  };
}

const MODES = [1, 2];

export const benchmarks: Benchmark[] = [
  {
    name: 'nn.train_step.small',
    description: 'ActorCritic training step, batch 64 × 30 × 32, d 64, 4 heads, 2 layers, FF 256, Adam',
    async run() {
      const times: Record<string, number> = {};
      for (const threads of MODES) times[`threads_${threads}`] = await timeTrainStep(SIZES.small, threads, 21, 5);
      const ref = reference();
      return result('nn.train_step.small', times, ref.train_small, ref.source, 21);
    },
  },
  {
    name: 'nn.train_step.medium',
    description: 'ActorCritic training step, batch 128 × 60 × 48, d 128, 8 heads, 4 layers, FF 512, Adam',
    async run() {
      const times: Record<string, number> = {};
      for (const threads of MODES) times[`threads_${threads}`] = await timeTrainStep(SIZES.medium, threads, 7, 3);
      const ref = reference();
      return result('nn.train_step.medium', times, ref.train_medium, ref.source, 7);
    },
  },
  {
    name: 'nn.infer.small_b1',
    description: 'ActorCritic small inference (jitted forward, eval mode), batch 1',
    async run() {
      const times: Record<string, number> = {};
      for (const threads of MODES) times[`threads_${threads}`] = await timeInference(SIZES.small, 1, threads, 31);
      const ref = reference();
      return result('nn.infer.small_b1', times, ref.infer_small_b1, ref.source, 31);
    },
  },
  {
    name: 'nn.infer.small_b64',
    description: 'ActorCritic small inference (jitted forward, eval mode), batch 64',
    async run() {
      const times: Record<string, number> = {};
      for (const threads of MODES) times[`threads_${threads}`] = await timeInference(SIZES.small, 64, threads, 15);
      const ref = reference();
      return result('nn.infer.small_b64', times, ref.infer_small_b64, ref.source, 15);
    },
  },
];
