import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeFeatures } from './features.js';
import { IndicatorStream } from './indicator-stream.js';
import { readFixtureCsv, readSharedDaily } from '../../test/fixtures/features/support.js';
import { itRealData } from '../../test/real-data.js';
import { syntheticSeries } from '../../test/synthetic-files.js';
import type { IndicatorInput } from './names.js';
import type { NormalizationOptions } from './normalize.js';

/** Stream every bar and demand the batch numbers bit for bit (NaN positions included). */
function expectStreamEqualsBatch(bars: IndicatorInput, normalization: NormalizationOptions): void {
  const batch = computeFeatures(bars, { normalization });
  const stream = new IndicatorStream({ normalization });
  expect(stream.names).toEqual(batch.names);
  for (let i = 0; i < bars.close.length; i++) {
    const row = stream.update({ high: bars.high[i]!, low: bars.low[i]!, close: bars.close[i]!, volume: bars.volume[i]! });
    for (let c = 0; c < row.length; c++) {
      const expected = batch.columns[c]![i]!;
      if (!Object.is(row[c], expected)) expect.fail(`${batch.names[c]}[${i}]: stream ${row[c]}, batch ${expected}`);
    }
  }
}

describe('IndicatorStream reproduces computeFeatures', () => {
  it('on every bar of a seeded synthetic series (rolling 252) bit for bit', () => {
    expectStreamEqualsBatch(syntheticSeries({ assets: 1, bars: 1500, seed: 31 })[0]!, { method: 'rolling' });
  });

  it('on a seeded synthetic series with expanding normalisation', () => {
    expectStreamEqualsBatch(syntheticSeries({ assets: 1, bars: 1500, seed: 32 })[0]!, { method: 'expanding', minPeriods: 20 });
  });

  // Real files add long histories with unchanged closes and (AAPL) a zero-volume day.
  itRealData(['us-equities-daily', 'AAPL.csv'], 'on every bar of a real file (AAPL, rolling 252) bit for bit', () => {
    expectStreamEqualsBatch(readSharedDaily('AAPL'), { method: 'rolling' });
  });

  itRealData(['us-equities-daily', 'XLF.csv'], 'on a real ETF file with expanding normalisation', () => {
    expectStreamEqualsBatch(readSharedDaily('XLF'), { method: 'expanding', minPeriods: 20 });
  });

  it('on the synthetic edge-case fixture (flat stretch, zero volume, high == low)', () => {
    const fixture = readFixtureCsv('indicators.csv');
    const bars = { high: fixture.columns.get('high')!, low: fixture.columns.get('low')!, close: fixture.columns.get('close')!, volume: fixture.columns.get('volume')! };
    expectStreamEqualsBatch(bars, { method: 'rolling', window: 60, minPeriods: 20 });
    expectStreamEqualsBatch(bars, { method: 'none' });
  });

  it('on random bars including repeats and zero volume (property)', () => {
    const bar = fc.record({
      close: fc.oneof(fc.constant(10), fc.double({ min: 1, max: 100, noNaN: true })),
      spread: fc.double({ min: 0, max: 3, noNaN: true }),
      volume: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })),
    });
    fc.assert(fc.property(fc.array(bar, { minLength: 1, maxLength: 260 }), (rows) => {
      const bars = {
        close: Float64Array.from(rows, (r) => r.close),
        high: Float64Array.from(rows, (r) => r.close + r.spread),
        low: Float64Array.from(rows, (r) => r.close - r.spread / 2),
        volume: Float64Array.from(rows, (r) => r.volume),
      };
      expectStreamEqualsBatch(bars, { method: 'rolling', window: 30, minPeriods: 5 });
    }), { numRuns: 40 });
  });

  it('starts over after reset and allocates no new row', () => {
    const bars = syntheticSeries({ assets: 1, bars: 300, seed: 33 })[0]!;
    const stream = new IndicatorStream();
    const row = stream.values;
    for (let i = 0; i < 300; i++) stream.update({ high: bars.high[i]!, low: bars.low[i]!, close: bars.close[i]!, volume: bars.volume[i]! });
    stream.reset();
    expect(stream.length).toBe(0);
    const again = stream.update({ high: bars.high[0]!, low: bars.low[0]!, close: bars.close[0]!, volume: bars.volume[0]! });
    expect(again).toBe(row);
    expect(again[3]).toBe(bars.close[0]); // EMA20 of one bar is that close
    expect(again[0]).toBeNaN();
  });

  it('rejects a fitted scaler (batch only)', () => {
    expect(() => new IndicatorStream({ normalization: { method: 'fitted', fitStart: 0, fitEnd: 10 } })).toThrow(/batch only/);
  });
});
