import { describe, expect, it } from 'vitest';
import { syntheticRegimeMarket } from './synthetic.js';
import { seriesFromMarket } from './market.js';
import { formatOhlcvCsv } from './write-ohlcv.js';
import { inspectOhlcvCsv } from './parse-ohlcv-csv.js';

describe('syntheticRegimeMarket', () => {
  it('is bit-identical for a seed and different for another', () => {
    const a = syntheticRegimeMarket({ seed: 3, bars: 300, assets: 4 });
    const b = syntheticRegimeMarket({ seed: 3, bars: 300, assets: 4 });
    const c = syntheticRegimeMarket({ seed: 4, bars: 300, assets: 4 });
    expect(Array.from(b.market.close)).toEqual(Array.from(a.market.close));
    expect(Array.from(c.market.close)).not.toEqual(Array.from(a.market.close));
  });

  it('passes every OHLCV validation rule, on business days, labelled synthetic', () => {
    const { market, description, synthetic } = syntheticRegimeMarket({ seed: 1, bars: 500, assets: 3 });
    expect(synthetic).toBe(true);
    expect(description).toMatch(/^SYNTHETIC/);
    expect(market.symbols).toEqual(['SYN01', 'SYN02', 'SYN03']);
    for (const symbol of market.symbols) {
      const report = inspectOhlcvCsv(formatOhlcvCsv(seriesFromMarket(market, symbol)), { file: `${symbol}.csv` });
      expect(report.problems).toEqual([]);
    }
    for (const t of market.time) expect([0, 6]).not.toContain(new Date(t).getUTCDay());
  });

  it('has persistent regimes whose market drift has the configured sign', () => {
    const { market, regimes } = syntheticRegimeMarket({ seed: 11, bars: 4000, assets: 5, drift: { bull: 0.002, bear: -0.002, sideways: 0 } });
    const A = market.symbols.length;
    const sums = [0, 0, 0];
    const counts = [0, 0, 0];
    let switches = 0;
    for (let t = 1; t < regimes.length; t++) {
      if (regimes[t] !== regimes[t - 1]) switches++;
      let mean = 0;
      for (let a = 0; a < A; a++) mean += Math.log(market.close[t * A + a]! / market.close[(t - 1) * A + a]!) / A;
      sums[regimes[t]!]! += mean;
      counts[regimes[t]!]!++;
    }
    // Expected switches: (1 − 0.985) · 4000 = 60; far fewer than an i.i.d. label would give.
    expect(switches).toBeGreaterThan(25);
    expect(switches).toBeLessThan(110);
    expect(sums[0]! / counts[0]!).toBeGreaterThan(0);
    expect(sums[1]! / counts[1]!).toBeLessThan(0);
  });
});
