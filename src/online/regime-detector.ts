/**
 * The specification's MarketRegimeDetector (6.2), made causal and stable (spec README, defect 6):
 *
 * - Features per bar t, from bars ≤ t only: the mean and the standard deviation (ddof 1) of the last
 *   `featureWindow` simple returns, and the mean over the same bars of volume / its trailing mean
 *   over `volumeWindow` bars (the specification divided by the mean of the whole series: look-ahead).
 * - A scaler and k-means (ml-kmeans; the first fit seeded k-means++, later fits warm-started from the
 *   label centroids) are **fitted on a trailing window** of `fitWindow` feature rows and then used to
 *   **label new bars by prediction** (nearest label centroid); they are refitted every `refitEvery`
 *   bars or when a Page-Hinkley detector on the first feature (the return level) fires, never on
 *   every bar.
 * - The scaler divides each feature by its **within-regime noise**: the robust spread (median absolute
 *   deviation) of its change over `featureWindow` bars, i.e. between disjoint windows. The window's
 *   standard deviation (the specification's StandardScaler) also counts the spread between regimes,
 *   which shrinks exactly the features that tell regimes apart and makes the metric depend on which
 *   regimes the window holds.
 * - Labels keep their meaning across refits: each label owns a **persistent reference centroid**, and
 *   labels are ordered by the volatility of their centroids (label 0 the calmest, k − 1 the most
 *   volatile). Every refit's clusters are matched to the reference centroids by an optimal assignment
 *   of least total scaled distance (`matchCentroids`) — never to the previous fit alone, so matching
 *   errors cannot accumulate — and pull them by a count-weighted running mean that forgets
 *   `forgetting` of a label's weight per refit. A regime absent from the window (no bars in its
 *   cluster) keeps its centroid.
 * - Stability as the specification's: the share of the most common label among the last 10; plus
 *   the agreement of consecutive models (share of the fit window labelled alike before and after).
 * - PCA (ml-pca, 2 components) of the scaled fit window: loadings and explained variance.
 */
import { kmeans } from 'ml-kmeans';
import { PCA } from 'ml-pca';
import { ErrorCodes, GrpoTraderError, invalidField } from '../core/errors.js';
import { PageHinkley } from './drift-detectors.js';

export interface RegimeDetectorOptions {
  /** Number of regimes k (spec 4). */
  regimes: number;
  /** Labels kept for the history (spec lookback_period 60). */
  lookback: number;
  /** Feature rows needed per regime before the first fit (spec 20). */
  minSamplesPerRegime: number;
  /** Stability below this marks the regime as unstable (spec 0.6). */
  stabilityThreshold: number;
  /** Bars of the rolling return mean, volatility and volume features (spec 20). */
  featureWindow: number;
  /** Bars of the trailing volume mean that normalises volume. */
  volumeWindow: number;
  /** Feature rows the scaler and k-means are fitted on (the trailing window). */
  fitWindow: number;
  /** Bars between scheduled refits. */
  refitEvery: number;
  /** Page-Hinkley threshold on the return-level feature that triggers an early refit (0: off). */
  driftThreshold: number;
  /** Share of each label's reference weight forgotten at every refit, in (0, 1] (1: each refit replaces the centroids). */
  forgetting: number;
  seed: number;
}

export const REGIME_DETECTOR_DEFAULTS: RegimeDetectorOptions = {
  regimes: 4,
  lookback: 60,
  minSamplesPerRegime: 20,
  stabilityThreshold: 0.6,
  featureWindow: 20,
  volumeWindow: 60,
  fitWindow: 500,
  refitEvery: 63,
  driftThreshold: 0,
  forgetting: 0.1,
  seed: 42,
};

/** Version of `RegimeDetectorState`; 2: reference centroids with weights and the within-regime scaler. */
export const REGIME_DETECTOR_STATE_FORMAT = 2;

export const REGIME_FEATURES = ['return_mean', 'volatility', 'relative_volume'] as const;

/** What the detector knew at one bar's close. */
export interface RegimeStep {
  /** The bar's label, or −1 before the first fit. */
  label: number;
  stability: number;
  /** Whether this bar triggered a refit (and why). */
  refit: null | { reason: 'first' | 'schedule' | 'drift'; agreement: number | null };
}

/** The last fit's PCA of the scaled features. */
export interface RegimeImportance {
  features: readonly string[];
  /** [component][feature] loadings of the 2 components. */
  loadings: number[][];
  explainedVariance: number[];
}


