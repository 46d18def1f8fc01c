/** Small hand-built markets for the env tests (not exported from the module). */
import type { MarketData } from '../data/types.js';

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
