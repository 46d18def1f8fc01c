#!/usr/bin/env python3
"""Independent reference for src/backtest: an SMA(20)/SMA(50) crossover and a monthly equal-weight
rebalance on real prices, simulated with pandas as a dollar ledger, and their metrics with numpy.

Run with Debian's interpreter: /usr/bin/python3 scripts/make-backtest-fixtures.py
Reads ../shared/data/us-equities-daily (never copied); writes test/fixtures/backtest/reference.json
(only the resulting numbers). The tests read that file; they never run Python.

Conventions reproduced (docs/environments.md, docs/evaluation.md): a decision at bar t's close trades
Σ|w* − w| of the pre-cost value V at cost rate c, the targets then apply to V − cost (every position,
held or traded, is rescaled to its weight of the post-cost value); between decisions positions move
with prices. SMA crossover: hold 1/N of an asset while SMA20 > SMA50, trade only when the signal flips.
"""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "us-equities-daily"
SYMBOLS = ["AAPL", "JNJ", "XOM", "KO", "GE"]
FROM, TO = "2012-01-01", "2014-12-31"
COST = 0.0005 + 0.0001
CAPITAL = 100_000.0

closes = pd.concat(
    {s: pd.read_csv(DATA / f"{s}.csv", parse_dates=["date"]).set_index("date")["close"] for s in SYMBOLS}, axis=1, join="inner"
).sort_index()
closes = closes.loc[FROM:TO]
n = len(SYMBOLS)


def simulate(targets: pd.DataFrame):
    """targets: NaN = keep. Returns values after costs, costs, per-asset dollar P&L of each bar, and the
    per-asset weights before/after and trade costs of each decision."""
    dollars = np.zeros(n)
    cash = CAPITAL
    values, costs = [], []
    prices = closes.to_numpy()
    pnl = np.zeros((len(closes), n))
    before = np.zeros((len(closes), n))
    after = np.zeros((len(closes), n))
    trade_cost = np.zeros((len(closes), n))
    for t in range(len(closes)):
        if t > 0:
            moved = dollars * (prices[t] / prices[t - 1])
            pnl[t] = moved - dollars
            dollars = moved
        value = cash + dollars.sum()
        current = dollars / value
        before[t] = current
        after[t] = current
        row = targets.iloc[t].to_numpy()
        cost = 0.0
        if not np.all(np.isnan(row)):
            target = np.where(np.isnan(row), current, row)
            gross = np.abs(target).sum()
            if gross > 1:
                target = target / gross
            trade_cost[t] = np.abs(target - current) * value * COST
            cost = trade_cost[t].sum()
            value -= cost
            dollars = target * value
            cash = value - dollars.sum()
            after[t] = target
        values.append(value)
        costs.append(cost)
    return np.array(values), np.array(costs), pnl, before, after, trade_cost


def metrics(values: np.ndarray) -> dict:
    r = values[1:] / values[:-1] - 1
    total = values[-1] / values[0] - 1
    annual = (1 + total) ** (252 / len(r)) - 1
    downside = np.sqrt(np.mean(np.minimum(r, 0) ** 2))
    peak = np.maximum.accumulate(values)
    mdd = np.max((peak - values) / peak)
    return {
        "total_return": total,
        "annual_return": annual,
        "volatility": r.std(ddof=1) * math.sqrt(252),
        "sharpe_ratio": r.mean() / r.std(ddof=1) * math.sqrt(252),
        "sortino_ratio": r.mean() * 252 / (downside * math.sqrt(252)),
        "max_drawdown": mdd,
        "calmar_ratio": annual / mdd,
        "win_rate": (r > 0).sum() / (r != 0).sum(),
        "profit_factor": r[r > 0].sum() / abs(r[r < 0].sum()),
        "periods": len(r),
    }


# SMA crossover targets: 1/N on a flip up, 0 on a flip down, the starting state at bar 0.
fast = closes.rolling(20).mean()
slow = closes.rolling(50).mean()
on = fast > slow  # NaN compares False
flips = on.ne(on.shift(1))
sma_targets = pd.DataFrame(np.where(on, 1 / n, 0.0), index=closes.index, columns=SYMBOLS).where(flips)
sma_targets.iloc[0] = np.where(on.iloc[0], 1 / n, 0.0)
sma_values, sma_costs, sma_pnl, sma_before, sma_after, sma_trade_cost = simulate(sma_targets)

# Round trips of the crossover from the ledger: a trip opens when an asset's weight leaves 0 and closes
# when it returns to 0; its P&L is the asset's dollar P&L while held minus its trades' costs.
trips = []
position_open = {}
for t in range(len(closes)):
    for a, trip in position_open.items():
        trip["pnl"] += sma_pnl[t, a]
    for a in range(n):
        w0, w1 = sma_before[t, a], sma_after[t, a]
        if w0 == w1:
            continue
        if w0 == 0:
            position_open[a] = {"entry": t, "pnl": -sma_trade_cost[t, a]}
        elif w1 == 0:
            trip = position_open.pop(a)
            trips.append({"symbol": SYMBOLS[a], "entry": trip["entry"], "exit": t, "pnl": trip["pnl"] - sma_trade_cost[t, a]})
        else:
            position_open[a]["pnl"] -= sma_trade_cost[t, a]

wins = [tr["pnl"] for tr in trips if tr["pnl"] > 0]
losses = [tr["pnl"] for tr in trips if tr["pnl"] < 0]
trade_stats = {
    "round_trips": len(trips),
    "win_rate": len(wins) / len(trips),
    "profit_factor": sum(wins) / abs(sum(losses)),
    "average_holding_period": float(np.mean([tr["exit"] - tr["entry"] for tr in trips])),
    "first_trip": trips[0],
}

# Monthly equal weight: 1/N on the first bar and on the first bar of each new month.
month = closes.index.to_period("M")
rebalance = np.r_[True, month[1:] != month[:-1]]
ew_targets = pd.DataFrame(np.where(np.repeat(rebalance[:, None], n, axis=1), 1 / n, np.nan), index=closes.index, columns=SYMBOLS)
ew_values, ew_costs, *_ = simulate(ew_targets)

reference = {
    "symbols": SYMBOLS,
    "from": FROM,
    "to": TO,
    "bars": len(closes),
    "first_date": str(closes.index[0].date()),
    "last_date": str(closes.index[-1].date()),
    "sma_cross": {
        "final_value": sma_values[-1],
        "total_cost": float(sma_costs.sum()),
        "values_sample": {str(i): sma_values[i] for i in [0, 49, 50, 100, 400, len(closes) - 1]},
        "metrics": metrics(sma_values),
        "trades": trade_stats,
    },
    "equal_weight_monthly": {
        "final_value": ew_values[-1],
        "total_cost": float(ew_costs.sum()),
        "rebalances": int(rebalance.sum()),
        "metrics": metrics(ew_values),
    },
}
out = ROOT / "test" / "fixtures" / "backtest" / "reference.json"
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(json.dumps(reference, indent=1, default=float) + "\n")
print(f"wrote {out}: sma_cross final {sma_values[-1]:.4f}, {len(trips)} trips; equal_weight_monthly final {ew_values[-1]:.4f}")
