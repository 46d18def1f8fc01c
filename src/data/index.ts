export * from './types.js';
export { parseDate, parseEndDate, toIsoDate, formatTimestamp, parseTimestamp, detectDateFormat, DATE_FORMATS, type DateFormat, type DateFormatDetection } from './dates.js';
export type { LoadOhlcvOptions, RepairOptions, ColumnRole } from './load-options.js';
export * from './validation-report.js';
export { parseOhlcvCsv, inspectOhlcvCsv, symbolFromPath, validationError } from './parse-ohlcv-csv.js';
export { loadOhlcv, validateOhlcvFile, isOhlcvFileName } from './load-ohlcv.js';
export { writeOhlcvCsv, formatOhlcvCsv } from './write-ohlcv.js';
export { alignSeries, type AlignOptions, type AlignmentPolicy, type AlignmentReport, type AssetAlignment } from './align.js';
export { loadMarket, expandDataPaths, type LoadMarketOptions } from './load-market.js';
export { column, columnInto, assetIndex, seriesFromMarket, sliceByDate, sliceByIndex, sliceSeriesByDate, dateRangeIndices, type DateInput } from './market.js';
export { splitByDate, splitRangesByDate, splitOrderProblem, walkForwardWindows, type DatedSplit, type SplitOrderProblem, type SplitByDateOptions, type MarketSplits, type SplitRange, type WalkForwardOptions, type WalkForwardWindow } from './splits.js';
export * from './connectors/index.js';
export { syntheticRegimeMarket, businessDays, syntheticBarInto, REGIME_NAMES, type RegimeName, type SyntheticMarket, type SyntheticMarketOptions } from './synthetic.js';
export {
  plantedMarket,
  PLANTED_MARKET_NAMES,
  PLANTED_MARKET_SEEDS,
  PLANTED_MARKET_START,
  type PlantedMarket,
  type PlantedMarketName,
  type PlantedMarketOptionsByName,
  type PlantedMarketCommonOptions,
  type PlantedTruth,
  type MomentumMarketOptions,
  type MeanReversionMarketOptions,
  type LeadLagMarketOptions,
  type VolatilityRegimesMarketOptions,
  type VolatilityRegime,
  type NullMarketOptions,
} from './planted-markets.js';
export { marketFingerprint } from './fingerprint.js';
export { BarsInputSchema, SymbolBarsSchema, BARS_INPUT_LIMITS, marketFromBarsInput, type BarsInput } from './bars-input.js';
export { resolveDataPaths, DATA_DIRECTORY_VARIABLE, GET_DATA_HINT, type ResolveDataPathsOptions } from './data-paths.js';
