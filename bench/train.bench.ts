/**
 * Issue 5's training benchmark `train.dow30`: group-relative GRPO with the default config
 * (the schema defaults, the sizes of examples/dow30.yaml: 8 environments × 16 states × groups of 8, lookback 5, MLP 64) on the 30 Dow
 * stocks of ../shared/data, 2005–2014. Reports environment samples per second (every env step,
 * counterfactual group scoring included) and updates per second. The reference is the same loop
 * with a naive policy call: one forward pass per sampled action (batch 1, no batching across the
 * group or the environments), measured in the same run on the collection phase.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GroupRelativeGrpo, environmentFactory, parseTrainConfig, splitBars } from '../src/agents/index.js';
import { loadMarket } from '../src/data/index.js';
import { buildFeatureTensor } from '../src/env/index.js';
import { initEngine } from '../src/nn/index.js';
import { round } from './harness.js';
import { benchData } from './harness.js';
import type { Benchmark, BenchResult } from './harness.js';

const dataDirectory = () => benchData('us-equities-daily');
const DOW30 = 'AAPL AXP BA CAT CSCO CVX DIS GE GS HD IBM INTC JNJ JPM KO MCD MMM MRK MSFT NKE PEP PFE PG T TRV UNH UTX VZ WMT XOM'.split(' ');

/** The PyTorch figures of scripts/train-reference-bench.py when /usr/bin/python3 has torch, else null. */
function pytorchReference(): Record<string, number | string> | null {
  try {
    const script = fileURLToPath(new URL('../scripts/train-reference-bench.py', import.meta.url));
    const text = execFileSync('/usr/bin/python3', [script], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1' }, encoding: 'utf8', timeout: 120_000 });
    return JSON.parse(text.trim().split('\n').pop()!) as Record<string, number | string>;
  } catch {
    return null;
  }
}

async function run(): Promise<BenchResult[]> {
  await initEngine({ threads: 1 });
  const config = parseTrainConfig({ data: { paths: [dataDirectory()], symbols: DOW30 } });
  const { market } = await loadMarket(config.data.paths, { symbols: DOW30 });
  const features = buildFeatureTensor(market, { features: config.data.features });
  const make = environmentFactory(config, market, features);
  const bars = splitBars(market, 'train', config.splits.train);
  const g = config.algorithm.grpo;
  const agent = new GroupRelativeGrpo(
    Array.from({ length: config.training.envs }, () => make(bars, true)),
    { ...g, hiddenSizes: config.algorithm.hiddenSizes, initialStd: config.algorithm.initialStd, learningRate: config.algorithm.learningRate, seed: 0 },
  );
  // Warm-up compiles the jitted programs.
  await agent.update();
  await agent.update();
  const measuredUpdates = 10;
  const runs: number[] = [];
  const updateRates: number[] = [];
  for (let r = 0; r < 3; r++) {
    const steps0 = agent.envSteps;
    const start = performance.now();
    for (let u = 0; u < measuredUpdates; u++) await agent.update();
    const seconds = (performance.now() - start) / 1000;
    runs.push((agent.envSteps - steps0) / seconds);
    updateRates.push(measuredUpdates / seconds);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const samplesPerSecond = median(runs);
  const updatesPerSecond = median(updateRates);

  // Reference: the collection loop with one batch-1 policy call per sampled action.
  const observation = new Float32Array(agent.observationSize);
  const states = config.training.envs * 2;
  const envs = agent.envs;
  const action = new Float64Array(market.symbols.length);
  const naive = async () => {
    let steps = 0;
    const start = performance.now();
    for (let s = 0; s < states; s++) {
      const env = envs[s % envs.length]!;
      const snapshot = env.snapshot();
      const current = env.restore(snapshot);
      for (let k = 0; k < observation.length; k++) observation[k] = current[k]!;
      for (let gIndex = 0; gIndex < g.groupSize + 1; gIndex++) {
        const { output, logStd } = await agent.policyOutputs(observation, 1);
        for (let a = 0; a < action.length; a++) action[a] = output[a]! + Math.exp(logStd[a]!) * agent.rng.normal();
        env.restore(snapshot);
        env.step(action);
        steps++;
      }
      env.restore(snapshot);
    }
    return steps / ((performance.now() - start) / 1000);
  };
  await naive();
  const referenceRuns = [await naive(), await naive(), await naive()];
  const reference = median(referenceRuns);
  // The batched loop's collection-only rate, for a like-for-like comparison with the reference.
  const collectRates: number[] = [];
  for (let r = 0; r < 3; r++) {
    const steps0 = agent.envSteps;
    const start = performance.now();
    await agent.collect();
    collectRates.push((agent.envSteps - steps0) / ((performance.now() - start) / 1000));
  }
  const collect = median(collectRates);
  // Our optimisation step alone, to set beside PyTorch's on the same batch.
  const stepStart = performance.now();
  for (let r = 0; r < 5; r++) await agent.update();
  const updateMs = (performance.now() - stepStart) / 5;
  const torch = pytorchReference();
  agent.dispose();
  return [
    {
      name: 'train.dow30',
      value: round(samplesPerSecond),
      unit: 'env_samples_per_second',
      reference: round(reference),
      reference_name: 'same collection loop, one batch-1 policy call per sampled action (collection only)',
      ratio: round(collect / reference),
      runs: 3,
      updates_per_second: round(updatesPerSecond),
      collect_samples_per_second: round(collect),
      samples_per_update: agent.envs.length * g.rolloutSteps * (g.groupSize * g.horizon + 1),
      observation_size: agent.observationSize,
      update_ms: round(updateMs),
      pytorch: torch,
      config: 'schema defaults (the sizes of examples/dow30.yaml): 8 envs × 16 states × G 8, k 1, 2 epochs, MLP [64], lookback 5',
    },
  ];
}

export const benchmarks: Benchmark[] = [
  { name: 'train.dow30', description: 'GRPO training throughput on the 30 Dow stocks with the default config, vs per-sample policy calls', run },
];
