/**
 * A backtest's decision explanations as stored with the run and shown by the report: each asset's
 * share of the policy's feature attention per decision, and the attention per asset and feature and
 * per bar of the window averaged over the run.
 */
import { formatTimestamp } from '../../data/dates.js';
import type { ExplanationSeries } from '../model-backtest.js';

export interface ExplanationsRecord {
  /** The series (strategy) whose decisions are explained. */
  series: string;
  symbols: string[];
  features: string[];
  lookback: number;
  /** Decision dates. */
  dates: string[];
  /** [decision][asset]: the asset's share of the attention (sums to 1 per decision). */
  asset_importance: number[][];
  /** [asset][feature]: the attention weight averaged over the run's decisions and the window's bars. */
  mean_feature_importance: number[][];
  /** [bar of the window, oldest first]: the decision's attention over the bars, averaged over the run. */
  mean_temporal: number[];
}

const round = (x: number) => Math.round(x * 1e5) / 1e5;

/** The stored form of an explanation series. */
export function explanationsRecord(explained: ExplanationSeries, series: string): ExplanationsRecord {
  const A = explained.symbols.length;
  const F = explained.features.length;
  const L = explained.lookback;
  const decisions = explained.time.length;
  const meanFeature = Array.from({ length: A }, () => new Array<number>(F).fill(0));
  const meanTemporal = new Array<number>(L).fill(0);
  for (let row = 0; row < decisions; row++) {
    for (let a = 0; a < A; a++) for (let f = 0; f < F; f++) meanFeature[a]![f]! += explained.featureImportance[(row * A + a) * F + f]! / decisions;
    for (let t = 0; t < L; t++) meanTemporal[t]! += explained.temporal[row * L + t]! / decisions;
  }
  return {
    series,
    symbols: explained.symbols,
    features: explained.features,
    lookback: L,
    dates: Array.from(explained.time, (ms) => formatTimestamp(ms).slice(0, 10)),
    asset_importance: Array.from({ length: decisions }, (_, row) => Array.from(explained.assetImportance.subarray(row * A, (row + 1) * A), round)),
    mean_feature_importance: meanFeature.map((row) => row.map(round)),
    mean_temporal: meanTemporal.map(round),
  };
}
