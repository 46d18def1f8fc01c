/**
 * The online learning loop on a synthetic market: updates on the specified cadence from the
 * buffer, the exploration temperature from the regime stability by the specification's formula,
 * transitions stored with their regime, decisions at or before bar t unchanged when any later bar
 * changes, and the same seed giving the same stream.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RewardPenaltyAgent } from '../agents/reward-penalty-agent.js';
import { SpecificationAgent } from '../agents/specification-agent.js';
import { syntheticSignalMarket } from '../agents/synthetic-market.js';
import type { MarketData } from '../data/types.js';
import { MultiAssetEnv, type FeatureTensor } from '../env/index.js';
import { initEngine } from '../nn/index.js';
import { OnlineLearningAgent, type OnlineEvent, type OnlineStep } from './online-agent.js';

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