function permutations(k: number): number[][] {
  if (k === 1) return [[0]];
  const out: number[][] = [];
  for (const rest of permutations(k - 1)) for (let i = 0; i <= rest.length; i++) out.push([...rest.slice(0, i), k - 1, ...rest.slice(i)]);
  return out;
}

/** The assignment reference[i] ↔ next[match[i]] of least total squared distance (exact over all permutations, k ≤ 8). */
export function matchCentroids(reference: readonly (readonly number[])[], next: readonly (readonly number[])[]): number[] {
  const k = reference.length;
  if (next.length !== k || k > 8) throw invalidField('regimes', `centroid matching needs two sets of the same size ≤ 8, got ${k} and ${next.length}`);
  const cost = reference.map((p) => next.map((q) => p.reduce((s, v, d) => s + (v - q[d]!) ** 2, 0)));
  let best: number[] = [];
  let bestCost = Number.POSITIVE_INFINITY;
  for (const permutation of permutations(k)) {
    const total = permutation.reduce((s, j, i) => s + cost[i]![j]!, 0);
    if (total < bestCost) {
      bestCost = total;
      best = permutation;
    }
  }
  return best;
}

export class RegimeDetector {
  readonly options: RegimeDetectorOptions;
  /** Bars seen. */
  bars = 0;
  /** Labels of the last `lookback` bars (−1 before the first fit). */
  readonly history: number[] = [];
  importance: RegimeImportance | null = null;
  /** The labels' reference centroids in feature units (not scaled), by label: the model that predicts. */
  centroids: number[][] | null = null;
  /** Each label's reference weight (decayed count of the bars that moved its centroid). */
  weights: number[] | null = null;

  private previousClose = Number.NaN;
  private readonly returns: number[] = [];
  private readonly volumes: number[] = [];
  private readonly relative: number[] = [];
  private readonly rows: number[][] = [];
  private mean: number[] = [];
  private scale: number[] = [];
  private sinceFit = 0;
  private readonly drift: PageHinkley | null;

  constructor(options: Partial<RegimeDetectorOptions> = {}) {
    const o = (this.options = { ...REGIME_DETECTOR_DEFAULTS, ...options });
    const integer = (name: keyof RegimeDetectorOptions, min: number) => {
      const value = o[name];
      if (!Number.isInteger(value) || (value as number) < min) throw invalidField(name, `regime detector: ${name} must be an integer ≥ ${min}, got ${value}`);
    };
    integer('regimes', 2);
    integer('lookback', 10);
    integer('minSamplesPerRegime', 1);
    integer('featureWindow', 2);
    integer('volumeWindow', 1);
    integer('refitEvery', 1);
    if (!(o.forgetting > 0 && o.forgetting <= 1)) throw invalidField('forgetting', `regime detector: forgetting must be in (0, 1], got ${o.forgetting}`);
    if (o.regimes > 8) throw invalidField('regimes', `regime detector: at most 8 regimes, got ${o.regimes}`);
    if (!(Number.isInteger(o.fitWindow) && o.fitWindow >= o.regimes * o.minSamplesPerRegime)) throw invalidField('fitWindow', `regime detector: fitWindow must be an integer ≥ regimes × minSamplesPerRegime (${o.regimes * o.minSamplesPerRegime}), got ${o.fitWindow}`);
    this.drift = o.driftThreshold > 0 ? new PageHinkley({ threshold: o.driftThreshold, delta: 0, minInstances: o.featureWindow }) : null;
  }

  /** Bars needed before the first label: `featureWindow` for the first feature row, then `regimes × minSamplesPerRegime` rows for the first fit (the first bar of the last row counted once). */
  barsBeforeFirstLabel(): number {
    const o = this.options;
    return o.featureWindow + o.regimes * o.minSamplesPerRegime - 1;
  }

