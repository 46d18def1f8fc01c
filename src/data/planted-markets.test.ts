/**
 * Planted markets carry the structure they name: each test estimates it back from the generated
 * prices (or the hidden state) with hand-written statistics — sample means by state, OLS slopes,
 * realised volatility per regime — and compares with the planted parameters within a few standard errors.
 */
import { describe, expect, it } from 'vitest';
import { inspectOhlcvCsv } from './parse-ohlcv-csv.js';
import { seriesFromMarket } from './market.js';
import { formatOhlcvCsv } from './write-ohlcv.js';
import { plantedMarket, PLANTED_MARKET_NAMES, type PlantedMarket } from './planted-markets.js';

/** Log return of asset a from bar t − 1 to t. */
function logReturn(planted: PlantedMarket, t: number, a: number): number {
  const A = planted.market.symbols.length;
  return Math.log(planted.market.close[t * A + a]! / planted.market.close[(t - 1) * A + a]!);
}

/** OLS of y on x with an intercept: slope, intercept and the slope's standard error. */
function ols(x: number[], y: number[]): { slope: number; intercept: number; slopeError: number } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (y[i]! - intercept - slope * x[i]!) ** 2;
  return { slope, intercept, slopeError: Math.sqrt(sse / (n - 2) / sxx) };
}

/** OLS of y on two regressors (with an intercept), by the normal equations on centred data. */
function ols2(x1: number[], x2: number[], y: number[]): [number, number] {
  const n = y.length;
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / n;
  const [m1, m2, my] = [mean(x1), mean(x2), mean(y)];
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  let s1y = 0;
  let s2y = 0;
  for (let i = 0; i < n; i++) {
    const a = x1[i]! - m1;
    const b = x2[i]! - m2;
    const c = y[i]! - my;
    s11 += a * a;
    s12 += a * b;
    s22 += b * b;
    s1y += a * c;
    s2y += b * c;
  }
  const det = s11 * s22 - s12 * s12;
  return [(s22 * s1y - s12 * s2y) / det, (s11 * s2y - s12 * s1y) / det];
}

function meanAndError(values: number[]): { mean: number; error: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return { mean, error: Math.sqrt(variance / n) };
}

describe('planted markets: shape and honesty', () => {
  it('are bit-identical for a seed, differ for another, and default to a fixed seed per market', () => {
    const a = plantedMarket('momentum', { bars: 300 });
    const b = plantedMarket('momentum', { bars: 300, seed: 101 });
    const c = plantedMarket('momentum', { bars: 300, seed: 102 });
    expect(Array.from(b.market.close)).toEqual(Array.from(a.market.close));
    expect(Array.from(b.truth.expectedReturn)).toEqual(Array.from(a.truth.expectedReturn));
    expect(Array.from(c.market.close)).not.toEqual(Array.from(a.market.close));
  });

  it('pass every OHLCV validation rule on business days, labelled SYNTHETIC and naming their structure', () => {
    const structure = { momentum: /persistent per-asset trends/, mean_reversion: /mean reversion/, lead_lag: /lead–lag/, volatility_regimes: /volatility regimes/, null: /NO structure/ };
    for (const name of PLANTED_MARKET_NAMES) {
      const planted = plantedMarket(name, { bars: 400, assets: 4 });
      expect(planted.synthetic).toBe(true);
      expect(planted.description).toMatch(/^SYNTHETIC planted market/);
      expect(planted.description).toMatch(structure[name]);
      expect(planted.market.symbols).toEqual(['SYN01', 'SYN02', 'SYN03', 'SYN04']);
      expect(planted.truth.expectedReturn).toHaveLength(400 * 4);
      for (const symbol of planted.market.symbols) {
        expect(inspectOhlcvCsv(formatOhlcvCsv(seriesFromMarket(planted.market, symbol)), { file: `${symbol}.csv` }).problems, `${name} ${symbol}`).toEqual([]);
      }
      for (const t of planted.market.time) expect([0, 6]).not.toContain(new Date(t).getUTCDay());
    }
  });

  it("state each bar's expected next simple return and its variance truthfully (realised returns agree)", () => {
    for (const name of PLANTED_MARKET_NAMES) {
      const planted = plantedMarket(name, { bars: 12_000 });
      const A = planted.market.symbols.length;
      const surprise: number[] = [];
      const standardised: number[] = [];
      const expected: number[] = [];
      const realised: number[] = [];
      for (let t = 0; t + 1 < 12_000; t++) {
        for (let a = 0; a < A; a++) {
          const i = t * A + a;
          const next = planted.market.close[i + A]! / planted.market.close[i]! - 1;
          surprise.push(next - planted.truth.expectedReturn[i]!);
          standardised.push((next - planted.truth.expectedReturn[i]!) ** 2 / planted.truth.variance[i]!);
          expected.push(planted.truth.expectedReturn[i]!);
          realised.push(next);
        }
      }
      const bias = meanAndError(surprise);
      expect(Math.abs(bias.mean), `${name}: mean of realised − expected`).toBeLessThan(4 * bias.error);
      // E[(R − m)²/v] = 1 when v is the conditional variance; heavy-ish mixture tails allow a few per cent.
      expect(meanAndError(standardised).mean, name).toBeCloseTo(1, 1);
      if (name !== 'null') {
        const fit = ols(expected, realised);
        expect(Math.abs(fit.slope - 1), `${name}: slope of realised on expected`).toBeLessThan(4 * fit.slopeError);
      }
    }
  });

  it('reject bad options in one line naming the parameter', () => {
    expect(() => plantedMarket('momentum', { bars: 1 })).toThrow(/plantedMarket: bars must be an integer ≥ 2, got 1/);
    expect(() => plantedMarket('momentum', { trendDuration: 0.5 })).toThrow(/trendDuration must be ≥ 1 day/);
    expect(() => plantedMarket('mean_reversion', { halfLife: -1 })).toThrow(/halfLife must be a positive number/);
    expect(() => plantedMarket('lead_lag', { assets: 1 })).toThrow(/lead_lag needs at least 2 assets/);
    expect(() => plantedMarket('lead_lag', { loadings: [] })).toThrow(/loadings must be a non-empty list/);
    expect(() => plantedMarket('volatility_regimes', { turbulent: { drift: 0, volatility: 0, duration: 10 } })).toThrow(/turbulent.volatility must be a positive number/);
    expect(() => plantedMarket('trend' as 'null')).toThrow(/unknown planted market "trend"; known: momentum, mean_reversion/);
  });
});

