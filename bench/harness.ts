/**
 * Benchmark harness. Every benchmark measures our implementation and a reference in the same run and
 * prints one JSON object per line: {name, value, unit, reference, reference_name, ratio, runs, ...}.
 * `value` is the median of `runs` timed repetitions after warm-up; `ratio` is oriented so that above
 * 1 means we are better.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { realDataRoot } from '../test/real-data-root.js';

/** Thrown by `benchData` when the real data a benchmark needs is not there; the runner skips it. */
export class MissingBenchData extends Error {}

/** A folder or file of the real data (`$GRPO_TRADER_DATA`, else ../shared/data); skips the benchmark when absent. */
export function benchData(...parts: string[]): string {
  const root = realDataRoot();
  const path = root === undefined ? undefined : join(root, ...parts);
  if (path === undefined || !existsSync(path)) throw new MissingBenchData(`needs the real data ${join(...parts)}: set GRPO_TRADER_DATA to the folder holding it`);
  return path;
}

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  reference: number | null;
  reference_name: string;
  ratio: number | null;
  runs: number;
  [extra: string]: unknown;
}

export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<BenchResult | BenchResult[]>;
}

/** Median wall time in milliseconds of `runs` calls of fn after `warmup` untimed calls. */
export async function timeMedianMs(fn: () => unknown, runs = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const n = times.length;
  return n % 2 ? times[(n - 1) / 2]! : (times[n / 2 - 1]! + times[n / 2]!) / 2;
}

/** Round to a few significant digits for readable JSON. */
export function round(value: number, digits = 4): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}
