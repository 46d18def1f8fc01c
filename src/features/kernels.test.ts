import { beforeAll, describe, expect, it } from 'vitest';
import * as ti from 'technicalindicators';
import { cumulativeSumInto, ewmMeanInto, rollingExtremumInto, rollingMeanInto, rollingStdInto, smaInto } from './kernels.js';
import { computeIndicators } from './indicators.js';
import { featureColumn, type IndicatorInput } from './names.js';
import { readSharedDaily } from '../../test/fixtures/features/support.js';
import { describeRealData } from '../../test/real-data.js';
import { syntheticSeries } from '../../test/synthetic-files.js';

const run = (kernel: (out: Float64Array) => Float64Array, n: number) => Array.from(kernel(new Float64Array(n)));

describe('kernels on hand-computed series', () => {
  it('SMA over 3 of 1..5 is NaN, NaN, 2, 3, 4', () => {
    expect(run((out) => smaInto(out, [1, 2, 3, 4, 5], 3), 5)).toEqual([NaN, NaN, 2, 3, 4]);
  });

  it('rolling mean skips NaN and needs minPeriods observations; infinity counts as missing', () => {
    expect(run((out) => rollingMeanInto(out, [1, NaN, 3, 5, Infinity, 7], 3, 2), 6)).toEqual([NaN, NaN, 2, 4, 4, 6]);
  });

  it('a run of identical values averages to exactly that value', () => {
    const x = [0.1, 0.7, 0.3, 0.1, 0.1, 0.1];
    expect(run((out) => smaInto(out, x, 3), 6)[5]).toBe(0.1);
  });

  it('rolling std (ddof 1) of 1, 2, 4, 8 over 3 is NaN, NaN, sqrt(7/3), sqrt(28/3); a constant window is 0', () => {
    const out = run((o) => rollingStdInto(o, [1, 2, 4, 8, 8, 8], 3), 6);
    expect(out[0]).toBeNaN();
    expect(out[2]).toBeCloseTo(Math.sqrt(7 / 3), 14);
    expect(out[3]).toBeCloseTo(Math.sqrt(28 / 3), 14);
    expect(out[5]).toBe(0);
  });

  it('ewm(span=3) with adjust=True: 1, (0.5·1+2)/1.5, (0.25·1+0.5·2+3)/1.75', () => {
    const out = run((o) => ewmMeanInto(o, [1, 2, 3], 3), 3);
    expect(out[0]).toBe(1);
    expect(out[1]).toBeCloseTo(2.5 / 1.5, 15);
    expect(out[2]).toBeCloseTo(4.25 / 1.75, 15);
  });

  it('ewm starts at the first observation after leading NaN, and a NaN inside decays the old weight', () => {
    const out = run((o) => ewmMeanInto(o, [NaN, 4, NaN, 1], 3), 4);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBe(4);
    expect(out[2]).toBe(4);
    // weights: 4 has (1-0.5)^2 = 0.25, 1 has 1: (0.25·4 + 1)/1.25
    expect(out[3]).toBeCloseTo(2 / 1.25, 15);
  });

  it('rolling max/min over 3 skip NaN and need a full window by default', () => {
    expect(run((o) => rollingExtremumInto(o, [3, 1, 2, 5, 4, 0], 3, true), 6)).toEqual([NaN, NaN, 3, 5, 5, 5]);
    expect(run((o) => rollingExtremumInto(o, [3, 1, 2, 5, 4, 0], 3, false), 6)).toEqual([NaN, NaN, 1, 1, 2, 0]);
    expect(run((o) => rollingExtremumInto(o, [3, NaN, 2, 5], 2, true, 1), 4)).toEqual([3, 3, 2, 5]);
  });

  it('cumulative sum keeps NaN positions and continues past them', () => {
    expect(run((o) => cumulativeSumInto(o, [NaN, 1, 2, NaN, 3]), 5)).toEqual([NaN, 1, 3, NaN, 6]);
  });
});

describe('indicators on hand-computed bars', () => {
  it('RSI is 100 when every change is a gain, 0 when every change is a loss, NaN when flat', () => {
    const rising = Float64Array.from({ length: 16 }, (_, i) => 10 + i);
    const bars = (close: Float64Array) => ({ close, high: close, low: close, volume: new Float64Array(close.length).fill(1) });
    expect(featureColumn(computeIndicators(bars(rising)), 'RSI')[13]).toBe(100);
    expect(featureColumn(computeIndicators(bars(rising)), 'RSI')[12]).toBeNaN();
    expect(featureColumn(computeIndicators(bars(rising.slice().reverse())), 'RSI')[15]).toBe(0);
    expect(featureColumn(computeIndicators(bars(new Float64Array(16).fill(5))), 'RSI')[15]).toBeNaN();
  });

  it('VPT divides by the previous close with 0 -> NaN; ROC by the close 10 bars back', () => {
    const close = Float64Array.of(0, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 6);
    const frame = computeIndicators({ close, high: close, low: close, volume: new Float64Array(12).fill(10) });
    const vpt = featureColumn(frame, 'VPT');
    expect(vpt[0]).toBeNaN();
    expect(vpt[1]).toBeNaN(); // previous close 0
    expect(vpt[2]).toBe(10 * (1 / 2));
    expect(featureColumn(frame, 'ROC')[11]).toBe(200); // (6 - 2) / 2 · 100
    expect(featureColumn(frame, 'ROC')[10]).toBe(Infinity); // (3 - 0) / 0 · 100, as pandas
    expect(featureColumn(frame, 'ForceIndex')[11]).toBe(30);
    expect(featureColumn(frame, 'OBV')[11]).toBe(30); // +10 (0->2) +10 (2->3) +0... +10 (3->6)
  });
});

