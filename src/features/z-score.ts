/**
 * One-pass causal z-score: z_t = (x_t - mean_t) / (std_t + 1e-9) where mean_t and std_t (ddof 1) are
 * taken over the observations among the last `window` bars (window = Infinity: all bars so far).
 *
 * Not pandas' algorithm (that one needs three separate passes and four divisions per bar), but its
 * numbers to ~1e-12 relative, verified against pandas' rolling/expanding mean and std in
 * normalize.test.ts: a Welford mean/M2 with a single-division update when one value replaces
 * another, recomputed from the window (one pass of deviations from the running mean) every
 * 4 windows so rounding error cannot drift; and pandas' rule that a window of identical values has exactly that mean and std 0.
 */
import { NORMALIZATION_EPSILON } from './normalize-constants.js';

/** Re-anchor every this many windows: often enough to bound drift, rare enough to cost little. */
const ANCHOR_PERIOD_IN_WINDOWS = 4;

/** Rolling (or expanding, window = Infinity) z-score of x into out; non-finite x are missing and give NaN. */
export function rollingZScoreInto(out: Float64Array, x: ArrayLike<number>, window: number, minPeriods: number): Float64Array {
  const n = x.length;
  const rolling = window !== Number.POSITIVE_INFINITY;
  let nobs = 0;
  let mean = 0;
  let m2 = 0;
  let sameCount = 0;
  let previous = Number.NaN;
  // 1/nobs and 1/(nobs - 1), recomputed only when nobs changes: divisions dominated the loop.
  let cachedCount = -1;
  let inverseCount = 0;
  let inverseDegrees = 0;
  // Counts down to the next re-anchoring (a modulo per bar cost more than the update itself).
  const anchorPeriod = window * ANCHOR_PERIOD_IN_WINDOWS;
  let untilAnchor = anchorPeriod;
  for (let i = 0; i < n; i++) {
    const value = x[i]!;
    const observed = value - value === 0;
    const old = rolling && i >= window ? x[i - window]! : Number.NaN;
    const oldObserved = old - old === 0;
    if (observed && oldObserved) {
      const delta = value - old;
      if (nobs !== cachedCount) { cachedCount = nobs; inverseCount = 1 / nobs; inverseDegrees = 1 / (nobs - 1); }
      const nextMean = mean + delta * inverseCount;
      m2 += delta * (value - nextMean + old - mean);
      mean = nextMean;
    } else {
      if (oldObserved) {
        nobs--;
        if (nobs === 0) { mean = 0; m2 = 0; } else {
          const delta = old - mean;
          mean -= delta / nobs;
          m2 -= delta * (old - mean);
        }
      }
      if (observed) {
        nobs++;
        const delta = value - mean;
        mean += delta / nobs;
        m2 += delta * (value - mean);
      }
    }
    if (observed) {
      if (value === previous) sameCount++;
      else sameCount = 1;
      previous = value;
    }
    if (rolling && --untilAnchor === 0) {
      untilAnchor = anchorPeriod;
      // Re-anchor: statistics of the current window recomputed in one pass, shifted by the running
      // mean (sums of small deviations, so no cancellation), which resets accumulated rounding.
      const shift = mean;
      let count = 0;
      let sum = 0;
      let squares = 0;
      for (let j = i - window + 1; j <= i; j++) {
        const d = x[j]! - shift;
        if (d - d === 0) { count++; sum += d; squares += d * d; }
      }
      const offset = count > 0 ? sum / count : 0;
      mean = shift + offset;
      m2 = squares - sum * offset;
      nobs = count;
    }
    if (observed && nobs >= minPeriods && nobs > 1) {
      if (sameCount >= nobs) {
        out[i] = (value - previous) / NORMALIZATION_EPSILON;
      } else {
        if (nobs !== cachedCount) { cachedCount = nobs; inverseCount = 1 / nobs; inverseDegrees = 1 / (nobs - 1); }
        const variance = m2 * inverseDegrees;
        out[i] = (value - mean) / ((variance > 0 ? Math.sqrt(variance) : 0) + NORMALIZATION_EPSILON);
      }
    } else {
      out[i] = Number.NaN;
    }
  }
  return out;
}

/** Streaming rollingZScoreInto: the same operations in the same order, one value per update. */
export class ZScoreState {
  private readonly ring: Float64Array;
  private readonly rolling: boolean;
  private count = 0;
  private nobs = 0;
  private mean = 0;
  private m2 = 0;
  private sameCount = 0;
  private previous = Number.NaN;
  private cachedCount = -1;
  private inverseCount = 0;
  private inverseDegrees = 0;

  constructor(readonly window: number, readonly minPeriods: number) {
    this.rolling = window !== Number.POSITIVE_INFINITY;
    this.ring = new Float64Array(this.rolling ? window : 0);
  }

  reset(): void {
    this.count = this.nobs = this.sameCount = 0;
    this.mean = this.m2 = 0;
    this.previous = Number.NaN;
    this.cachedCount = -1;
  }

  private cacheInverses(): void {
    if (this.nobs !== this.cachedCount) {
      this.cachedCount = this.nobs;
      this.inverseCount = 1 / this.nobs;
      this.inverseDegrees = 1 / (this.nobs - 1);
    }
  }

  update(value: number): number {
    const i = this.count;
    const window = this.window;
    const observed = value - value === 0;
    let old = Number.NaN;
    if (this.rolling) {
      const slot = i % window;
      if (i >= window) old = this.ring[slot]!;
      this.ring[slot] = value;
    }
    this.count++;
    const oldObserved = old - old === 0;
    if (observed && oldObserved) {
      const delta = value - old;
      this.cacheInverses();
      const nextMean = this.mean + delta * this.inverseCount;
      this.m2 += delta * (value - nextMean + old - this.mean);
      this.mean = nextMean;
    } else {
      if (oldObserved) {
        this.nobs--;
        if (this.nobs === 0) { this.mean = 0; this.m2 = 0; } else {
          const delta = old - this.mean;
          this.mean -= delta / this.nobs;
          this.m2 -= delta * (old - this.mean);
        }
      }
      if (observed) {
        this.nobs++;
        const delta = value - this.mean;
        this.mean += delta / this.nobs;
        this.m2 += delta * (value - this.mean);
      }
    }
    if (observed) {
      if (value === this.previous) this.sameCount++;
      else this.sameCount = 1;
      this.previous = value;
    }
    if (this.rolling && (i + 1) % (window * ANCHOR_PERIOD_IN_WINDOWS) === 0) {
      // Slot of bar j is j % window; bar i - window + 1 sits at slot (i + 1) % window = 0, so the
      // ring is summed oldest first, in the batch kernel's order.
      const shift = this.mean;
      let count = 0;
      let sum = 0;
      let squares = 0;
      for (let j = 0; j < window; j++) {
        const d = this.ring[j]! - shift;
        if (d - d === 0) { count++; sum += d; squares += d * d; }
      }
      const offset = count > 0 ? sum / count : 0;
      this.mean = shift + offset;
      this.m2 = squares - sum * offset;
      this.nobs = count;
    }
    const nobs = this.nobs;
    if (observed && nobs >= this.minPeriods && nobs > 1) {
      if (this.sameCount >= nobs) return (value - this.previous) / NORMALIZATION_EPSILON;
      this.cacheInverses();
      const variance = this.m2 * this.inverseDegrees;
      return (value - this.mean) / ((variance > 0 ? Math.sqrt(variance) : 0) + NORMALIZATION_EPSILON);
    }
    return Number.NaN;
  }
}
