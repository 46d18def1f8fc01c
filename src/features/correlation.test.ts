import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { correlationMatrix, percentChangeInto, rollingCorrelation, rollingCorrelationInto, rollingMarketCorrelationInto } from './correlation.js';
import type { MarketData } from '../data/types.js';
import { expectClose, fixtureDirectory } from '../../test/fixtures/features/support.js';

interface CorrelationFixture {
  symbols: string[];
  close: Record<string, number[]>;
  volume: Record<string, number[]>;
  window: number;
  priceFull: (number | null)[][];
  volumeFull: (number | null)[][];
  rolling: { t: number; price: (number | null)[][]; volume: (number | null)[][] }[];
}

const fixture = JSON.parse(readFileSync(join(fixtureDirectory, 'correlation.json'), 'utf8')) as CorrelationFixture;
const assetCount = fixture.symbols.length;
const times = fixture.close[fixture.symbols[0]!]!.length;

function interleave(series: Record<string, number[]>): Float64Array {
  const out = new Float64Array(times * assetCount);
  fixture.symbols.forEach((symbol, a) => series[symbol]!.forEach((value, t) => { out[t * assetCount + a] = value; }));
  return out;
}

const flat = (matrix: (number | null)[][]) => Float64Array.from(matrix.flat(), (v) => (v === null ? Number.NaN : v));
const prices = percentChangeInto(new Float64Array(times * assetCount), interleave(fixture.close), assetCount);
const volumes = percentChangeInto(new Float64Array(times * assetCount), interleave(fixture.volume), assetCount);

describe('correlation against pandas DataFrame.corr (pairwise complete)', () => {
  it('full-sample price and volume correlation equal pandas', () => {
    expectClose(correlationMatrix(prices, assetCount), flat(fixture.priceFull), 'price');
    expectClose(correlationMatrix(volumes, assetCount), flat(fixture.volumeFull), 'volume');
  });

  it('rolling correlation at bar t equals pandas on rows (t - window, t]', () => {
    const out = new Float64Array(assetCount * assetCount);
    for (const { t, price, volume } of fixture.rolling) {
      expectClose(rollingCorrelationInto(out, prices, assetCount, t, fixture.window), flat(price), `price@${t}`);
      expectClose(rollingCorrelationInto(out, volumes, assetCount, t, fixture.window), flat(volume), `volume@${t}`);
    }
  });

  it('treats changes from a zero volume as missing (x/0 and 0/0)', () => {
    expect(volumes[31 * assetCount + 1]).toBeNaN(); // 0 -> 0
    expect(volumes[32 * assetCount + 1]).toBeNaN(); // 0 -> positive: inf
    expect(volumes[30 * assetCount + 1]).toBe(-1); // positive -> 0 is a finite -100 %
  });

  it('the MarketData form computes the same changes on the fly and gives the same matrices bit for bit', () => {
    const close = interleave(fixture.close);
    const volume = interleave(fixture.volume);
    const market: MarketData = { symbols: fixture.symbols, time: new Float64Array(times), open: close, high: close, low: close, close, volume };
    const a = new Float64Array(9);
    const b = new Float64Array(9);
    for (const t of [0, 1, 5, 19, 20, 32, 45, times - 1]) {
      rollingMarketCorrelationInto(a, market, 'close', t, fixture.window);
      rollingCorrelationInto(b, prices, assetCount, t, fixture.window);
      for (let c = 0; c < 9; c++) expect(Object.is(a[c], b[c])).toBe(true);
      rollingMarketCorrelationInto(a, market, 'volume', t, fixture.window);
      rollingCorrelationInto(b, volumes, assetCount, t, fixture.window);
      for (let c = 0; c < 9; c++) expect(Object.is(a[c], b[c])).toBe(true);
    }
  });

  it('batch form equals the per-bar form and is symmetric', () => {
    const all = rollingCorrelation(prices, assetCount, 10);
    const out = new Float64Array(assetCount * assetCount);
    for (const t of [0, 1, 2, 9, 40, times - 1]) {
      rollingCorrelationInto(out, prices, assetCount, t, 10);
      expect(Array.from(all.subarray(t * 9, t * 9 + 9))).toEqual(Array.from(out));
    }
    expect(all[50 * 9 + 1]).toBe(all[50 * 9 + 3]);
  });

  it('hand-computed: two perfectly (anti)correlated assets give ±1, a constant one gives NaN', () => {
    // returns a: 0.1, 0.2, 0.3; b = -a; c constant 0
    const changes = Float64Array.of(NaN, NaN, NaN, 0.1, -0.1, 0, 0.2, -0.2, 0, 0.3, -0.3, 0);
    const m = correlationMatrix(changes, 3);
    expect(m[0]).toBeCloseTo(1, 15);
    expect(m[1]).toBeCloseTo(-1, 15);
    expect(m[2]).toBeNaN();
    expect(m[8]).toBeNaN();
  });

  it('rejects a bar outside the series and a layout that does not divide', () => {
    expect(() => rollingCorrelationInto(new Float64Array(9), prices, 3, times, 10)).toThrow(/outside/);
    expect(() => rollingCorrelationInto(new Float64Array(9), prices, 4, 5, 10)).toThrow(/cannot hold/);
  });
});
