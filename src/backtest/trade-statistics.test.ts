import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { syntheticRegimeMarket } from '../data/synthetic.js';
import { runBacktest } from './run-backtest.js';
import { buyAndHold } from './strategies/index.js';
import { marketFromCloses } from './test-helpers.js';
import { tradeStatistics } from './trade-statistics.js';
import type { Strategy } from './types.js';

function table(rows: Record<number, number[]>): Strategy {
  return {
    name: 'table',
    targets(market) {
      const n = market.symbols.length;
      const targets = new Float64Array(market.time.length * n).fill(Number.NaN);
      for (const [bar, weights] of Object.entries(rows)) targets.set(weights, Number(bar) * n);
      return targets;
    },
  };
}

const one = marketFromCloses(['X'], [[100, 110, 121, 110, 100]]);
// Two years of business days for four assets (SYN01…SYN04), for the accounting identity.
const synthetic = syntheticRegimeMarket({ assets: 4, bars: 505, seed: 8, start: '2008-01-02' }).market;

describe('tradeStatistics', () => {
  it('finds a long round trip and an open short (hand-computed, no costs)', () => {
    // Long 1 at bar 0, out at 2: pnl = 100000·0.1 + 110000·0.1 = 21000 over 2 bars.
    // Short 0.5 at bar 3 (V = 121000): earns −0.5·121000·(100/110 − 1) = 5500, still open.
    const result = runBacktest(one, table({ 0: [1], 2: [0], 3: [-0.5] }), { tradingCost: 0, slippage: 0 });
    const stats = tradeStatistics(result, one);
    expect(stats.round_trips).toBe(1);
    expect(stats.roundTrips[0]).toMatchObject({ symbol: 'X', side: 'long', entryBar: 0, exitBar: 2, entryDate: '2020-01-01', exitDate: '2020-01-03', holdingBars: 2, entryNotional: 100_000 });
    expect(stats.roundTrips[0]!.pnl).toBeCloseTo(21_000, 8);
    expect(stats.roundTrips[0]!.return).toBeCloseTo(0.21, 12);
    expect(stats.open_positions).toBe(1);
    expect(stats.open_pnl).toBeCloseTo(5500, 8);
    expect(stats.win_rate).toBe(1);
    expect(stats.profit_factor).toBe(Number.POSITIVE_INFINITY);
    expect(stats.average_holding_period).toBe(2);
    expect(stats.average_holding_days).toBe(2);
    expect(stats.trades).toBe(3);
  });

  it('charges entry and exit costs to the round trip', () => {
    // Rate 0.001: entry cost 100 → 99900, grows to 109890, 120879; exit cost 120.879.
    const result = runBacktest(one, table({ 0: [1], 2: [0] }), { tradingCost: 0.001, slippage: 0 });
    const stats = tradeStatistics(result, one);
    expect(stats.roundTrips[0]!.pnl).toBeCloseTo(99_900 * 0.1 + 109_890 * 0.1 - 100 - 120.879, 8);
    expect(stats.total_cost).toBeCloseTo(220.879, 9);
  });

  it('splits a flip into a closed trip and a new one, sharing the cost by leg size', () => {
    // Long 1 at 0 (cost 100 → 99900); at bar 1 (V = 109890) flip to −1: turnover 2, cost 219.78, half to
    // each leg. The short holds 109890 − 219.78 through +10%; buying it back trades its grown notional
    // (109670.22·1.1; its weight drifted to −1.1/0.9) at 0.1%.
    const result = runBacktest(one, table({ 0: [1], 1: [-1], 2: [0] }), { tradingCost: 0.001, slippage: 0 });
    const stats = tradeStatistics(result, one);
    expect(stats.round_trips).toBe(2);
    const [long, short] = stats.roundTrips;
    expect(long!.pnl).toBeCloseTo(-100 + 99_900 * 0.1 - 109.89, 8);
    expect(short!.side).toBe('short');
    const shortValue = 109_890 - 219.78;
    expect(short!.pnl).toBeCloseTo(-109.89 - shortValue * 0.1 - shortValue * 1.1 * 0.001, 8);
    expect(stats.win_rate).toBe(0.5);
    expect(stats.profit_factor).toBeCloseTo((99_900 * 0.1 - 209.89) / -short!.pnl, 9);
  });

  it('reports no round trips for buy-and-hold (rates are NaN, the position is open)', () => {
    const stats = tradeStatistics(runBacktest(one, buyAndHold()), one);
    expect(stats.round_trips).toBe(0);
    expect(Number.isNaN(stats.win_rate)).toBe(true);
    expect(Number.isNaN(stats.profit_factor)).toBe(true);
    expect(stats.open_positions).toBe(1);
  });

  it('accounts for every dollar: closed P&L + open P&L = final value − initial capital', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (seed) => {
        const rng = new Rng(seed);
        const rows: Record<number, number[]> = {};
        for (let t = 0; t < synthetic.time.length; t += 1 + rng.int(15)) rows[t] = [0, 1, 2, 3].map(() => (rng.next() < 0.3 ? 0 : rng.uniform(-0.4, 0.4)));
        const result = runBacktest(synthetic, table(rows), { tradingCost: 0.001, slippage: 0.0005 });
        const stats = tradeStatistics(result, synthetic);
        const closed = stats.roundTrips.reduce((s, trip) => s + trip.pnl, 0);
        const change = result.value[result.value.length - 1]! - 100_000;
        return Math.abs(closed + stats.open_pnl - change) < 1e-6 * 100_000 && stats.round_trips > 0;
      }),
      { numRuns: 20 },
    );
  });
});
