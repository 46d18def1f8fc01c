/**
 * Drift detectors for the online agent (its rollback alarm on live returns) and the regime detector
 * (refit triggers): Page-Hinkley and ADWIN. Both read one value per bar, decide with what they have
 * seen so far (nothing looks ahead), and save/restore their whole state for crash-safe resumption.
 */
import { invalidField } from '../core/errors.js';


/** What every detector offers. */
export interface DriftDetector {
  /** Add one observation; true when a change is detected at it. */
  update(value: number): boolean;
  /** Observations since the last detection (or the start). */
  readonly count: number;
  reset(): void;
}

export interface PageHinkleyOptions {
  /** Changes of the mean smaller than this are tolerated (δ). */
  delta: number;
  /** Alarm threshold on the cumulative deviation (λ). */
  threshold: number;
  /** Observations before an alarm may fire. */
  minInstances: number;
  /** Forgetting factor of the cumulative sums (1: none). */
  alpha: number;
}

export const PAGE_HINKLEY_DEFAULTS: PageHinkleyOptions = { delta: 0.005, threshold: 50, minInstances: 30, alpha: 1 };

/**
 * Page-Hinkley test (Page 1954; two-sided as in river/scikit-multiflow): with the running mean x̄_t,
 * m⁺_t = α·m⁺_{t−1} + (x_t − x̄_t − δ) and m⁻_t = α·m⁻_{t−1} + (x̄_t − x_t − δ); an alarm fires when
 * m⁺_t − min m⁺ > λ (the mean rose) or m⁻_t − min m⁻ > λ (it fell). The detector restarts after one.
 */
export class PageHinkley implements DriftDetector {
  readonly options: PageHinkleyOptions;
  count = 0;
  private mean = 0;
  private up = 0;
  private upMin = 0;
  private down = 0;
  private downMin = 0;
  /** +1 when the last alarm was a rise of the mean, −1 a fall, 0 none. */
  direction = 0;

  constructor(options: Partial<PageHinkleyOptions> = {}) {
    this.options = { ...PAGE_HINKLEY_DEFAULTS, ...options };
    const o = this.options;
    if (!(o.delta >= 0)) throw invalidField('delta', `Page-Hinkley: delta must be ≥ 0, got ${o.delta}`);
    if (!(o.threshold > 0)) throw invalidField('threshold', `Page-Hinkley: threshold must be > 0, got ${o.threshold}`);
    if (!(o.alpha > 0 && o.alpha <= 1)) throw invalidField('alpha', `Page-Hinkley: alpha must be in (0, 1], got ${o.alpha}`);
  }

  update(value: number): boolean {
    if (!Number.isFinite(value)) throw invalidField('value', `Page-Hinkley: observations must be finite, got ${value}`);
    const o = this.options;
    this.count++;
    this.mean += (value - this.mean) / this.count;
    this.up = o.alpha * this.up + (value - this.mean - o.delta);
    this.down = o.alpha * this.down + (this.mean - value - o.delta);
    if (this.up < this.upMin) this.upMin = this.up;
    if (this.down < this.downMin) this.downMin = this.down;
    if (this.count < o.minInstances) return false;
    const rise = this.up - this.upMin > o.threshold;
    const fall = this.down - this.downMin > o.threshold;
    if (!rise && !fall) return false;
    this.reset();
    this.direction = rise ? 1 : -1;
    return true;
  }

  reset(): void {
    this.count = 0;
    this.mean = 0;
    this.up = this.upMin = this.down = this.downMin = 0;
    this.direction = 0;
  }

  getState(): number[] {
    return [this.count, this.mean, this.up, this.upMin, this.down, this.downMin, this.direction];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 7) throw invalidField('state', `Page-Hinkley: a state has 7 numbers, got ${state.length}`);
    [this.count, this.mean, this.up, this.upMin, this.down, this.downMin, this.direction] = state as [number, number, number, number, number, number, number];
  }
}

export interface AdwinOptions {
  /** Confidence δ of each cut (smaller: fewer false alarms). */
  delta: number;
  /** Longest window kept (older values are dropped as they age out). */
  maxWindow: number;
  /** Fewest values on either side of a cut. */
  minSubwindow: number;
}

export const ADWIN_DEFAULTS: AdwinOptions = { delta: 0.002, maxWindow: 1000, minSubwindow: 5 };

