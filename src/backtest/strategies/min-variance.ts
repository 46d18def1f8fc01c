/**
 * Minimum-variance portfolio from a rolling covariance of daily returns: on each rebalance at bar t
 * the sample covariance (ddof 1) of the `lookback` returns ending at t's close is (optionally)
 * shrunk towards its diagonal, and the fully invested portfolio minimising wᵀΣw is held —
 * long-only (w ≥ 0, Σw = 1, solved by accelerated projected gradient) or unconstrained
 * (w ∝ Σ⁻¹1, by Cholesky). The walk-forward `fit` estimates Σ once on the training slice instead.
 */
import { invalidArgument } from '../../core/errors.js';
import type { MarketData } from '../../data/types.js';
import type { Strategy } from '../types.js';
import { emptyTargets, positiveInteger, rebalanceMask, type RebalanceSchedule } from './schedule.js';

export interface MinVarianceOptions {
  /** Returns in the covariance window; default 252. */
  lookback?: number;
  rebalance?: RebalanceSchedule;
  /** Long-only (default) or unconstrained weights. */
  longOnly?: boolean;
  /** Shrinkage δ towards the diagonal: Σ' = (1 − δ)Σ + δ·diag(Σ); default 0. */
  shrinkage?: number;
}

/** Sample covariance (ddof 1) of the close-to-close returns of bars from+1..to (inclusive), `[asset × asset]`. */
export function returnCovariance(market: MarketData, from: number, to: number): Float64Array {
  const n = market.symbols.length;
  const count = to - from;
  if (count < 2) throw invalidArgument(`a covariance needs at least 2 returns, got ${count}`);
  const returns = new Float64Array(count * n);
  const mean = new Float64Array(n);
  for (let s = 0; s < count; s++) {
    const t = from + 1 + s;
    for (let a = 0; a < n; a++) {
      const r = market.close[t * n + a]! / market.close[(t - 1) * n + a]! - 1;
      returns[s * n + a] = r;
      mean[a] += r;
    }
  }
  for (let a = 0; a < n; a++) mean[a] /= count;
  const covariance = new Float64Array(n * n);
  for (let s = 0; s < count; s++) {
    for (let a = 0; a < n; a++) {
      const da = returns[s * n + a]! - mean[a]!;
      for (let b = a; b < n; b++) covariance[a * n + b] += da * (returns[s * n + b]! - mean[b]!);
    }
  }
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      const v = covariance[a * n + b]! / (count - 1);
      covariance[a * n + b] = v;
      covariance[b * n + a] = v;
    }
  }
  return covariance;
}

/** Euclidean projection of v onto the simplex {w ≥ 0, Σw = 1} (Duchi et al., 2008), in place. */
export function projectOntoSimplex(v: Float64Array): Float64Array {
  const n = v.length;
  const sorted = Float64Array.from(v).sort().reverse();
  let cumulative = 0;
  let theta = 0;
  for (let k = 0; k < n; k++) {
    cumulative += sorted[k]!;
    const candidate = (cumulative - 1) / (k + 1);
    if (sorted[k]! - candidate > 0) theta = candidate;
  }
  for (let i = 0; i < n; i++) v[i] = Math.max(0, v[i]! - theta);
  return v;
}

function multiply(out: Float64Array, matrix: Float64Array, x: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += matrix[i * n + j]! * x[j]!;
    out[i] = sum;
  }
}

/** Long-only minimum variance: min wᵀΣw over the simplex, by FISTA with step 1/(2λ_max). */
export function minVarianceLongOnly(covariance: Float64Array, n: number, iterations = 2000, tolerance = 1e-13): Float64Array {
  // λ_max by power iteration (Σ is symmetric positive semi-definite).
  const vector = new Float64Array(n).fill(1 / Math.sqrt(n));
  const product = new Float64Array(n);
  let lambda = 0;
  for (let k = 0; k < 100; k++) {
    multiply(product, covariance, vector, n);
    let norm = 0;
    for (let i = 0; i < n; i++) norm += product[i]! * product[i]!;
    norm = Math.sqrt(norm);
    if (norm === 0) break;
    for (let i = 0; i < n; i++) vector[i] = product[i]! / norm;
    if (Math.abs(norm - lambda) <= 1e-12 * norm) {
      lambda = norm;
      break;
    }
    lambda = norm;
  }
  const w = new Float64Array(n).fill(1 / n);
  if (!(lambda > 0)) return w;
  const step = 1 / (2 * lambda * 1.01);
  const y = Float64Array.from(w);
  const previous = new Float64Array(n);
  const gradient = new Float64Array(n);
  let momentum = 1;
  for (let k = 0; k < iterations; k++) {
    previous.set(w);
    multiply(gradient, covariance, y, n);
    for (let i = 0; i < n; i++) w[i] = y[i]! - step * 2 * gradient[i]!;
    projectOntoSimplex(w);
    const next = (1 + Math.sqrt(1 + 4 * momentum * momentum)) / 2;
    let change = 0;
    for (let i = 0; i < n; i++) {
      const d = w[i]! - previous[i]!;
      change += d * d;
      y[i] = w[i]! + ((momentum - 1) / next) * d;
    }
    momentum = next;
    if (change < tolerance * tolerance) break;
  }
  return w;
}

