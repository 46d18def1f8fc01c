/**
 * Window kernels that reproduce pandas 1.5 (`pandas/_libs/window/aggregations.pyx`) operation for
 * operation, so our indicators equal the specification's pandas code to the last bits, edge cases
 * included. Each writes into a caller's buffer and allocates nothing per element.
 *
 * pandas quirks replicated on purpose:
 * - rolling/ewm inputs: ±Infinity is turned into NaN before aggregation (`_prep_values`); NaN values
 *   are skipped and not counted towards `min_periods`.
 * - rolling mean: Kahan summation with SEPARATE compensation terms for adds and removes; a window
 *   whose last `nobs` added values were identical returns that value exactly; an all-non-negative
 *   window never returns a negative mean (and vice versa), which removes float residue.
 * - rolling var: Welford with Kahan compensation, ddof, a run of identical values gives exactly 0.
 * - rolling std: sqrt of the variance, negatives clipped to 0.
 * - ewm mean (adjust=True, ignore_na=False, min_periods=max(0,1)): the weighted average is left
 *   untouched when the new value equals it (pandas' guard for constant series).
 */

// An observation is a finite value (`v - v === 0` is false for NaN and ±Infinity); the sign bit test
// `v < 0 || (v === 0 && 1 / v < 0)` is C's signbit. Both are written inline: V8 ran the rolling mean
// 4x slower with them as helper calls.

/**
 * pandas `x.rolling(window, min_periods).mean()`. `window = Infinity` gives `expanding().mean()`.
 * `minPeriods` defaults to the window (pandas' default for an integer window).
 */
export function rollingMeanInto(out: Float64Array, x: ArrayLike<number>, window: number, minPeriods: number = window): Float64Array {
  const n = x.length;
  let nobs = 0;
  let negativeCount = 0;
  let sum = 0;
  let compensationAdd = 0;
  let compensationRemove = 0;
  let sameCount = 0;
  let previous = n > 0 ? x[0]! : Number.NaN;
  const minimum = minPeriods;
  for (let i = 0; i < n; i++) {
    const leaving = i - window;
    if (leaving >= 0) {
      const old = x[leaving]!;
      if ((old - old === 0)) {
        nobs--;
        const y = -old - compensationRemove;
        const t = sum + y;
        compensationRemove = t - sum - y;
        sum = t;
        if ((old < 0 || (old === 0 && 1 / old < 0))) negativeCount--;
      }
    }
    const value = x[i]!;
    if ((value - value === 0)) {
      nobs++;
      const y = value - compensationAdd;
      const t = sum + y;
      compensationAdd = t - sum - y;
      sum = t;
      if ((value < 0 || (value === 0 && 1 / value < 0))) negativeCount++;
      if (value === previous) sameCount++;
      else sameCount = 1;
      previous = value;
    }
    let result: number;
    if (nobs >= minimum && nobs > 0) {
      result = sum / nobs;
      if (sameCount >= nobs) result = previous;
      else if (negativeCount === 0 && result < 0) result = 0;
      else if (negativeCount === nobs && result > 0) result = 0;
    } else {
      result = Number.NaN;
    }
    out[i] = result;
  }
  return out;
}

/** `rolling(n).mean()` with pandas' default min_periods = n: the simple moving average. */
export function smaInto(out: Float64Array, x: ArrayLike<number>, n: number): Float64Array {
  return rollingMeanInto(out, x, n, n);
}

/**
 * pandas `x.rolling(window, min_periods).var(ddof)`; `window = Infinity` gives `expanding().var()`.
 * Online Welford with Kahan compensation, exactly as pandas (not a two-pass per window): the point is
 * bit-level agreement with the specification's numbers, and pandas' form is stable enough for
 * Bollinger widths (verified against pandas on a flat stretch and on real prices).
 */
export function rollingVarianceInto(out: Float64Array, x: ArrayLike<number>, window: number, minPeriods: number = window, ddof = 1): Float64Array {
  const n = x.length;
  const minimum = Math.max(minPeriods, 1);
  let nobs = 0;
  let mean = 0;
  let ssqdm = 0;
  let compensationAdd = 0;
  let compensationRemove = 0;
  let sameCount = 0;
  let previous = n > 0 ? x[0]! : Number.NaN;
  for (let i = 0; i < n; i++) {
    const leaving = i - window;
    if (leaving >= 0) {
      const old = x[leaving]!;
      if ((old - old === 0)) {
        nobs--;
        if (nobs !== 0) {
          const previousMean = mean - compensationRemove;
          const y = old - compensationRemove;
          const t = y - mean;
          compensationRemove = t + mean - y;
          mean = mean - t / nobs;
          ssqdm = ssqdm - (old - previousMean) * (old - mean);
        } else {
          mean = 0;
          ssqdm = 0;
        }
      }
    }
    const value = x[i]!;
    if ((value - value === 0)) {
      nobs++;
      if (value === previous) sameCount++;
      else sameCount = 1;
      previous = value;
      const previousMean = mean - compensationAdd;
      const y = value - compensationAdd;
      const t = y - mean;
      compensationAdd = t + mean - y;
      mean = mean + t / nobs;
      ssqdm = ssqdm + (value - previousMean) * (value - mean);
    }
    if (nobs >= minimum && nobs > ddof) {
      out[i] = nobs === 1 || sameCount >= nobs ? 0 : ssqdm / (nobs - ddof);
    } else {
      out[i] = Number.NaN;
    }
  }
  return out;
}

