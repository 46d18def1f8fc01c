/** Column names of the feature set, exactly as the specification (architecture.md 7.4) spells them. */
import { invalidArgument } from '../core/errors.js';

/** The 21 raw indicators, in the specification's order. */
export const RAW_FEATURE_NAMES = [
  'SMA20', 'SMA50', 'SMA200', 'EMA20', 'EMA50', 'MACD', 'MACDSignal', 'MACDHist', 'RSI', '%K', '%D', 'ROC',
  'BBUpper', 'BBLower', 'BBWidth', 'ATR', 'OBV', 'VPT', 'VPT_MA', 'ForceIndex', 'ForceIndex13',
] as const;
export type RawFeatureName = (typeof RAW_FEATURE_NAMES)[number];

/** The 12 raw columns that also get a causal z-scored `<name>_norm` column, in the specification's order. */
export const NORMALIZED_SOURCE_NAMES = [
  'RSI', 'ForceIndex', '%K', '%D', 'MACD', 'MACDSignal', 'BBWidth', 'ATR', 'VPT', 'VPT_MA', 'OBV', 'ROC',
] as const satisfies readonly RawFeatureName[];
export type NormalizedSourceName = (typeof NORMALIZED_SOURCE_NAMES)[number];

/** `<source>_norm` for each normalised source, in the same order. */
export const NORMALIZED_FEATURE_NAMES = NORMALIZED_SOURCE_NAMES.map((name) => `${name}_norm` as const);

/** Position of each normalised source among the raw columns (for index-based hot loops). */
export const NORMALIZED_SOURCE_INDICES: readonly number[] = NORMALIZED_SOURCE_NAMES.map((name) =>
  (RAW_FEATURE_NAMES as readonly string[]).indexOf(name),
);

/** Named columns of equal length, one row per input bar; NaN where a value is not yet defined. */
export interface FeatureFrame {
  names: string[];
  columns: Float64Array[];
}

/** The bars indicators are computed from: one Float64Array per field, equal lengths, oldest first. */
export interface IndicatorInput {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** The column named `name` of a frame, or an error naming the columns that exist. */
export function featureColumn(frame: FeatureFrame, name: string): Float64Array {
  const index = frame.names.indexOf(name);
  if (index < 0) throw invalidArgument(`no feature column ${JSON.stringify(name)}; columns: ${frame.names.join(', ')}`);
  return frame.columns[index]!;
}
