import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRealData, realDataPath } from '../../test/real-data.js';
import { loadMarket } from '../data/load-market.js';
import { syntheticRegimeMarket } from '../data/synthetic.js';
import type { MarketData } from '../data/types.js';
import { computeMetrics } from './metrics.js';
import { runBacktest } from './run-backtest.js';
import { equalWeight, smaCross } from './strategies/index.js';
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

function expectMetrics(actual: Record<string, number>, expected: Record<string, number>) {
  for (const [name, value] of Object.entries(expected)) expect(actual[name], name).toBeCloseTo(value, 9);
}

describeRealData('us-equities-daily', 'backtests against an independent pandas ledger on real prices', () => {
  let market: MarketData;
  beforeAll(async () => {
    ({ market } = await loadMarket([realDataPath('us-equities-daily')], { symbols: reference.symbols, from: reference.from, to: reference.to }));
  });

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

// The same comparison without the real data: the fixture script's dollar ledger and its targets, written
// out again below, on a synthetic market of the reference's shape (5 assets, 3 years of business days).

interface Trip {
  symbol: string;
  entry: number;
  exit: number;
  pnl: number;
}

/**
 * `simulate` and the round-trip bookkeeping of scripts/make-backtest-fixtures.py: dollars per asset and
 * cash; a decision row (NaN = keep the drifted weight; scaled down to gross 1 when above) pays
 * |target − weight|·value·rate per asset, then every position is set to its target share of the value
 * after costs. A trip opens when an asset's weight leaves 0 and
 * closes when it returns to 0; its P&L is the asset's dollar moves while held minus its trades' costs.
 */
function dollarLedger(market: MarketData, targets: number[][], rate = 0.0006, capital = 100_000) {
  const n = market.symbols.length;
  let dollars = new Array<number>(n).fill(0);
  let cash = capital;
  const values: number[] = [];
  const costs: number[] = [];
  const trips: Trip[] = [];
  const open = new Map<number, { entry: number; pnl: number }>();
  for (let t = 0; t < market.time.length; t++) {
    const pnl = new Array<number>(n).fill(0);
    if (t > 0) {
      const moved = dollars.map((d, a) => d * (market.close[t * n + a]! / market.close[(t - 1) * n + a]!));
      moved.forEach((d, a) => (pnl[a] = d - dollars[a]!));
      dollars = moved;
    }
    for (const [a, trip] of open) trip.pnl += pnl[a]!;
    let value = cash + dollars.reduce((s, d) => s + d, 0);
    const current = dollars.map((d) => d / value);
    const row = targets[t]!;
    let cost = 0;
    if (!row.every(Number.isNaN)) {
      let target = row.map((w, a) => (Number.isNaN(w) ? current[a]! : w));
      const gross = target.reduce((s, w) => s + Math.abs(w), 0);
      if (gross > 1) target = target.map((w) => w / gross);
      const tradeCost = target.map((w, a) => Math.abs(w - current[a]!) * value * rate);
      cost = tradeCost.reduce((s, c) => s + c, 0);
      value -= cost;
      dollars = target.map((w) => w * value);
      cash = value - dollars.reduce((s, d) => s + d, 0);
      for (let a = 0; a < n; a++) {
        if (current[a] === target[a]) continue;
        if (current[a] === 0) open.set(a, { entry: t, pnl: -tradeCost[a]! });
        else if (target[a] === 0) {
          const trip = open.get(a)!;
          open.delete(a);
          trips.push({ symbol: market.symbols[a]!, entry: trip.entry, exit: t, pnl: trip.pnl - tradeCost[a]! });
        } else open.get(a)!.pnl -= tradeCost[a]!;
      }
    }
    values.push(value);
    costs.push(cost);
  }
  return { values, costs, trips };
}

/** The script's SMA(20)/SMA(50) targets: 1/N on a flip up, 0 on a flip down, the starting state at bar 0. */
function smaCrossTargets(market: MarketData): number[][] {
  const n = market.symbols.length;
  const mean = (a: number, t: number, window: number) => {
    if (t + 1 < window) return Number.NaN;
    let sum = 0;
    for (let k = t - window + 1; k <= t; k++) sum += market.close[k * n + a]!;
    return sum / window;
  };
  const on = (a: number, t: number) => mean(a, t, 20) > mean(a, t, 50); // NaN compares false
  return Array.from(market.time, (_, t) => market.symbols.map((_, a) => (t === 0 || on(a, t) !== on(a, t - 1) ? (on(a, t) ? 1 / n : 0) : Number.NaN)));
}

/** The script's monthly equal weight: 1/N on the first bar and on the first bar of each new month. */
function monthlyTargets(market: MarketData): number[][] {
  const month = (t: number) => new Date(market.time[t]!).toISOString().slice(0, 7);
  return Array.from(market.time, (_, t) => market.symbols.map(() => (t === 0 || month(t) !== month(t - 1) ? 1 / market.symbols.length : Number.NaN)));
}

describe('backtests against an independent dollar ledger on a synthetic market', () => {
  const { market } = syntheticRegimeMarket({ assets: 5, bars: 754, seed: 2012, start: '2012-01-03' });

  it('SMA(20)/SMA(50) crossover: values, costs and round trips', () => {
    const ledger = dollarLedger(market, smaCrossTargets(market));
    const result = runBacktest(market, smaCross());
    expect(result.value.length).toBe(ledger.values.length);
    ledger.values.forEach((value, t) => expect(result.value[t], `value at bar ${t}`).toBeCloseTo(value, 6));
    expect(result.cost.reduce((s, c) => s + c, 0)).toBeCloseTo(ledger.costs.reduce((s, c) => s + c, 0), 6);
    const stats = tradeStatistics(result, market);
    expect(ledger.trips.length).toBeGreaterThan(10);
    expect(stats.roundTrips.map((trip) => [trip.symbol, trip.entryBar, trip.exitBar])).toEqual(ledger.trips.map((trip) => [trip.symbol, trip.entry, trip.exit]));
    stats.roundTrips.forEach((trip, k) => expect(trip.pnl).toBeCloseTo(ledger.trips[k]!.pnl, 6));
  });

  it('monthly equal weight: rebalance count, values and costs', () => {
    const targets = monthlyTargets(market);
    const ledger = dollarLedger(market, targets);
    const result = runBacktest(market, equalWeight({ rebalance: 'monthly' }));
    expect(result.turnover.filter((x, i) => x > 0 || i === 0).length).toBe(targets.filter((row) => !Number.isNaN(row[0]!)).length);
    ledger.values.forEach((value, t) => expect(result.value[t], `value at bar ${t}`).toBeCloseTo(value, 6));
    expect(result.cost.reduce((s, c) => s + c, 0)).toBeCloseTo(ledger.costs.reduce((s, c) => s + c, 0), 8);
  });
});
