import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMarket } from '../data/load-market.js';
import type { MarketData } from '../data/types.js';
import { computeMetrics } from './metrics.js';
import { runBacktest } from './run-backtest.js';
import { equalWeight, smaCross } from './strategies/index.js';
import { realDataDirectory } from './test-helpers.js';
import { tradeStatistics } from './trade-statistics.js';

// Expected numbers from an independent pandas dollar-ledger simulation (scripts/make-backtest-fixtures.py).
interface Reference {
  symbols: string[];
  from: string;
  to: string;
  bars: number;
  first_date: string;
  last_date: string;
  sma_cross: { final_value: number; total_cost: number; values_sample: Record<string, number>; metrics: Record<string, number>; trades: { round_trips: number; win_rate: number; profit_factor: number; average_holding_period: number; first_trip: { symbol: string; entry: number; exit: number; pnl: number } } };
  equal_weight_monthly: { final_value: number; total_cost: number; rebalances: number; metrics: Record<string, number> };
}
const reference = JSON.parse(readFileSync(fileURLToPath(new URL('../../test/fixtures/backtest/reference.json', import.meta.url)), 'utf8')) as Reference;

let market: MarketData;
beforeAll(async () => {
  ({ market } = await loadMarket([realDataDirectory], { symbols: reference.symbols, from: reference.from, to: reference.to }));
});

function expectMetrics(actual: Record<string, number>, expected: Record<string, number>) {
  for (const [name, value] of Object.entries(expected)) expect(actual[name], name).toBeCloseTo(value, 9);
}

describe('backtests against an independent pandas ledger on real prices', () => {
  it('SMA(20)/SMA(50) crossover: values, costs, metrics and round trips', () => {
    const result = runBacktest(market, smaCross());
    expect(result.period).toMatchObject({ first: reference.first_date, last: reference.last_date, bars: reference.bars });
    for (const [row, value] of Object.entries(reference.sma_cross.values_sample)) expect(result.value[Number(row)]).toBeCloseTo(value, 6);
    expect(result.cost.reduce((s, c) => s + c, 0)).toBeCloseTo(reference.sma_cross.total_cost, 6);
    expectMetrics(computeMetrics(result.value) as unknown as Record<string, number>, reference.sma_cross.metrics);
    const stats = tradeStatistics(result, market);
    const expected = reference.sma_cross.trades;
    expect(stats.round_trips).toBe(expected.round_trips);
    expect(stats.win_rate).toBeCloseTo(expected.win_rate, 12);
    expect(stats.profit_factor).toBeCloseTo(expected.profit_factor, 9);
    expect(stats.average_holding_period).toBeCloseTo(expected.average_holding_period, 12);
    const first = stats.roundTrips[0]!; // both list trips in the order they close
    expect([first.symbol, first.entryBar, first.exitBar]).toEqual([expected.first_trip.symbol, expected.first_trip.entry, expected.first_trip.exit]);
    expect(first.pnl).toBeCloseTo(expected.first_trip.pnl, 6);
  });

  it('monthly equal weight: rebalance count, costs and metrics', () => {
    const result = runBacktest(market, equalWeight({ rebalance: 'monthly' }));
    expect(result.turnover.filter((x, i) => x > 0 || i === 0).length).toBe(reference.equal_weight_monthly.rebalances);
    expect(result.value[result.value.length - 1]).toBeCloseTo(reference.equal_weight_monthly.final_value, 6);
    expect(result.cost.reduce((s, c) => s + c, 0)).toBeCloseTo(reference.equal_weight_monthly.total_cost, 8);
    expectMetrics(computeMetrics(result.value) as unknown as Record<string, number>, reference.equal_weight_monthly.metrics);
  });
});
