/**
 * Trade-level statistics from a backtest's round trips. Per asset, a round trip opens when the weight
 * leaves 0 and closes when it returns to 0 (a sign flip closes one trip and opens the next). Its P&L is
 * what the position earned while held — Σ w_a(t)·V(t)·(close_a(t+1)/close_a(t) − 1) over the bars it was
 * held, w and V after each bar's decision — minus the costs of every trade in that asset during the
 * trip (entry, resizes, exit; a flip's cost is split in proportion to the two legs).
 */
import { formatTimestamp } from '../data/dates.js';
import type { MarketData } from '../data/types.js';
import type { BacktestResult } from './types.js';

export interface RoundTrip {
  symbol: string;
  side: 'long' | 'short';
  entryBar: number;
  exitBar: number;
  entryDate: string;
  exitDate: string;
  /** Bars between entry and exit decisions. */
  holdingBars: number;
  /** Notional at entry |w|·V. */
  entryNotional: number;
  pnl: number;
  /** pnl / entryNotional. */
  return: number;
}

export interface TradeStatistics {
  /** Individual trades (an asset's weight changed at a rebalance). */
  trades: number;
  round_trips: number;
  /** Fraction of round trips with positive P&L (NaN without round trips). */
  win_rate: number;
  /** Σ winning P&L / |Σ losing P&L| over round trips (Infinity without a loss, NaN without round trips). */
  profit_factor: number;
  /** Mean bars held per round trip. */
  average_holding_period: number;
  /** Mean calendar days held per round trip. */
  average_holding_days: number;
  average_trade_pnl: number;
  average_trade_return: number;
  /** Positions still open at the end, and what they earned so far (after their costs). */
  open_positions: number;
  open_pnl: number;
  total_cost: number;
  /** Σ turnover over the run. */
  total_turnover: number;
  roundTrips: RoundTrip[];
}

const MS_PER_DAY = 86_400_000;

/** Round trips and their win rate, profit factor and holding period; `market` is the one the result was run on. */
export function tradeStatistics(result: BacktestResult, market: MarketData): TradeStatistics {
  const n = result.symbols.length;
  const rows = result.value.length;
  const trades = result.trades;
  const openBar = new Int32Array(n).fill(-1);
  const openPnl = new Float64Array(n);
  const openNotional = new Float64Array(n);
  const openSide = new Int8Array(n);
  for (let a = 0; a < n; a++) {
    const w = result.initialWeights[a]!;
    if (w !== 0) {
      // A position held from the start: its trip starts at the first bar.
      openBar[a] = result.barIndex[0]!;
      openNotional[a] = Math.abs(w) * result.initialCapital;
      openSide[a] = Math.sign(w);
    }
  }
  const roundTrips: RoundTrip[] = [];
  const close = (a: number, bar: number) => {
    const entryBar = openBar[a]!;
    const pnl = openPnl[a]!;
    roundTrips.push({
      symbol: result.symbols[a]!,
      side: openSide[a]! > 0 ? 'long' : 'short',
      entryBar,
      exitBar: bar,
      entryDate: formatTimestamp(market.time[entryBar]!),
      exitDate: formatTimestamp(market.time[bar]!),
      holdingBars: bar - entryBar,
      entryNotional: openNotional[a]!,
      pnl,
      return: pnl / openNotional[a]!,
    });
    openBar[a] = -1;
    openPnl[a] = 0;
  };
  let k = 0;
  for (let i = 0; i < rows; i++) {
    const t = result.barIndex[i]!;
    if (i > 0) {
      const previous = t - 1;
      for (let a = 0; a < n; a++) {
        if (openBar[a]! < 0) continue;
        const held = result.weights[(i - 1) * n + a]! * result.value[i - 1]!;
        openPnl[a] += held * (market.close[t * n + a]! / market.close[previous * n + a]! - 1);
      }
    }
    const valueBeforeCosts = result.value[i]! + result.cost[i]!;
    for (; k < trades.count && trades.bar[k] === t; k++) {
      const a = trades.asset[k]!;
      const before = trades.weightBefore[k]!;
      const after = trades.weightAfter[k]!;
      const cost = trades.cost[k]!;
      if (before !== 0 && (after === 0 || Math.sign(after) !== Math.sign(before))) {
        const exitShare = after === 0 ? 1 : Math.abs(before) / (Math.abs(before) + Math.abs(after));
        openPnl[a] -= cost * exitShare;
        close(a, t);
        if (after !== 0) {
          openBar[a] = t;
          openPnl[a] = -cost * (1 - exitShare);
          openNotional[a] = Math.abs(after) * valueBeforeCosts;
          openSide[a] = Math.sign(after);
        }
      } else if (before === 0) {
        openBar[a] = t;
        openPnl[a] = -cost;
        openNotional[a] = Math.abs(after) * valueBeforeCosts;
        openSide[a] = Math.sign(after);
      } else openPnl[a] -= cost;
    }
  }
  let openPositions = 0;
  let openTotal = 0;
  for (let a = 0; a < n; a++) {
    if (openBar[a]! >= 0) {
      openPositions++;
      openTotal += openPnl[a]!;
    }
  }
  let wins = 0;
  let gains = 0;
  let losses = 0;
  let holding = 0;
  let holdingDays = 0;
  let pnlSum = 0;
  let returnSum = 0;
  for (const trip of roundTrips) {
    if (trip.pnl > 0) {
      wins++;
      gains += trip.pnl;
    } else if (trip.pnl < 0) losses -= trip.pnl;
    holding += trip.holdingBars;
    holdingDays += (market.time[trip.exitBar]! - market.time[trip.entryBar]!) / MS_PER_DAY;
    pnlSum += trip.pnl;
    returnSum += trip.return;
  }
  const count = roundTrips.length;
  let totalCost = 0;
  let totalTurnover = 0;
  for (let i = 0; i < rows; i++) {
    totalCost += result.cost[i]!;
    totalTurnover += result.turnover[i]!;
  }
  return {
    trades: trades.count,
    round_trips: count,
    win_rate: count === 0 ? Number.NaN : wins / count,
    profit_factor: count === 0 ? Number.NaN : gains / losses,
    average_holding_period: count === 0 ? Number.NaN : holding / count,
    average_holding_days: count === 0 ? Number.NaN : holdingDays / count,
    average_trade_pnl: count === 0 ? Number.NaN : pnlSum / count,
    average_trade_return: count === 0 ? Number.NaN : returnSum / count,
    open_positions: openPositions,
    open_pnl: openTotal,
    total_cost: totalCost,
    total_turnover: totalTurnover,
    roundTrips,
  };
}
