/**
 * Strategy comparison (specification 8.3): every strategy or policy runs through the same accounting
 * over the same bars, so their daily returns are paired by date. Tests are paired (defect 4): paired
 * t, Wilcoxon signed-rank, paired Cohen's d, a paired block-bootstrap interval of the Sharpe difference,
 * and the deflated Sharpe ratio with the number of strategies tried as the number of trials.
 */
import { invalidArgument } from '../core/errors.js';
import type { MarketData } from '../data/types.js';
import { drawdownInto, returnsFromValues, type PerformanceMetrics } from './metrics.js';
import { runBacktest, runRange } from './run-backtest.js';
import { bootstrapSharpeDifference, deflatedSharpeRatio, pairedCohensD, pairedTTest, periodSharpe, wilcoxonSignedRank, type BootstrapOptions } from './statistics.js';
import { summarizeBacktest, type BacktestSummary } from './summarize.js';
import type { BacktestOptions, BacktestResult, Policy, Strategy } from './types.js';
import type { WalkForwardOptions } from '../data/splits.js';
import { sliceByIndex } from '../data/market.js';
import { walkForwardBacktest, type WalkForwardWindowReport } from './walk-forward.js';

export interface StrategyBenchmarkOptions extends BacktestOptions {
  /** Annual risk-free rate for the metrics. */
  riskFree?: number;
  /** Significance level of `is_significant`. */
  alpha?: number;
  /** Options of the Sharpe-difference bootstrap (seeded: results are reproducible). */
  bootstrap?: BootstrapOptions;
  /**
   * Walk-forward evaluation instead of one run: windows over bars [firstBar − trainBars, endBar) so the
   * first test window starts at firstBar; strategies with `fit` are refitted on each training window.
   * All strategies share the windows, so their out-of-sample returns stay paired.
   */
  walkForward?: WalkForwardOptions;
}

export interface StrategyRun {
  result: BacktestResult;
  summary: BacktestSummary;
  /** Walk-forward windows (dates fitted on and traded) when the benchmark runs walk-forward. */
  windows?: WalkForwardWindowReport[];
}

export interface StrategyTest {
  strategy: string;
  baseline: string;
  /** Paired daily returns compared (dates first..last). */
  periods: number;
  first: string;
  last: string;
  mean_difference: number;
  paired_t: { statistic: number; p_value: number; df: number };
  wilcoxon: { statistic: number; p_value: number; n: number; method: 'exact' | 'normal' };
  cohens_d: number;
  sharpe_difference: { estimate: number; lower: number; upper: number; confidence: number; samples: number };
  alpha: number;
  is_significant: { paired_t: boolean; wilcoxon: boolean };
}

export interface DeflatedSharpe {
  strategy: string;
  /** Strategies tried (the number of trials N). */
  trials: number;
  /** Variance across the strategies of their per-period Sharpe ratios. */
  sharpe_variance: number;
  /** Per-period Sharpe the best of N unskilled strategies would show. */
  expected_max_sharpe: number;
  /** P(true Sharpe > expected_max_sharpe). */
  deflated_sharpe: number;
}

export type ComparisonRow = { name: string } & Record<string, number | string>;

const DEFAULT_COLUMNS: (keyof PerformanceMetrics)[] = ['total_return', 'annual_return', 'sharpe_ratio', 'sortino_ratio', 'max_drawdown', 'volatility', 'calmar_ratio'];

/** Runs several strategies on one market through the same accounting and compares them. */
export class StrategyBenchmark {
  private readonly entries = new Map<string, Strategy | Policy>();
  private results = new Map<string, StrategyRun>();

  constructor(
    readonly market: MarketData,
    readonly options: StrategyBenchmarkOptions = {},
  ) {
    runRange(market, options);
  }

  /** Register a strategy (or policy) under a unique name. */
  addStrategy(name: string, strategy: Strategy | Policy): this {
    if (this.entries.has(name)) throw invalidArgument(`strategy "${name}" is already registered`);
    this.entries.set(name, strategy);
    this.results.delete(name);
    return this;
  }

  /** Strategy names in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Run every strategy not yet run; returns all runs by name. */
  run(): Map<string, StrategyRun> {
    if (this.entries.size === 0) throw invalidArgument('no strategies to run: add one with addStrategy');
    const metricsOptions: { periodsPerYear?: number; riskFree?: number } = {};
    if (this.options.riskFree !== undefined) metricsOptions.riskFree = this.options.riskFree;
    for (const [name, strategy] of this.entries) {
      if (this.results.has(name)) continue;
      if (this.options.walkForward) {
        const { market, offset } = this.walkForwardMarket();
        const { firstBar: _first, endBar: _end, split: _split, walkForward, riskFree: _riskFree, alpha: _alpha, bootstrap: _bootstrap, ...accounting } = this.options;
        const subject = typeof (strategy as Strategy).targets === 'function' ? (strategy as Strategy) : () => strategy;
        const report = walkForwardBacktest(market, subject, { ...accounting, ...walkForward! });
        const result = report.result;
        result.name = name;
        // Bar indices back in the benchmark's market.
        for (let i = 0; i < result.barIndex.length; i++) result.barIndex[i] += offset;
        for (let k = 0; k < result.trades.count; k++) result.trades.bar[k] += offset;
        const windows = report.windows.map((w) => ({ ...w, train: { ...w.train, start: w.train.start + offset, end: w.train.end + offset }, test: { ...w.test, start: w.test.start + offset, end: w.test.end + offset } }));
        this.results.set(name, { result, summary: summarizeBacktest(result, this.market, metricsOptions), windows });
        continue;
      }
      const result = runBacktest(this.market, strategy, this.options);
      result.name = name;
      this.results.set(name, { result, summary: summarizeBacktest(result, this.market, metricsOptions) });
    }
    return new Map(this.names().map((name) => [name, this.results.get(name)!]));
  }

