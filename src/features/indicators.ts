/**
 * The specification's 21 raw indicators (architecture.md 7.4) over typed arrays, with pandas' exact
 * arithmetic (see kernels.ts and docs/features.md). Finite input (the normal case) runs through a
 * few fused loops whose per-chain operations equal the generic kernels'; input holding NaN or
 * infinities runs one NaN-aware kernel per column. Both give pandas' numbers bit for bit.
 */
import { invalidArgument } from '../core/errors.js';
import { cumulativeSumInto, ewmAlphaFromSpan, ewmMeanInto, rollingExtremumInto, rollingMeanInto, rollingStdInto } from './kernels.js';
import { RAW_FEATURE_NAMES, type FeatureFrame, type IndicatorInput } from './names.js';

/** Reusable scratch arrays for computeIndicatorsInto, sized for up to `capacity` bars. */
export class IndicatorWorkspace {
  capacity = 0;
  delta = new Float64Array(0);
  first = new Float64Array(0);
  second = new Float64Array(0);
  third = new Float64Array(0);
  fourth = new Float64Array(0);

  /** Grow (never shrink) the scratch arrays to hold n bars. */
  ensure(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = n;
    this.delta = new Float64Array(n);
    this.first = new Float64Array(n);
    this.second = new Float64Array(n);
    this.third = new Float64Array(n);
    this.fourth = new Float64Array(n);
  }
}

/** Check the four fields have one length; returns it. */
export function indicatorInputLength(bars: IndicatorInput): number {
  const n = bars.close.length;
  for (const field of ['high', 'low', 'volume'] as const) {
    if (bars[field].length !== n) {
      throw invalidArgument(`indicator input fields differ in length: close has ${n} bars, ${field} has ${bars[field].length}`);
    }
  }
  return n;
}

/** Compute the 21 raw indicators (RAW_FEATURE_NAMES order) into `columns`, each of the bars' length. */
export function computeIndicatorsInto(columns: Float64Array[], bars: IndicatorInput, workspace = new IndicatorWorkspace()): Float64Array[] {
  const n = indicatorInputLength(bars);
  if (columns.length !== RAW_FEATURE_NAMES.length || columns.some((column) => column.length !== n)) {
    throw invalidArgument(`computeIndicatorsInto needs ${RAW_FEATURE_NAMES.length} output columns of length ${n}`);
  }
  workspace.ensure(n);
  const { high, low, close, volume } = bars;
  // Columns in RAW_FEATURE_NAMES order; the elementwise pass fills EMA, MACD, OBV, VPT and force index.
  const [sma20, sma50, sma200, rsi, percentK, percentD, roc, bbUpper, bbLower, bbWidth, atr, vpt, vptMa] =
    [0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18].map((index) => columns[index]!) as [
      Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
      Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const delta = workspace.delta.subarray(0, n);
  const first = workspace.first.subarray(0, n);
  const second = workspace.second.subarray(0, n);
  const third = workspace.third.subarray(0, n);
  const fourth = workspace.fourth.subarray(0, n);

  const finite = allFinite(high) && allFinite(low) && allFinite(close) && allFinite(volume);
  if (finite) {
    elementwisePassInto(columns, high, low, close, volume, delta);
    closeStatisticsPassInto(columns, close);
  } else {
    // first: RSI gains, second: RSI losses, third: true range.
    genericElementwisePassInto(columns, high, low, close, volume, delta, first, second, third, fourth);
    rollingMeanInto(fourth, first, 14);
    rollingMeanInto(first, second, 14);
    for (let i = 0; i < n; i++) rsi[i] = 100 - 100 / (1 + fourth[i]! / first[i]!);
    rollingMeanInto(atr, third, 14);
    rollingMeanInto(sma20, close, 20);
    rollingMeanInto(sma50, close, 50);
    rollingMeanInto(sma200, close, 200);
    // Bollinger bands (std ddof=1 over 20 bars).
    rollingStdInto(first, close, 20);
    for (let i = 0; i < n; i++) {
      const middle = sma20[i]!;
      const std = first[i]!;
      const upper = middle + std * 2;
      const lower = middle - std * 2;
      bbUpper[i] = upper;
      bbLower[i] = lower;
      bbWidth[i] = (upper - lower) / middle;
    }
  }
  rollingMeanInto(vptMa, vpt, 14);

  // Stochastic oscillator: x/0 gives ±Infinity or NaN exactly as pandas' float division.
  if (finite) {
    stochasticPassInto(percentK, high, low, close);
  } else {
    rollingExtremumInto(first, low, 14, false);
    rollingExtremumInto(second, high, 14, true);
    for (let i = 0; i < n; i++) {
      const lowMin = first[i]!;
      percentK[i] = (100 * (close[i]! - lowMin)) / (second[i]! - lowMin);
    }
  }
  rollingMeanInto(percentD, percentK, 3);

  // Rate of change over 10 bars.
  for (let i = 0; i < n; i++) {
    if (i < 10) {
      roc[i] = Number.NaN;
    } else {
      const past = close[i - 10]!;
      roc[i] = ((close[i]! - past) / past) * 100;
    }
  }

  return columns;
}

/** The 21 raw indicators of the specification, one Float64Array per RAW_FEATURE_NAMES entry. */
export function computeIndicators(bars: IndicatorInput, workspace?: IndicatorWorkspace): FeatureFrame {
  const n = indicatorInputLength(bars);
  // One allocation for the whole frame; each column is a view on it.
  const storage = new Float64Array(n * RAW_FEATURE_NAMES.length);
  const columns = RAW_FEATURE_NAMES.map((_, c) => storage.subarray(c * n, (c + 1) * n));
  computeIndicatorsInto(columns, bars, workspace);
  return { names: [...RAW_FEATURE_NAMES], columns };
}

function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) {
    const value = x[i]!;
    if (value - value !== 0) return false;
  }
  return true;
}

