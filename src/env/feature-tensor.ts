/** The precomputed per-asset features an environment observes, laid out `[time × asset × feature]`. */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import type { MarketData } from '../data/types.js';
import { computeFeatures, computeReturnFeatures, featureNames, IndicatorStream, RETURN_FEATURE_NAMES, ReturnFeatureState, type FeatureOptions, type IndicatorInput } from '../features/index.js';

export interface FeatureTensor {
  names: string[];
  /** `[time × asset × feature]`: bar t, asset a, feature f at `(t * nAssets + a) * nFeatures + f`. */
  values: Float64Array;
}

/** Named selections of feature columns. */
export type FeatureSelection = 'normalized' | 'all' | 'returns' | readonly string[];

export interface BuildFeatureTensorOptions {
  /**
   * Which columns to keep: `normalized` (default: the 12 causal `*_norm` columns, scale-free and so
   * fit for a policy's input), `all` (the 21 raw indicators too), `returns` (the 5 volatility-scaled
   * returns of features/return-features.ts), or a list of names from both families.
   */
  features?: FeatureSelection;
  /** Passed to the features module's `computeFeatures`. */
  featureOptions?: FeatureOptions;
}

/** Per-asset feature computation with the features module's signature (injectable for tests). */
export type ComputeFeatures = (bars: IndicatorInput, options?: FeatureOptions) => { names: string[]; columns: Float64Array[] };

/**
 * Build the `[time × asset × feature]` tensor by running `computeFeatures` (when an indicator column
 * is selected) and `computeReturnFeatures` (when a return column is) on each asset's bars once. Every
 * column is causal (the features module guarantees it), so the tensor is too.
 */
export function buildFeatureTensor(market: MarketData, options: BuildFeatureTensorOptions = {}, compute: ComputeFeatures = computeFeatures): FeatureTensor {
  const nAssets = market.symbols.length;
  const nBars = market.time.length;
  const selection = options.features ?? 'normalized';
  let chosen: Selected | null = null;
  let values = new Float64Array(0);
  const column = (field: Float64Array, a: number) => {
    const out = new Float64Array(nBars);
    for (let t = 0; t < nBars; t++) out[t] = field[t * nAssets + a]!;
    return out;
  };
  for (let a = 0; a < nAssets; a++) {
    const bars = { high: column(market.high, a), low: column(market.low, a), close: column(market.close, a), volume: column(market.volume, a) };
    chosen ??= selectFeatures(featureNames(options.featureOptions), selection);
    if (a === 0) values = new Float64Array(nBars * nAssets * chosen.names.length);
    const indicators = chosen.indicators ? compute(bars, options.featureOptions).columns : [];
    const returns = chosen.returns ? computeReturnFeatures(bars.close).columns : [];
    const nFeatures = chosen.indices.length;
    for (let f = 0; f < nFeatures; f++) {
      const index = chosen.indices[f]!;
      const col = index < chosen.indicatorCount ? indicators[index]! : returns[index - chosen.indicatorCount]!;
      for (let t = 0; t < nBars; t++) values[(t * nAssets + a) * nFeatures + f] = col[t]!;
    }
  }
  return { names: chosen?.names ?? [], values };
}

/** The selected columns, their indices among the indicators then the return features, and which families they need. */
interface Selected {
  names: string[];
  indices: number[];
  indicatorCount: number;
  indicators: boolean;
  returns: boolean;
}

/** The selected feature columns (`all`, the causal `normalized` ones, `returns`, or a list) among the indicators (`indicatorNames`) then the return features. */
function selectFeatures(indicatorNames: readonly string[], selection: FeatureSelection): Selected {
  const available = [...indicatorNames, ...RETURN_FEATURE_NAMES];
  const names =
    selection === 'all' ? [...indicatorNames] : selection === 'normalized' ? indicatorNames.filter((name) => name.endsWith('_norm')) : selection === 'returns' ? [...RETURN_FEATURE_NAMES] : [...selection];
  const indices = names.map((name) => {
    const index = available.indexOf(name);
    if (index < 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, `no feature named ${JSON.stringify(name)}; features: ${available.join(', ')}`);
    return index;
  });
  if (indices.length === 0) throw new GrpoTraderError(ErrorCodes.invalidArgument, 'no features selected');
  const indicatorCount = indicatorNames.length;
  return { names, indices, indicatorCount, indicators: indices.some((i) => i < indicatorCount), returns: indices.some((i) => i >= indicatorCount) };
}

/**
 * The feature tensor of a market that grows bar by bar (a live feed): one `IndicatorStream` and one
 * `ReturnFeatureState` per asset consume each new bar once, and `extend` returns the tensor over all
 * bars so far — equal to `buildFeatureTensor` on the same bars (the streams reproduce the batch
 * computation exactly), at the cost of the new bars only (plus one copy of the tensor).
 */
export class FeatureTensorStream {
  readonly names: string[];
  private readonly streams: IndicatorStream[];
  private readonly returnStreams: ReturnFeatureState[];
  private readonly selected: Selected;
  private tensor: FeatureTensor;
  private bars = 0;

  constructor(
    private readonly nAssets: number,
    options: BuildFeatureTensorOptions = {},
  ) {
    const normalization = options.featureOptions?.normalization ? { normalization: options.featureOptions.normalization } : {};
    this.selected = selectFeatures(featureNames(options.featureOptions), options.features ?? 'normalized');
    this.streams = this.selected.indicators ? Array.from({ length: nAssets }, () => new IndicatorStream(normalization)) : [];
    this.returnStreams = this.selected.returns ? Array.from({ length: nAssets }, () => new ReturnFeatureState()) : [];
    this.names = this.selected.names;
    this.tensor = { names: this.names, values: new Float64Array(0) };
  }

  /** Consume `market`'s bars after those already seen (the market must only have grown) and return the whole tensor. */
  extend(market: MarketData): FeatureTensor {
    const A = this.nAssets;
    const T = market.time.length;
    if (market.symbols.length !== A) throw new GrpoTraderError(ErrorCodes.invalidArgument, `the market has ${market.symbols.length} assets; the stream was built for ${A}`);
    if (T < this.bars) throw new GrpoTraderError(ErrorCodes.invalidArgument, `the market has ${T} bars; ${this.bars} were already consumed`);
    if (T === this.bars) return this.tensor;
    const { indices, indicatorCount } = this.selected;
    const F = indices.length;
    const values = new Float64Array(T * A * F);
    values.set(this.tensor.values);
    const none = new Float64Array(0);
    for (let t = this.bars; t < T; t++) {
      for (let a = 0; a < A; a++) {
        const i = t * A + a;
        const row = this.streams[a]?.update({ high: market.high[i]!, low: market.low[i]!, close: market.close[i]!, volume: market.volume[i]! }) ?? none;
        const returns = this.returnStreams[a]?.update(market.close[i]!) ?? none;
        for (let f = 0; f < F; f++) {
          const index = indices[f]!;
          values[i * F + f] = index < indicatorCount ? row[index]! : returns[index - indicatorCount]!;
        }
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