  /** Process one bar's close (and volume) at its close; returns what is known at that close. */
  update(close: number, volume: number): RegimeStep {
    if (!(close > 0) || !Number.isFinite(close)) throw invalidField('close', `regime detector: close must be a positive number, got ${close} at bar ${this.bars}`);
    if (!(volume >= 0) || !Number.isFinite(volume)) throw invalidField('volume', `regime detector: volume must be a non-negative number, got ${volume} at bar ${this.bars}`);
    const o = this.options;
    const r = Number.isNaN(this.previousClose) ? 0 : close / this.previousClose - 1;
    this.previousClose = close;
    this.bars++;
    push(this.returns, r, o.featureWindow);
    push(this.volumes, volume, o.volumeWindow);
    const trailingVolume = this.volumes.reduce((s, v) => s + v, 0) / this.volumes.length;
    push(this.relative, trailingVolume > 0 ? volume / trailingVolume : 1, o.featureWindow);
    let refit: RegimeStep['refit'] = null;
    let label = -1;
    if (this.returns.length === o.featureWindow) {
      const row = features(this.returns, this.relative);
      push(this.rows, row, o.fitWindow);
      this.sinceFit++;
      const drifted = this.drift?.update(row[0]!) ?? false;
      const enough = this.rows.length >= o.regimes * o.minSamplesPerRegime;
      if (enough && (this.centroids === null || this.sinceFit >= o.refitEvery || drifted)) {
        const agreement = this.fit();
        refit = { reason: agreement === null ? 'first' : drifted ? 'drift' : 'schedule', agreement };
      }
      if (this.centroids) label = this.predict(row);
    }
    push(this.history, label, o.lookback);
    return { label, stability: this.stability(), refit };
  }

  /** Share of the most common label among the last 10 (0 before the first fit). */
  stability(): number {
    const recent = this.history.slice(-10).filter((l) => l >= 0);
    if (recent.length === 0) return 0;
    const counts = new Map<number, number>();
    for (const l of recent) counts.set(l, (counts.get(l) ?? 0) + 1);
    return Math.max(...counts.values()) / recent.length;
  }

  /** Whether the current regime is stable (stability ≥ the threshold). */
  isStable(): boolean {
    return this.stability() >= this.options.stabilityThreshold;
  }

  /** The nearest centroid's label for a feature row. */
  predict(row: readonly number[]): number {
    const centroids = this.centroids!;
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    centroids.forEach((c, label) => {
      let d = 0;
      for (let f = 0; f < row.length; f++) d += ((row[f]! - c[f]!) / this.scale[f]!) ** 2;
      if (d < bestDistance) {
        bestDistance = d;
        best = label;
      }
    });
    return best;
  }

  /** Fit scaler and k-means on the trailing rows and move the reference centroids; PCA; returns the agreement of the labels before and after (null on the first fit). */
  private fit(): number | null {
    const o = this.options;
    const rows = this.rows;
    const F = rows[0]!.length;
    this.mean = Array.from({ length: F }, (_, f) => rows.reduce((s, r) => s + r[f]!, 0) / rows.length);
    this.scale = withinRegimeScale(rows, o.featureWindow);
    const toScaled = (r: readonly number[]) => r.map((v, f) => (v - this.mean[f]!) / this.scale[f]!);
    const scaled = rows.map(toScaled);
    const reference = this.centroids;
    const result = kmeans(scaled, o.regimes, { initialization: reference ? reference.map(toScaled) : 'kmeans++', seed: o.seed, maxIterations: 100 });
    const fitted = result.centroids.map((c) => c.map((v, f) => v * this.scale[f]! + this.mean[f]!));
    const counts = new Array<number>(o.regimes).fill(0);
    for (const cluster of result.clusters) counts[cluster]!++;
    let centroids = fitted;
    let weights = counts;
    const before = reference ? rows.map((r) => this.predict(r)) : null;
    if (reference && this.weights) {
      const match = matchCentroids(reference.map(toScaled), result.centroids);
      weights = this.weights.map((w, label) => (1 - o.forgetting) * w + counts[match[label]!]!);
      centroids = reference.map((centroid, label) => {
        const n = counts[match[label]!]!;
        const step = n / weights[label]!;
        return n === 0 ? centroid : centroid.map((v, f) => v + step * (fitted[match[label]!]![f]! - v));
      });
    }
    // Label 0 the calmest regime, k − 1 the most volatile (feature 1): two labels swap only when their
    // reference centroids cross in volatility, which the running mean makes gradual.
    const order = centroids.map((_, label) => label).sort((a, b) => centroids[a]![1]! - centroids[b]![1]!);
    this.centroids = order.map((label) => centroids[label]!);
    this.weights = order.map((label) => weights[label]!);
    const agreement = before === null ? null : rows.reduce((s, r, i) => s + (this.predict(r) === before[i] ? 1 : 0), 0) / rows.length;
    const pca = new PCA(scaled);
    const components = Math.min(2, F);
    const loadings = pca.getLoadings().to2DArray().slice(0, components);
    this.importance = { features: REGIME_FEATURES, loadings, explainedVariance: pca.getExplainedVariance().slice(0, components) };
    this.sinceFit = 0;
    return agreement;
  }

