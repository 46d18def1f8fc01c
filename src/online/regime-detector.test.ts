/**
 * The regime detector on a synthetic market whose true regimes are known: labels ordered by
 * volatility find the turbulent (bear) regime; labels agree with the planted regimes (adjusted Rand
 * index) with refits at least as well as a model fitted once; nothing computed for bar t changes when
 * later bars change; refits happen on schedule, never per bar, and keep label meaning; matching by hand.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { syntheticRegimeMarket } from '../data/synthetic.js';
import { matchCentroids, RegimeDetector, type RegimeStep } from './regime-detector.js';

const { market, regimes } = syntheticRegimeMarket({ assets: 1, bars: 3000, seed: 3 });

/**
 * Adjusted Rand index of two labelings (Hubert & Arabie 1985), from the contingency table n_ij with
 * row sums a_i and column sums b_j: (Σ C(n_ij,2) − E) / (½(Σ C(a_i,2) + Σ C(b_j,2)) − E), where
 * E = Σ C(a_i,2) · Σ C(b_j,2) / C(n,2). Written here, independently of the code under test.
 */
function adjustedRandIndex(truth: ArrayLike<number>, labels: ArrayLike<number>): number {
  const pairs = (x: number) => (x * (x - 1)) / 2;
  const cells = new Map<string, number>();
  const rows = new Map<number, number>();
  const columns = new Map<number, number>();
  for (let i = 0; i < truth.length; i++) {
    const key = `${truth[i]}|${labels[i]}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
    rows.set(truth[i]!, (rows.get(truth[i]!) ?? 0) + 1);
    columns.set(labels[i]!, (columns.get(labels[i]!) ?? 0) + 1);
  }
  const sum = (counts: Map<unknown, number>) => [...counts.values()].reduce((s, c) => s + pairs(c), 0);
  const index = sum(cells);
  const expected = (sum(rows) * sum(columns)) / pairs(truth.length);
  const maximum = (sum(rows) + sum(columns)) / 2;
  return (index - expected) / (maximum - expected);
}

interface PlantedSeries {
  close: Float64Array;
  volume: Float64Array;
  truth: ArrayLike<number>;
}

/** Four regimes (daily log drift, volatility), each held a uniform 100–400 bars, the next drawn among the other three; lognormal volume. */
function plantedRegimes(seed: number, bars: number): PlantedSeries {
  const regimes = [[0.002, 0.005], [-0.002, 0.005], [0, 0.015], [-0.003, 0.03]] as const;
  const rng = new Rng(seed);
  const close = new Float64Array(bars);
  const volume = new Float64Array(bars);
  const truth = new Int32Array(bars);
  let regime = rng.int(4);
  let left = 100 + rng.int(301);
  let price = 100;
  for (let t = 0; t < bars; t++) {
    if (left-- === 0) {
      regime = (regime + 1 + rng.int(3)) % 4;
      left = 100 + rng.int(301) - 1;
    }
    truth[t] = regime;
    const [drift, volatility] = regimes[regime]!;
    if (t > 0) price *= Math.exp(drift + volatility * rng.normal());
    close[t] = price;
    volume[t] = Math.round(1e6 * Math.exp(0.3 * rng.normal()));
  }
  return { close, volume, truth };
}

function run(close: ArrayLike<number>, volume: ArrayLike<number>, options = {}): RegimeStep[] {
  const detector = new RegimeDetector({ regimes: 3, ...options });
  return Array.from({ length: close.length }, (_, t) => detector.update(close[t]!, volume[t]!));
}

describe('RegimeDetector', () => {
  it('labels by prediction after a fit on a trailing window, refitting on schedule only', () => {
    const steps = run(market.close, market.volume);
    // Features need 20 bars (bars 0..19), the first fit 3 × 20 rows: first label at bar 19 + 59 = 78.
    expect(steps.findIndex((s) => s.label >= 0)).toBe(78);
    expect(steps[78]!.refit).toEqual({ reason: 'first', agreement: null });
    const refits = steps.flatMap((s, t) => (s.refit ? [t] : []));
    expect(refits.slice(0, 4)).toEqual([78, 141, 204, 267]); // every 63 bars
    expect(refits.length).toBe(1 + Math.floor((2999 - 78) / 63));
    // Consecutive fits mostly agree once the window has filled: labels keep their meaning.
    const agreements = steps.flatMap((s) => (s.refit?.agreement != null ? [s.refit.agreement] : []));
    expect(agreements.slice(5).reduce((a, b) => a + b, 0) / agreements.slice(5).length).toBeGreaterThan(0.8);
  });

  it('orders labels by volatility: the most volatile label finds the bear regime (true volatility 0.018 vs 0.008 bull)', () => {
    const steps = run(market.close, market.volume);
    const share = (regime: number) => {
      const bars = steps.filter((s, t) => regimes[t] === regime && s.label >= 0);
      return bars.filter((s) => s.label === 2).length / bars.length;
    };
    expect(share(1)).toBeGreaterThan(3 * share(0));
    expect(share(1)).toBeGreaterThan(0.35);
  });

  it('computes the adjusted Rand index as scikit-learn documents it (adjusted_rand_score examples)', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 1])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    // 0.57…: by hand, Σ C(n_ij,2) = 1, E = 2 · 1 / 6, maximum = 3 / 2, so (1 − 1/3) / (3/2 − 1/3) = 4/7.
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(4 / 7, 12);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 12);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
  });

  it('keeps label meaning across refits: with the defaults, labels agree with planted regimes at least as well as a model fitted once', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    // Three regimes of distinct volatility held ~100 bars (persistence 0.99) on one asset; 4 labels for 3 regimes.
    const synthetic = seeds.map((seed) => {
      const { market: m, regimes: truth } = syntheticRegimeMarket({ assets: 1, bars: 3000, seed, persistence: 0.99, idiosyncraticVolatility: 0.002, volatility: { bull: 0.006, bear: 0.025, sideways: 0.012 } });
      return { close: m.close, volume: m.volume, truth };
    });
    const agreement = (series: PlantedSeries[], options: object) => series.map(({ close, volume, truth }) => {
      const detector = new RegimeDetector(options);
      const labels = Array.from(close, (c, t) => detector.update(c, volume[t]!).label);
      const labelled = labels.flatMap((label, t) => (label >= 0 ? [t] : []));
      return adjustedRandIndex(labelled.map((t) => truth[t]!), labelled.map((t) => labels[t]!));
    });
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const once = { refitEvery: Number.MAX_SAFE_INTEGER };
    const fittedOnce = mean(agreement(synthetic, once));
    expect(mean(agreement(synthetic, {}))).toBeGreaterThanOrEqual(fittedOnce);
    expect(mean(agreement(synthetic, { fitWindow: 1000 }))).toBeGreaterThanOrEqual(fittedOnce);
    expect(mean(agreement(synthetic, { refitEvery: 252 }))).toBeGreaterThanOrEqual(fittedOnce);
    // Four regimes (drift, volatility) held 100–400 bars each, as many labels.
    const planted = seeds.map((seed) => plantedRegimes(seed, 3000));
    expect(mean(agreement(planted, {}))).toBeGreaterThanOrEqual(mean(agreement(planted, once)));
  });

  it('never looks ahead: labels, stability and refits up to t do not change when later bars change', () => {
    // Cut between refits, right at a scheduled refit (bar 78 + 63 × 7), and with the default 4 regimes and drift-triggered refits.
    for (const [t, options] of [[1500, {}], [519, {}], [2000, { regimes: 4, driftThreshold: 0.05 }]] as const) {
      const close = Float64Array.from(market.close);
      const volume = Float64Array.from(market.volume);
      const base = run(close, volume, options);
      for (let i = t + 1; i < close.length; i++) {
        close[i] = close[i]! * (1 + 0.3 * Math.sin(i));
        volume[i] = volume[i]! * 7;
      }
      const perturbed = run(close, volume, options);
      expect(perturbed.slice(0, t + 1)).toEqual(base.slice(0, t + 1));
      expect(perturbed.slice(t + 1)).not.toEqual(base.slice(t + 1));
    }
  });

  it('is deterministic, reports stability as the share of the most common of the last 10 labels, and PCA importance', () => {
    const detector = new RegimeDetector({ regimes: 3 });
    const steps = Array.from({ length: 600 }, (_, t) => detector.update(market.close[t]!, market.volume[t]!));
    expect(run(market.close.subarray(0, 600), market.volume.subarray(0, 600))).toEqual(steps);
    const last10 = detector.history.slice(-10);
    const most = Math.max(...[0, 1, 2].map((l) => last10.filter((x) => x === l).length));
    expect(steps[599]!.stability).toBe(most / 10);
    expect(detector.importance!.loadings).toHaveLength(2);
    expect(detector.importance!.loadings[0]).toHaveLength(3);
    const explained = detector.importance!.explainedVariance;
    expect(explained[0]! + explained[1]!).toBeLessThanOrEqual(1 + 1e-9);
    expect(explained[0]!).toBeGreaterThanOrEqual(explained[1]!);
  });

  it('matches centroids by least total distance (by hand), and refuses bad input naming the field', () => {
    expect(matchCentroids([[0, 0], [10, 10], [5, 0]], [[9, 9], [5, 1], [1, -1]])).toEqual([2, 0, 1]);
    expect(() => new RegimeDetector({ regimes: 9 })).toThrow(expect.objectContaining({ location: { field: 'regimes' } }));
    expect(() => new RegimeDetector().update(-1, 10)).toThrow(expect.objectContaining({ location: { field: 'close' } }));
  });

  it('continues exactly from a saved state, through JSON (a checkpoint), refits and drift detector included', () => {
    const options = { regimes: 3, driftThreshold: 0.05 };
    const whole = run(market.close, market.volume, options);
    expect(whole.some((s) => s.refit?.reason === 'drift')).toBe(true);
    const first = new RegimeDetector(options);
    const head = Array.from({ length: 1000 }, (_, t) => first.update(market.close[t]!, market.volume[t]!));
    const second = new RegimeDetector(options);
    second.setState(JSON.parse(JSON.stringify(first.getState())) as ReturnType<RegimeDetector['getState']>);
    const tail = Array.from({ length: 2000 }, (_, k) => second.update(market.close[1000 + k]!, market.volume[1000 + k]!));
    expect([...head, ...tail]).toEqual(whole);
  });

  it('refuses a saved state of the format before reference centroids, in one line naming the field', () => {
    const detector = new RegimeDetector({ regimes: 3 });
    for (let t = 0; t < 200; t++) detector.update(market.close[t]!, market.volume[t]!);
    const { format: _format, weights: _weights, ...formatOne } = detector.getState();
    const restored = new RegimeDetector({ regimes: 3 });
    expect(() => restored.setState(formatOne as ReturnType<RegimeDetector['getState']>)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', location: { field: 'regimes.format' }, message: expect.stringMatching(/^regime detector state format 1 is not supported .*without --resume$/) }));
  });
});
