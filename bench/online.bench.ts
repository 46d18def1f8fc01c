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
  const naive = () => {
    for (let r = 0; r < 20; r++) {
      let total = 0;
      for (let i = 0; i < CAPACITY; i++) cumulative[i] = total += Math.pow(priorities[i]!, 0.6);
      const drawn = new Int32Array(BATCH);
      for (let k = 0; k < BATCH; k++) {
        const u = rng.next() * total;
        let low = 0;
        let high = CAPACITY - 1;
        while (low < high) {
          const middle = (low + high) >> 1;
          if (cumulative[middle]! > u) high = middle;
          else low = middle + 1;
        }
        drawn[k] = low;
      }
      for (let k = 0; k < BATCH; k++) priorities[drawn[k]!] = Math.abs(rng.normal()) + 1e-6;
    }
  };
  // The specification's own sampler is O(n) per draw: its weights divide by np.sum(priorities) inside the loop.
  const specification = () => {
    for (let r = 0; r < 2; r++) {
      let total = 0;
      for (let i = 0; i < CAPACITY; i++) cumulative[i] = total += Math.pow(priorities[i]!, 0.6);
      for (let k = 0; k < BATCH; k++) {
        const u = rng.next() * total;
        let low = 0;
        let high = CAPACITY - 1;
        while (low < high) {
          const middle = (low + high) >> 1;
          if (cumulative[middle]! > u) high = middle;
          else low = middle + 1;
        }
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
