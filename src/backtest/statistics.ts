/**
 * Paired statistical comparison of two strategies' returns over the same dates (specification 8.3,
 * defect 4 fixed: the samples are paired, so the tests are paired). Also the bootstrap confidence
 * interval of a Sharpe difference and the deflated Sharpe ratio (Bailey & López de Prado, 2014).
 */
import { invalidArgument } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { normalCdf, normalQuantile, studentTTwoSidedP } from './distributions.js';

export interface TestResult {
  statistic: number;
  pValue: number;
}

function differences(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  if (a.length !== b.length) throw invalidArgument(`paired samples differ in length: ${a.length} vs ${b.length}`);
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i]! - b[i]!;
  return d;
}

function meanStd(x: ArrayLike<number>): { mean: number; std: number } {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - mean) ** 2;
  return { mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : Number.NaN };
}

/** Paired t-test of mean(a − b) = 0, two-sided (as scipy.stats.ttest_rel). */
export function pairedTTest(a: ArrayLike<number>, b: ArrayLike<number>): TestResult & { df: number } {
  const d = differences(a, b);
  const n = d.length;
  const { mean, std } = meanStd(d);
  const statistic = mean / (std / Math.sqrt(n));
  return { statistic, pValue: studentTTwoSidedP(statistic, n - 1), df: n - 1 };
}

/** Paired Cohen's d: mean(a − b) / std(a − b, ddof 1). */
export function pairedCohensD(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { mean, std } = meanStd(differences(a, b));
  return mean / std;
}

/**
 * Wilcoxon signed-rank test of a − b, two-sided, as scipy.stats.wilcoxon's defaults: zero differences
 * dropped ('wilcox'), statistic = min(W+, W−), exact distribution when n ≤ 50 without ties, otherwise
 * the normal approximation with the tie correction and no continuity correction.
 */
export function wilcoxonSignedRank(a: ArrayLike<number>, b: ArrayLike<number>): TestResult & { n: number; method: 'exact' | 'normal' } {
  const all = differences(a, b);
  const d = all.filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return { statistic: Number.NaN, pValue: Number.NaN, n, method: 'normal' };
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => Math.abs(d[i]!) - Math.abs(d[j]!));
  const ranks = new Float64Array(n);
  let hasTies = false;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && Math.abs(d[order[j + 1]!]!) === Math.abs(d[order[i]!]!)) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    const t = j - i + 1;
    if (t > 1) {
      hasTies = true;
      tieTerm += t * t * t - t;
    }
    i = j + 1;
  }
  let wPlus = 0;
  let wMinus = 0;
  for (let i = 0; i < n; i++) {
    if (d[i]! > 0) wPlus += ranks[i]!;
    else wMinus += ranks[i]!;
  }
  const statistic = Math.min(wPlus, wMinus);
  if (n <= 50 && !hasTies) {
    // Exact null distribution of W+ by dynamic programming over ranks 1..n.
    const max = (n * (n + 1)) / 2;
    let counts = new Float64Array(max + 1);
    counts[0] = 1;
    for (let r = 1; r <= n; r++) {
      const next = new Float64Array(max + 1);
      for (let s = 0; s <= max; s++) {
        if (counts[s] === 0) continue;
        next[s] += counts[s]!;
        if (s + r <= max) next[s + r] += counts[s]!;
      }
      counts = next;
    }
    const total = 2 ** n;
    let tail = 0;
    for (let s = 0; s <= statistic; s++) tail += counts[s]!;
    return { statistic, pValue: Math.min(1, (2 * tail) / total), n, method: 'exact' };
  }
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const z = (statistic - mean) / Math.sqrt(variance);
  return { statistic, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))), n, method: 'normal' };
}

/** Per-period Sharpe ratio mean/std (ddof 1), not annualised. */
export function periodSharpe(returns: ArrayLike<number>): number {
  const { mean, std } = meanStd(returns);
  return mean / std;
}

