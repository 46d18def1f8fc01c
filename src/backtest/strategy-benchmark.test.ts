import { describe, expect, it } from 'vitest';
import { syntheticRegimeMarket } from '../data/synthetic.js';
import { computeMetrics, returnsFromValues } from './metrics.js';
import { runBacktest } from './run-backtest.js';
import { pairedTTest } from './statistics.js';
import { buyAndHold, equalWeight, minVariance, smaCross } from './strategies/index.js';
import { StrategyBenchmark } from './strategy-benchmark.js';

// Three years of business days for three assets (SYN01…SYN03).
const { market } = syntheticRegimeMarket({ assets: 3, bars: 756, seed: 4, start: '2010-01-04' });

describe('StrategyBenchmark', () => {
  function benchmark() {
    return new StrategyBenchmark(market, { firstBar: 60, tradingCost: 0.001 })
      .addStrategy('hold', buyAndHold())
      .addStrategy('rebalance', equalWeight({ rebalance: 'monthly' }))
      .addStrategy('sma', smaCross());
  }

  it('runs every strategy over the same bars with the same accounting as runBacktest', () => {
    const runs = benchmark().run();
    expect([...runs.keys()]).toEqual(['hold', 'rebalance', 'sma']);
    const direct = runBacktest(market, smaCross(), { firstBar: 60, tradingCost: 0.001 });
    expect(Array.from(runs.get('sma')!.result.value)).toEqual(Array.from(direct.value));
    for (const run of runs.values()) expect(run.result.period.first).toBe(runs.get('hold')!.result.period.first);
  });

  it('builds the comparison table from the 8.2 metrics and trade statistics', () => {
    const b = benchmark();
    const rows = b.compare(['total_return', 'sharpe_ratio', 'trade_win_rate', 'round_trips']);
    expect(rows.map((r) => r.name)).toEqual(['hold', 'rebalance', 'sma']);
    expect(rows[0]!.total_return).toBe(computeMetrics(b.run().get('hold')!.result.value).total_return);
    expect(Number.isNaN(rows[0]!.trade_win_rate)).toBe(true);
    expect(rows[2]!.round_trips).toBeGreaterThan(0);
    expect(() => b.compare(['nonsense'])).toThrow(/unknown comparison column "nonsense"/);
  });

  it('tests strategies on paired daily returns', () => {
    const b = benchmark();
    const test = b.statisticalTest('sma', 'hold');
    const runs = b.run();
    const expected = pairedTTest(returnsFromValues(runs.get('sma')!.result.value), returnsFromValues(runs.get('hold')!.result.value));
    expect(test.paired_t.statistic).toBe(expected.statistic);
    expect(test.periods).toBe(market.time.length - 61);
    expect(test.sharpe_difference.lower).toBeLessThanOrEqual(test.sharpe_difference.upper);
    expect(test.is_significant.paired_t).toBe(test.paired_t.p_value < 0.05);
    expect(b.testAgainst().map((t) => t.strategy)).toEqual(['rebalance', 'sma']);
    expect(() => b.statisticalTest('sma', 'nope')).toThrow(/unknown strategy "nope"/);
  });

  it('deflates each Sharpe ratio by the number of strategies tried', () => {
    const deflated = benchmark().deflatedSharpe();
    expect(deflated).toHaveLength(3);
    expect(deflated[0]!.trials).toBe(3);
    expect(deflated[0]!.expected_max_sharpe).toBeGreaterThan(0);
    for (const d of deflated) expect(d.deflated_sharpe).toBeGreaterThanOrEqual(0);
  });

  it('refuses duplicate names and an empty run; gives chart series', () => {
    expect(() => benchmark().addStrategy('hold', buyAndHold())).toThrow(/already registered/);
    expect(() => new StrategyBenchmark(market).run()).toThrow(/no strategies to run/);
    const charts = benchmark().chartData();
    expect(charts.series).toHaveLength(3);
    expect(charts.series[0]!.drawdown.length).toBe(charts.time.length);
  });

  it('runs walk-forward with the first test window at firstBar, paired across strategies, bars in the full market', () => {
    const b = new StrategyBenchmark(market, { firstBar: 300, walkForward: { trainBars: 250, testBars: 100 } })
      .addStrategy('hold', buyAndHold())
      .addStrategy('minvar', minVariance());
    const runs = b.run();
    const hold = runs.get('hold')!;
    const minvar = runs.get('minvar')!;
    expect(hold.result.barIndex[0]).toBe(300);
    expect(hold.result.period.split).toBe('walk-forward out-of-sample');
    expect(hold.windows![0]!.train.start).toBe(50);
    expect(hold.windows![0]!.test.first).toBe(hold.result.period.first);
    expect(Array.from(minvar.result.time)).toEqual(Array.from(hold.result.time));
    expect(minvar.windows!.every((w) => w.fitted)).toBe(true);
    expect(minvar.summary.trades.trades).toBeGreaterThan(0);
    expect(b.statisticalTest('minvar', 'hold').periods).toBe(hold.result.value.length - 1);
  });
});
