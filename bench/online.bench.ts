/**
 * online.replay: one operation = sample a batch of 64 (regime-balanced) and update its 64 priorities,
 * on a full buffer of 100,000 transitions (state 64 values, action 8), as the online agent does every
 * update. Reference, measured in the same run: a straightforward O(n) sampler, as the
 * specification's numpy code does it — priorities^α and their cumulative sum recomputed over all n
 * for every batch, then a binary search per draw and O(1) priority updates — on the same priorities.
 */
import { Rng } from '../src/core/rng.js';
import { PrioritizedReplayBuffer } from '../src/online/index.js';
import { benchData, round, timeMedianMs, type Benchmark } from './harness.js';

const CAPACITY = 100_000;
const BATCH = 64;
const D = 64;
const A = 8;

async function run() {
  const rng = new Rng(1);
  const buffer = new PrioritizedReplayBuffer({ capacity: CAPACITY, stateSize: D, actionSize: A, maxRegimes: 4 });
  const stateRow = new Float32Array(D);
  const actionRow = new Float32Array(A);
  for (let t = 0; t < CAPACITY; t++) {
    stateRow[0] = t;
    buffer.add(stateRow, actionRow, rng.normal() * 0.01, stateRow, false, t % 4);
  }
  const errors = new Float32Array(BATCH);
  let batch = buffer.sample(BATCH, rng, 0);
  const ours = () => {
    for (let r = 0; r < 20; r++) {
      batch = buffer.sample(BATCH, rng, r % 4, batch);
      for (let k = 0; k < BATCH; k++) errors[k] = Math.abs(rng.normal());
      buffer.updatePriorities(batch.indices, errors);
    }
  };
  // Reference: the specification's O(n) sampler on a copy of the priorities.
  const priorities = Float64Array.from({ length: CAPACITY }, (_, i) => buffer.priority(i));
  const cumulative = new Float64Array(CAPACITY);
  /** priorities^α and their running sum over all n (O(n)); returns the total. */
  const accumulate = (): number => {
    let total = 0;
    for (let i = 0; i < CAPACITY; i++) cumulative[i] = total += Math.pow(priorities[i]!, 0.6);
    return total;
  };
  /** The entry whose cumulative interval holds u (binary search). */
  const search = (u: number): number => {
    let low = 0;
    let high = CAPACITY - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! > u) high = middle;
      else low = middle + 1;
    }
    return low;
  };
  const drawn = new Int32Array(BATCH);
  const naive = () => {
    for (let r = 0; r < 20; r++) {
      const total = accumulate();
      for (let k = 0; k < BATCH; k++) drawn[k] = search(rng.next() * total);
      for (let k = 0; k < BATCH; k++) priorities[drawn[k]!] = Math.abs(rng.normal()) + 1e-6;
    }
  };
  // The specification's own sampler is O(n) per draw: its weights divide by np.sum(priorities) inside the loop.
  const specification = () => {
    for (let r = 0; r < 2; r++) {
      const total = accumulate();
      for (let k = 0; k < BATCH; k++) {
        const low = search(rng.next() * total);
        let sum = 0;
        for (let i = 0; i < CAPACITY; i++) sum += priorities[i]!;
        errors[k] = Math.pow((CAPACITY * priorities[low]!) / sum, -0.4);
      }
    }
  };
  const oursMs = (await timeMedianMs(ours, 7, 2)) / 20;
  const specificationMs = (await timeMedianMs(specification, 3, 1)) / 2;
  const naiveMs = (await timeMedianMs(naive, 5, 1)) / 20;
  return {
    name: 'online.replay',
    value: round(1000 / oursMs),
    unit: 'operations_per_second (sample 64 + update 64 priorities, capacity 100k)',
    reference: round(1000 / naiveMs),
    reference_name: 'straightforward O(n) sampler: priorities^α and their cumulative sum over all n per batch, binary search per draw',
    ratio: round(naiveMs / oursMs),
    runs: 7,
    ms_per_operation: round(oursMs),
    specification_sampler_ms: round(specificationMs),
    ratio_to_specification_sampler: round(specificationMs / oursMs),
  };
}

export const benchmarks: Benchmark[] = [{ name: 'online.replay', description: 'prioritised regime-balanced replay: sample 64 + update priorities at capacity 100k, vs an O(n) sampler', run }];

/**
 * online.regimes: bars per second labelled by the regime detector (defaults: 4 regimes, fit window
 * 500, refit every 63 bars) over each of the 47 daily files of the real data. Reference, in the same
 * run: the specification's pattern — k-means refitted on every bar — on the first 400 bars of SPY.
 */