export interface BootstrapOptions {
  /** Resamples. */
  samples?: number;
  /** Two-sided confidence level. */
  confidence?: number;
  /** Circular block length, to respect serial dependence (1 = iid bootstrap). */
  blockLength?: number;
  periodsPerYear?: number;
  seed?: number;
}

/**
 * Paired (circular block) bootstrap percentile interval of the annualised Sharpe difference SR(a) − SR(b):
 * the same resampled dates are used for both strategies.
 */
export function bootstrapSharpeDifference(a: ArrayLike<number>, b: ArrayLike<number>, options: BootstrapOptions = {}): { estimate: number; lower: number; upper: number; confidence: number; samples: number } {
  const { samples = 2000, confidence = 0.95, blockLength = 5, periodsPerYear = 252, seed = 0 } = options;
  const n = a.length;
  if (n !== b.length) throw invalidArgument(`paired samples differ in length: ${a.length} vs ${b.length}`);
  const scale = Math.sqrt(periodsPerYear);
  const estimate = (periodSharpe(a) - periodSharpe(b)) * scale;
  const rng = new Rng(seed);
  const resampledA = new Float64Array(n);
  const resampledB = new Float64Array(n);
  const stats = new Float64Array(samples);
  const block = Math.max(1, Math.min(blockLength, n));
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n; ) {
      const start = rng.int(n);
      for (let k = 0; k < block && i < n; k++, i++) {
        const j = (start + k) % n;
        resampledA[i] = a[j]!;
        resampledB[i] = b[j]!;
      }
    }
    stats[s] = (periodSharpe(resampledA) - periodSharpe(resampledB)) * scale;
  }
  const finite = stats.filter((x) => Number.isFinite(x)).sort();
  const quantile = (q: number): number => {
    if (finite.length === 0) return Number.NaN;
    const position = q * (finite.length - 1);
    const lo = Math.floor(position);
    const hi = Math.min(finite.length - 1, lo + 1);
    return finite[lo]! + (finite[hi]! - finite[lo]!) * (position - lo);
  };
  const alpha = (1 - confidence) / 2;
  return { estimate, lower: quantile(alpha), upper: quantile(1 - alpha), confidence, samples };
}

/** Sample skewness and (non-excess) kurtosis, population moments as in Bailey & López de Prado. */
function moments(x: ArrayLike<number>): { skewness: number; kurtosis: number } {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}

/**
 * Probabilistic Sharpe ratio: P(true SR > benchmarkSharpe) given T returns with their skewness and
 * kurtosis (Sharpe ratios per period, not annualised).
 */
export function probabilisticSharpeRatio(returns: ArrayLike<number>, benchmarkSharpe = 0): number {
  const sr = periodSharpe(returns);
  const { skewness, kurtosis } = moments(returns);
  const t = returns.length;
  const denominator = Math.sqrt(1 - skewness * sr + ((kurtosis - 1) / 4) * sr * sr);
  return normalCdf(((sr - benchmarkSharpe) * Math.sqrt(t - 1)) / denominator);
}

const EULER_GAMMA = 0.5772156649015329;

/**
 * Deflated Sharpe ratio: the probabilistic Sharpe ratio against the Sharpe ratio expected from the best
 * of `trials` unskilled strategies, SR0 = √V·((1−γ)Φ⁻¹(1−1/N) + γΦ⁻¹(1−1/(N·e))), where V is the
 * variance of the trials' per-period Sharpe ratios.
 */
export function deflatedSharpeRatio(returns: ArrayLike<number>, trials: number, trialSharpeVariance: number): { deflatedSharpe: number; expectedMaxSharpe: number } {
  if (!(trials >= 1)) throw invalidArgument(`deflatedSharpeRatio: trials must be ≥ 1, got ${trials}`);
  const expectedMaxSharpe = trials === 1 ? 0 : Math.sqrt(trialSharpeVariance) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)));
  return { deflatedSharpe: probabilisticSharpeRatio(returns, expectedMaxSharpe), expectedMaxSharpe };
}
