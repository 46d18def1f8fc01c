/**
 * The planted-market suite's wall time (`grpo-trader learn-check --quick`: every planted market × 2
 * runs × 50 updates of the schema's default agent, model selection on validation, test backtests,
 * paired tests):
 *   learn.quick_suite  seconds per quick suite run (one run: it trains ten agents)
 * Reference: the CI budget the quick suite must stay within, 120 s on two quiet cores (issue 20);
 * ratio = budget / time, above 1 within budget. Measured in the same run beside it: the time of the
 * reference points alone (rules, oracle and equal weight on every market's validation and test bars),
 * and the suite's own numbers, so a regression in what the agent learns shows next to its time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrainConfig } from '../src/agents/index.js';
import { LEARN_CHECK_DEFAULTS, learnCheckSplits, runLearnCheck } from '../src/app/learn-check.js';
import { evaluatePlantedBaselines } from '../src/backtest/planted-benchmark.js';
import { PLANTED_MARKET_NAMES, PLANTED_MARKET_SEEDS, plantedMarket } from '../src/data/planted-markets.js';
import { round } from './harness.js';
import type { Benchmark, BenchResult } from './harness.js';

const BUDGET_SECONDS = 120;

async function run(): Promise<BenchResult> {
  const { seeds, updates } = LEARN_CHECK_DEFAULTS.quick;
  const config = parseTrainConfig({}, 'the schema defaults');
  const rulesStarted = performance.now();
  for (const name of PLANTED_MARKET_NAMES) {
    for (let k = 0; k < seeds; k++) {
      const planted = plantedMarket(name, { seed: PLANTED_MARKET_SEEDS[name] + k });
      const ranges = learnCheckSplits(planted.market.time.length);
      evaluatePlantedBaselines(planted, { validation: ranges.validation, test: ranges.test });
    }
  }
  const rulesSeconds = (performance.now() - rulesStarted) / 1000;
  const directory = await mkdtemp(join(tmpdir(), 'grpo-bench-learn-'));
  try {
    const started = performance.now();
    const result = await runLearnCheck({ config, seeds, updates, outDir: directory, onProgress: (line) => process.stderr.write(line.startsWith('  [') ? '' : line) });
    const seconds = (performance.now() - started) / 1000;
    return {
      name: 'learn.quick_suite',
      value: round(seconds),
      unit: 'seconds',
      reference: BUDGET_SECONDS,
      reference_name: 'the CI budget of the quick suite (issue 20: ~2 minutes on two quiet cores); ratio = budget / time',
      ratio: round(BUDGET_SECONDS / seconds),
      runs: 1,
      markets: result.markets.length,
      training_runs: result.runs.length,
      updates,
      seconds_per_training_run: round(seconds / result.runs.length),
      reference_points_seconds: round(rulesSeconds),
      suite: result.markets.map((m) => ({ market: m.market, agent_median_sharpe: round(m.agentSharpe.median, 3), best_rule_sharpe: round(m.bestRuleSharpe, 3), oracle_sharpe: round(m.oracleSharpe, 3), significant: `${m.significant.count}/${m.runs}`, goal_met: m.verdict.met })),
      config: `schema defaults (${config.algorithm.type}, ${config.algorithm.policy} policy), ${seeds} runs × ${updates} updates per market`,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [{ name: 'learn.quick_suite', description: 'wall time of the quick planted-market suite (learn-check --quick) against its CI budget', run }];
