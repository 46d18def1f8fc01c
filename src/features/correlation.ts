/**
 * Correlation between assets (architecture.md 7.3) of close-price returns and of volume changes.
 * The specification computes one full-sample matrix, which used on a whole series looks ahead; the
 * rolling form here uses, at bar t, only the changes of bars (t - window, t].
 *
 * Changes are pandas' `pct_change` without filling: value[t] / value[t-1] - 1. A change that is not
 * finite (the first bar, a division by a zero volume: x/0 = inf, 0/0 = NaN) is a missing value, and
 * each pair of assets uses the bars where both changes are present (pandas' pairwise-complete
 * `DataFrame.corr`). A pair with fewer than `minPeriods` common values, or with zero variance, is NaN.
 */
import { invalidArgument } from '../core/errors.js';
import type { MarketData } from '../data/types.js';

/** Default minimum number of common observations for a correlation (pandas' corr needs 2). */
export const DEFAULT_CORRELATION_MIN_PERIODS = 2;

/** Percent changes of a `[time × asset]` field into `out` (same layout); missing changes are NaN. */
export function percentChangeInto(out: Float64Array, values: Float64Array, assetCount: number): Float64Array {
  requireLayout(values, assetCount);
  if (out.length !== values.length) throw invalidArgument(`percentChangeInto: output has ${out.length} cells, input ${values.length}`);
  const times = values.length / assetCount;
  for (let a = 0; a < assetCount && times > 0; a++) out[a] = Number.NaN;
  for (let t = 1; t < times; t++) {
    const row = t * assetCount;
    for (let a = 0; a < assetCount; a++) {
      const change = values[row + a]! / values[row - assetCount + a]! - 1;
      out[row + a] = change - change === 0 ? change : Number.NaN;
    }
  }
  return out;
}

/** Close-to-close returns of every asset, `[time × asset]`. */
export function priceChanges(market: MarketData): Float64Array {
  return percentChangeInto(new Float64Array(market.close.length), market.close, market.symbols.length);
}

/** Volume changes of every asset, `[time × asset]` (changes from a zero volume are missing). */
export function volumeChanges(market: MarketData): Float64Array {
  return percentChangeInto(new Float64Array(market.volume.length), market.volume, market.symbols.length);
}

function requireLayout(values: Float64Array, assetCount: number): void {
  if (!Number.isInteger(assetCount) || assetCount < 1 || values.length % assetCount !== 0) {
    throw invalidArgument(`a [time × asset] matrix of ${values.length} cells cannot hold ${assetCount} assets`);
  }
}

/**
 * Pearson correlation of every asset pair over rows [start, end) of a change matrix, written into
 * `out` (`[asset × asset]`, row-major). Pairwise complete; allocates nothing.
 */
export function correlationOverRowsInto(out: Float64Array, changes: Float64Array, assetCount: number, start: number, end: number, minPeriods = DEFAULT_CORRELATION_MIN_PERIODS): Float64Array {
  if (out.length < assetCount * assetCount) throw invalidArgument(`correlation output needs ${assetCount * assetCount} cells, got ${out.length}`);
  for (let i = 0; i < assetCount; i++) {
    for (let j = i; j < assetCount; j++) {
      let count = 0;
      let sumX = 0;
      let sumY = 0;
      for (let t = start; t < end; t++) {
        const x = changes[t * assetCount + i]!;
        const y = changes[t * assetCount + j]!;
        if (x === x && y === y) { count++; sumX += x; sumY += y; }
      }
      let result = Number.NaN;
      if (count >= minPeriods && count > 1) {
        const meanX = sumX / count;
        const meanY = sumY / count;
        let sxx = 0;
        let syy = 0;
        let sxy = 0;
        for (let t = start; t < end; t++) {
          const x = changes[t * assetCount + i]!;
          const y = changes[t * assetCount + j]!;
          if (x === x && y === y) {
            const dx = x - meanX;
            const dy = y - meanY;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
          }
        }
        const divisor = Math.sqrt(sxx * syy);
        if (divisor !== 0) result = sxy / divisor;
      }
      out[i * assetCount + j] = result;
      out[j * assetCount + i] = result;
    }
  }
  return out;
}

/**
 * Correlation matrix at bar t from the changes of bars (t - window, t] only — causal, for use at
 * every environment step. `out` holds `[asset × asset]`; nothing is allocated.
 */
