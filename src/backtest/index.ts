/** Backtesting: the runner, baseline strategies, metrics, trade statistics, paired tests, comparison, walk-forward. */
export * from './types.js';
export { runBacktest, resolveBacktestOptions, backtestDefaults, policyFromTargets, strategyPolicy, runRange } from './run-backtest.js';
export * from './strategies/index.js';
export { tradeStatistics, type RoundTrip, type TradeStatistics } from './trade-statistics.js';
export { checkNoLookAhead, perturbFuture, type LookAheadReport } from './look-ahead.js';
export { summarizeBacktest, flattenSummary, type BacktestSummary } from './summarize.js';
export * from './metrics.js';
export * from './statistics.js';
export { parseEquityCsv, alignBenchmark, formatEquityCsv, formatBacktestCsv, type EquityCurve } from './equity-csv.js';
export { StrategyBenchmark, type StrategyBenchmarkOptions, type StrategyRun, type StrategyTest, type DeflatedSharpe, type ComparisonRow } from './strategy-benchmark.js';
export { walkForwardBacktest, type WalkForwardBacktestOptions, type WalkForwardReport, type WalkForwardWindowReport, type WindowFactory } from './walk-forward.js';
export * from './report/index.js';
export { plantedRules, plantedOracle, evaluatePlantedBaselines, PLANTED_RULE_FAMILIES, ORACLE, EQUAL_WEIGHT, type PlantedBaselines, type ReferenceSharpe, type BarRange, type PlantedAccounting } from './planted-benchmark.js';
export { runEpisodes, type Episode, type EpisodesReport } from './run-episodes.js';
export { runEnvEpisode, type ObservationPolicy, type EnvEpisodeOptions } from './run-env-episode.js';
export { runAgentEpisode, targetsFromResult, replayPolicy, type AsyncObservationPolicy } from './agent-policy.js';
export { backtestModel, explainDecision, evaluationRange, loadModelMarket, readModel, modelFeatures, isExplainable, type ExplainedDecision, type ModelBacktest, type ModelBacktestOptions, type ExplanationSeries } from './model-backtest.js';