/** The comparisons with technicalindicators on the bars `load` gives (called in beforeAll, not at collection). */
function compareWithTechnicalIndicators(load: () => IndicatorInput): void {
  let frame: ReturnType<typeof computeIndicators>;
  let close: number[];
  let high: number[];
  let low: number[];
  let volume: number[];
  let n: number;
  beforeAll(() => {
    const bars = load();
    frame = computeIndicators(bars);
    close = Array.from(bars.close);
    high = Array.from(bars.high);
    low = Array.from(bars.low);
    volume = Array.from(bars.volume);
    n = close.length;
  });

  const compareTail = (ours: Float64Array, theirs: number[], label: string, tolerance = 1e-9) => {
    const offset = n - theirs.length;
    for (let i = 0; i < theirs.length; i++) {
      const a = ours[offset + i]!;
      const b = theirs[i]!;
      if (!(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)))) expect.fail(`${label}[${offset + i}]: ours ${a}, technicalindicators ${b}`);
    }
  };

  it('SMA20/50/200 equal technicalindicators.SMA', () => {
    compareTail(featureColumn(frame, 'SMA20'), ti.SMA.calculate({ period: 20, values: close }), 'SMA20');
    compareTail(featureColumn(frame, 'SMA200'), ti.SMA.calculate({ period: 200, values: close }), 'SMA200');
  });

  it('%K and %D equal technicalindicators.Stochastic (14, 3)', () => {
    const stochastic = ti.Stochastic.calculate({ high, low, close, period: 14, signalPeriod: 3 });
    compareTail(featureColumn(frame, '%K'), stochastic.map((s) => s.k), '%K');
    compareTail(featureColumn(frame, '%D'), stochastic.slice(2).map((s) => s.d!), '%D');
  });

  it('ROC equals technicalindicators.ROC(10)', () => {
    compareTail(featureColumn(frame, 'ROC'), ti.ROC.calculate({ period: 10, values: close }), 'ROC');
  });

  it('Bollinger bands equal technicalindicators after converting its population std to ddof 1', () => {
    const bands = ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: close });
    const scale = Math.sqrt(20 / 19);
    compareTail(featureColumn(frame, 'BBUpper'), bands.map((b) => b.middle + (b.upper - b.middle) * scale), 'BBUpper');
    compareTail(featureColumn(frame, 'BBLower'), bands.map((b) => b.middle - (b.middle - b.lower) * scale), 'BBLower');
  });

  it('OBV equals technicalindicators.OBV (which starts one bar later)', () => {
    compareTail(featureColumn(frame, 'OBV'), ti.OBV.calculate({ close, volume }), 'OBV');
  });

  it('ATR equals the 14-bar mean of technicalindicators.TrueRange (pandas ATR is a simple mean, not Wilder)', () => {
    const trueRange = ti.TrueRange.calculate({ high, low, close });
    compareTail(featureColumn(frame, 'ATR'), ti.SMA.calculate({ period: 14, values: trueRange }).slice(1), 'ATR');
  });

  it('EMA20/EMA50 converge to technicalindicators.EMA (SMA-seeded) after the seed has decayed', () => {
    const ema20 = ti.EMA.calculate({ period: 20, values: close });
    const ours = featureColumn(frame, 'EMA20');
    // pandas' adjust=True and an SMA seed differ by a weight of (1 - 2/21)^t: negligible after 1000 bars.
    compareTail(ours.subarray(0, n), ema20.slice(1000), 'EMA20', 1e-9);
  });
}

describe('indicators against the technicalindicators library where its definitions coincide (seeded synthetic bars)', () => {
  compareWithTechnicalIndicators(() => syntheticSeries({ assets: 1, bars: 2000, seed: 21 })[0]!);
});

// Real bars add what the synthetic ones lack: a zero-volume day and over a hundred unchanged closes (OBV).
describeRealData(['us-equities-daily', 'IBM.csv'], 'indicators against the technicalindicators library where its definitions coincide (IBM)', () => {
  compareWithTechnicalIndicators(() => readSharedDaily('IBM'));
});