/** pandas `x.rolling(window, min_periods).std(ddof)`: sqrt of the variance, negatives clipped to 0. */
export function rollingStdInto(out: Float64Array, x: ArrayLike<number>, window: number, minPeriods: number = window, ddof = 1): Float64Array {
  rollingVarianceInto(out, x, window, minPeriods, ddof);
  for (let i = 0; i < out.length; i++) {
    const variance = out[i]!;
    out[i] = variance < 0 ? 0 : Math.sqrt(variance);
  }
  return out;
}

/**
 * pandas `x.rolling(window, min_periods).max()` (or `.min()` with `isMax = false`): NaN skipped,
 * NaN output when fewer than `minPeriods` observations are in the window.
 */
export function rollingExtremumInto(out: Float64Array, x: ArrayLike<number>, window: number, isMax: boolean, minPeriods: number = window): Float64Array {
  const n = x.length;
  let nobs = 0;
  // Index of the current extremum inside the window (-1: none); rescanned only when it leaves.
  let best = -1;
  for (let i = 0; i < n; i++) {
    const start = i - window + 1;
    const low = start < 0 ? 0 : start;
    if (start > 0) {
      const old = x[start - 1]!;
      if (old - old === 0) nobs--;
    }
    const value = x[i]!;
    const observed = (value - value === 0);
    if (observed) nobs++;
    if (best < low) best = rescan(x, low, i, isMax);
    else if (observed && (isMax ? value >= x[best]! : value <= x[best]!)) best = i;
    out[i] = nobs >= minPeriods && nobs > 0 && best >= 0 ? x[best]! : Number.NaN;
  }
  return out;
}

function rescan(x: ArrayLike<number>, from: number, to: number, isMax: boolean): number {
  let best = -1;
  for (let j = from; j <= to; j++) {
    const value = x[j]!;
    if (!(value - value === 0)) continue;
    if (best < 0 || (isMax ? value >= x[best]! : value <= x[best]!)) best = j;
  }
  return best;
}

/** Center of mass pandas derives from `span`, converted to alpha the way pandas does. */
export function ewmAlphaFromSpan(span: number): number {
  const centerOfMass = (span - 1) / 2;
  return 1 / (1 + centerOfMass);
}

/**
 * pandas `x.ewm(span).mean()` with its defaults (adjust=True, ignore_na=False, min_periods=0):
 * a value from the first observation on; leading NaN stay NaN; a NaN inside decays the old weight.
 */
export function ewmMeanInto(out: Float64Array, x: ArrayLike<number>, span: number): Float64Array {
  const n = x.length;
  if (n === 0) return out;
  const oldWeightFactor = 1 - ewmAlphaFromSpan(span);
  let weighted = x[0]!;
  if (!(weighted - weighted === 0)) weighted = Number.NaN;
  let observations = weighted === weighted ? 1 : 0;
  out[0] = observations >= 1 ? weighted : Number.NaN;
  let oldWeight = 1;
  for (let i = 1; i < n; i++) {
    let current = x[i]!;
    const isObs = (current - current === 0);
    if (!isObs) current = Number.NaN;
    if (isObs) observations++;
    if (weighted === weighted) {
      oldWeight *= oldWeightFactor;
      if (isObs) {
        if (weighted !== current) {
          weighted = oldWeight * weighted + current;
          weighted /= oldWeight + 1;
        }
        oldWeight += 1;
      }
    } else if (isObs) {
      weighted = current;
    }
    out[i] = observations >= 1 ? weighted : Number.NaN;
  }
  return out;
}

/** Series.cumsum() with skipna: NaN positions stay NaN, the running sum continues past them. */
export function cumulativeSumInto(out: Float64Array, x: ArrayLike<number>): Float64Array {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const value = x[i]!;
    if (value === value) {
      sum += value;
      out[i] = sum;
    } else {
      // pandas masks NaN to 0 before np.cumsum, then restores the NaN.
      out[i] = Number.NaN;
    }
  }
  return out;
}
