import { describe, expect, it } from 'vitest';
import {
  CompositeReward,
  DifferentialSharpeReward,
  DownsideDeviationReward,
  DrawdownControlReward,
  LogReturnReward,
  MeanVarianceReward,
  ReturnReward,
  SharpeReward,
  TurnoverPenalty,
  createCompositeReward,
  createRewardFunction,
  type RewardFunction,
} from './index.js';

const info = { turnover: 0, cost: 0, tradedNotional: 0 };
const state = (portfolioValue: number) => ({ portfolioValue });

/** Feed a value path through a reward, one step per consecutive pair. */
function run(reward: RewardFunction, values: number[], turnover = 0): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) out.push(reward.calculate(state(values[i - 1]!), state(values[i]!), 0, { ...info, turnover }));
  return out;
}

describe('ReturnReward and LogReturnReward', () => {
  it('scale the simple return and give 0 for a non-positive current value', () => {
    expect(run(new ReturnReward(2), [100, 110])[0]).toBeCloseTo(0.2, 14);
    expect(new ReturnReward().calculate(state(0), state(5), 0, info)).toBe(0);
  });
  it('log return is ln(next/current)', () => {
    expect(run(new LogReturnReward(), [100, 110])[0]).toBeCloseTo(Math.log(1.1), 14);
  });
  it('mean_variance is r − (λ/2)·r²: a 2 % gain at λ 20 counts 0.02 − 10·0.0004 = 0.016, a 2 % loss −0.024', () => {
    expect(run(new MeanVarianceReward(20), [100, 102, 99.96])).toEqual([expect.closeTo(0.016, 12), expect.closeTo(-0.024, 12)]);
    expect(run(new MeanVarianceReward(0, 3), [100, 110])[0]).toBeCloseTo(0.3, 12);
    expect(new MeanVarianceReward(20).calculate(state(0), state(5), 0, info)).toBe(0);
    const fromConfig = createRewardFunction({ type: 'mean_variance', risk_aversion: 50 }) as MeanVarianceReward;
    expect([fromConfig.type, fromConfig.riskAversion]).toEqual(['mean_variance', 50]);
    expect((createRewardFunction({ type: 'mean_variance' }) as MeanVarianceReward).riskAversion).toBe(50);
    expect(() => createRewardFunction({ type: 'mean_variance', risk_aversion: -1 })).toThrow(/invalid mean_variance reward config/);
  });
});

describe('SharpeReward', () => {
  it('returns the plain return before minPeriods, then r + 0.1·Sharpe with population std + 1e-6', () => {
    const reward = new SharpeReward({ windowSize: 3, minPeriods: 2 });
    const [first, second] = run(reward, [100, 110, 110]);
    expect(first).toBeCloseTo(0.1, 14);
    // history [0.1, 0]: mean 0.05, std 0.05 → 0 + 0.1 · 0.05 / 0.050001
    expect(second).toBeCloseTo(0.1 * (0.05 / 0.050001), 14);
  });
  it('keeps only the last windowSize returns', () => {
    const reward = new SharpeReward({ windowSize: 2, minPeriods: 2 });
    const rewards = run(reward, [100, 50, 55, 55]);
    // last window [0.1, 0]: same as above
    expect(rewards[2]).toBeCloseTo(0.1 * (0.05 / 0.050001), 14);
  });
  it('subtracts the daily risk-free rate rf/252', () => {
    const reward = new SharpeReward({ windowSize: 3, minPeriods: 2, riskFreeRate: 2.52 });
    const second = run(reward, [100, 110, 110])[1]!;
    expect(second).toBeCloseTo(0.1 * ((0.05 - 0.01) / 0.050001), 14);
  });
  it('forgets its history on reset (spec defect 11)', () => {
    const reward = new SharpeReward({ windowSize: 3, minPeriods: 2 });
    run(reward, [100, 110, 110]);
    reward.reset();
    expect(run(reward, [100, 90])[0]).toBeCloseTo(-0.1, 14);
  });
});

describe('DrawdownControlReward', () => {
  it('penalises drawdown beyond maxDrawdown from the running peak', () => {
    const reward = new DrawdownControlReward({ maxDrawdown: 0.05, penaltyScale: 2 });
    // peak 100, next 90: drawdown 0.1 → penalty 0.05·2; reward −0.1 − 0.1
    expect(run(reward, [100, 90])[0]).toBeCloseTo(-0.2, 14);
  });
  it('updates the peak from the current value and resets it per episode', () => {
    const reward = new DrawdownControlReward({ maxDrawdown: 0.05, penaltyScale: 2 });
    const rewards = run(reward, [100, 120, 108]);
    // step 2: peak 120, drawdown 0.1 → (−0.1 − 0.1)
    expect(rewards[1]).toBeCloseTo(-0.2, 14);
    reward.reset();
    // after reset peak = 50: drawdown (50 − 49)/50 = 0.02 < 0.05 → plain return
    expect(run(reward, [50, 49])[0]).toBeCloseTo(-0.02, 14);
  });
});

