/**
 * Synthetic markets where the right behaviour is known, for learning tests and examples: each
 * asset's next return is drift + strength · signal_t + noise, and the signal observed at bar t is
 * the only feature. A policy that reads the signal (or learns the drift) beats equal weight.
 */
import { Rng } from '../core/index.js';
import type { MarketData } from '../data/types.js';
import type { FeatureTensor } from '../env/index.js';

export interface SyntheticSignalMarketOptions {
  bars: number;
  /** Per-asset drift of the daily return. */
  drifts: number[];
  /** Per-asset weight of the observed signal in the next return (0: the feature is noise). */
  signalStrengths: number[];
  /** Std of the daily return noise. */
  noise: number;
  seed: number;
}

const DAY = 86_400_000;

/** Build the market and its one-feature tensor ("signal"); the signal at t predicts the return t → t+1. */
export function syntheticSignalMarket(options: SyntheticSignalMarketOptions): { market: MarketData; features: FeatureTensor } {
  const { bars, drifts, signalStrengths, noise, seed } = options;
  const A = drifts.length;
  const rng = new Rng(seed);
  const close = new Float64Array(bars * A);
  const signal = new Float64Array(bars * A);
  for (let a = 0; a < A; a++) close[a] = 100;
  for (let t = 0; t < bars; t++) {
    for (let a = 0; a < A; a++) signal[t * A + a] = rng.normal();
    if (t === 0) continue;
    for (let a = 0; a < A; a++) {
      const r = drifts[a]! + signalStrengths[a]! * signal[(t - 1) * A + a]! + noise * rng.normal();
      close[t * A + a] = close[(t - 1) * A + a]! * Math.max(0.01, 1 + r);
    }
  }
  const time = new Float64Array(bars);
  for (let t = 0; t < bars; t++) time[t] = Date.UTC(2000, 0, 3) + t * DAY;
  const symbols = drifts.map((_, a) => `SYN${a}`);
  const market: MarketData = { symbols, time, open: close.slice(), high: close.slice(), low: close.slice(), close, volume: new Float64Array(bars * A).fill(1) };
  return { market, features: { names: ['signal'], values: signal } };
}
