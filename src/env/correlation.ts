/**
 * Causal rolling correlation of close-to-close returns between every pair of assets (4.3). The
 * value for bar t uses the `window` returns ending at t (prices t−window .. t, as the
 * specification's `iloc[idx − lookback : idx + 1]`), so it depends on data up to t only, and it is
 * computed exactly from that window — never from running sums — so it does not depend on the path
 * that reached t. Results are cached per bar (upper triangle) and shared by every environment on
 * the same market, so a bar's matrix is computed once per dataset.
 *
 * Conventions: fewer than 2 returns → identity; an asset with zero variance in the window has
 * correlation 0 with every other asset (numpy gives NaN); the diagonal is 1.
 */
export class RollingCorrelation {
  readonly nAssets: number;
  readonly nBars: number;
  readonly pairCount: number;
  private readonly returns: Float64Array;
  private readonly cache: Float64Array | null;
  private readonly cached: Uint8Array | null;
  private readonly scratch: Float64Array;
  private readonly centered: Float64Array;
  private readonly norms: Float64Array;

  /** `close` is `[time × asset]`; cacheLimit bounds the cache in float64 entries (default 8M = 64 MB). */
  constructor(close: Float64Array, nAssets: number, readonly window: number, cacheLimit = 8_000_000) {
    this.nAssets = nAssets;
    this.nBars = close.length / nAssets;
    this.pairCount = (nAssets * (nAssets - 1)) / 2;
    this.returns = new Float64Array(close.length);
    for (let t = 1; t < this.nBars; t++) {
      for (let a = 0; a < nAssets; a++) this.returns[t * nAssets + a] = close[t * nAssets + a]! / close[(t - 1) * nAssets + a]! - 1;
    }
    const entries = this.nBars * this.pairCount;
    this.cache = entries <= cacheLimit ? new Float64Array(entries) : null;
    this.cached = this.cache ? new Uint8Array(this.nBars) : null;
    this.scratch = new Float64Array(this.pairCount);
    this.centered = new Float64Array(window * nAssets);
    this.norms = new Float64Array(nAssets);
    this.source = this.cache ?? this.scratch;
  }

  /** The array holding bar t's upper triangle (row-major, a < b) after `ensure`. */
  private source: Float64Array;

  /**
   * Make bar t's upper triangle available; returns its offset in `pairs` (no allocation:
   * callers read `pairs` at that offset).
   */
  ensure(t: number): number {
    if (this.cache) {
      this.source = this.cache;
      const offset = t * this.pairCount;
      if (!this.cached![t]) {
        this.computeInto(this.cache, offset, t);
        this.cached![t] = 1;
      }
      return offset;
    }
    this.source = this.scratch;
    this.computeInto(this.scratch, 0, t);
    return 0;
  }

  /** The array `ensure` pointed at. */
  get pairs(): Float64Array {
    return this.source;
  }

  /** Write the full A×A matrix for bar t into out at offset. */
  matrixInto(out: Float64Array, offset: number, t: number): void {
    let k = this.ensure(t);
    const pairs = this.source;
    const n = this.nAssets;
    for (let a = 0; a < n; a++) {
      out[offset + a * n + a] = 1;
      for (let b = a + 1; b < n; b++) {
        const rho = pairs[k++]!;
        out[offset + a * n + b] = rho;
        out[offset + b * n + a] = rho;
      }
    }
  }

  /** Σ_{a≠b} w_a w_b ρ_ab at bar t (twice the upper-triangle sum), written into out[0]. */
  crossExposureInto(out: Float64Array, weights: ArrayLike<number>, t: number): void {
    let k = this.ensure(t);
    const pairs = this.source;
    const n = this.nAssets;
    let sum = 0;
    for (let a = 0; a < n; a++) {
      const wa = weights[a]!;
      if (wa === 0) {
        k += n - a - 1;
        continue;
      }
      for (let b = a + 1; b < n; b++) sum += wa * weights[b]! * pairs[k++]!;
    }
    out[0] = 2 * sum;
  }

  private computeInto(out: Float64Array, offset: number, t: number): void {
    const n = this.nAssets;
    const first = Math.max(1, t - this.window + 1);
    const count = t - first + 1;
    if (count < 2) {
      out.fill(0, offset, offset + this.pairCount);
      return;
    }
    const centered = this.centered;
    for (let a = 0; a < n; a++) {
      let mean = 0;
      for (let s = first; s <= t; s++) mean += this.returns[s * n + a]!;
      mean /= count;
      let ss = 0;
      for (let s = first, i = 0; s <= t; s++, i++) {
        const d = this.returns[s * n + a]! - mean;
        centered[a * this.window + i] = d;
        ss += d * d;
      }
      this.norms[a] = Math.sqrt(ss);
    }
    let k = offset;
    for (let a = 0; a < n; a++) {
      const na = this.norms[a]!;
      const offsetA = a * this.window;
      for (let b = a + 1; b < n; b++) {
        const nb = this.norms[b]!;
        if (na === 0 || nb === 0) {
          out[k++] = 0;
          continue;
        }
        const offsetB = b * this.window;
        let dot = 0;
        for (let i = 0; i < count; i++) dot += centered[offsetA + i]! * centered[offsetB + i]!;
        const rho = dot / (na * nb);
        out[k++] = rho > 1 ? 1 : rho < -1 ? -1 : rho;
      }
    }
  }
}