describe('DifferentialSharpeReward', () => {
  it('follows Moody & Saffell with η = 0.5 (hand-computed)', () => {
    const reward = new DifferentialSharpeReward({ eta: 0.5 });
    const rewards = run(reward, [100, 110, 99]);
    // step 1: variance 0 → 0; A = 0.05, B = 0.005
    expect(rewards[0]).toBe(0);
    // step 2: R = −0.1, ΔA = −0.15, ΔB = 0.005, B − A² = 0.0025 → (0.005·−0.15 − ½·0.05·0.005)/0.0025^1.5 = −7
    expect(rewards[1]).toBeCloseTo(-7, 10);
  });
});

describe('DownsideDeviationReward and TurnoverPenalty', () => {
  it('subtracts λ·sqrt(mean(min(0, r − target)²)) over the window', () => {
    const reward = new DownsideDeviationReward({ windowSize: 3, penaltyScale: 1 });
    const rewards = run(reward, [100, 110, 99]);
    expect(rewards[0]).toBeCloseTo(0.1, 14);
    expect(rewards[1]).toBeCloseTo(-0.1 - Math.sqrt(0.01 / 2), 14);
  });
  it('turnover penalty is −scale·turnover', () => {
    expect(run(new TurnoverPenalty(2), [100, 100], 0.3)[0]).toBeCloseTo(-0.6, 14);
  });
});

describe('CompositeReward and the factory', () => {
  it('weighs its components', () => {
    const composite = new CompositeReward().addRewardFunction(new ReturnReward(), 1).addRewardFunction(new TurnoverPenalty(), 0.5);
    expect(run(composite, [100, 110], 0.4)[0]).toBeCloseTo(0.1 - 0.2, 14);
  });
  it('builds the specification types with their defaults', () => {
    const sharpe = createRewardFunction({ type: 'sharpe' }) as SharpeReward;
    expect([sharpe.windowSize, sharpe.minPeriods, sharpe.riskFreeRate, sharpe.scale]).toEqual([30, 5, 0, 1]);
    const drawdown = createRewardFunction({ type: 'drawdown' }) as DrawdownControlReward;
    expect([drawdown.maxDrawdown, drawdown.penaltyScale, drawdown.scale]).toEqual([0.05, 2, 1]);
    expect(createRewardFunction({}).type).toBe('return');
    for (const type of ['log_return', 'differential_sharpe', 'downside_deviation', 'turnover_penalty']) expect(createRewardFunction({ type }).type).toBe(type);
  });
  it('builds composites from a list with weights, and nested from config', () => {
    const composite = createCompositeReward([{ type: 'return', weight: 2 }, { type: 'turnover_penalty', weight: 1, scale: 0.1 }]);
    expect(run(composite, [100, 110], 1)[0]).toBeCloseTo(0.2 - 0.1, 14);
    const nested = createRewardFunction({ type: 'composite', components: [{ type: 'return' }, { type: 'composite', weight: 3, components: [{ type: 'return' }] }] });
    expect(run(nested, [100, 110])[0]).toBeCloseTo(0.4, 14);
  });
  it('rejects unknown types, misspelt keys and bad values with INVALID_CONFIG', () => {
    expect(() => createRewardFunction({ type: 'sortino' })).toThrow(/unknown reward type "sortino"/);
    expect(() => createRewardFunction({ type: 'sharpe', windowsize: 10 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => createRewardFunction({ type: 'sharpe', window_size: 0 })).toThrow(/invalid sharpe reward config/);
    expect(() => createRewardFunction({ type: 'sharpe', window_size: 3, min_periods: 5 })).toThrow(/min_periods must not exceed window_size/);
    expect(() => createRewardFunction({ type: 'composite', components: [] })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
  it('saves and restores state so a restored reward continues identically', () => {
    const reward = createRewardFunction({ type: 'composite', components: [{ type: 'sharpe', min_periods: 2 }, { type: 'drawdown' }, { type: 'differential_sharpe' }, { type: 'downside_deviation' }] });
    run(reward, [100, 103, 99, 104]);
    const saved = new Float64Array(reward.stateSize);
    reward.saveStateInto(saved, 0);
    const first = run(reward, [104, 95, 101]);
    reward.loadState(saved, 0);
    expect(run(reward, [104, 95, 101])).toEqual(first);
  });
});
