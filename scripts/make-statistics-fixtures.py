#!/usr/bin/env python3
"""Reference values for src/backtest/statistics.ts, computed with SciPy (Debian python3-scipy).

Run with Debian's interpreter: /usr/bin/python3 scripts/make-statistics-fixtures.py
Writes test/fixtures/statistics/reference.json. The tests read that file; they never run Python.
"""
import json
import math
import numpy as np
from scipy import stats, special

rng = np.random.default_rng(20261124)
cases = []
# (name, n, rounding) — rounding creates ties, forcing the normal approximation in wilcoxon.
for name, n, decimals in [("small_exact", 20, None), ("medium_exact", 45, None), ("large_normal", 300, None), ("ties_normal", 60, 3)]:
    a = rng.normal(0.0005, 0.01, n)
    b = a * 0.6 + rng.normal(0.0001, 0.008, n)
    if decimals is not None:
        a = np.round(a, decimals)
        b = np.round(b, decimals)
    t = stats.ttest_rel(a, b)
    w = stats.wilcoxon(a, b)
    d = a - b
    cohen = d.mean() / d.std(ddof=1)
    cases.append({
        "name": name, "a": a.tolist(), "b": b.tolist(),
        "ttest": {"statistic": float(t.statistic), "pvalue": float(t.pvalue)},
        "wilcoxon": {"statistic": float(w.statistic), "pvalue": float(w.pvalue)},
        "cohens_d": float(cohen),
    })

# Deflated Sharpe ratio by the paper's formula, with SciPy's moments and normal distribution.
returns = rng.normal(0.0008, 0.01, 500)
sr = returns.mean() / returns.std(ddof=1)
skew = stats.skew(returns)
kurt = stats.kurtosis(returns, fisher=False)
trials, variance = 20, 0.002
g = 0.5772156649015329
sr0 = math.sqrt(variance) * ((1 - g) * stats.norm.ppf(1 - 1 / trials) + g * stats.norm.ppf(1 - 1 / (trials * math.e)))
dsr = stats.norm.cdf((sr - sr0) * math.sqrt(len(returns) - 1) / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr ** 2))
psr0 = stats.norm.cdf((sr - 0) * math.sqrt(len(returns) - 1) / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr ** 2))

distributions = {
    "t_two_sided": [{"t": t, "df": df, "p": float(2 * stats.t.sf(abs(t), df))} for t, df in [(0.5, 3), (2.1, 10), (-3.7, 29), (1.96, 1000), (8.0, 5)]],
    "normal_cdf": [{"x": x, "p": float(stats.norm.cdf(x))} for x in [-8, -3.2, -1, -0.3, 0, 0.7, 2.5, 6]],
    "normal_quantile": [{"p": p, "x": float(stats.norm.ppf(p))} for p in [1e-10, 0.001, 0.02, 0.3, 0.5, 0.9, 0.975, 0.9999]],
    "log_gamma": [{"x": x, "y": float(special.gammaln(x))} for x in [0.1, 0.5, 1, 2.5, 10, 123.4]],
}

out = {
    "scipy": __import__("scipy").__version__,
    "cases": cases,
    "deflated": {"returns": returns.tolist(), "trials": trials, "variance": variance, "sr0": sr0, "dsr": float(dsr), "psr0": float(psr0)},
    "distributions": distributions,
}
with open("test/fixtures/statistics/reference.json", "w") as f:
    json.dump(out, f)
print("wrote test/fixtures/statistics/reference.json")
