/**
 * The online learning loop on a synthetic market: updates on the specified cadence from the
 * buffer, the exploration temperature from the regime stability by the specification's formula,
 * transitions stored with their regime, decisions at or before bar t unchanged when any later bar
 * changes, and the same seed giving the same stream.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupRelativeGrpo } from '../agents/group-relative-grpo.js';
import { RewardPenaltyAgent } from '../agents/reward-penalty-agent.js';
import { SpecificationAgent } from '../agents/specification-agent.js';
import { syntheticSignalMarket } from '../agents/synthetic-market.js';
import type { MarketData } from '../data/types.js';
import { MultiAssetEnv, type FeatureTensor } from '../env/index.js';
import { initEngine } from '../nn/index.js';
import { OnlineLearningAgent, type OnlineAgentOptions, type OnlineEvent, type OnlineStep } from './online-agent.js';
import { loadOnlineState, saveOnlineState } from './online-state.js';

beforeAll(async () => {
  await initEngine({ threads: 1 });
});

const FIRST = 100;
const STEPS = 150;

async function stream(market: MarketData, features: FeatureTensor, events: OnlineEvent[] = []): Promise<OnlineStep[]> {
  const env = new MultiAssetEnv(market, features, { lookback: 1, returnHistory: 0, includeCorrelation: false });
  const agent = new RewardPenaltyAgent([new MultiAssetEnv(market, features, { lookback: 1, returnHistory: 0, includeCorrelation: false, randomStart: true, episodeLength: 20 })], { seed: 3, rolloutSteps: 4, hiddenSizes: [8] });
  const online = new OnlineLearningAgent(new SpecificationAgent(agent), env, market, {
    seed: 5,
    batchSize: 16,
    updateFrequency: 10,
    minSamplesBeforeUpdate: 40,
    championChallenger: false,
    regimes: { regimes: 2, minSamplesPerRegime: 10, fitWindow: 60, featureWindow: 10 },
    onEvent: (event) => events.push(event),
  });
  online.start(FIRST);
  const steps: OnlineStep[] = [];
  for (let k = 0; k < STEPS; k++) steps.push(await online.step());
  expect(online.buffer.size).toBe(STEPS);
  for (let slot = 0; slot < STEPS; slot++) expect(online.buffer.regimeAt(slot)).toBe(steps[slot]!.regime);
  agent.dispose();
  return steps;
}

describe('OnlineLearningAgent', () => {
  const { market, features } = syntheticSignalMarket({ bars: 400, drifts: [0.001, 0], signalStrengths: [0.01, 0.01], noise: 0.01, seed: 4 });

  it('decides bar by bar, learns every 10 bars once 40 transitions are stored, with temperature 1 + (1 − stability)·2', async () => {
    const events: OnlineEvent[] = [];
    const steps = await stream(market, features, events);
    // Every refit and every update is reported, at its bar.
    expect(events.filter((e) => e.kind === 'update').map((e) => e.bar)).toEqual(steps.filter((s) => s.update).map((s) => s.bar));
    expect(events.filter((e) => e.kind === 'refit').map((e) => e.bar)).toEqual(steps.filter((s) => s.refit).map((s) => s.bar));
    expect(events.some((e) => e.kind === 'refit')).toBe(true);
    expect(steps.map((s) => s.bar)).toEqual(Array.from({ length: STEPS }, (_, k) => FIRST + k));
    const updated = steps.flatMap((s, k) => (s.update ? [k] : []));
    expect(updated).toEqual([39, 49, 59, 69, 79, 89, 99, 109, 119, 129, 139, 149]);
    for (const s of steps) expect(s.temperature).toBeCloseTo(1 + (1 - s.stability) * 2, 12);
    expect(steps.some((s) => s.regime >= 0)).toBe(true);
    expect(Number.isFinite(steps[149]!.update!['qLoss'])).toBe(true);
  });

  it('never looks ahead: decisions, regimes and updates up to bar t are the same whatever happens after t', async () => {
    const base = await stream(market, features);
    const t = FIRST + 90;
    const close = Float64Array.from(market.close);
    const signal = Float64Array.from(features.values);
    const A = market.symbols.length;
    for (let bar = t + 1; bar < market.time.length; bar++) {
      for (let a = 0; a < A; a++) close[bar * A + a] = close[bar * A + a]! * (1 + 0.05 * Math.cos(bar + a));
      signal.fill(3, (t + 1) * A);
    }
    const perturbed = await stream({ ...market, close, open: close, high: close, low: close }, { ...features, values: signal });
    // Step k decides at bar FIRST + k and earns the return to the next bar: steps whose bars are < t see nothing of the change.
    const same = (s: OnlineStep) => ({ bar: s.bar, regime: s.regime, stability: s.stability, action: Array.from(s.action), update: s.update });
    expect(perturbed.slice(0, 90).map(same)).toEqual(base.slice(0, 90).map(same));
    expect(perturbed.slice(91).map((s) => Array.from(s.action))).not.toEqual(base.slice(91).map((s) => Array.from(s.action)));
  });

  it('gives the same stream for the same seed', async () => {
    const first = await stream(market, features);
    const second = await stream(market, features);
    expect(second.map((s) => [Array.from(s.action), s.reward, s.regime])).toEqual(first.map((s) => [Array.from(s.action), s.reward, s.regime]));
  });
});

const SMALL_REGIMES = { regimes: 2, minSamplesPerRegime: 10, fitWindow: 60, featureWindow: 10 };
const ENV = { lookback: 1, returnHistory: 0, includeCorrelation: false } as const;

/** A streaming setup whose every part is built from seeds, so two of them are the same machine. */
function setup(market: MarketData, features: FeatureTensor, algorithm: 'reward_penalty' | 'grpo', options: Partial<OnlineAgentOptions>) {
  const env = new MultiAssetEnv(market, features, ENV);
  const learnerEnvs = [0, 1].map(() => new MultiAssetEnv(market, features, { ...ENV, randomStart: true, episodeLength: 20 }));
  const agent =
    algorithm === 'grpo'
      ? new GroupRelativeGrpo(learnerEnvs, { seed: 3, rolloutSteps: 4, horizon: 3, groupSize: 4, epochs: 1, hiddenSizes: [8] })
      : new RewardPenaltyAgent(learnerEnvs.slice(0, 1), { seed: 3, rolloutSteps: 4, hiddenSizes: [8] });
  const online = new OnlineLearningAgent(new SpecificationAgent(agent), env, market, {
    seed: 5,
    batchSize: 16,
    updateFrequency: 5,
    minSamplesBeforeUpdate: 30,
    evaluationWindow: 20,
    evaluationInterval: 20,
    grpoWindow: 40,
    regimes: SMALL_REGIMES,
    ...options,
  });
  return { online, dispose: () => (online.dispose(), agent.dispose()) };
}

