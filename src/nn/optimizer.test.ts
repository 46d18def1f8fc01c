/**
 * Adam, Adam with L2 decay, AdamW and global-norm clipping against torch.optim trajectories
 * (test/fixtures/nn/adam.json, scripts/make-nn-fixtures.py); schedules against closed forms.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, readArraySync } from './engine.js';
import { numpy as np } from './jax.js';
import type { Array } from './jax.js';
import { adamOptions, adamScalars, adamUpdate, adamWOptions, initAdamState } from './optimizer.js';
import type { AdamOptions } from './optimizer.js';
import { cosineSchedule, linearDecaySchedule, stepDecaySchedule, warmupSchedule } from './schedules.js';

type Case = { options: Record<string, number | number[]>; initial: number[]; grads: number[][]; history: number[][] };
const cases = JSON.parse(readFileSync(new URL('../../test/fixtures/nn/adam.json', import.meta.url), 'utf8')) as Record<string, Case>;

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

function run(options: AdamOptions, c: Case): number[][] {
  let params: { p: Array } = { p: np.array(c.initial) };
  let state = initAdamState(params);
  const history: number[][] = [];
  c.grads.forEach((g, index) => {
    const updated = adamUpdate(params, { p: np.array(g) }, state, np.array(adamScalars(options, index + 1, options.learningRate)), options);
    params = updated.params;
    state = updated.state;
    history.push(globalThis.Array.from(readArraySync(params.p.ref)));
  });
  params.p.dispose();
  state.m.p.dispose();
  state.v.p.dispose();
  return history;
}

function expectTrajectory(actual: number[][], expected: number[][]): void {
  actual.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(expected[i]![j]!, 5)));
}

describe('Adam and AdamW', () => {
  it('Adam follows torch.optim.Adam step by step', () => {
    const c = cases['adam']!;
    expectTrajectory(run(adamOptions({ learningRate: 0.1 }), c), c.history);
  });

  it('Adam with weight decay adds λ·p to the gradient like torch.optim.Adam', () => {
    const c = cases['adam_l2']!;
    const options = adamOptions({ learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1 });
    expectTrajectory(run(options, c), c.history);
  });

  it('AdamW decays the weights directly like torch.optim.AdamW', () => {
    const c = cases['adamw']!;
    expectTrajectory(run(adamWOptions({ learningRate: 0.1, weightDecay: 0.01 }), c), c.history);
  });

  it('clips the global gradient norm like clip_grad_norm_', () => {
    const c = cases['adam_clip']!;
    expectTrajectory(run(adamOptions({ learningRate: 0.1, maxGradNorm: 0.5 }), c), c.history);
  });
});

describe('learning-rate schedules', () => {
  it('warm-up rises linearly then holds', () => {
    const schedule = warmupSchedule(1e-3, 10);
    expect(schedule(1)).toBeCloseTo(1e-4, 12);
    expect(schedule(5)).toBeCloseTo(5e-4, 12);
    expect(schedule(10)).toBe(1e-3);
    expect(schedule(100)).toBe(1e-3);
  });

  it('cosine decays from the peak to the floor at the last step', () => {
    const schedule = cosineSchedule(1, 110, 10, 0.1);
    expect(schedule(10)).toBeCloseTo(1, 12);
    expect(schedule(60)).toBeCloseTo(0.55, 12);
    expect(schedule(110)).toBeCloseTo(0.1, 12);
    expect(schedule(500)).toBeCloseTo(0.1, 12);
  });

  it('step decay multiplies by gamma every stepSize steps, linear decay reaches its end', () => {
    const step = stepDecaySchedule(1, 3, 0.5);
    expect([1, 3, 4, 6, 7].map(step)).toEqual([1, 1, 0.5, 0.5, 0.25]);
    const linearDecay = linearDecaySchedule(1, 5, 0);
    expect([1, 3, 5, 9].map(linearDecay)).toEqual([1, 0.5, 0, 0]);
  });
});