type Columns = Float64Array[];

/**
 * The recursive and elementwise indicators in ONE loop, for finite input: delta, EMA20/50, MACD and
 * its signal, RSI gains/losses, true range, OBV, VPT, force index and its EMA. The six EWM
 * recursions are independent chains, so interleaving them lets the CPU overlap their divisions
 * (7x faster than six separate passes); each chain performs pandas' exact operations. RSI's two
 * rolling means of gains and losses and ATR's rolling mean of the true range run in the same loop,
 * as rollingMeanInto specialised to their values: gains and true ranges are +0 or positive (never a
 * set sign bit); losses are positive or -0, so losses' sign-bit count is their count of zeros.
 */
function elementwisePassInto(columns: Columns, high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array, delta: Float64Array): void {
  const n = close.length;
  if (n === 0) return;
  const ema20 = columns[3]!, ema50 = columns[4]!, macdColumn = columns[5]!, signalColumn = columns[6]!, histColumn = columns[7]!;
  const rsi = columns[8]!, atr = columns[15]!;
  const obv = columns[16]!, vpt = columns[17]!, forceIndex = columns[19]!, forceIndex13 = columns[20]!;
  const factor20 = 1 - ewmAlphaFromSpan(20);
  const factor50 = 1 - ewmAlphaFromSpan(50);
  const factor12 = 1 - ewmAlphaFromSpan(12);
  const factor26 = 1 - ewmAlphaFromSpan(26);
  const factor9 = 1 - ewmAlphaFromSpan(9);
  const factor13 = 1 - ewmAlphaFromSpan(13);
  const close0 = close[0]!;
  let w20 = close0, w50 = close0, w12 = close0, w26 = close0;
  let o20 = 1, o50 = 1, o12 = 1, o26 = 1, o9 = 1, o13 = 1;
  let signal = w12 - w26;
  let force = Number.NaN;
  let obvSum = 0;
  delta[0] = Number.NaN;
  ema20[0] = close0;
  ema50[0] = close0;
  macdColumn[0] = signal;
  signalColumn[0] = signal;
  histColumn[0] = signal - signal;
  // Rolling-mean states (window 14) of gains, losses and true ranges, as in rollingMeanInto, after
  // adding bar 0: gain 0 and loss -0 (from the NaN diff), true range high - low. Kahan adds of a
  // first value onto a zero sum give exactly that value with zero compensation.
  const range0 = high[0]! - low[0]!;
  let gainSum = 0 + (0 - 0), gainAdd = 0, gainRemove = 0, gainSame = 1, gainPrevious = 0;
  let lossSum = 0 + (-0 - 0), lossAdd = 0, lossRemove = 0, lossSame = 1, lossPrevious = -0, lossZeros = 1;
  let rangeSum = 0 + (range0 - 0), rangeAdd = 0, rangeRemove = 0, rangeSame = 1, rangePrevious = range0;
  rsi[0] = Number.NaN;
  atr[0] = Number.NaN;
  obv[0] = Number.NaN;
  vpt[0] = Number.NaN;
  forceIndex[0] = Number.NaN;
  forceIndex13[0] = Number.NaN;
  // The last 16 true ranges (a power of two, so `& 15` indexes it); 14 are needed for removals.
  const trueRanges = new Float64Array(16);
  trueRanges[0] = rangePrevious;
  for (let i = 1; i < n; i++) {
    const c = close[i]!;
    const previous = close[i - 1]!;
    const v = volume[i]!;
    const d = c - previous;
    delta[i] = d;
    o20 *= factor20; if (w20 !== c) { w20 = o20 * w20 + c; w20 /= o20 + 1; } o20 += 1;
    o50 *= factor50; if (w50 !== c) { w50 = o50 * w50 + c; w50 /= o50 + 1; } o50 += 1;
    o12 *= factor12; if (w12 !== c) { w12 = o12 * w12 + c; w12 /= o12 + 1; } o12 += 1;
    o26 *= factor26; if (w26 !== c) { w26 = o26 * w26 + c; w26 /= o26 + 1; } o26 += 1;
    ema20[i] = w20;
    ema50[i] = w50;
    const macd = w12 - w26;
    o9 *= factor9; if (signal !== macd) { signal = o9 * signal + macd; signal /= o9 + 1; } o9 += 1;
    macdColumn[i] = macd;
    signalColumn[i] = signal;
    histColumn[i] = macd - signal;
    const fi = d * v;
    forceIndex[i] = fi;
    if (i === 1) {
      force = fi; // pandas: the first observation after the leading NaN starts the average
    } else {
      o13 *= factor13; if (force !== fi) { force = o13 * force + fi; force /= o13 + 1; } o13 += 1;
    }
    forceIndex13[i] = force;
    const gain = d > 0 ? d : 0;
    const loss = -(d < 0 ? d : 0);
    const range = high[i]! - low[i]!;
    const up = Math.abs(high[i]! - previous);
    const down = Math.abs(low[i]! - previous);
    const trueRange = range >= up ? (range >= down ? range : down) : (up >= down ? up : down);
    if (i >= 14) {
      const k = i - 14;
      const oldDelta = delta[k]!; // NaN at k = 0: gain 0, loss -0, as pandas' where()
      const oldGain = oldDelta > 0 ? oldDelta : 0;
      const oldLoss = -(oldDelta < 0 ? oldDelta : 0);
      let y = -oldGain - gainRemove; let t = gainSum + y; gainRemove = t - gainSum - y; gainSum = t;
      y = -oldLoss - lossRemove; t = lossSum + y; lossRemove = t - lossSum - y; lossSum = t;
      if (oldLoss === 0) lossZeros--;
      const oldRange = trueRanges[k & 15]!;
      y = -oldRange - rangeRemove; t = rangeSum + y; rangeRemove = t - rangeSum - y; rangeSum = t;
    }
    trueRanges[i & 15] = trueRange;
    {
      let y = gain - gainAdd; let t = gainSum + y; gainAdd = t - gainSum - y; gainSum = t;
      if (gain === gainPrevious) gainSame++; else gainSame = 1;
      gainPrevious = gain;
      y = loss - lossAdd; t = lossSum + y; lossAdd = t - lossSum - y; lossSum = t;
      if (loss === 0) lossZeros++;
      if (loss === lossPrevious) lossSame++; else lossSame = 1;
      lossPrevious = loss;
      y = trueRange - rangeAdd; t = rangeSum + y; rangeAdd = t - rangeSum - y; rangeSum = t;
      if (trueRange === rangePrevious) rangeSame++; else rangeSame = 1;
      rangePrevious = trueRange;
    }
    if (i >= 13) {
      let gainMean = gainSum / 14;
      if (gainSame >= 14) gainMean = gainPrevious;
      else if (gainMean < 0) gainMean = 0;
      let lossMean = lossSum / 14;
      if (lossSame >= 14) lossMean = lossPrevious;
      else if (lossZeros === 0 && lossMean < 0) lossMean = 0;
      else if (lossZeros === 14 && lossMean > 0) lossMean = 0;
      rsi[i] = 100 - 100 / (1 + gainMean / lossMean);
      let rangeMean = rangeSum / 14;
      if (rangeSame >= 14) rangeMean = rangePrevious;
      else if (rangeMean < 0) rangeMean = 0;
      atr[i] = rangeMean;
    } else {
      rsi[i] = Number.NaN;
      atr[i] = Number.NaN;
    }
    obvSum += v * Math.sign(d);
    obv[i] = obvSum;
    vpt[i] = v * (d / (previous === 0 ? Number.NaN : previous));
  }
}