async function regimes() {
  const { loadMarket } = await import('../src/data/index.js');
  const { detectRegimes } = await import('../src/online/index.js');
  const directory = benchData('us-equities-daily');
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir(directory)).filter((f) => f.endsWith('.csv')).sort();
  const markets: import('../src/data/types.js').MarketData[] = [];
  for (const file of files) markets.push((await loadMarket([`${directory}/${file}`])).market);
  const bars = markets.reduce((s, m) => s + m.time.length, 0);
  const oursMs = await timeMedianMs(() => {
    for (const market of markets) detectRegimes(market);
  }, 3, 1);
  const spy = markets[files.indexOf('SPY.csv')]!;
  const first = { ...spy, time: spy.time.subarray(0, 400), open: spy.open.subarray(0, 400), high: spy.high.subarray(0, 400), low: spy.low.subarray(0, 400), close: spy.close.subarray(0, 400), volume: spy.volume.subarray(0, 400) };
  const referenceMs = await timeMedianMs(() => detectRegimes(first, { refitEvery: 1 }), 3, 1);
  const ours = bars / (oursMs / 1000);
  const reference = 400 / (referenceMs / 1000);
  return {
    name: 'online.regimes',
    value: round(ours),
    unit: 'bars_per_second',
    reference: round(reference),
    reference_name: "the specification's pattern: k-means refitted on every bar (first 400 bars of SPY)",
    ratio: round(ours / reference),
    runs: 3,
    files: markets.length,
    bars,
  };
}

benchmarks.push({ name: 'online.regimes', description: 'regime labels per second on the 47 daily files, vs refitting k-means on every bar', run: regimes });

/**
 * online.stream_dow30: bars per second through the whole online loop (regime, decision, transition,
 * an update every 10 bars from batches of 64 once 200 are stored) on the 30 Dow stocks, 2015–2016,
 * with a reward-penalty model at the training defaults (MLP 64, lookback 5), champion/challenger on
 * (a 60-bar held-out window, both models replayed on it every 60 bars). Reference, in the same run:
 * the same model's offline training throughput (environment steps per second over whole updates of
 * 8 environments × 16 steps). Offline training learns once from each step it takes; the online loop
 * learns from 64 samples every 10 bars (6.4 per bar), so the learning samples per second of both are
 * printed too.
 */
async function stream() {
  const { environmentFactory, parseTrainConfig, RewardPenaltyAgent, SpecificationAgent, splitBars } = await import('../src/agents/index.js');
  const { loadMarket, dateRangeIndices } = await import('../src/data/index.js');
  const { buildFeatureTensor } = await import('../src/env/index.js');
  const { initEngine } = await import('../src/nn/index.js');
  const { OnlineLearningAgent } = await import('../src/online/index.js');
  await initEngine({ threads: 1 });
  const symbols = 'AAPL AXP BA CAT CSCO CVX DIS GE GS HD IBM INTC JNJ JPM KO MCD MMM MRK MSFT NKE PEP PFE PG T TRV UNH UTX VZ WMT XOM'.split(' ');
  const config = parseTrainConfig({ data: { paths: [benchData('us-equities-daily')], symbols }, algorithm: { type: 'reward_penalty' } });
  const { market } = await loadMarket(config.data.paths, { symbols });
  const features = buildFeatureTensor(market, { features: config.data.features });
  const make = environmentFactory(config, market, features);
  const train = splitBars(market, 'train', config.splits.train);
  const options = { ...config.algorithm.rewardPenalty, hiddenSizes: config.algorithm.hiddenSizes, seed: 0 };
  const offline = new RewardPenaltyAgent(Array.from({ length: 8 }, () => make(train, true)), options);
  await offline.update();
  const steps0 = offline.envSteps;
  const offlineStart = performance.now();
  for (let u = 0; u < 10; u++) await offline.update();
  const offlineRate = (offline.envSteps - steps0) / ((performance.now() - offlineStart) / 1000);
  offline.dispose();

  const { start, end } = dateRangeIndices(market.time, '2015-01-01', '2016-12-31');
  const model = new RewardPenaltyAgent([make(train, true)], options);
  const env = make({ firstBar: start, lastBar: end - 1 }, false) as import('../src/env/multi-asset-env.js').MultiAssetEnv;
  const online = new OnlineLearningAgent(new SpecificationAgent(model), env, market, {});
  online.start(start);
  const began = performance.now();
  let bars = 0;
  for (;;) {
    const step = await online.step();
    bars++;
    if (step.done) break;
  }
  const seconds = (performance.now() - began) / 1000;
  const rate = bars / seconds;
  const updates = online.updates;
  const onlineSamples = (updates * online.options.batchSize) / seconds;
  online.dispose();
  model.dispose();
  return {
    name: 'online.stream_dow30',
    value: round(rate),
    unit: 'bars_per_second (whole online loop, updates included)',
    reference: round(offlineRate),
    reference_name: 'offline training of the same model: environment steps per second over whole updates',
    ratio: round(rate / offlineRate),
    runs: 1,
    bars,
    updates,
    learning_samples_per_second: round(onlineSamples),
    offline_learning_samples_per_second: round(offlineRate),
    learning_samples_ratio: round(onlineSamples / offlineRate),
  };
}

benchmarks.push({ name: 'online.stream_dow30', description: 'the online loop on the 30 Dow stocks, bars/s, vs offline training steps/s of the same model', run: stream });