  /** The bars a walk-forward run sees: trainBars of history before firstBar (or all of it), up to endBar. */
  private walkForwardMarket(): { market: MarketData; offset: number } {
    const { firstBar = 0, endBar = this.market.time.length, walkForward } = this.options;
    const before = walkForward!.trainBars ?? firstBar;
    const offset = walkForward!.anchored ? 0 : Math.max(0, firstBar - before);
    return { market: offset === 0 && endBar === this.market.time.length ? this.market : sliceByIndex(this.market, offset, endBar), offset };
  }

  private get(name: string): StrategyRun {
    if (!this.entries.has(name)) throw invalidArgument(`unknown strategy "${name}"; registered: ${this.names().join(', ')}`);
    return this.run().get(name)!;
  }

  /** One row per strategy with the chosen metrics (8.2 names, or trade statistics such as win_rate of round trips as `trade_win_rate`). */
  compare(columns: string[] = DEFAULT_COLUMNS): ComparisonRow[] {
    const runs = this.run();
    return [...runs].map(([name, { summary }]) => {
      const row: ComparisonRow = { name };
      for (const column of columns) {
        const fromMetrics = (summary.metrics as unknown as Record<string, number>)[column];
        const fromTrades = column.startsWith('trade_') ? (summary.trades as unknown as Record<string, number>)[column.slice(6)] : undefined;
        const value = fromMetrics ?? fromTrades ?? (summary.trades as unknown as Record<string, number>)[column];
        if (value === undefined) throw invalidArgument(`unknown comparison column "${column}"`);
        row[column] = value;
      }
      return row;
    });
  }

  /** Paired tests of `strategy` against `baseline` on their daily returns over the same dates. */
  statisticalTest(strategy: string, baseline: string): StrategyTest {
    const a = this.get(strategy).result;
    const b = this.get(baseline).result;
    const ra = returnsFromValues(a.value);
    const rb = returnsFromValues(b.value);
    const alpha = this.options.alpha ?? 0.05;
    const t = pairedTTest(ra, rb);
    const w = wilcoxonSignedRank(ra, rb);
    const bootstrapOptions: BootstrapOptions = { periodsPerYear: a.options.periodsPerYear, ...this.options.bootstrap };
    const sharpe = bootstrapSharpeDifference(ra, rb, bootstrapOptions);
    let meanDifference = 0;
    for (let i = 0; i < ra.length; i++) meanDifference += ra[i]! - rb[i]!;
    return {
      strategy,
      baseline,
      periods: ra.length,
      first: a.period.first,
      last: a.period.last,
      mean_difference: meanDifference / ra.length,
      paired_t: { statistic: t.statistic, p_value: t.pValue, df: t.df },
      wilcoxon: { statistic: w.statistic, p_value: w.pValue, n: w.n, method: w.method },
      cohens_d: pairedCohensD(ra, rb),
      sharpe_difference: sharpe,
      alpha,
      is_significant: { paired_t: t.pValue < alpha, wilcoxon: w.pValue < alpha },
    };
  }

  /** Every other strategy tested against `baseline` (default: the first registered). */
  testAgainst(baseline = this.names()[0]!): StrategyTest[] {
    return this.names().filter((name) => name !== baseline).map((name) => this.statisticalTest(name, baseline));
  }

  /**
   * Deflated Sharpe ratio of each strategy (Bailey & López de Prado, 2014): N = the number of strategies
   * compared, V = the variance (ddof 1) of their per-period Sharpe ratios.
   */
  deflatedSharpe(): DeflatedSharpe[] {
    const runs = [...this.run()];
    const sharpes = runs.map(([, run]) => periodSharpe(returnsFromValues(run.result.value)));
    const trials = sharpes.length;
    const mean = sharpes.reduce((s, x) => s + x, 0) / trials;
    const variance = trials > 1 ? sharpes.reduce((s, x) => s + (x - mean) ** 2, 0) / (trials - 1) : 0;
    return runs.map(([name, run]) => {
      const { deflatedSharpe, expectedMaxSharpe } = deflatedSharpeRatio(returnsFromValues(run.result.value), trials, variance);
      return { strategy: name, trials, sharpe_variance: variance, expected_max_sharpe: expectedMaxSharpe, deflated_sharpe: deflatedSharpe };
    });
  }

  /** Series for charts: the common dates, and each strategy's equity, drawdown and daily returns. */
  chartData(): { time: Float64Array; series: { name: string; value: Float64Array; drawdown: Float64Array; returns: Float64Array }[] } {
    const runs = [...this.run()];
    const time = runs[0]![1].result.time;
    return {
      time,
      series: runs.map(([name, { result }]) => ({ name, value: result.value, drawdown: drawdownInto(new Float64Array(result.value.length), result.value), returns: returnsFromValues(result.value) })),
    };
  }
}
