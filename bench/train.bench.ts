/**
 * Training benchmarks on the 30 Dow stocks of the real data, 2005–2014, group-relative GRPO with the
 * default config (the sizes of examples/dow30.yaml: 8 environments × 16 states × groups of 8,
 * lookback 5, 2 epochs):
 *   train.dow30           the MLP policy (64)
 *   train.deepseek_dow30  algorithm.policy: deepseek at the specification's sizes (h 128, encoder
 *                         2 × 4 heads, decoder 4 × 8 heads, FF 512, dropout 0.1)
 * Value: environment samples per second (every env step, counterfactual scoring included); also
 * updates per second. Reference: a batched PyTorch loop of the same network on the same batch
 * shapes (scripts/train-reference-bench.py, Debian's python3-torch, one thread) measured in the
 * same run, as samples per second at its update time — it runs no environment, so the ratio
 * slightly favours PyTorch. Without torch the reference is our own collection loop with one batch-1
 * policy call per sampled action (the specification's select_action pattern).
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
function pytorchReference(network: 'mlp' | 'deepseek', threads: number): Record<string, number | string> | null {
  try {
    const script = fileURLToPath(new URL('../scripts/train-reference-bench.py', import.meta.url));
    const text = execFileSync('/usr/bin/python3', [script, network, String(threads)], { env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads) }, encoding: 'utf8', timeout: 600_000 });
    return JSON.parse(text.trim().split('\n').pop()!) as Record<string, number | string>;
  } catch {
    return null;
  }
}

async function run(network: 'mlp' | 'deepseek', threads: number): Promise<BenchResult[]> {
  await initEngine({ threads });
  const config = parseTrainConfig({ data: { paths: [dataDirectory()], symbols: DOW30 }, algorithm: { policy: network } });
  const { market } = await loadMarket(config.data.paths, { symbols: DOW30 });
  const features = buildFeatureTensor(market, { features: config.data.features });
  const make = environmentFactory(config, market, features);
  const bars = splitBars(market, 'train', config.splits.train);
  const g = config.algorithm.grpo;
  const agent = new GroupRelativeGrpo(
    Array.from({ length: config.training.envs }, () => make(bars, true)),
    { ...g, hiddenSizes: config.algorithm.hiddenSizes, initialStd: config.algorithm.initialStd, learningRate: config.algorithm.learningRate, policy: network, deepseek: config.algorithm.deepseek, seed: 0 },
  );
  // Warm-up compiles the jitted programs.
  await agent.update();
  await agent.update();
  const measuredUpdates = network === 'mlp' ? 10 : 2;
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
  const samplesPerUpdate = agent.envs.length * g.rolloutSteps * (g.groupSize * g.horizon + 1);
  const updateMs = 1000 / updatesPerSecond;
  agent.dispose();
  const torch = pytorchReference(network, threads);
  const torchUpdateMs = typeof torch?.['batched_update_ms'] === 'number' ? torch['batched_update_ms'] : null;
  const torchSamples = torchUpdateMs === null ? null : samplesPerUpdate / (torchUpdateMs / 1000);
  return [
    {
      name: network === 'mlp' ? 'train.dow30' : 'train.deepseek_dow30',
      value: round(samplesPerSecond),
      unit: 'env_samples_per_second',
      reference: round(torchSamples ?? reference),
      reference_name:
        torchSamples === null
          ? 'no PyTorch here: same collection loop, one batch-1 policy call per sampled action (collection only)'
          : `batched PyTorch ${String(torch!['torch'])} loop of the same network, ${threads} thread(s) like ours (scripts/train-reference-bench.py ${network}; no environment)`,
      ratio: round(torchSamples === null ? collect / reference : samplesPerSecond / torchSamples),
      runs: 3,
      threads,
      updates_per_second: round(updatesPerSecond),
      update_ms: round(updateMs),
      pytorch_update_ms: torchUpdateMs,
      collect_samples_per_second: round(collect),
      per_action_reference_samples_per_second: round(reference),
      samples_per_update: samplesPerUpdate,
      observation_size: agent.observationSize,
      pytorch: torch,
      config: `schema defaults (the sizes of examples/dow30.yaml): 8 envs × 16 states × G 8, k 1, 2 epochs, lookback 5, ${network === 'mlp' ? 'MLP [64]' : "policy deepseek at the specification's sizes"}`,
    },
  ];
}

export const benchmarks: Benchmark[] = [
  { name: 'train.dow30', description: 'GRPO training throughput on the 30 Dow stocks, MLP policy, vs a batched PyTorch loop of the same network', run: () => run('mlp', 1) },
  {
    name: 'train.deepseek_dow30',
    description: "GRPO training throughput on the 30 Dow stocks with the specification's DeepSeek-R1 network, vs a batched PyTorch loop of the same network",
    run: () => run('deepseek', Number(process.env['GRPO_TRADER_BENCH_THREADS'] ?? 2)),
  },
];
