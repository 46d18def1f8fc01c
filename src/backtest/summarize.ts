/** A backtest's metrics, trade statistics and the dates they cover, in one object for reports. */
import type { MarketData } from '../data/types.js';
import { computeMetrics, type MetricsOptions, type PerformanceMetrics } from './metrics.js';
import { tradeStatistics, type TradeStatistics } from './trade-statistics.js';
import type { BacktestResult, Period } from './types.js';

export interface BacktestSummary {
  name: string;
  period: Period;
  metrics: PerformanceMetrics;
  trades: Omit<TradeStatistics, 'roundTrips'>;
  initial_capital: number;
  final_value: number;
}

/**
 * Metrics over the run's equity curve (the values at each bar's close after costs, first bar included:
 * the first bar's entry cost is in `trades.total_cost`, not in the returns) and trade statistics.
 */
export function summarizeBacktest(result: BacktestResult, market: MarketData, options: MetricsOptions = {}): BacktestSummary {
  const metricsOptions: MetricsOptions = { periodsPerYear: options.periodsPerYear ?? result.options.periodsPerYear };
  if (options.riskFree !== undefined) metricsOptions.riskFree = options.riskFree;
  const { roundTrips: _roundTrips, ...trades } = tradeStatistics(result, market);
  return {
    name: result.name,
    period: result.period,
    metrics: computeMetrics(result.value, metricsOptions),
    trades,
    initial_capital: result.initialCapital,
    final_value: result.value[result.value.length - 1]!,
  };
}

/** A summary's numbers as one flat record: the 8.2 metrics, then the trade statistics (win rate and profit factor of round trips as `trade_win_rate`, `trade_profit_factor`). */
export function flattenSummary(summary: BacktestSummary): Record<string, number> {
  const flat: Record<string, number> = { ...summary.metrics };
  for (const [name, value] of Object.entries(summary.trades)) flat[name === 'win_rate' || name === 'profit_factor' ? `trade_${name}` : name] = value;
  flat.initial_capital = summary.initial_capital;
  flat.final_value = summary.final_value;
  return flat;
}
