/** Small markets for the backtest tests (not exported from the module). Real data: test/real-data.ts. */
import type { MarketData } from '../data/types.js';

/** A market from closes per asset (open = high = low = close, volume 1000), daily from `start`. */
export function marketFromCloses(symbols: string[], closes: number[][], start = '2020-01-01'): MarketData {
  const nBars = closes[0]!.length;
  const n = symbols.length;
  const time = new Float64Array(nBars);
  const base = Date.parse(`${start}T00:00:00Z`);
  for (let t = 0; t < nBars; t++) time[t] = base + t * 86_400_000;
  const close = new Float64Array(nBars * n);
  for (let t = 0; t < nBars; t++) for (let a = 0; a < n; a++) close[t * n + a] = closes[a]![t]!;
  return { symbols, time, open: close.slice(), high: close.slice(), low: close.slice(), close, volume: new Float64Array(nBars * n).fill(1000) };
}