describe('planted structures are there', () => {
  it('momentum: trends of the planted drift that flip about once every trendDuration days', () => {
    const drift = 0.002;
    const planted = plantedMarket('momentum', { bars: 20_000, drift, trendDuration: 100 });
    const A = planted.market.symbols.length;
    const up: number[] = [];
    const down: number[] = [];
    let flips = 0;
    for (let t = 1; t < 20_000; t++) {
      for (let a = 0; a < A; a++) {
        const state = planted.truth.state[t * A + a]!;
        if (state !== planted.truth.state[(t - 1) * A + a]) flips++;
        (state > 0 ? up : down).push(logReturn(planted, t, a));
      }
    }
    // Expected flips: 6 assets × 19 999 days / 100 ≈ 1200 (binomial sd ≈ 34).
    expect(flips).toBeGreaterThan(1200 - 4 * 34);
    expect(flips).toBeLessThan(1200 + 4 * 34);
    const [u, d] = [meanAndError(up), meanAndError(down)];
    expect(Math.abs(u.mean - drift)).toBeLessThan(4 * u.error);
    expect(Math.abs(d.mean + drift)).toBeLessThan(4 * d.error);
    // The truth's next-return mean for a rising trend, by hand: stays up w.p. 0.99.
    const v = 0.005 ** 2 + 0.012 ** 2;
    const i = planted.truth.state.findIndex((s) => s > 0);
    expect(planted.truth.expectedReturn[i]).toBeCloseTo(0.99 * Math.exp(drift + v / 2) + 0.01 * Math.exp(-drift + v / 2) - 1, 15);
  });

  it('mean reversion: the deviation is AR(1) with φ = 2^(−1/halfLife), and prices revert by (φ − 1)·d', () => {
    const halfLife = 3;
    const phi = 2 ** (-1 / halfLife);
    const planted = plantedMarket('mean_reversion', { bars: 15_000, halfLife });
    const A = planted.market.symbols.length;
    const previous: number[] = [];
    const current: number[] = [];
    const nextReturn: number[] = [];
    for (let t = 1; t + 1 < 15_000; t++) {
      for (let a = 0; a < A; a++) {
        previous.push(planted.truth.state[(t - 1) * A + a]!);
        current.push(planted.truth.state[t * A + a]!);
        nextReturn.push(logReturn(planted, t + 1, a));
      }
    }
    const ar = ols(previous, current);
    expect(Math.abs(ar.slope - phi)).toBeLessThan(4 * ar.slopeError);
    const reverting = ols(current, nextReturn);
    expect(Math.abs(reverting.slope - (phi - 1))).toBeLessThan(4 * reverting.slopeError);
    expect(planted.parameters['phi']).toBe(phi);
  });

  it("lead–lag: each follower's return loads the planted β on its leader's last two returns; leaders follow nobody", () => {
    const planted = plantedMarket('lead_lag', { bars: 20_000, loadings: [0.15, 0.075] });
    const A = planted.market.symbols.length;
    expect(Array.from(planted.truth.leaderOf)).toEqual([-1, -1, -1, 0, 1, 2]);
    const lag1: number[] = [];
    const lag2: number[] = [];
    const follower: number[] = [];
    const reverse1: number[] = [];
    const leaderNext: number[] = [];
    for (let t = 3; t < 20_000; t++) {
      for (let f = 3; f < A; f++) {
        const leader = planted.truth.leaderOf[f]!;
        lag1.push(logReturn(planted, t - 1, leader));
        lag2.push(logReturn(planted, t - 2, leader));
        follower.push(logReturn(planted, t, f));
        reverse1.push(logReturn(planted, t - 1, f));
        leaderNext.push(logReturn(planted, t, leader));
      }
    }
    const [b1, b2] = ols2(lag1, lag2, follower);
    // Standard error of each β ≈ σ_noise / (σ_leader·√n) = 0.012 / (0.013·√60 000) ≈ 0.004.
    expect(b1).toBeGreaterThan(0.15 - 0.016);
    expect(b1).toBeLessThan(0.15 + 0.016);
    expect(b2).toBeGreaterThan(0.075 - 0.016);
    expect(b2).toBeLessThan(0.075 + 0.016);
    // The follower does not lead its leader.
    expect(Math.abs(ols(reverse1, leaderNext).slope)).toBeLessThan(0.02);
  });

  it('volatility regimes: persistent regimes whose realised volatility and drift are the planted ones', () => {
    const calm = { drift: 0.0015, volatility: 0.006, duration: 100 };
    const turbulent = { drift: -0.0015, volatility: 0.03, duration: 40 };
    const planted = plantedMarket('volatility_regimes', { bars: 30_000, calm, turbulent });
    const A = planted.market.symbols.length;
    const byRegime: number[][] = [[], []];
    let spells = 0;
    for (let t = 1; t < 30_000; t++) {
      const regime = planted.truth.state[t * A]!;
      if (regime !== planted.truth.state[(t - 1) * A]) spells++;
      let book = 0;
      for (let a = 0; a < A; a++) book += logReturn(planted, t, a) / A;
      byRegime[regime]!.push(book);
    }
    // The equal-weight log return in a regime: drift μ_g, volatility √(σ_g² + σ_e²/A).
    for (const [g, regime] of [calm, turbulent].entries()) {
      const { mean, error } = meanAndError(byRegime[g]!);
      const sd = Math.sqrt(byRegime[g]!.reduce((s, x) => s + (x - mean) ** 2, 0) / (byRegime[g]!.length - 1));
      expect(Math.abs(mean - regime.drift)).toBeLessThan(4 * error);
      expect(sd / Math.sqrt(regime.volatility ** 2 + 0.006 ** 2 / A)).toBeCloseTo(1, 1);
    }
    // A calm spell lasts 100 days and a turbulent one 40 on average: 30 000 days hold ~30 000/70 ≈ 430 switches.
    expect(spells).toBeGreaterThan(330);
    expect(spells).toBeLessThan(530);
    expect(byRegime[0]!.length / 30_000).toBeCloseTo(100 / 140, 1);
    // The truth at a calm close, by hand: the regime stays calm tomorrow with probability 0.99.
    const calmBar = planted.truth.state.findIndex((g) => g === 0);
    const next = (g: typeof calm) => Math.exp(g.drift + (g.volatility ** 2 + 0.006 ** 2) / 2);
    expect(planted.truth.expectedReturn[calmBar]).toBeCloseTo(0.99 * next(calm) + 0.01 * next(turbulent) - 1, 15);
  });

  it('null: no drift, no autocorrelation, no lead–lag', () => {
    const planted = plantedMarket('null', { bars: 20_000 });
    const A = planted.market.symbols.length;
    const limit = 4 / Math.sqrt(20_000);
    for (let a = 0; a < A; a++) {
      const returns = Array.from({ length: 19_999 }, (_, k) => logReturn(planted, k + 1, a));
      const { mean, error } = meanAndError(returns);
      expect(Math.abs(mean)).toBeLessThan(4 * error);
      expect(Math.abs(ols(returns.slice(0, -1), returns.slice(1)).slope)).toBeLessThan(limit);
      const other = Array.from({ length: 19_999 }, (_, k) => logReturn(planted, k + 1, (a + 1) % A));
      expect(Math.abs(ols(other.slice(0, -1), returns.slice(1)).slope)).toBeLessThan(limit);
    }
  });
});
