import { describe, expect, it } from 'vitest';
import { computeIndicators } from './indicators.js';
import { RAW_FEATURE_NAMES, featureColumn } from './names.js';
import { expectClose, readFixtureCsv } from '../../test/fixtures/features/support.js';

describe('computeIndicators against pandas (scripts/make-feature-fixtures.py)', () => {
  const fixture = readFixtureCsv('indicators.csv');
  const bars = {
    high: fixture.columns.get('high')!,
    low: fixture.columns.get('low')!,
    close: fixture.columns.get('close')!,
    volume: fixture.columns.get('volume')!,
  };
  const frame = computeIndicators(bars);

  it('returns the 21 specification columns in order', () => {
    expect(frame.names).toEqual([...RAW_FEATURE_NAMES]);
    expect(frame.columns.every((column) => column.length === bars.close.length)).toBe(true);
  });

  for (const name of RAW_FEATURE_NAMES) {
    it(`${name} equals pandas to 1e-9 with identical NaN positions`, () => {
      expectClose(featureColumn(frame, name), fixture.columns.get(name)!, name);
    });
  }

  it('is in fact bit-identical to pandas on every cell (the kernels replicate pandas operation for operation)', () => {
    for (const name of RAW_FEATURE_NAMES) {
      const ours = featureColumn(frame, name);
      const pandas = fixture.columns.get(name)!;
      for (let i = 0; i < pandas.length; i++) {
        if (!Object.is(ours[i], pandas[i]) && !(Number.isNaN(ours[i]) && Number.isNaN(pandas[i]))) expect.fail(`${name}[${i}]: ${ours[i]} vs pandas ${pandas[i]}`);
      }
    }
  });
});

describe('computeIndicators on input holding NaN (the generic, NaN-aware path)', () => {
  const fixture = readFixtureCsv('indicators.csv');
  const n = fixture.dates.length;
  for (const field of ['volume', 'close', 'high'] as const) {
    it(`a NaN ${field} on the last bar leaves every earlier value equal to pandas`, () => {
      const bars = {
        high: fixture.columns.get('high')!.slice(),
        low: fixture.columns.get('low')!.slice(),
        close: fixture.columns.get('close')!.slice(),
        volume: fixture.columns.get('volume')!.slice(),
      };
      bars[field][n - 1] = Number.NaN;
      const frame = computeIndicators(bars);
      for (const name of RAW_FEATURE_NAMES) {
        expectClose(featureColumn(frame, name).subarray(0, n - 1), fixture.columns.get(name)!.subarray(0, n - 1), `${name} (NaN ${field})`);
      }
    });
  }

  it('an infinite close is a missing value for the rolling and ewm statistics, as pandas makes it', () => {
    const close = Float64Array.of(1, 2, Infinity, 4, 5);
    const frame = computeIndicators({ close, high: close, low: close, volume: new Float64Array(5).fill(1) });
    // ewm(span=20) of [1, 2, NaN, 4]: alpha = 2/21; weights at bar 3: 4 -> 1, 2 -> (1-a)^2, 1 -> (1-a)^3.
    const a = 2 / 21;
    const expected = (1 * (1 - a) ** 3 + 2 * (1 - a) ** 2 + 4) / ((1 - a) ** 3 + (1 - a) ** 2 + 1);
    expect(featureColumn(frame, 'EMA20')[3]).toBeCloseTo(expected, 13);
  });
});

describe('computeIndicators on degenerate input', () => {
  it('returns empty columns for no bars and single-bar values for one bar', () => {
    const empty = computeIndicators({ high: new Float64Array(0), low: new Float64Array(0), close: new Float64Array(0), volume: new Float64Array(0) });
    expect(empty.columns.every((column) => column.length === 0)).toBe(true);
    const one = computeIndicators({ high: Float64Array.of(11), low: Float64Array.of(9), close: Float64Array.of(10), volume: Float64Array.of(5) });
    expect(featureColumn(one, 'EMA20')[0]).toBe(10);
    expect(featureColumn(one, 'MACD')[0]).toBe(0);
    for (const name of ['SMA20', 'RSI', '%K', 'ATR', 'OBV', 'VPT', 'ForceIndex', 'ForceIndex13', 'BBWidth'] as const) {
      expect(featureColumn(one, name)[0], name).toBeNaN();
    }
  });

  it('rejects fields of different lengths', () => {
    expect(() => computeIndicators({ high: new Float64Array(3), low: new Float64Array(3), close: new Float64Array(3), volume: new Float64Array(2) })).toThrow(/differ in length/);
  });
});

describe('computeFeaturesInto', () => {
  it('writes exactly what computeFeatures returns into the caller storage, and refuses a wrong size', async () => {
    const { computeFeatures, computeFeaturesInto, featureNames } = await import('./features.js');
    const n = 300;
    const close = Float64Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin(i / 7) + i / 20);
    const bars = { high: close.map((c) => c + 1), low: close.map((c) => c - 1), close, volume: close.map((_, i) => 1000 + (i % 13) * 50) };
    const expected = computeFeatures(bars);
    const storage = new Float64Array(n * featureNames().length);
    const frame = computeFeaturesInto(storage, bars);
    expect(frame.names).toEqual(expected.names);
    frame.columns.forEach((column, c) => expect(Array.from(column)).toEqual(Array.from(expected.columns[c]!)));
    expect(frame.columns[0]!.buffer).toBe(storage.buffer);
    expect(() => computeFeaturesInto(new Float64Array(5), bars)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
