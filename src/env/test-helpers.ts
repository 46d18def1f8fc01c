/** Small hand-built markets for the env tests (not exported from the module). */
import { Rng } from '../core/index.js';
import type { MarketData } from '../data/types.js';
import { checkEnv } from './check-env.js';

const DAY = 86_400_000;
export const START = Date.UTC(2020, 0, 1);

/** A market from per-asset close columns; open/high/low equal close, volume 1. */
export function marketFromCloses(symbols: string[], closes: number[][]): MarketData {
  const nAssets = symbols.length;
  const nBars = closes[0]!.length;
  const close = new Float64Array(nBars * nAssets);
  for (let a = 0; a < nAssets; a++) for (let t = 0; t < nBars; t++) close[t * nAssets + a] = closes[a]![t]!;
  const time = new Float64Array(nBars);
  for (let t = 0; t < nBars; t++) time[t] = START + t * DAY;
  return { symbols, time, open: close.slice(), high: close.slice(), low: close.slice(), close, volume: new Float64Array(nBars * nAssets).fill(1) };
}

export function dayTime(index: number): number {
  return START + index * DAY;
}

/**
 * checkEnv for tests running beside others on a busy machine: V8 compiles optimised code on a
 * background thread, and until it lands a non-inlined call returning a double boxes it (a few bytes
 * per step). Pausing lets the compiler catch up; an environment that really allocates fails every try.
 */
export async function checkEnvSettled(env: Parameters<typeof checkEnv>[0], options: Parameters<typeof checkEnv>[1], attempts = 4): Promise<ReturnType<typeof checkEnv>> {
  let report = checkEnv(env, options);
  for (let attempt = 1; attempt < attempts && !report.ok; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    report = checkEnv(env, options);
  }
  return report;
}

/** A seeded random-walk market: nAssets closes starting in [50, 150), ±2 % daily moves. */
export function randomMarket(seed: number, nAssets: number, nBars: number): MarketData {
  const rng = new Rng(seed);
  const closes: number[][] = [];
  for (let a = 0; a < nAssets; a++) {
    const series = [50 + 100 * rng.next()];
    for (let t = 1; t < nBars; t++) series.push(series[t - 1]! * (1 + 0.02 * rng.normal()));
    closes.push(series);
  }
  return marketFromCloses(closes.map((_, a) => `S${a}`), closes);
}
