/**
 * The portfolio accounting every environment and the `simulate` command share. Conventions (see
 * docs/environments.md):
 * - weights are fractions of the portfolio value V, shorts negative, cash = 1 − Σw;
 * - a rebalance at bar t's close trades Σ|w* − w|·V of notional (V before costs) and pays
 *   traded·(tradingCost + slippage); the target weights then apply to the post-cost value;
 * - from t to t+1 each position earns r = close[t+1]/close[t] − 1, cash earns cashRate per period and
 *   short notional pays borrowCost per period; weights drift: w' = w(1 + r)/(1 + R_p).
 */

/** Turnover Σ|target − current| (a fraction of the portfolio value). */
export function turnoverOf(current: ArrayLike<number>, target: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < target.length; i++) sum += Math.abs(target[i]! - current[i]!);
  return sum;
}

/**
 * Advance the weights from bar t to t+1 over `close` laid out `[time × asset]`: writes the
 * portfolio's gross return R_p (before any trading cost) into `out[0]` and drifts `weights` in
 * place. When 1 + R_p ≤ 0 the account is wiped out and the weights are set to zero. (The result
 * goes through `out` because V8 boxes a double returned from a call it does not inline.)
 */
export function advanceWeightsInto(
  out: Float64Array,
  weights: Float64Array,
  close: Float64Array,
  t: number,
  nAssets: number,
  cashRatePerPeriod: number,
  borrowRatePerPeriod: number,
): void {
  const base = t * nAssets;
  const next = base + nAssets;
  let invested = 0;
  let assetReturn = 0;
  let shortNotional = 0;
  for (let a = 0; a < nAssets; a++) {
    const w = weights[a]!;
    if (w === 0) continue;
    invested += w;
    assetReturn += w * (close[next + a]! / close[base + a]! - 1);
    if (w < 0) shortNotional -= w;
  }
  const portfolioReturn = assetReturn + (1 - invested) * cashRatePerPeriod - shortNotional * borrowRatePerPeriod;
  const growth = 1 + portfolioReturn;
  out[0] = portfolioReturn;
  if (growth <= 0) {
    weights.fill(0);
    return;
  }
  for (let a = 0; a < nAssets; a++) {
    const w = weights[a]!;
    if (w !== 0) weights[a] = (w * (close[next + a]! / close[base + a]!)) / growth;
  }
}
