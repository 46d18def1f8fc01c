/** The full feature set: the 21 raw indicators followed by the 12 causally normalised `*_norm` columns. */
import { invalidArgument } from '../core/errors.js';
import { IndicatorWorkspace, computeIndicatorsInto, indicatorInputLength } from './indicators.js';
import { NORMALIZED_FEATURE_NAMES, NORMALIZED_SOURCE_INDICES, RAW_FEATURE_NAMES, type FeatureFrame, type IndicatorInput } from './names.js';
import { resolveNormalization, zScoreInto, type NormalizationOptions } from './normalize.js';

export interface FeatureOptions {
  /** How the `*_norm` columns are computed; default rolling, window 252, minPeriods 20. `none` omits them. */
  normalization?: NormalizationOptions;
}

/** Scratch space reused across computeFeatures calls (e.g. over many files). */
export class FeatureWorkspace extends IndicatorWorkspace {}

/** Names of the columns computeFeatures returns for these options. */
export function featureNames(options: FeatureOptions = {}): string[] {
  const normalization = resolveNormalization(options.normalization);
  return normalization.method === 'none' ? [...RAW_FEATURE_NAMES] : [...RAW_FEATURE_NAMES, ...NORMALIZED_FEATURE_NAMES];
}

/** The 21 raw indicators plus (unless normalisation is `none`) the 12 causal `*_norm` columns. */
export function computeFeatures(bars: IndicatorInput, options: FeatureOptions = {}, workspace = new FeatureWorkspace()): FeatureFrame {
  const n = indicatorInputLength(bars);
  // One allocation for the whole frame; each column is a view on it.
  return computeFeaturesInto(new Float64Array(n * featureNames(options).length), bars, options, workspace);
}

/**
 * computeFeatures writing into the caller's storage (length bars × columns, column-major): the frame's
 * columns are views on `storage`. For repeated computation over the same data without reallocating.
 */
export function computeFeaturesInto(storage: Float64Array, bars: IndicatorInput, options: FeatureOptions = {}, workspace = new FeatureWorkspace()): FeatureFrame {
  const normalization = resolveNormalization(options.normalization);
  const n = indicatorInputLength(bars);
  const names = normalization.method === 'none' ? [...RAW_FEATURE_NAMES] : [...RAW_FEATURE_NAMES, ...NORMALIZED_FEATURE_NAMES];
  if (storage.length !== n * names.length) {
    throw invalidArgument(`computeFeaturesInto: storage holds ${storage.length} values, expected ${n} bars × ${names.length} columns = ${n * names.length}`);
  }
  const columns = names.map((_, c) => storage.subarray(c * n, (c + 1) * n));
  workspace.ensure(n);
  computeIndicatorsInto(columns.slice(0, RAW_FEATURE_NAMES.length), bars, workspace);
  if (normalization.method !== 'none') {
    NORMALIZED_SOURCE_INDICES.forEach((source, k) => {
      zScoreInto(columns[RAW_FEATURE_NAMES.length + k]!, columns[source]!, normalization);
    });
  }
  return { names, columns };
}
