/**
 * The feature set computed one bar at a time, for online use: feed bars oldest first and read the
 * row for the latest bar. It reproduces computeFeatures bit for bit (same operations in the same
 * order), including the rolling and expanding `*_norm` columns.
 */
import { invalidArgument } from '../core/errors.js';
import { NORMALIZED_FEATURE_NAMES, NORMALIZED_SOURCE_INDICES, RAW_FEATURE_NAMES } from './names.js';
import { resolveNormalization, type NormalizationOptions } from './normalize.js';
import { EwmMeanState, RollingExtremumState, RollingMeanState, RollingVarianceState } from './window-states.js';
import { ZScoreState } from './z-score.js';

/** One bar as the stream consumes it. */
export interface StreamBar {
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface IndicatorStreamOptions {
  /** rolling (default: window 252, minPeriods 20), expanding or none. A fitted scaler needs the whole fit range up front, so it is batch only. */
  normalization?: NormalizationOptions;
}

const RAW_COUNT = RAW_FEATURE_NAMES.length;

/** Streaming indicators: `update(bar)` returns the reused row of values for that bar, in `names` order. */
export class IndicatorStream {
  readonly names: string[];
  /** The latest row; overwritten by each update. */
  readonly values: Float64Array;
  private previousClose = Number.NaN;
  private bars = 0;
  private obvSum = 0;
  private readonly closeHistory = new Float64Array(10);
  private readonly sma20 = new RollingMeanState(20);
  private readonly sma50 = new RollingMeanState(50);
  private readonly sma200 = new RollingMeanState(200);
  private readonly ema20 = new EwmMeanState(20);
  private readonly ema50 = new EwmMeanState(50);
  private readonly ema12 = new EwmMeanState(12);
  private readonly ema26 = new EwmMeanState(26);
  private readonly macdSignal = new EwmMeanState(9);
  private readonly gain = new RollingMeanState(14);
  private readonly loss = new RollingMeanState(14);
  private readonly lowMin = new RollingExtremumState(14, false);
  private readonly highMax = new RollingExtremumState(14, true);
  private readonly percentD = new RollingMeanState(3);
  private readonly bollingerVariance = new RollingVarianceState(20);
  private readonly atr = new RollingMeanState(14);
  private readonly vptMa = new RollingMeanState(14);
  private readonly forceIndex13 = new EwmMeanState(13);
  private readonly normalizers: ZScoreState[];

  constructor(options: IndicatorStreamOptions = {}) {
    const normalization = resolveNormalization(options.normalization);
    if (normalization.method === 'fitted') {
      throw invalidArgument('IndicatorStream supports rolling, expanding or none normalisation; a fitted scaler is batch only (computeFeatures)');
    }
    const normalized = normalization.method !== 'none';
    this.names = normalized ? [...RAW_FEATURE_NAMES, ...NORMALIZED_FEATURE_NAMES] : [...RAW_FEATURE_NAMES];
    this.values = new Float64Array(this.names.length);
    const window = normalization.method === 'rolling' ? normalization.window : Number.POSITIVE_INFINITY;
    const minPeriods = normalization.method === 'none' ? 1 : normalization.minPeriods;
    this.normalizers = normalized ? NORMALIZED_SOURCE_INDICES.map(() => new ZScoreState(window, minPeriods)) : [];
  }

  /** Number of bars consumed since construction or reset. */
  get length(): number {
    return this.bars;
  }

  /** Forget every bar. */
  reset(): void {
    this.previousClose = Number.NaN;
    this.bars = 0;
    this.obvSum = 0;
    for (const state of [this.sma20, this.sma50, this.sma200, this.ema20, this.ema50, this.ema12, this.ema26,
      this.macdSignal, this.gain, this.loss, this.lowMin, this.highMax, this.percentD, this.bollingerVariance,
      this.atr, this.vptMa, this.forceIndex13, ...this.normalizers]) state.reset();
    this.values.fill(0);
  }

  /** Consume the next bar; returns `values` holding every feature for it. */
  update(bar: StreamBar): Float64Array {
    const { high, low, close, volume } = bar;
    const out = this.values;
    const first = this.bars === 0;
    const previousClose = this.previousClose;
    const delta = first ? Number.NaN : close - previousClose;

    const sma20 = this.sma20.update(close);
    out[0] = sma20;
    out[1] = this.sma50.update(close);
    out[2] = this.sma200.update(close);
    out[3] = this.ema20.update(close);
    out[4] = this.ema50.update(close);
    const macd = this.ema12.update(close) - this.ema26.update(close);
    out[5] = macd;
    const signal = this.macdSignal.update(macd);
    out[6] = signal;
    out[7] = macd - signal;

    const gain = this.gain.update(delta > 0 ? delta : 0);
    const loss = this.loss.update(-(delta < 0 ? delta : 0));
    out[8] = 100 - 100 / (1 + gain / loss);

    const lowMin = this.lowMin.update(low);
    const highMax = this.highMax.update(high);
    const percentK = (100 * (close - lowMin)) / (highMax - lowMin);
    out[9] = percentK;
    out[10] = this.percentD.update(percentK);

    const slot = this.bars % 10;
    if (this.bars >= 10) {
      const past = this.closeHistory[slot]!;
      out[11] = ((close - past) / past) * 100;
    } else {
      out[11] = Number.NaN;
    }
    this.closeHistory[slot] = close;

    const std = this.bollingerVariance.updateStd(close);
    const upper = sma20 + std * 2;
    const lower = sma20 - std * 2;
    out[12] = upper;
    out[13] = lower;
    out[14] = (upper - lower) / sma20;

    const range = high - low;
    let best = range === range ? range : Number.NEGATIVE_INFINITY;
    let seen = range === range;
    if (!first) {
      const up = Math.abs(high - previousClose);
      const down = Math.abs(low - previousClose);
      if (up === up) { if (!seen || up > best) best = up; seen = true; }
      if (down === down) { if (!seen || down > best) best = down; seen = true; }
    }
    out[15] = this.atr.update(seen ? best : Number.NaN);

    const signedVolume = volume * Math.sign(delta);
    if (signedVolume === signedVolume) {
      this.obvSum += signedVolume;
      out[16] = this.obvSum;
    } else {
      out[16] = Number.NaN;
    }
    const vpt = first ? Number.NaN : volume * ((close - previousClose) / (previousClose === 0 ? Number.NaN : previousClose));
    out[17] = vpt;
    out[18] = this.vptMa.update(vpt);
    const forceIndex = delta * volume;
    out[19] = forceIndex;
    out[20] = this.forceIndex13.update(forceIndex);

    for (let k = 0; k < this.normalizers.length; k++) {
      out[RAW_COUNT + k] = this.normalizers[k]!.update(out[NORMALIZED_SOURCE_INDICES[k]!]!);
    }

    this.previousClose = close;
    this.bars++;
    return out;
  }
}
