/**
 * The regime detector on a synthetic market whose true regimes are known: labels ordered by
 * volatility find the turbulent (bear) regime; nothing computed for bar t changes when later bars
 * change; refits happen on schedule, never per bar, and keep label meaning; matching by hand.
 */
import { describe, expect, it } from 'vitest';
import { syntheticRegimeMarket } from '../data/synthetic.js';
import { matchCentroids, RegimeDetector, type RegimeStep } from './regime-detector.js';

const { market, regimes } = syntheticRegimeMarket({ assets: 1, bars: 3000, seed: 3 });

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

  it('never looks ahead: labels, stability and refits up to t do not change when later bars change', () => {
    const t = 1500;
    const close = Float64Array.from(market.close);
    const volume = Float64Array.from(market.volume);
    const base = run(close, volume);
    for (let i = t + 1; i < close.length; i++) {
      close[i] = close[i]! * (1 + 0.3 * Math.sin(i));
      volume[i] = volume[i]! * 7;
    }
    const perturbed = run(close, volume);
    expect(perturbed.slice(0, t + 1)).toEqual(base.slice(0, t + 1));
    expect(perturbed.slice(t + 1)).not.toEqual(base.slice(t + 1));
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
});