  /** The whole state, for a checkpoint. */
  getState(): RegimeDetectorState {
    return {
      format: REGIME_DETECTOR_STATE_FORMAT,
      bars: this.bars,
      history: [...this.history],
      centroids: this.centroids?.map((c) => [...c]) ?? null,
      weights: this.weights ? [...this.weights] : null,
      importance: this.importance,
      previousClose: Number.isNaN(this.previousClose) ? null : this.previousClose,
      returns: [...this.returns],
      volumes: [...this.volumes],
      relative: [...this.relative],
      rows: this.rows.map((r) => [...r]),
      mean: [...this.mean],
      scale: [...this.scale],
      sinceFit: this.sinceFit,
      drift: this.drift?.getState() ?? null,
    };
  }

  /** Continue from a state saved by `getState` (same options); refuses a state of another format. */
  setState(state: RegimeDetectorState): void {
    if (state.format !== REGIME_DETECTOR_STATE_FORMAT) {
      throw new GrpoTraderError(ErrorCodes.unsupported, `regime detector state format ${String(state.format ?? 1)} is not supported (format ${REGIME_DETECTOR_STATE_FORMAT} anchors labels to reference centroids); start the stream again without --resume`, { location: { field: 'regimes.format' } });
    }
    this.bars = state.bars;
    this.history.splice(0, this.history.length, ...state.history);
    this.centroids = state.centroids?.map((c) => [...c]) ?? null;
    this.weights = state.weights ? [...state.weights] : null;
    this.importance = state.importance;
    this.previousClose = state.previousClose ?? Number.NaN;
    this.returns.splice(0, this.returns.length, ...state.returns);
    this.volumes.splice(0, this.volumes.length, ...state.volumes);
    this.relative.splice(0, this.relative.length, ...state.relative);
    this.rows.splice(0, this.rows.length, ...state.rows.map((r) => [...r]));
    this.mean = [...state.mean];
    this.scale = [...state.scale];
    this.sinceFit = state.sinceFit;
    if (this.drift && state.drift) this.drift.setState(state.drift);
  }
}

/** Everything a RegimeDetector needs to continue exactly where it was (JSON-safe). */
export interface RegimeDetectorState {
  /** `REGIME_DETECTOR_STATE_FORMAT` (absent in format 1). */
  format?: number;
  bars: number;
  history: number[];
  centroids: number[][] | null;
  weights: number[] | null;
  importance: RegimeImportance | null;
  previousClose: number | null;
  returns: number[];
  volumes: number[];
  relative: number[];
  rows: number[][];
  mean: number[];
  scale: number[];
  sinceFit: number;
  drift: number[] | null;
}

function push<T>(list: T[], value: T, limit: number): void {
  list.push(value);
  if (list.length > limit) list.shift();
}

/**
 * Each feature's within-regime noise: the median absolute change over `lag` bars (rows `lag` apart
 * use disjoint return windows), scaled to a standard deviation (÷ 0.6745 for the median of a normal's
 * |x|, ÷ √2 for a difference of two draws). The median ignores the few changes that straddle a regime
 * switch. Falls back to the window's standard deviation, then 1, for a feature that rarely changes.
 */
function withinRegimeScale(rows: readonly (readonly number[])[], lag: number): number[] {
  const F = rows[0]!.length;
  const changes = new Float64Array(Math.max(0, rows.length - lag));
  return Array.from({ length: F }, (_, f) => {
    for (let i = lag; i < rows.length; i++) changes[i - lag] = Math.abs(rows[i]![f]! - rows[i - lag]![f]!);
    changes.sort();
    const median = changes.length === 0 ? 0 : changes.length % 2 === 1 ? changes[(changes.length - 1) / 2]! : (changes[changes.length / 2 - 1]! + changes[changes.length / 2]!) / 2;
    if (median > 0) return median / 0.6745 / Math.SQRT2;
    const mean = rows.reduce((s, r) => s + r[f]!, 0) / rows.length;
    return Math.sqrt(rows.reduce((s, r) => s + (r[f]! - mean) ** 2, 0) / rows.length) || 1;
  });
}

/** [mean return, volatility (ddof 1), mean relative volume] of the current windows. */
function features(returns: readonly number[], relative: readonly number[]): number[] {
  const n = returns.length;
  const mean = returns.reduce((s, r) => s + r, 0) / n;
  const variance = returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (n - 1);
  return [mean, Math.sqrt(variance), relative.reduce((s, v) => s + v, 0) / relative.length];
}