export function rollingCorrelationInto(out: Float64Array, changes: Float64Array, assetCount: number, t: number, window: number, minPeriods = DEFAULT_CORRELATION_MIN_PERIODS): Float64Array {
  requireLayout(changes, assetCount);
  const times = changes.length / assetCount;
  if (!Number.isInteger(t) || t < 0 || t >= times) throw invalidArgument(`bar ${t} is outside 0..${times - 1}`);
  if (!Number.isInteger(window) || window < 2) throw invalidArgument(`correlation window must be an integer >= 2, got ${window}`);
  const start = t - window + 1;
  return correlationOverRowsInto(out, changes, assetCount, start < 0 ? 0 : start, t + 1, minPeriods);
}

/** rollingCorrelationInto for every bar: `[time × asset × asset]`. */
export function rollingCorrelation(changes: Float64Array, assetCount: number, window: number, minPeriods = DEFAULT_CORRELATION_MIN_PERIODS): Float64Array {
  requireLayout(changes, assetCount);
  const times = changes.length / assetCount;
  const cells = assetCount * assetCount;
  const out = new Float64Array(times * cells);
  for (let t = 0; t < times; t++) rollingCorrelationInto(out.subarray(t * cells, (t + 1) * cells), changes, assetCount, t, window, minPeriods);
  return out;
}

/**
 * The specification's full-sample correlation over rows [start, end) (default: all). On a whole
 * series every value sees the future; use it on a training slice, or use rollingCorrelationInto.
 */
export function correlationMatrix(changes: Float64Array, assetCount: number, start = 0, end = changes.length / assetCount, minPeriods = DEFAULT_CORRELATION_MIN_PERIODS): Float64Array {
  requireLayout(changes, assetCount);
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= changes.length / assetCount)) {
    throw invalidArgument(`correlation rows [${start}, ${end}) are outside 0..${changes.length / assetCount}`);
  }
  return correlationOverRowsInto(new Float64Array(assetCount * assetCount), changes, assetCount, start, end, minPeriods);
}

/**
 * rollingCorrelationInto straight from a MarketData field (`close` for price returns, `volume` for
 * volume changes): the changes of bars (t - window, t] are computed on the fly, so nothing is
 * allocated and no change matrix is needed. Same numbers as percentChangeInto + rollingCorrelationInto.
 */
export function rollingMarketCorrelationInto(out: Float64Array, market: MarketData, field: 'close' | 'volume', t: number, window: number, minPeriods = DEFAULT_CORRELATION_MIN_PERIODS): Float64Array {
  const assetCount = market.symbols.length;
  const values = market[field];
  requireLayout(values, assetCount);
  const times = values.length / assetCount;
  if (!Number.isInteger(t) || t < 0 || t >= times) throw invalidArgument(`bar ${t} is outside 0..${times - 1}`);
  if (!Number.isInteger(window) || window < 2) throw invalidArgument(`correlation window must be an integer >= 2, got ${window}`);
  if (out.length < assetCount * assetCount) throw invalidArgument(`correlation output needs ${assetCount * assetCount} cells, got ${out.length}`);
  // Row 0 has no change, so the window starts at row 1 at the earliest.
  const start = Math.max(1, t - window + 1);
  for (let i = 0; i < assetCount; i++) {
    for (let j = i; j < assetCount; j++) {
      let count = 0;
      let sumX = 0;
      let sumY = 0;
      for (let s = start; s <= t; s++) {
        const x = values[s * assetCount + i]! / values[(s - 1) * assetCount + i]! - 1;
        const y = values[s * assetCount + j]! / values[(s - 1) * assetCount + j]! - 1;
        if (x - x === 0 && y - y === 0) { count++; sumX += x; sumY += y; }
      }
      let result = Number.NaN;
      if (count >= minPeriods && count > 1) {
        const meanX = sumX / count;
        const meanY = sumY / count;
        let sxx = 0;
        let syy = 0;
        let sxy = 0;
        for (let s = start; s <= t; s++) {
          const x = values[s * assetCount + i]! / values[(s - 1) * assetCount + i]! - 1;
          const y = values[s * assetCount + j]! / values[(s - 1) * assetCount + j]! - 1;
          if (x - x === 0 && y - y === 0) {
            const dx = x - meanX;
            const dy = y - meanY;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
          }
        }
        const divisor = Math.sqrt(sxx * syy);
        if (divisor !== 0) result = sxy / divisor;
      }
      out[i * assetCount + j] = result;
      out[j * assetCount + i] = result;
    }
  }
  return out;
}
