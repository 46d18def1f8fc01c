import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../core/rng.js';
import { computeFeatures } from './features.js';
import { percentChangeInto, rollingCorrelationInto } from './correlation.js';
import { syntheticSeries } from '../../test/synthetic-files.js';
import type { NormalizationOptions } from './normalize.js';

// Three seeded synthetic assets: the first is perturbed, the other two join it in the correlation test.
const assets = syntheticSeries({ assets: 3, bars: 2000, seed: 17 });
const n = 2000; // long enough for the rolling window (252) to slide well past its warm-up
const first = assets[0]!;
const bars = { high: first.high, low: first.low, close: first.close, volume: first.volume };

/** Replace every bar after t with random (but valid) prices and volumes. */
function perturbAfter(t: number, seed: number) {
  const rng = new Rng(seed);
  const copy = { high: bars.high.slice(), low: bars.low.slice(), close: bars.close.slice(), volume: bars.volume.slice() };
  for (let i = t + 1; i < n; i++) {
    const close = bars.close[i]! * Math.exp(rng.normal() * 0.3);
    copy.close[i] = close;
    copy.high[i] = close * (1 + rng.uniform() * 0.05);
    copy.low[i] = close * (1 - rng.uniform() * 0.05);
    copy.volume[i] = rng.uniform() < 0.05 ? 0 : rng.uniform() * 1e8;
  }
  return copy;
}

describe('no look-ahead: perturbing every bar after t leaves every value at or before t bit-identical', () => {
  const normalizations: NormalizationOptions[] = [{ method: 'rolling' }, { method: 'expanding' }, { method: 'fitted', fitStart: 0, fitEnd: 300 }];
  const checkpoints = [0, 13, 30, 199, 301, 900, n - 2];
  for (const normalization of normalizations) {
    it(`every raw and *_norm column (${normalization.method})`, () => {
      const base = computeFeatures(bars, { normalization });
      for (const [k, t] of checkpoints.entries()) {
        // The fitted scaler sees its whole range by design: it is causal only after fitEnd.
        if (normalization.method === 'fitted' && t < 300) continue;
        const other = computeFeatures(perturbAfter(t, 100 + k), { normalization });
        base.columns.forEach((column, c) => {
          for (let i = 0; i <= t; i++) {
            if (!Object.is(column[i], other.columns[c]![i])) expect.fail(`${base.names[c]}[${i}] changed when bars after ${t} changed`);
          }
        });
        // And the future really did change something (the perturbation is not a no-op).
        expect(other.columns[0]![n - 1]).not.toBe(base.columns[0]![n - 1]);
      }
    });
  }

  it('rolling correlation of price and volume changes', () => {
    const others = assets.slice(1);
    const assetCount = 3;
    const interleave = (field: 'close' | 'volume', first: Float64Array) => {
      const out = new Float64Array(n * assetCount);
      for (let t = 0; t < n; t++) {
        out[t * assetCount] = first[t]!;
        out[t * assetCount + 1] = others[0]![field][t]!;
        out[t * assetCount + 2] = others[1]![field][t]!;
      }
      return out;
    };
    const window = 60;
    for (const [k, t] of [5, 80, 1500].entries()) {
      const perturbed = perturbAfter(t, 7 + k);
      for (const field of ['close', 'volume'] as const) {
        const changes = percentChangeInto(new Float64Array(n * assetCount), interleave(field, bars[field]), assetCount);
        const changed = percentChangeInto(new Float64Array(n * assetCount), interleave(field, perturbed[field]), assetCount);
        const a = new Float64Array(9);
        const b = new Float64Array(9);
        for (let s = Math.max(0, t - 5); s <= t; s++) {
          rollingCorrelationInto(a, changes, assetCount, s, window);
          rollingCorrelationInto(b, changed, assetCount, s, window);
          for (let c = 0; c < 9; c++) if (!Object.is(a[c], b[c])) expect.fail(`${field} correlation at ${s} changed`);
        }
      }
    }
  });

  it('same input gives bit-identical output', () => {
    const one = computeFeatures(bars);
    const two = computeFeatures({ high: bars.high.slice(), low: bars.low.slice(), close: bars.close.slice(), volume: bars.volume.slice() });
    one.columns.forEach((column, c) => expect(Buffer.from(column.buffer).equals(Buffer.from(two.columns[c]!.buffer))).toBe(true));
  });

  it('holds on random series for random t (property, rolling and expanding)', () => {
    const bar = fc.record({
      close: fc.oneof(fc.constant(20), fc.double({ min: 1, max: 50, noNaN: true })),
      spread: fc.double({ min: 0, max: 2, noNaN: true }),
      volume: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })),
    });
    const series = fc.array(bar, { minLength: 2, maxLength: 240 });
    fc.assert(fc.property(series, series, fc.nat(), fc.boolean(), (rows, replacement, cut, expanding) => {
      const t = cut % rows.length;
      const build = (source: typeof rows) => ({
        close: Float64Array.from(source, (r) => r.close),
        high: Float64Array.from(source, (r) => r.close + r.spread),
        low: Float64Array.from(source, (r) => r.close - r.spread / 2),
        volume: Float64Array.from(source, (r) => r.volume),
      });
      // Bars after t come from another random series (cycled to the same length).
      const mixed = rows.map((row, i) => (i <= t || replacement.length === 0 ? row : replacement[i % replacement.length]!));
      const normalization = expanding ? { method: 'expanding' as const, minPeriods: 5 } : { method: 'rolling' as const, window: 30, minPeriods: 5 };
      const a = computeFeatures(build(rows), { normalization });
      const b = computeFeatures(build(mixed), { normalization });
      a.columns.forEach((column, c) => {
        for (let i = 0; i <= t; i++) if (!Object.is(column[i], b.columns[c]![i])) throw new Error(`${a.names[c]}[${i}] changed (t = ${t})`);
      });
    }), { numRuns: 60 });
  });
});
