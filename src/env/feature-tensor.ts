/** The precomputed per-asset features an environment observes, laid out `[time × asset × feature]`. */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import type { MarketData } from '../data/types.js';
import { computeFeatures, type FeatureOptions, type IndicatorInput } from '../features/index.js';

export interface FeatureTensor {
  names: string[];
  /** `[time × asset × feature]`: bar t, asset a, feature f at `(t * nAssets + a) * nFeatures + f`. */
  values: Float64Array;
}

export interface BuildFeatureTensorOptions {
  /**
   * Which columns to keep: `normalized` (default: the 12 causal `*_norm` columns, scale-free and so
   * fit for a policy's input), `all` (the 21 raw indicators too), or a list of names.
   */
  features?: 'normalized' | 'all' | readonly string[];
  /** Passed to the features module's `computeFeatures`. */
  featureOptions?: FeatureOptions;
}

/** Per-asset feature computation with the features module's signature (injectable for tests). */
export type ComputeFeatures = (bars: IndicatorInput, options?: FeatureOptions) => { names: string[]; columns: Float64Array[] };

/**
 * Build the `[time × asset × feature]` tensor by running `computeFeatures` on each asset's bars once.
 * Every column is causal (the features module guarantees it), so the tensor is too.
 */
export function buildFeatureTensor(market: MarketData, options: BuildFeatureTensorOptions = {}, compute: ComputeFeatures = computeFeatures): FeatureTensor {
  const nAssets = market.symbols.length;
  const nBars = market.time.length;
  const selection = options.features ?? 'normalized';
  let names: string[] | null = null;
  let indices: number[] = [];
  let values = new Float64Array(0);
  const column = (field: Float64Array, a: number) => {
    const out = new Float64Array(nBars);
    for (let t = 0; t < nBars; t++) out[t] = field[t * nAssets + a]!;
    return out;
  };
  for (let a = 0; a < nAssets; a++) {
    const bars = { high: column(market.high, a), low: column(market.low, a), close: column(market.close, a), volume: column(market.volume, a) };
    const frame = compute(bars, options.featureOptions);
    if (names === null) {
      const wanted = selection === 'all' ? frame.names : selection === 'normalized' ? frame.names.filter((name) => name.endsWith('_norm')) : [...selection];
      indices = wanted.map((name) => {
        const index = frame.names.indexOf(name);
        if (index < 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, `no feature named ${JSON.stringify(name)}; features: ${frame.names.join(', ')}`);
        return index;
      });
      if (indices.length === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'no features selected');
      names = wanted;
      values = new Float64Array(nBars * nAssets * names.length);
    }
    const nFeatures = indices.length;
    for (let f = 0; f < nFeatures; f++) {
      const col = frame.columns[indices[f]!]!;
      for (let t = 0; t < nBars; t++) values[(t * nAssets + a) * nFeatures + f] = col[t]!;
    }
  }
  return { names: names ?? [], values };
}

/** First bar whose features are all finite for every asset (the end of the indicators' warm-up). */
export function firstFiniteBar(tensor: FeatureTensor, nAssets: number): number {
  const rowSize = nAssets * tensor.names.length;
  const nBars = rowSize === 0 ? 0 : tensor.values.length / rowSize;
  for (let t = 0; t < nBars; t++) {
    let finite = true;
    for (let i = t * rowSize; i < (t + 1) * rowSize; i++) {
      if (!Number.isFinite(tensor.values[i])) {
        finite = false;
        break;
      }
    }
    if (finite) return t;
  }
  return nBars;
}

/** Describe the first non-finite feature at or after bar `from` (for error messages). */
export function describeNonFinite(tensor: FeatureTensor, market: MarketData, from: number): string | null {
  const nAssets = market.symbols.length;
  const nFeatures = tensor.names.length;
  for (let i = from * nAssets * nFeatures; i < tensor.values.length; i++) {
    if (!Number.isFinite(tensor.values[i])) {
      const f = i % nFeatures;
      const a = Math.floor(i / nFeatures) % nAssets;
      const t = Math.floor(i / (nFeatures * nAssets));
      return `feature ${tensor.names[f]} of ${market.symbols[a]} is ${tensor.values[i]} at ${new Date(market.time[t]!).toISOString().slice(0, 10)} (bar ${t})`;
    }
  }
  return null;
}
