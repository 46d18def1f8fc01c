/**
 * Volatility-scaled returns: the policy input quant researchers reach for first (time-series momentum,
 * short-term reversal, cross-asset lead–lag and volatility regimes are each a linear function of them),
 * as a compact alternative to the specification's indicators. Per asset, at bar t, from closes ≤ t:
 *
 *   r_t        = ln(close_t / close_{t−1})                       (one bar's log return)
 *   σ_t        = √( mean_{k<60} r_{t−k}² )                         (60-bar root-mean-square return)
 *   ret_h      = ( Σ_{k<h} r_{t−k} ) / (σ_t·√h),  h ∈ {1, 5, 20, 60}   (a z-score under a random walk)
 *   vol_ratio  = √( mean_{k<20} r_{t−k}² ) / √( mean_{k<250} r_{t−k}² ) − 1   (volatility against its year)
 *
 * The returns are scale-free (each asset in units of its own volatility); `vol_ratio` says whether
 * that volatility is high for the asset — a regime the scaled returns alone cannot show. NaN until
 * 250 returns exist (bar 250, beyond the indicators' 200-bar warm-up). The root mean square rather than the standard deviation keeps a
 * drift in the scale (a steady trend is not divided by a tiny σ). One implementation, bar by bar
 * (`ReturnFeatureState`): the batch columns are the stream's values, so streaming equals batch exactly.
 */

/** The columns, in order. */
export const RETURN_FEATURE_NAMES = ['ret_1', 'ret_5', 'ret_20', 'ret_60', 'vol_ratio'] as const;
export type ReturnFeatureName = (typeof RETURN_FEATURE_NAMES)[number];

/** Returns kept (the longest window), the volatility scale's window, and the horizons of the return columns. */
export const RETURN_FEATURE_WINDOW = 250;
const SCALE_WINDOW = 60;
const SHORT_WINDOW = 20;
const HORIZONS = [1, 5, 20, 60] as const;

/** The return features of one asset, one close at a time: `update(close)` returns the reused row. */
export class ReturnFeatureState {
  readonly names: readonly string[] = RETURN_FEATURE_NAMES;
  /** The latest row (RETURN_FEATURE_NAMES order); overwritten by each update. */
  readonly values = new Float64Array(RETURN_FEATURE_NAMES.length);
  /** The last RETURN_FEATURE_WINDOW log returns, newest at `(count − 1) % window`. */
  private readonly returns = new Float64Array(RETURN_FEATURE_WINDOW);
  private count = 0;
  private previousClose = Number.NaN;

  /** Forget every close. */
  reset(): void {
    this.count = 0;
    this.previousClose = Number.NaN;
    this.returns.fill(0);
    this.values.fill(0);
  }

  /** Consume the next close; returns `values`. */
  update(close: number): Float64Array {
    const out = this.values;
    const previous = this.previousClose;
    this.previousClose = close;
    if (previous !== previous) {
      out.fill(Number.NaN);
      return out;
    }
    const window = RETURN_FEATURE_WINDOW;
    this.returns[this.count % window] = Math.log(close / previous);
    this.count++;
    if (this.count < window) {
      out.fill(Number.NaN);
      return out;
    }
    // Newest first: k = 0 is this bar's return. Sums in that order, the same for every bar.
    let sum = 0;
    let squares = 0;
    let shortSquares = 0;
    let scaleSquares = 0;
    let horizon = 0;
    for (let k = 0; k < window; k++) {
      const r = this.returns[(this.count - 1 - k + window) % window]!;
      squares += r * r;
      if (k < SHORT_WINDOW) shortSquares = squares;
      if (k < SCALE_WINDOW) {
        sum += r;
        scaleSquares = squares;
        if (k + 1 === HORIZONS[horizon]) {
          out[horizon] = sum / Math.sqrt(HORIZONS[horizon]!);
          horizon++;
        }
      }
    }
    const scale = Math.sqrt(scaleSquares / SCALE_WINDOW);
    const year = Math.sqrt(squares / window);
    // A constant price has no scale: its returns carry no information (0, not ±Infinity).
    for (let h = 0; h < HORIZONS.length; h++) out[h] = scale > 0 ? out[h]! / scale : 0;
    out[HORIZONS.length] = year > 0 ? Math.sqrt(shortSquares / SHORT_WINDOW) / year - 1 : 0;
    return out;
  }
}

/** The return-feature columns of one asset's closes (each of length closes.length). */
export function computeReturnFeatures(close: ArrayLike<number>): { names: string[]; columns: Float64Array[] } {
  const n = close.length;
  const columns = RETURN_FEATURE_NAMES.map(() => new Float64Array(n));
  const state = new ReturnFeatureState();
  for (let t = 0; t < n; t++) {
    const row = state.update(close[t]!);
    for (let f = 0; f < columns.length; f++) columns[f]![t] = row[f]!;
  }
  return { names: [...RETURN_FEATURE_NAMES], columns };
}
