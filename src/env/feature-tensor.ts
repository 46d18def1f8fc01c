/** The precomputed per-asset features an environment observes, laid out `[time × asset × feature]`. */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import type { MarketData } from '../data/types.js';
import { computeFeatures, IndicatorStream, type FeatureOptions, type IndicatorInput } from '../features/index.js';

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
      ({ names, indices } = selectFeatures(frame.names, selection));
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

/** The selected feature columns (`all`, the causal `normalized` ones, or a list) and their indices among `all`. */
function selectFeatures(all: readonly string[], selection: NonNullable<BuildFeatureTensorOptions['features']>): { names: string[]; indices: number[] } {
  const names = selection === 'all' ? [...all] : selection === 'normalized' ? all.filter((name) => name.endsWith('_norm')) : [...selection];
  const indices = names.map((name) => {
    const index = all.indexOf(name);
    if (index < 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, `no feature named ${JSON.stringify(name)}; features: ${all.join(', ')}`);
    return index;
  });
  if (indices.length === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'no features selected');
  return { names, indices };
}

/**
 * The feature tensor of a market that grows bar by bar (a live feed): one `IndicatorStream` per
 * asset consumes each new bar once, and `extend` returns the tensor over all bars so far — equal to
 * `buildFeatureTensor` on the same bars (the stream reproduces the batch computation exactly), at the
 * cost of the new bars only (plus one copy of the tensor).
 */
export class FeatureTensorStream {
  readonly names: string[];
  private readonly streams: IndicatorStream[];
  private readonly indices: number[];
  private tensor: FeatureTensor;
  private bars = 0;

  constructor(
    private readonly nAssets: number,
    options: BuildFeatureTensorOptions = {},
  ) {
    this.streams = Array.from({ length: nAssets }, () => new IndicatorStream(options.featureOptions?.normalization ? { normalization: options.featureOptions.normalization } : {}));
    const all = this.streams[0]!.names;
    const selection = options.features ?? 'normalized';
    ({ names: this.names, indices: this.indices } = selectFeatures(all, selection));
    this.tensor = { names: this.names, values: new Float64Array(0) };
  }

  /** Consume `market`'s bars after those already seen (the market must only have grown) and return the whole tensor. */
  extend(market: MarketData): FeatureTensor {
    const A = this.nAssets;
    const T = market.time.length;
    if (market.symbols.length !== A) throw new GrpoTraderError(ErrorCodes.invalidArgument, `the market has ${market.symbols.length} assets; the stream was built for ${A}`);
    if (T < this.bars) throw new GrpoTraderError(ErrorCodes.invalidArgument, `the market has ${T} bars; ${this.bars} were already consumed`);
    if (T === this.bars) return this.tensor;
    const F = this.indices.length;
    const values = new Float64Array(T * A * F);
    values.set(this.tensor.values);
    for (let t = this.bars; t < T; t++) {
      for (let a = 0; a < A; a++) {
        const i = t * A + a;
        const row = this.streams[a]!.update({ high: market.high[i]!, low: market.low[i]!, close: market.close[i]!, volume: market.volume[i]! });
        for (let f = 0; f < F; f++) values[i * F + f] = row[this.indices[f]!]!;
      }
    }
    this.bars = T;
    this.tensor = { names: this.names, values };
    return this.tensor;
  }
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
