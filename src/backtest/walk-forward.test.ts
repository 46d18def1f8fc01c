import { describe, expect, it } from 'vitest';
import { syntheticRegimeMarket } from '../data/synthetic.js';
import type { MarketData } from '../data/types.js';
import { computeMetrics } from './metrics.js';
import { runBacktest } from './run-backtest.js';
import { buyAndHold, equalWeight, minVariance, minVarianceLongOnly, returnCovariance, smaCross } from './strategies/index.js';
import type { Policy, Strategy } from './types.js';
import { walkForwardBacktest } from './walk-forward.js';

// Four years of business days for four assets (SYN01…SYN04): the window mechanics hold on any prices.
const { market } = syntheticRegimeMarket({ assets: 4, bars: 1008, seed: 9, start: '2009-01-02' });

describe('walkForwardBacktest', () => {
  it('reports each window\'s training and test dates, test after training, and an out-of-sample split', () => {
    const report = walkForwardBacktest(market, equalWeight({ rebalance: 'monthly' }), { trainBars: 250, testBars: 126 });
    expect(report.windows.length).toBe(Math.floor((market.time.length - 250) / 126));
    for (const window of report.windows) {
      expect(window.train.end).toBe(window.test.start);
      expect(window.train.last! < window.test.first!).toBe(true);
      expect(window.test.rows).toBe(126);
      expect(window.fitted).toBe(false);
    }
    expect(report.summary.period.split).toBe('walk-forward out-of-sample');
    expect(report.summary.period.first).toBe(report.windows[0]!.test.first);
    expect(report.summary.period.last).toBe(report.windows.at(-1)!.test.last);
  });

  it('equals one plain run when the strategy has nothing to fit and no memory of its start', () => {
    const report = walkForwardBacktest(market, equalWeight({ rebalance: 'daily' }), { trainBars: 250, testBars: 100 });
    const plain = runBacktest(market, equalWeight({ rebalance: 'daily' }), { firstBar: 250, endBar: report.windows.at(-1)!.test.end });
    expect(Array.from(report.result.value)).toEqual(Array.from(plain.value));
    // Window metrics are the stitched curve's, from the previous close to the window's last close.
    const second = report.windows[1]!;
    expect(second.metrics).toEqual(computeMetrics(plain.value.subarray(99, 200)));
  });

  it('runs a strategy with nothing to fit continuously: buy-and-hold buys once, not at every window', () => {
    const report = walkForwardBacktest(market, buyAndHold(), { trainBars: 250, testBars: 100 });
    expect(report.result.trades.count).toBe(market.symbols.length);
    expect(report.windows.every((w) => !w.fitted)).toBe(true);
  });

  it('refits min-variance on each training window only', () => {
    const report = walkForwardBacktest(market, minVariance(), { trainBars: 250, testBars: 200 });
    const n = market.symbols.length;
    for (const window of report.windows) {
      expect(window.fitted).toBe(true);
      const expected = minVarianceLongOnly(returnCovariance(market, window.train.start, window.train.end - 1), n);
      const row = window.test.start - report.result.barIndex[0]!;
      expect(Array.from(report.result.weights.subarray(row * n, row * n + n))).toEqual(Array.from(expected).map((w) => expect.closeTo(w, 12)));
    }
  });

  it('gives a factory only the training bars, and uses what it returns on the test bars', () => {
    const seen: string[] = [];
    const factory = (train: MarketData): Strategy | Policy => {
      seen.push(new Date(train.time[train.time.length - 1]!).toISOString().slice(0, 10));
      return smaCross();
    };
    const report = walkForwardBacktest(market, factory, { trainBars: 300, testBars: 150, anchored: true });
    expect(seen).toEqual(report.windows.map((w) => w.train.last));
    expect(report.windows.every((w) => w.train.start === 0 && w.fitted)).toBe(true);
    expect(report.name).toBe('sma_cross');
  });

  it('rejects overlapping test windows and data too short for one window', () => {
    expect(() => walkForwardBacktest(market, equalWeight(), { trainBars: 250, testBars: 100, stepBars: 50 })).toThrow(/test windows overlap/);
    expect(() => walkForwardBacktest(market, equalWeight(), { trainBars: 2000, testBars: 100 })).toThrow(/no complete walk-forward window/);
  });
});
