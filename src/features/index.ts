/** Features: the specification's indicators (pandas-exact), causal normalisation, correlation, streaming. */
export {
  RAW_FEATURE_NAMES, NORMALIZED_SOURCE_NAMES, NORMALIZED_FEATURE_NAMES, NORMALIZED_SOURCE_INDICES, featureColumn,
  type RawFeatureName, type NormalizedSourceName, type FeatureFrame, type IndicatorInput,
} from './names.js';
export {
  rollingMeanInto, smaInto, rollingVarianceInto, rollingStdInto, rollingExtremumInto, ewmMeanInto, ewmAlphaFromSpan,
  cumulativeSumInto,
} from './kernels.js';
export { computeIndicators, computeIndicatorsInto, IndicatorWorkspace, indicatorInputLength } from './indicators.js';
export {
  resolveNormalization, zScoreInto, fitScaler, DEFAULT_NORMALIZATION_WINDOW, DEFAULT_NORMALIZATION_MIN_PERIODS,
  NORMALIZATION_EPSILON, type NormalizationOptions, type ResolvedNormalization,
} from './normalize.js';
export { computeFeatures, computeFeaturesInto, featureNames, FeatureWorkspace, type FeatureOptions } from './features.js';
export { IndicatorStream, type StreamBar, type IndicatorStreamOptions } from './indicator-stream.js';
export { RollingMeanState, RollingVarianceState, RollingExtremumState, EwmMeanState } from './window-states.js';
export {
  percentChangeInto, priceChanges, volumeChanges, correlationOverRowsInto, rollingCorrelationInto, rollingCorrelation,
  rollingMarketCorrelationInto,
  correlationMatrix, DEFAULT_CORRELATION_MIN_PERIODS,
} from './correlation.js';
export { warmUpLength } from './warm-up.js';
export { rollingZScoreInto, ZScoreState } from './z-score.js';
export { RETURN_FEATURE_NAMES, RETURN_FEATURE_WINDOW, ReturnFeatureState, computeReturnFeatures, type ReturnFeatureName } from './return-features.js';
