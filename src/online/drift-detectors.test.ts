import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { Adwin, PageHinkley } from './drift-detectors.js';

/** 400 values around `before`, then 400 around `after` (seeded normal noise of std `noise`). */
function stream(before: number, after: number, noise: number, seed = 1): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: 800 }, (_, t) => (t < 400 ? before : after) + noise * rng.normal());
}

function firstAlarm(detector: { update(x: number): boolean }, values: number[]): number {
  for (let t = 0; t < values.length; t++) if (detector.update(values[t]!)) return t;
  return -1;
}

describe('Page-Hinkley', () => {
  it('by hand: 0, 0, 0, 0, 10 with δ 0, λ 5 — the cumulative deviation reaches 10 − 2 = 8 > 5 at the fifth value', () => {
    const detector = new PageHinkley({ delta: 0, threshold: 5, minInstances: 1 });
    expect([0, 0, 0, 0].map((x) => detector.update(x))).toEqual([false, false, false, false]);
    expect(detector.update(10)).toBe(true);
    expect(detector.direction).toBe(1);
    expect(detector.count).toBe(0);
  });

  it('stays quiet on a stationary stream and detects a rise and a fall of the mean soon after it happens', () => {
    const quiet = new PageHinkley({ delta: 0.1, threshold: 50 });
    expect(firstAlarm(quiet, stream(0, 0, 1))).toBe(-1);
    const rise = new PageHinkley({ delta: 0.1, threshold: 50 });
    const t = firstAlarm(rise, stream(0, 1, 1));
    expect(t).toBeGreaterThanOrEqual(400);
    expect(t).toBeLessThan(500);
    expect(rise.direction).toBe(1);
    const fall = new PageHinkley({ delta: 0.1, threshold: 50 });
    expect(firstAlarm(fall, stream(0, -1, 1))).toBeGreaterThanOrEqual(400);
    expect(fall.direction).toBe(-1);
  });

  it('resumes from its saved state exactly', () => {
    const values = stream(0, 1, 1, 4);
    const whole = new PageHinkley({ threshold: 25 });
    const alarms = values.map((x) => whole.update(x));
    const first = new PageHinkley({ threshold: 25 });
    const head = values.slice(0, 420).map((x) => first.update(x));
    const second = new PageHinkley({ threshold: 25 });
    second.setState(first.getState());
    expect([...head, ...values.slice(420).map((x) => second.update(x))]).toEqual(alarms);
  });
});

describe('ADWIN', () => {
  it('keeps its whole window on a stationary stream and cuts to the new regime after a change', () => {
    const quiet = new Adwin({ maxWindow: 1000 });
    expect(firstAlarm(quiet, stream(0, 0, 0.1))).toBe(-1);
    expect(quiet.width).toBe(800);
    const detector = new Adwin({ maxWindow: 1000 });
    const values = stream(0, 1, 0.1);
    const t = firstAlarm(detector, values);
    expect(t).toBeGreaterThanOrEqual(400);
    expect(t).toBeLessThan(420);
    for (let k = t + 1; k < values.length; k++) detector.update(values[k]!);
    // After the cut the window holds (almost) only the new regime.
    expect(detector.mean).toBeGreaterThan(0.95);
    expect(detector.width).toBeLessThanOrEqual(400 + 5);
  });

  it('never looks ahead: the decision at t is the same whatever comes after t, and state round-trips', () => {
    const values = stream(0, 1, 0.1, 7);
    const decisions = (tail: number[]) => {
      const detector = new Adwin();
      return [...values.slice(0, 410), ...tail].map((x) => detector.update(x)).slice(0, 410);
    };
    expect(decisions(Array(50).fill(5))).toEqual(decisions(Array(50).fill(-5)));
    const first = new Adwin();
    values.slice(0, 300).forEach((x) => first.update(x));
    const second = new Adwin();
    second.setState(first.getState());
    const rest = values.slice(300);
    expect(rest.map((x) => second.update(x))).toEqual(rest.map((x) => first.update(x)));
  });

  it('rejects bad options and non-finite values with the field named', () => {
    expect(() => new Adwin({ delta: 2 })).toThrow(expect.objectContaining({ location: { field: 'delta' } }));
    expect(() => new PageHinkley().update(Number.NaN)).toThrow(expect.objectContaining({ location: { field: 'value' } }));
  });
});
