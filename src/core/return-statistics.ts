/**
 * The return statistics every module shares — one definition each, used by model selection during
 * training and by every report (docs/evaluation.md gives the conventions): per-period returns r_i,
 * P periods per year, rf per year, excess e_i = r_i − rf/P.
 *   sharpe  = mean(e) / std(e, ddof 1) · √P
 *   sortino = mean(e)·P / (√mean(min(e, 0)²) · √P)
 *   max drawdown = max_t (peak_t − V_t)/peak_t
 * Degenerate input (fewer than 2 returns, zero variance) gives NaN or ±Infinity, never a throw.
 */

/** Mean of x − shift (NaN when empty). */
export function meanOf(x: ArrayLike<number>, shift = 0): number {
  if (x.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! - shift;
  return sum / x.length;
}

/** Sample standard deviation (ddof 1) of x − shift (NaN with fewer than 2 values). */
export function stdOf(x: ArrayLike<number>, shift = 0): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const m = meanOf(x, shift);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - shift - m;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

/** Annualised Sharpe ratio of per-period returns (ddof 1; NaN for fewer than 2 returns or zero variance with zero mean). */
export function sharpeRatio(returns: ArrayLike<number>, periodsPerYear = 252, riskFree = 0): number {
  const rfPeriod = riskFree / periodsPerYear;
  return (meanOf(returns, rfPeriod) / stdOf(returns, rfPeriod)) * Math.sqrt(periodsPerYear);
}

/** Annualised Sortino ratio of per-period returns: downside deviation over all periods, target rf. */
export function sortinoRatio(returns: ArrayLike<number>, periodsPerYear = 252, riskFree = 0): number {
  const n = returns.length;
  const rfPeriod = riskFree / periodsPerYear;
  let downsideSquares = 0;
  for (let i = 0; i < n; i++) {
    const e = returns[i]! - rfPeriod;
    if (e < 0) downsideSquares += e * e;
  }
  const downsideDeviation = n === 0 ? Number.NaN : Math.sqrt(downsideSquares / n);
  return (meanOf(returns, rfPeriod) * periodsPerYear) / (downsideDeviation * Math.sqrt(periodsPerYear));
}

/** Maximum drawdown of an equity curve as a positive fraction of the running peak. */
export function maxDrawdown(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let peak = values[0]!;
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > peak) peak = v;
    const drawdown = (peak - v) / peak;
    if (drawdown > worst) worst = drawdown;
  }
  return worst;
}

/** Whether a candidate score beats the best so far: NaN never wins, and anything beats no score or NaN. */
export function isBetterScore(candidate: number, best: number | null): boolean {
  if (Number.isNaN(candidate)) return false;
  return best === null || Number.isNaN(best) || candidate > best;
}
