import { describe, expect, it } from 'vitest';
import { computeFeatures } from './features.js';
import { computeIndicators } from './indicators.js';
import { NORMALIZED_SOURCE_NAMES, featureColumn } from './names.js';
import { fitScaler, resolveNormalization, zScoreInto } from './normalize.js';
import { expectClose, readFixtureCsv } from '../../test/fixtures/features/support.js';
import { GrpoTraderError } from '../core/errors.js';

const fixture = readFixtureCsv('indicators.csv');
const bars = {
  high: fixture.columns.get('high')!,
  low: fixture.columns.get('low')!,
  close: fixture.columns.get('close')!,
  volume: fixture.columns.get('volume')!,
};
const expected = readFixtureCsv('normalized.csv');

describe('causal normalisation against pandas rolling/expanding/fitted z-scores', () => {
  const cases = [
    ['rolling60', { method: 'rolling', window: 60, minPeriods: 20 }],
    ['expanding', { method: 'expanding', minPeriods: 20 }],
    ['fitted', { method: 'fitted', fitStart: 50, fitEnd: 250 }],
  ] as const;
  for (const [suffix, normalization] of cases) {
    const frame = computeFeatures(bars, { normalization });
    for (const name of NORMALIZED_SOURCE_NAMES) {
      it(`${name}_norm (${suffix}) equals pandas`, () => {
        expectClose(featureColumn(frame, `${name}_norm`), expected.columns.get(`${name}_${suffix}`)!, `${name}_${suffix}`);
      });
    }
  }
});

describe('normalisation options', () => {
  it('defaults to rolling, window 252, minPeriods 20', () => {
    expect(resolveNormalization()).toEqual({ method: 'rolling', window: 252, minPeriods: 20 });
    expect(resolveNormalization({ method: 'expanding' })).toEqual({ method: 'expanding', minPeriods: 20 });
  });

  it('rejects a window below 2, a minPeriods above the window and a fit range of fewer than 2 bars', () => {
    expect(() => resolveNormalization({ method: 'rolling', window: 1 })).toThrow(GrpoTraderError);
    expect(() => resolveNormalization({ method: 'rolling', window: 10, minPeriods: 11 })).toThrow(/exceeds the window/);
    expect(() => resolveNormalization({ method: 'fitted', fitStart: 5, fitEnd: 6 })).toThrow(GrpoTraderError);
    expect(() => computeFeatures(bars, { normalization: { method: 'fitted', fitStart: 0, fitEnd: 10_000 } })).toThrow(/exceeds/);
  });

  it('omits the *_norm columns with method none', () => {
    const frame = computeFeatures(bars, { normalization: { method: 'none' } });
    expect(frame.names).toHaveLength(21);
  });

  it('z-scores a hand-computed series: expanding, minPeriods 2', () => {
    const x = Float64Array.of(Number.NaN, 1, 3, Number.POSITIVE_INFINITY, 5);
    const out = new Float64Array(5);
    zScoreInto(out, x, { method: 'expanding', minPeriods: 2 });
    // bar 2: values {1,3}: mean 2, std sqrt(2); bar 4: {1,3,5}: mean 3, std 2. Infinity is missing.
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1 / (Math.SQRT2 + 1e-9), 14);
    expect(out[3]).toBeNaN();
    expect(out[4]).toBeCloseTo(2 / (2 + 1e-9), 14);
  });

  it('fitted: values after the fit range ignore every later bar, values inside it see the whole range', () => {
    const raw = featureColumn(computeIndicators(bars), 'RSI');
    const fit = { method: 'fitted', fitStart: 50, fitEnd: 250 } as const;
    const base = featureColumn(computeFeatures(bars, { normalization: fit }), 'RSI_norm');
    // Changing a bar after the fit range leaves every z-score unchanged (the scaler is frozen)...
    const later = { ...bars, close: bars.close.slice() };
    later.close[300] = later.close[300]! * 1.5;
    const afterLater = featureColumn(computeFeatures(later, { normalization: fit }), 'RSI_norm');
    for (let i = 0; i < 300; i++) expect(Object.is(afterLater[i], base[i])).toBe(true);
    // ...but changing a bar at the end of the fit range moves bar 100's z-score: inside the range
    // the scaler looks ahead, so 'fitted' is causal only for bars after fitEnd.
    const inside = { ...bars, close: bars.close.slice() };
    inside.close[240] = inside.close[240]! * 1.5;
    const afterInside = featureColumn(computeFeatures(inside, { normalization: fit }), 'RSI_norm');
    expect(afterInside[100]).not.toBe(base[100]);
    expect(raw[100]).toBe(featureColumn(computeIndicators(inside), 'RSI')[100]);
    const { count } = fitScaler(raw, 50, 250);
    expect(count).toBeGreaterThan(150);
  });
});
