/**
 * The quick planted-market suite with the schema's defaults, in CI (issue 20): 5 markets × 2 runs ×
 * 50 updates (~25 s alone on 2 cores). A guard against learning regressions, with references that
 * do not come from the agent: on momentum and mean reversion the agent must reach half of the best
 * simple rule's median test Sharpe (the full suite's goal is 0.8, measured over 5+ runs in
 * docs/research.md), and on the null market no run may be called significant. Deterministic (same
 * seeds, same table), so it fails only when learning changes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../agents/index.js';
import { LEARN_CHECK_DEFAULTS, runLearnCheck, type LearnCheckResult } from './learn-check.js';

let dir: string;
let result: LearnCheckResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-learn-quick-'));
  result = await runLearnCheck({ config: parseTrainConfig({}), seeds: LEARN_CHECK_DEFAULTS.quick.seeds, updates: LEARN_CHECK_DEFAULTS.quick.updates, outDir: dir });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the quick planted-market suite with the defaults', () => {
  it.each(['momentum', 'mean_reversion'] as const)('%s: the agent reaches at least half of the best simple rule (median test Sharpe)', (name) => {
    const market = result.markets.find((m) => m.market === name)!;
    expect(market.bestRuleSharpe).toBeGreaterThan(0.5);
    expect(market.agentSharpe.median).toBeGreaterThan(0.5 * market.bestRuleSharpe);
    expect(market.agentSharpe.median).toBeGreaterThan(market.equalWeightSharpe);
  });

  it('null: no run is called significantly ahead of equal weight', () => {
    const market = result.markets.find((m) => m.market === 'null')!;
    expect(market.runs).toBe(2);
    expect(market.significant.count).toBe(0);
  });
});