/** elementwisePassInto for input that may hold NaN or infinities: separate pandas-exact kernels. */
function genericElementwisePassInto(columns: Columns, high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array, delta: Float64Array, gain: Float64Array, loss: Float64Array, trueRange: Float64Array, scratch: Float64Array): void {
  const n = close.length;
  const ema20 = columns[3]!, ema50 = columns[4]!, macd = columns[5]!, macdSignal = columns[6]!, macdHist = columns[7]!;
  const obv = columns[16]!, vpt = columns[17]!, forceIndex = columns[19]!, forceIndex13 = columns[20]!;
  if (n > 0) delta[0] = Number.NaN;
  for (let i = 1; i < n; i++) delta[i] = close[i]! - close[i - 1]!;
  ewmMeanInto(ema20, close, 20);
  ewmMeanInto(ema50, close, 50);
  ewmMeanInto(gain, close, 12);
  ewmMeanInto(scratch, close, 26);
  for (let i = 0; i < n; i++) macd[i] = gain[i]! - scratch[i]!;
  ewmMeanInto(macdSignal, macd, 9);
  for (let i = 0; i < n; i++) macdHist[i] = macd[i]! - macdSignal[i]!;
  // `delta.where(delta > 0, 0)` maps the first (NaN) diff to 0, and `-delta.where(delta < 0, 0)`
  // yields -0 for non-negative diffs, which pandas then averages.
  for (let i = 0; i < n; i++) {
    const d = delta[i]!;
    gain[i] = d > 0 ? d : 0;
    loss[i] = -(d < 0 ? d : 0);
  }
  // True range: pandas' row max skips NaN, so bar 0 is high - low.
  for (let i = 0; i < n; i++) {
    const range = high[i]! - low[i]!;
    let best = range === range ? range : Number.NEGATIVE_INFINITY;
    let seen = range === range;
    if (i > 0) {
      const previousClose = close[i - 1]!;
      const up = Math.abs(high[i]! - previousClose);
      const down = Math.abs(low[i]! - previousClose);
      if (up === up) { if (!seen || up > best) best = up; seen = true; }
      if (down === down) { if (!seen || down > best) best = down; seen = true; }
    }
    trueRange[i] = seen ? best : Number.NaN;
  }
  // OBV is a NaN-skipping cumulative sum; VPT divides by the previous close with 0 -> NaN.
  for (let i = 0; i < n; i++) scratch[i] = volume[i]! * Math.sign(delta[i]!);
  cumulativeSumInto(obv, scratch);
  if (n > 0) vpt[0] = Number.NaN;
  for (let i = 1; i < n; i++) {
    const previousClose = close[i - 1]!;
    const divisor = previousClose === 0 ? Number.NaN : previousClose;
    vpt[i] = volume[i]! * ((close[i]! - previousClose) / divisor);
  }
  for (let i = 0; i < n; i++) forceIndex[i] = delta[i]! * volume[i]!;
  ewmMeanInto(forceIndex13, forceIndex, 13);
}