const view = (s: OnlineStep) => ({ bar: s.bar, regime: s.regime, action: Array.from(s.action), value: s.value, update: s.update, champion: s.championVersion, events: s.events });

describe('OnlineLearningAgent: champion/challenger, rollback, crash-safe state, GRPO', () => {
  const { market, features } = syntheticSignalMarket({ bars: 400, drifts: [0.001, 0], signalStrengths: [0.01, 0.01], noise: 0.01, seed: 4 });
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'online-state-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(algorithm: 'reward_penalty' | 'grpo', options: Partial<OnlineAgentOptions>, steps: number) {
    const { online, dispose } = setup(market, features, algorithm, options);
    online.start(FIRST);
    const out: OnlineStep[] = [];
    for (let k = 0; k < steps; k++) out.push(await online.step());
    const bufferSize = online.buffer.size;
    dispose();
    return { steps: out, bufferSize };
  }

  it('holds the newest window out of learning, compares on it, and promotes only a challenger that beats the champion there', async () => {
    const never = await run('reward_penalty', { promotionMargin: 1e9 }, 150);
    // The 20 newest transitions are held out: the learnable buffer lags by exactly the window.
    expect(never.bufferSize).toBe(150 - 20);
    const evaluations = never.steps.flatMap((s) => s.events.filter((e) => e.kind === 'evaluation'));
    expect(evaluations.length).toBeGreaterThan(2);
    for (const e of evaluations) {
      expect(e.payload['last_bar']).toBe(e.bar + 1);
      expect(e.payload['first_bar']).toBe(e.bar + 1 - 20);
      expect(e.payload['promoted']).toBe(false);
    }
    expect(never.steps.every((s) => s.championVersion === 0)).toBe(true);
    // The champion's score, recomputed by hand: the untouched initial model replayed deterministically over the window on a fresh environment.
    const fresh = new RewardPenaltyAgent([new MultiAssetEnv(market, features, { ...ENV, randomStart: true, episodeLength: 20 })], { seed: 3, rolloutSteps: 4, hiddenSizes: [8] });
    const replayEnv = new MultiAssetEnv(market, features, ENV);
    let observation = replayEnv.reset({ options: { start: evaluations[0]!.payload['first_bar'] as number, episodeLength: 20 } }).observation;
    const returns: number[] = [];
    for (let k = 0; k < 20; k++) {
      const result = replayEnv.step(await fresh.act(Float32Array.from(observation), 1));
      returns.push(result.info.portfolioReturn);
      observation = result.observation;
    }
    fresh.dispose();
    const mean = returns.reduce((a, b) => a + b, 0) / 20;
    const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 19);
    expect(evaluations[0]!.payload['champion_sharpe']).toBeCloseTo((mean / sd) * Math.sqrt(252), 9);
    // A champion that is never replaced trades exactly as a model that never learns.
    const frozen = await run('reward_penalty', { minSamplesBeforeUpdate: 10_000 }, 150);
    expect(never.steps.map((s) => Array.from(s.action))).toEqual(frozen.steps.map((s) => Array.from(s.action)));

    const always = await run('reward_penalty', { promotionMargin: -1e9, returnDrift: { threshold: 1e9 } }, 150);
    const promotions = always.steps.flatMap((s) => s.events.filter((e) => e.kind === 'promotion'));
    expect(promotions.length).toBe(always.steps.flatMap((s) => s.events.filter((e) => e.kind === 'evaluation')).length);
    expect(promotions.map((p) => p.payload['to'])).toEqual(promotions.map((_, i) => i + 1));
    // After a promotion the new champion trades (its version is on the following steps).
    const first = always.steps.findIndex((s) => s.events.some((e) => e.kind === 'promotion'));
    expect(always.steps[first + 1]!.championVersion).toBe(1);
    expect(always.steps.slice(first + 1).map((s) => Array.from(s.action))).not.toEqual(never.steps.slice(first + 1).map((s) => Array.from(s.action)));
  });

  it('with explore off the champion trades its deterministic action: without updates, exactly a hand replay of the model', async () => {
    const { steps } = await run('reward_penalty', { explore: false, minSamplesBeforeUpdate: 10_000 }, 60);
    const fresh = new RewardPenaltyAgent([new MultiAssetEnv(market, features, { ...ENV, randomStart: true, episodeLength: 20 })], { seed: 3, rolloutSteps: 4, hiddenSizes: [8] });
    const replayEnv = new MultiAssetEnv(market, features, ENV);
    let observation = replayEnv.reset({ options: { start: FIRST, episodeLength: null } }).observation;
    for (const step of steps) {
      const action = await fresh.act(Float32Array.from(observation), 1);
      expect(Array.from(step.action)).toEqual(Array.from(action));
      observation = replayEnv.step(action).observation;
    }
    fresh.dispose();
  });

  it('rolls back to the last good model when live returns fall while a new champion is on probation', async () => {
    const { steps } = await run('reward_penalty', { promotionMargin: -1e9, returnDrift: { threshold: 1e-4, delta: 0, minInstances: 5 } }, 200);
    const events = steps.flatMap((s) => s.events);
    const rollbacks = events.filter((e) => e.kind === 'rollback');
    expect(rollbacks.length).toBeGreaterThan(0);
    for (const rollback of rollbacks) {
      const i = events.indexOf(rollback);
      // Preceded, at the same bar, by an alarm on probation.
      expect(events[i - 1]!.kind).toBe('alarm');
      expect(events[i - 1]!.bar).toBe(rollback.bar);
      expect(events[i - 1]!.payload['on_probation']).toBe(true);
      // Restores the champion that was in place before the last promotion.
      const promotion = events.slice(0, i).reverse().find((e) => e.kind === 'promotion')!;
      expect(rollback.payload['from']).toBe(promotion.payload['to']);
      expect(rollback.payload['restored']).toBe(promotion.payload['from']);
    }
    // An alarm with a confirmed champion rolls nothing back.
    for (const alarm of events.filter((e) => e.kind === 'alarm' && e.payload['on_probation'] === false)) {
      expect(events[events.indexOf(alarm) + 1]?.kind === 'rollback' && events[events.indexOf(alarm) + 1]!.bar === alarm.bar).toBe(false);
    }
  });

  it.each(['reward_penalty', 'grpo'] as const)('%s: saved at step 70 and resumed in a new agent, the stream ends bit-identical to one never interrupted', async (algorithm) => {
    const options = { promotionMargin: -0.5, returnDrift: { threshold: 0.02, delta: 0, minInstances: 10 } };
    const whole = await run(algorithm, options, 130);
    const stateDir = join(dir, algorithm);
    const first = setup(market, features, algorithm, options);
    first.online.start(FIRST);
    const resumed: OnlineStep[] = [];
    for (let k = 0; k < 70; k++) resumed.push(await first.online.step());
    await saveOnlineState(stateDir, first.online, { step: 70, regime: resumed[69]!.regime, extra: { lines: 70 } });
    // The interrupted process goes on a little (its work after the save is lost).
    for (let k = 0; k < 5; k++) await first.online.step();
    first.dispose();
    const second = setup(market, features, algorithm, options);
    const record = await loadOnlineState(stateDir, second.online);
    expect(record.extra).toEqual({ lines: 70 });
    expect(record.path.endsWith(`model_steps_70_regime_${resumed[69]!.regime}`)).toBe(true);
    for (let k = 70; k < 130; k++) resumed.push(await second.online.step());
    second.dispose();
    expect(resumed.map(view)).toEqual(whole.steps.map(view));
    expect(whole.steps.some((s) => s.update !== null)).toBe(true);
    expect((await readdir(stateDir)).sort()).toEqual(['latest.json', `model_steps_70_regime_${resumed[69]!.regime}`]);
  });

  it('champion/challenger never looks ahead: evaluations, promotions, rollbacks and decisions up to bar t ignore every later bar', async () => {
    const options = { promotionMargin: -0.5, returnDrift: { threshold: 0.02, delta: 0, minInstances: 10 } };
    const base = await run('reward_penalty', options, 140);
    const events = base.steps.flatMap((s) => s.events.map((e) => e.kind));
    expect(events).toContain('promotion');
    expect(events).toContain('evaluation');
    const t = FIRST + 100;
    const close = Float64Array.from(market.close);
    const signal = Float64Array.from(features.values);
    const A = market.symbols.length;
    for (let bar = t + 1; bar < market.time.length; bar++) for (let a = 0; a < A; a++) close[bar * A + a] = close[bar * A + a]! * (1 + 0.04 * Math.cos(bar * 3 + a));
    signal.fill(-2, (t + 1) * A);
    const { online, dispose } = setup({ ...market, close, open: close, high: close, low: close }, { ...features, values: signal }, 'reward_penalty', options);
    online.start(FIRST);
    const perturbed: OnlineStep[] = [];
    for (let k = 0; k < 140; k++) perturbed.push(await online.step());
    dispose();
    // Step k decides at bar FIRST + k and earns the return to the next bar: the first 100 steps end by bar t.
    expect(perturbed.slice(0, 100).map(view)).toEqual(base.steps.slice(0, 100).map(view));
    expect(perturbed.slice(101).map(view)).not.toEqual(base.steps.slice(101).map(view));
  });

  it('group-relative GRPO learns online from counterfactual groups without looking past the bars it may learn from', async () => {
    const options = { championChallenger: false };
    const base = await run('grpo', options, 90);
    const updates = base.steps.filter((s) => s.update !== null);
    expect(updates.length).toBeGreaterThan(5);
    expect(Number.isFinite(updates.at(-1)!.update!['meanGroupScore'])).toBe(true);
    const t = FIRST + 60;
    const close = Float64Array.from(market.close);
    const A = market.symbols.length;
    for (let bar = t + 1; bar < market.time.length; bar++) for (let a = 0; a < A; a++) close[bar * A + a] = close[bar * A + a]! * (1 + 0.05 * Math.sin(bar * 7 + a));
    const perturbedMarket = { ...market, close, open: close, high: close, low: close };
    const { online, dispose } = setup(perturbedMarket, features, 'grpo', options);
    online.start(FIRST);
    const perturbed: OnlineStep[] = [];
    for (let k = 0; k < 90; k++) perturbed.push(await online.step());
    dispose();
    const same = (s: OnlineStep) => ({ bar: s.bar, action: Array.from(s.action), update: s.update });
    expect(perturbed.slice(0, 60).map(same)).toEqual(base.steps.slice(0, 60).map(same));
    expect(perturbed.slice(61).map(same)).not.toEqual(base.steps.slice(61).map(same));
  });
});
