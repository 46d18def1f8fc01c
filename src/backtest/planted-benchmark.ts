/**
 * The reference points of a planted market: its oracle (a strategy handed the truth), the simple causal
 * rules its structure allows, and equal weight — all through the same accounting as any policy, on the
 * validation and test bars. "The best simple rule" is the one with the best validation Sharpe; its test
 * Sharpe is what a learner is measured against (never chosen on test).
 */
import { isBetterScore } from '../core/return-statistics.js';
import type { PlantedMarket, PlantedMarketName } from '../data/planted-markets.js';
import { equalWeight } from './strategies/equal-weight.js';
import { expectedReturnOracle } from './strategies/expected-return-oracle.js';
import { leadLag } from './strategies/lead-lag.js';
import { reversal } from './strategies/reversal.js';
import { timeSeriesMomentum } from './strategies/time-series-momentum.js';
import { volatilityTarget } from './strategies/volatility-target.js';
import { StrategyBenchmark } from './strategy-benchmark.js';
import type { BacktestOptions, Strategy } from './types.js';

/** Series names of the reference points in a planted benchmark. */
export const ORACLE = 'oracle';
export const EQUAL_WEIGHT = 'equal_weight';

/** The families of simple rules each market's structure allows (the null market: every generic one). */
export const PLANTED_RULE_FAMILIES: Record<PlantedMarketName, string> = {
  momentum: 'time-series momentum, lookback 10/20/40, long/short and long-only',
  mean_reversion: 'reversal of the 1/3/5-bar return, by sign and proportional',
  lead_lag: "followers by the sign of their leader's 1/2/3-bar return",
  volatility_regimes: 'volatility targeting of equal weight (10% a year), windows 10/20/60',
  null: 'time-series momentum 10/20/40 (long/short) and 20 (long-only), reversal 1/3/5, volatility targeting 20',
};

/** The simple causal rules a planted market's structure allows. */
export function plantedRules(planted: PlantedMarket): Strategy[] {
  const momentumRules = (longOnly: boolean) => [10, 20, 40].map((lookback) => timeSeriesMomentum({ lookback, longOnly }));
  switch (planted.name) {
    case 'momentum':
      return [...momentumRules(false), ...momentumRules(true)];
    case 'mean_reversion':
      return (['sign', 'proportional'] as const).flatMap((weighting) => [1, 3, 5].map((window) => reversal({ window, weighting })));
    case 'lead_lag':
      return [1, 2, 3].map((window) => leadLag({ leaderOf: planted.truth.leaderOf, window }));
    case 'volatility_regimes':
      return [10, 20, 60].map((window) => volatilityTarget({ window }));
    default:
      return [...momentumRules(false), timeSeriesMomentum({ lookback: 20, longOnly: true }), ...[1, 3, 5].map((window) => reversal({ window })), volatilityTarget({ window: 20 })];
  }
}

/** The planted market's oracle: the mean–variance book on the truth, at the gross exposure cap. */
export function plantedOracle(planted: PlantedMarket, grossExposure = 1): Strategy {
  return expectedReturnOracle({ expectedReturn: planted.truth.expectedReturn, variance: planted.truth.variance, grossExposure, name: ORACLE });
}

/** Bars `[start, end)` of the market. */
export interface BarRange {
  start: number;
  end: number;
}

export interface ReferenceSharpe {
  name: string;
  validationSharpe: number;
  testSharpe: number;
}

export interface PlantedBaselines {
  rules: ReferenceSharpe[];
  /** The rule with the best validation Sharpe (ties: the first listed). */
  bestRule: ReferenceSharpe;
  oracle: ReferenceSharpe;
  equalWeight: ReferenceSharpe;
  /** The test benchmark with every rule, the oracle and equal weight run: add a policy to compare it on the same dates and accounting. */
  test: StrategyBenchmark;
}

/** Accounting options of the runs (costs, caps); the bar range comes from `ranges`. */
export type PlantedAccounting = Omit<BacktestOptions, 'firstBar' | 'endBar' | 'split' | 'initialWeights'>;

/** Run the oracle, the rules and equal weight on the validation and test bars of a planted market. */
export function evaluatePlantedBaselines(planted: PlantedMarket, ranges: { validation: BarRange; test: BarRange }, accounting: PlantedAccounting = {}): PlantedBaselines {
  const sharpes = (range: BarRange, split: string) => {
    const benchmark = new StrategyBenchmark(planted.market, { ...accounting, firstBar: range.start, endBar: range.end, split });
    for (const rule of plantedRules(planted)) benchmark.addStrategy(rule.name, rule);
    benchmark.addStrategy(ORACLE, plantedOracle(planted, accounting.maxPositionSize ?? 1));
    benchmark.addStrategy(EQUAL_WEIGHT, equalWeight({ rebalance: 'daily' }));
    const runs = benchmark.run();
    return { benchmark, sharpe: new Map([...runs].map(([name, run]) => [name, run.summary.metrics.sharpe_ratio])) };
  };
  const validation = sharpes(ranges.validation, 'validation');
  const test = sharpes(ranges.test, 'test (out-of-sample)');
  const reference = (name: string): ReferenceSharpe => ({ name, validationSharpe: validation.sharpe.get(name)!, testSharpe: test.sharpe.get(name)! });
  const rules = plantedRules(planted).map((rule) => reference(rule.name));
  let bestRule = rules[0]!;
  for (const rule of rules.slice(1)) if (isBetterScore(rule.validationSharpe, bestRule.validationSharpe)) bestRule = rule;
  return { rules, bestRule, oracle: reference(ORACLE), equalWeight: reference(EQUAL_WEIGHT), test: test.benchmark };
}