/**
 * SMA20/50/200 and the Bollinger bands in ONE loop over finite closes: rollingMeanInto (three
 * windows) and rollingVarianceInto (20 bars) specialised to input without NaN, so their four
 * recursions overlap. The run-of-identical-values counter is the same for every window (it counts
 * consecutive equal values added, whatever the window), so it is shared.
 */
function closeStatisticsPassInto(columns: Columns, close: Float64Array): void {
  const n = close.length;
  if (n === 0) return;
  const sma20 = columns[0]!, sma50 = columns[1]!, sma200 = columns[2]!;
  const bbUpper = columns[12]!, bbLower = columns[13]!, bbWidth = columns[14]!;
  let sum20 = 0, add20 = 0, remove20 = 0, negative20 = 0;
  let sum50 = 0, add50 = 0, remove50 = 0, negative50 = 0;
  let sum200 = 0, add200 = 0, remove200 = 0, negative200 = 0;
  let varianceCount = 0, mean = 0, ssqdm = 0, varianceAdd = 0, varianceRemove = 0;
  let sameCount = 0;
  let previous = close[0]!;
  for (let i = 0; i < n; i++) {
    const value = close[i]!;
    if (i >= 20) {
      const old = close[i - 20]!;
      let y = -old - remove20; let t = sum20 + y; remove20 = t - sum20 - y; sum20 = t;
      if (old < 0 || (old === 0 && 1 / old < 0)) negative20--;
      varianceCount--;
      const previousMean = mean - varianceRemove;
      y = old - varianceRemove; t = y - mean; varianceRemove = t + mean - y;
      mean = mean - t / varianceCount;
      ssqdm = ssqdm - (old - previousMean) * (old - mean);
    }
    if (i >= 50) {
      const old = close[i - 50]!;
      const y = -old - remove50; const t = sum50 + y; remove50 = t - sum50 - y; sum50 = t;
      if (old < 0 || (old === 0 && 1 / old < 0)) negative50--;
    }
    if (i >= 200) {
      const old = close[i - 200]!;
      const y = -old - remove200; const t = sum200 + y; remove200 = t - sum200 - y; sum200 = t;
      if (old < 0 || (old === 0 && 1 / old < 0)) negative200--;
    }
    const negative = value < 0 || (value === 0 && 1 / value < 0);
    let y = value - add20; let t = sum20 + y; add20 = t - sum20 - y; sum20 = t;
    y = value - add50; t = sum50 + y; add50 = t - sum50 - y; sum50 = t;
    y = value - add200; t = sum200 + y; add200 = t - sum200 - y; sum200 = t;
    if (negative) { negative20++; negative50++; negative200++; }
    if (value === previous) sameCount++;
    else sameCount = 1;
    previous = value;
    varianceCount++;
    const previousMean = mean - varianceAdd;
    y = value - varianceAdd; t = y - mean; varianceAdd = t + mean - y;
    mean = mean + t / varianceCount;
    ssqdm = ssqdm + (value - previousMean) * (value - mean);

    if (i >= 19) {
      let middle = sum20 / 20;
      if (sameCount >= 20) middle = previous;
      else if (negative20 === 0 && middle < 0) middle = 0;
      else if (negative20 === 20 && middle > 0) middle = 0;
      sma20[i] = middle;
      const variance = sameCount >= 20 ? 0 : ssqdm / (20 - 1);
      const std = variance < 0 ? 0 : Math.sqrt(variance);
      const upper = middle + std * 2;
      const lower = middle - std * 2;
      bbUpper[i] = upper;
      bbLower[i] = lower;
      bbWidth[i] = (upper - lower) / middle;
    } else {
      sma20[i] = bbUpper[i] = bbLower[i] = bbWidth[i] = Number.NaN;
    }
    if (i >= 49) {
      let result = sum50 / 50;
      if (sameCount >= 50) result = previous;
      else if (negative50 === 0 && result < 0) result = 0;
      else if (negative50 === 50 && result > 0) result = 0;
      sma50[i] = result;
    } else {
      sma50[i] = Number.NaN;
    }
    if (i >= 199) {
      let result = sum200 / 200;
      if (sameCount >= 200) result = previous;
      else if (negative200 === 0 && result < 0) result = 0;
      else if (negative200 === 200 && result > 0) result = 0;
      sma200[i] = result;
    } else {
      sma200[i] = Number.NaN;
    }
  }
}

/** %K for finite input: the 14-bar low minimum and high maximum tracked together in one loop. */
function stochasticPassInto(percentK: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array): void {
  const n = close.length;
  let lowest = -1;
  let highest = -1;
  for (let i = 0; i < n; i++) {
    const start = i < 13 ? 0 : i - 13;
    if (lowest < start) {
      lowest = start;
      for (let j = start + 1; j <= i; j++) if (low[j]! <= low[lowest]!) lowest = j;
    } else if (low[i]! <= low[lowest]!) {
      lowest = i;
    }
    if (highest < start) {
      highest = start;
      for (let j = start + 1; j <= i; j++) if (high[j]! >= high[highest]!) highest = j;
    } else if (high[i]! >= high[highest]!) {
      highest = i;
    }
    if (i >= 13) {
      const lowMin = low[lowest]!;
      percentK[i] = (100 * (close[i]! - lowMin)) / (high[highest]! - lowMin);
    } else {
      percentK[i] = Number.NaN;
    }
  }
}