/** Unconstrained minimum variance w = Σ⁻¹1 / 1ᵀΣ⁻¹1 (Cholesky; a tiny ridge if Σ is singular). */
export function minVarianceUnconstrained(covariance: Float64Array, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += covariance[i * n + i]!;
  for (let ridge = 0; ; ridge = ridge === 0 ? 1e-10 * (trace / n || 1) : ridge * 10) {
    const lower = new Float64Array(n * n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = covariance[i * n + j]! + (i === j ? ridge : 0);
        for (let k = 0; k < j; k++) sum -= lower[i * n + k]! * lower[j * n + k]!;
        if (i === j) {
          if (!(sum > 0)) {
            ok = false;
            break;
          }
          lower[i * n + i] = Math.sqrt(sum);
        } else lower[i * n + j] = sum / lower[j * n + j]!;
      }
    }
    if (!ok) {
      if (ridge > trace) return new Float64Array(n).fill(1 / n);
      continue;
    }
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 1;
      for (let k = 0; k < i; k++) sum -= lower[i * n + k]! * z[k]!;
      z[i] = sum / lower[i * n + i]!;
    }
    const x = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let sum = z[i]!;
      for (let k = i + 1; k < n; k++) sum -= lower[k * n + i]! * x[k]!;
      x[i] = sum / lower[i * n + i]!;
    }
    let total = 0;
    for (let i = 0; i < n; i++) total += x[i]!;
    for (let i = 0; i < n; i++) x[i] /= total;
    return x;
  }
}

function shrink(covariance: Float64Array, n: number, delta: number): void {
  if (delta === 0) return;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) covariance[i * n + j] *= 1 - delta;
}

/** Rolling minimum-variance weights, rebalanced monthly by default. */
export function minVariance(options: MinVarianceOptions = {}): Strategy {
  const lookback = positiveInteger('min_variance lookback', options.lookback ?? 252);
  if (lookback < 2) throw invalidArgument(`min_variance lookback must be at least 2, got ${lookback}`);
  const shrinkage = options.shrinkage ?? 0;
  if (!(shrinkage >= 0 && shrinkage <= 1)) throw invalidArgument(`min_variance shrinkage must be in [0, 1], got ${shrinkage}`);
  const longOnly = options.longOnly ?? true;
  const rebalance = options.rebalance ?? 'monthly';
  const solve = (covariance: Float64Array, n: number) => {
    shrink(covariance, n, shrinkage);
    return longOnly ? minVarianceLongOnly(covariance, n) : minVarianceUnconstrained(covariance, n);
  };
  return {
    name: 'min_variance',
    targets(market, firstBar) {
      const n = market.symbols.length;
      const mask = rebalanceMask(market.time, firstBar, rebalance);
      const targets = emptyTargets(market.time.length, n);
      for (let t = firstBar; t < market.time.length; t++) {
        if (!mask[t]) continue;
        if (t < lookback) {
          targets.fill(0, t * n, (t + 1) * n);
          continue;
        }
        targets.set(solve(returnCovariance(market, t - lookback, t), n), t * n);
      }
      return targets;
    },
    fit(train) {
      const n = train.symbols.length;
      const weights = solve(returnCovariance(train, 0, train.time.length - 1), n);
      return {
        name: 'min_variance',
        targets(market, firstBar) {
          const mask = rebalanceMask(market.time, firstBar, rebalance);
          const targets = emptyTargets(market.time.length, n);
          for (let t = firstBar; t < market.time.length; t++) if (mask[t]) targets.set(weights, t * n);
          return targets;
        },
      };
    },
  };
}