/**
 * ADWIN (Bifet & Gavaldà 2007), exact form over a window capped at `maxWindow` values: after each
 * value, every split of the window into an older part W₀ and a newer part W₁ is tested, and while
 * some split has |μ₀ − μ₁| ≥ ε_cut = √(2·σ²_W·ln(2/δ′)/m) + (2/(3m))·ln(2/δ′) (m the harmonic mean
 * of |W₀| and |W₁|, δ′ = δ/|W|, σ²_W the window's variance — ADWIN2's bound for real values) the older
 * part is dropped. A detection is any drop. O(|W|) per value with prefix sums, instead of the
 * exponential histogram's O(log |W|): daily and hourly bars keep |W| small.
 */
export class Adwin implements DriftDetector {
  readonly options: AdwinOptions;
  private readonly values: Float64Array;
  private start = 0;
  private length = 0;
  /** Observations since the last detection. */
  count = 0;

  constructor(options: Partial<AdwinOptions> = {}) {
    this.options = { ...ADWIN_DEFAULTS, ...options };
    const o = this.options;
    if (!(o.delta > 0 && o.delta < 1)) throw invalidField('delta', `ADWIN: delta must be in (0, 1), got ${o.delta}`);
    if (!(Number.isInteger(o.maxWindow) && o.maxWindow >= 2 * o.minSubwindow)) throw invalidField('maxWindow', `ADWIN: maxWindow must be an integer ≥ 2·minSubwindow, got ${o.maxWindow}`);
    if (!(Number.isInteger(o.minSubwindow) && o.minSubwindow >= 1)) throw invalidField('minSubwindow', `ADWIN: minSubwindow must be a positive integer, got ${o.minSubwindow}`);
    this.values = new Float64Array(o.maxWindow);
  }

  /** Values in the current window. */
  get width(): number {
    return this.length;
  }

  /** Mean of the current window (NaN when empty). */
  get mean(): number {
    if (this.length === 0) return Number.NaN;
    let sum = 0;
    for (let i = 0; i < this.length; i++) sum += this.at(i);
    return sum / this.length;
  }

  private at(i: number): number {
    return this.values[(this.start + i) % this.options.maxWindow]!;
  }

  update(value: number): boolean {
    if (!Number.isFinite(value)) throw invalidField('value', `ADWIN: observations must be finite, got ${value}`);
    const o = this.options;
    if (this.length === o.maxWindow) {
      this.start = (this.start + 1) % o.maxWindow;
      this.length--;
    }
    this.values[(this.start + this.length) % o.maxWindow] = value;
    this.length++;
    this.count++;
    let detected = false;
    while (this.cut()) detected = true;
    if (detected) this.count = this.length;
    return detected;
  }

  /** Drop the oldest part at the first split that passes the test; false when none does. */
  private cut(): boolean {
    const n = this.length;
    const min = this.options.minSubwindow;
    if (n < 2 * min) return false;
    let total = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const x = this.at(i);
      total += x;
      squares += x * x;
    }
    const mean = total / n;
    const variance = Math.max(0, squares / n - mean * mean);
    const logTerm = Math.log((2 * n) / this.options.delta);
    let older = 0;
    for (let split = 1; split < n; split++) {
      older += this.at(split - 1);
      if (split < min || n - split < min) continue;
      const n0 = split;
      const n1 = n - split;
      const m = 1 / (1 / n0 + 1 / n1);
      const epsilon = Math.sqrt((2 * variance * logTerm) / m) + (2 / (3 * m)) * logTerm;
      if (Math.abs(older / n0 - (total - older) / n1) >= epsilon) {
        this.start = (this.start + split) % this.options.maxWindow;
        this.length = n1;
        return true;
      }
    }
    return false;
  }

  reset(): void {
    this.start = 0;
    this.length = 0;
    this.count = 0;
  }

  /** The window's values, oldest first, and the count: the whole state. */
  getState(): { window: number[]; count: number } {
    return { window: Array.from({ length: this.length }, (_, i) => this.at(i)), count: this.count };
  }

  setState(state: { window: readonly number[]; count: number }): void {
    if (state.window.length > this.options.maxWindow) throw invalidField('state', `ADWIN: a window of ${state.window.length} values exceeds maxWindow ${this.options.maxWindow}`);
    this.start = 0;
    this.length = state.window.length;
    this.values.set(state.window, 0);
    this.count = state.count;
  }
}
