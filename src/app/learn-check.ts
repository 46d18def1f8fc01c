/**
 * The planted-market suite (`grpo-trader learn-check`): does an agent find an edge where one exists,
 * and claim none where none exists? For each planted market and each run: build the market, split it
 * 60/20/20 by date, evaluate the oracle, the simple causal rules its structure allows and equal weight
 * (the best rule chosen on validation), train the agent on the train split with validation-based model
 * selection, backtest the selected model on the test split through the same accounting, and compare:
 * ratios to the best rule and to the oracle, paired tests and the deflated Sharpe ratio against equal
 * weight. Per market: the median over runs, confidence intervals, and a verdict. docs/research.md.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TrainConfig } from '../agents/train-config.js';
import { replayPolicy } from '../backtest/agent-policy.js';
import { binomialUpperBound, studentTCritical } from '../backtest/distributions.js';
import { returnsFromValues } from '../backtest/metrics.js';
import { backtestModel } from '../backtest/model-backtest.js';
import { EQUAL_WEIGHT, evaluatePlantedBaselines, PLANTED_RULE_FAMILIES, type ReferenceSharpe } from '../backtest/planted-benchmark.js';
import { deflatedSharpeRatio, periodSharpe } from '../backtest/statistics.js';
import type { StrategyTest } from '../backtest/strategy-benchmark.js';
import { mean, median, sampleStd } from '../core/arrays.js';
import { invalidArgument } from '../core/errors.js';
import { pathExists } from '../core/fs.js';
import { formatTimestamp } from '../data/dates.js';
import { plantedMarket, PLANTED_MARKET_NAMES, PLANTED_MARKET_SEEDS, PLANTED_MARKET_START, type PlantedMarket, type PlantedMarketName } from '../data/planted-markets.js';
import { businessDays } from '../data/synthetic.js';
import { buildFeatureTensor } from '../env/feature-tensor.js';
import type { RunStore } from '../store/run-store.js';

/** The suite's defaults: full and quick (CI) budgets, the goal and the significance level. */
/** Bounds on the suite's counts: beyond them a seed loses integer precision, or the run would take months. */
export const LEARN_CHECK_LIMITS = { seeds: 10_000, firstRun: 1_000_000, updates: 1_000_000 } as const;

export const LEARN_CHECK_DEFAULTS = {
  seeds: 5,
  quick: { seeds: 2, updates: 50 },
  /** The goal on a market with an edge: median agent test Sharpe ≥ goalRatio × the best rule's. */
  goalRatio: 0.8,
  /** Significance level of the paired test against equal weight. */
  alpha: 0.05,
  /** Train ends and validation ends at these fractions of the bars; the test split is the rest. */
  splitFractions: [0.6, 0.8] as const,
  out: 'grpo-trader-learn-check',
} as const;

/** The series name of the agent in each run's test benchmark. */
export const AGENT = 'agent';

export interface LearnCheckOptions {
  /** The base training config (default: the schema's defaults); its data section's paths and symbols and its splits are replaced per market. */
  config: TrainConfig;
  /** Where the config came from, for the record (null: the schema's defaults). */
  configFile?: string | null;
  /** Markets to run (default all five, in PLANTED_MARKET_NAMES order). */
  markets?: readonly PlantedMarketName[];
  /** Runs per market (default 5). Run k trains with seed config.seed + k. */
  seeds?: number;
  /**
   * Index of the first run (default 0): runs firstRun .. firstRun + seeds − 1, so a later call with
   * `firstRun` = the runs so far adds fresh markets and seeds — a check on runs a configuration was not
   * chosen on, or a false-positive rate over more runs in pieces.
   */
  firstRun?: number;
  /** Override training.updates (default: the config's). */
  updates?: number;
  /**
   * Keep one market per name for every run (its default seed) instead of a new market per run (seed
   * default + k). Default false: a fresh market per run, so that the spread over runs covers the
   * market's randomness too and the null market's false-positive rate is a rate over independent markets.
   */
  fixedMarket?: boolean;
  /** Shape of every planted market (default 6 assets, 2000 bars). */
  market?: { assets?: number; bars?: number };
  /** Models go to `{outDir}/models/{market}/seed-{seed}`. */
  outDir: string;
  /** Progress lines (one per run, plus the training's validation lines). */
  onProgress?: (line: string) => void;
  alpha?: number;
  goalRatio?: number;
}

/** One training run on one market, evaluated on its test split. */
export interface LearnCheckRun {
  market: PlantedMarketName;
  run: number;
  /** Training seed. */
  seed: number;
  marketSeed: number;
  agent: { testSharpe: number; bestUpdate: number | null; bestValidationSharpe: number | null; updates: number; trainSeconds: number; modelDirectory: string };
  bestRule: ReferenceSharpe;
  oracle: ReferenceSharpe;
  equalWeight: ReferenceSharpe;
  /** Agent test Sharpe / best rule's (NaN when the rule's is not positive). */
  ratioToRule: number;
  /** Agent test Sharpe / oracle's (NaN when the oracle's is not positive). */
  ratioToOracle: number;
  versusEqualWeight: {
    meanDifference: number;
    pairedT: { statistic: number; pValue: number };
    wilcoxon: { statistic: number; pValue: number };
    /** Deflated Sharpe ratio of the agent's returns in excess of equal weight, N = the market's runs. */
    deflatedSharpe: number;
    /** Paired t two-sided p < alpha with the agent's mean return ahead. */
    significant: boolean;
  };
}

export interface Interval {
  mean: number;
  median: number;
  /** 95 % t interval of the mean over runs (NaN with one run). */
  lower: number;
  upper: number;
}

export interface LearnCheckMarketSummary {
  market: PlantedMarketName;
  /** The first run's market description (SYNTHETIC, its structure and parameters). */
  description: string;
  rules: string;
  runs: number;
  marketSeeds: number[];
  agentSharpe: Interval & { min: number; max: number };
  /** Median over runs of the best rule's test Sharpe. */
  bestRuleSharpe: number;
  /** The rules chosen on validation, the most often chosen first (ties: the first chosen first). */
  bestRules: { name: string; runs: number }[];
  oracleSharpe: number;
  equalWeightSharpe: number;
  ratioToRule: Interval;
  ratioToOracle: Interval;
  significant: { count: number; share: number; upperBound: number };
  verdict: { edge: boolean; goal: string; met: boolean; text: string };
}

export interface LearnCheckResult {
  markets: LearnCheckMarketSummary[];
  runs: LearnCheckRun[];
  options: { markets: PlantedMarketName[]; seeds: number; firstRun: number; updates: number; fixedMarket: boolean; assets: number; bars: number; alpha: number; goalRatio: number; configFile: string | null };
  /** The dates of the splits (every planted market shares its calendar). */
  splits: { train: { from: string; to: string }; validation: { from: string; to: string }; test: { from: string; to: string } };
  testBars: number;
  /** The base training config after the suite's overrides (splits and symbols as in every run). */
  config: TrainConfig;
  seconds: number;
}

/**
 * What the suite calls significant: the paired t-test of daily returns against the baseline, two-sided
 * p < alpha, with the strategy's mean return ahead (an unskilled strategy is called so at most alpha/2
 * of the time).
 */
export function isCalledSignificant(test: Pick<StrategyTest, 'paired_t' | 'mean_difference'>, alpha: number = LEARN_CHECK_DEFAULTS.alpha): boolean {
  return test.paired_t.p_value < alpha && test.mean_difference > 0;
}

function positiveInteger(value: number, name: string): void {
  if (!(Number.isInteger(value) && value >= 1)) throw invalidArgument(`learn-check: ${name} must be a positive integer, got ${value}`);
}

/** Sharpe for summaries: a run that held cash throughout (no variance, NaN Sharpe) counts as 0. */
function scored(sharpe: number): number {
  return Number.isNaN(sharpe) ? 0 : sharpe;
}

function interval(values: number[]): Interval {
  const finite = values.filter((v) => Number.isFinite(v));
  const n = finite.length;
  const m = mean(finite);
  const half = n >= 2 ? (studentTCritical(0.05, n - 1) * sampleStd(finite)) / Math.sqrt(n) : Number.NaN;
  return { mean: m, median: median(finite), lower: m - half, upper: m + half };
}

function ratio(value: number, reference: number): number {
  return reference > 0 ? scored(value) / reference : Number.NaN;
}

function day(ms: number): string {
  return formatTimestamp(ms).slice(0, 10);
}

/** Bar ranges of the 60/20/20 splits of a market of `bars` bars. */
export function learnCheckSplits(bars: number): { train: { start: number; end: number }; validation: { start: number; end: number }; test: { start: number; end: number } } {
  const [first, second] = LEARN_CHECK_DEFAULTS.splitFractions;
  const trainEnd = Math.floor(bars * first);
  const validationEnd = Math.floor(bars * second);
  return { train: { start: 0, end: trainEnd }, validation: { start: trainEnd, end: validationEnd }, test: { start: validationEnd, end: bars } };
}

/** The run's training config: the base with the market's symbols, the splits as dates, the run's seed and budget. */
function runConfig(base: TrainConfig, planted: PlantedMarket, seed: number, updates: number): TrainConfig {
  const ranges = learnCheckSplits(planted.market.time.length);
  const time = planted.market.time;
  const range = (r: { start: number; end: number }) => ({ from: day(time[r.start]!), to: day(time[r.end - 1]!) });
  return {
    ...base,
    seed,
    data: { ...base.data, paths: [`planted:${planted.name}`], symbols: planted.market.symbols.slice() },
    splits: { train: range(ranges.train), validation: range(ranges.validation), test: range(ranges.test) },
    // Every run validates at least once, so that the model is always selected on validation.
    training: { ...base.training, updates, evalInterval: Math.min(base.training.evalInterval, updates) },
  };
}

/** A model directory of a previous suite (it holds a training's metrics.jsonl) is replaced; anything else is the user's. */
async function clearModelDirectory(directory: string): Promise<void> {
  if (!(await pathExists(directory, 'directory'))) return;
  if (!(await pathExists(join(directory, 'metrics.jsonl'), 'file'))) throw invalidArgument(`${directory} exists and is not a previous learn-check model directory; choose another --out`);
  await rm(directory, { recursive: true, force: true });
}

/** Run the suite (trains markets × seeds agents; minutes to hours with the default budget). */
export async function runLearnCheck(options: LearnCheckOptions): Promise<LearnCheckResult> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const markets = [...(options.markets ?? PLANTED_MARKET_NAMES)];
  for (const name of markets) if (!(PLANTED_MARKET_NAMES as readonly string[]).includes(name)) throw invalidArgument(`learn-check: unknown market "${name}"; known: ${PLANTED_MARKET_NAMES.join(', ')}`);
  if (markets.length === 0) throw invalidArgument('learn-check: no markets to run');
  const seeds = options.seeds ?? LEARN_CHECK_DEFAULTS.seeds;
  const updates = options.updates ?? options.config.training.updates;
  positiveInteger(seeds, 'seeds');
  const firstRun = options.firstRun ?? 0;
  if (!Number.isInteger(firstRun) || firstRun < 0 || firstRun > LEARN_CHECK_LIMITS.firstRun) throw invalidArgument(`learn-check: firstRun must be an integer from 0 to ${LEARN_CHECK_LIMITS.firstRun}, got ${firstRun}`);
  if (seeds > LEARN_CHECK_LIMITS.seeds) throw invalidArgument(`learn-check: seeds must be at most ${LEARN_CHECK_LIMITS.seeds}, got ${seeds}`);
  if (updates > LEARN_CHECK_LIMITS.updates) throw invalidArgument(`learn-check: updates must be at most ${LEARN_CHECK_LIMITS.updates}, got ${updates}`);
  positiveInteger(updates, 'updates');
  const alpha = options.alpha ?? LEARN_CHECK_DEFAULTS.alpha;
  const goalRatio = options.goalRatio ?? LEARN_CHECK_DEFAULTS.goalRatio;
  const fixedMarket = options.fixedMarket ?? false;
  const assets = options.market?.assets ?? 6;
  const bars = options.market?.bars ?? 2000;
  if (options.config.environment.type !== 'multi_asset') throw invalidArgument(`learn-check trains multi_asset agents; the config's environment.type is ${options.config.environment.type}`);
  const e = options.config.environment;
  const accounting = { initialCapital: e.initialCapital, tradingCost: e.tradingCost, slippage: e.slippage, maxPositionSize: e.maxPositionSize, maxAssetWeight: e.maxAssetWeight };
  const { runTraining } = await import('../agents/train.js');
  const { readTrainedModel } = await import('../agents/load-trained-model.js');

  const runs: LearnCheckRun[] = [];
  const summaries: LearnCheckMarketSummary[] = [];
  let lastConfig: TrainConfig | null = null;
  const descriptions = new Map<PlantedMarketName, string>();
  for (const name of markets) {
    const marketRuns: LearnCheckRun[] = [];
    const activeReturns: Float64Array[] = [];
    for (let k = firstRun; k < firstRun + seeds; k++) {
      const marketSeed = PLANTED_MARKET_SEEDS[name] + (fixedMarket ? 0 : k);
      const planted = plantedMarket(name, { seed: marketSeed, assets, bars });
      if (k === firstRun) descriptions.set(name, planted.description);
      const seed = options.config.seed + k;
      const config = runConfig(options.config, planted, seed, updates);
      lastConfig = config;
      const ranges = learnCheckSplits(planted.market.time.length);
      const baselines = evaluatePlantedBaselines(planted, { validation: ranges.validation, test: ranges.test }, accounting);
      const label = `learn-check: ${name} run ${k - firstRun + 1}/${seeds}`;
      progress(`${label} (market seed ${marketSeed}, training seed ${seed}): best rule ${baselines.bestRule.name} (validation Sharpe ${baselines.bestRule.validationSharpe.toFixed(2)}) test Sharpe ${baselines.bestRule.testSharpe.toFixed(2)}, oracle ${baselines.oracle.testSharpe.toFixed(2)}, equal weight ${baselines.equalWeight.testSharpe.toFixed(2)}; training ${updates} updates\n`);
      const features = buildFeatureTensor(planted.market, { features: config.data.features });
      const modelDirectory = resolve(options.outDir, 'models', name, `seed-${seed}`);
      await clearModelDirectory(modelDirectory);
      const trained = await runTraining(config, {
        outDir: modelDirectory,
        prepared: { market: planted.market, features },
        skipTest: true,
        keepCheckpoints: 1,
        onProgress: (line) => {
          if (line.includes('val sharpe')) progress(`  [${name} ${k - firstRun + 1}/${seeds}] ${line}`);
        },
      });
      const info = await readTrainedModel(modelDirectory, trained.bestUpdate === null ? 'latest' : 'best');
      const { result } = await backtestModel(info, planted.market, features, ranges.test.start, ranges.test.end, { name: AGENT, split: 'test (out-of-sample)' });
      baselines.test.addStrategy(AGENT, replayPolicy(AGENT, result, planted.market.time.length));
      const testRuns = baselines.test.run();
      const agentSharpe = testRuns.get(AGENT)!.summary.metrics.sharpe_ratio;
      const test = baselines.test.statisticalTest(AGENT, EQUAL_WEIGHT);
      const agentReturns = returnsFromValues(testRuns.get(AGENT)!.result.value);
      const equalReturns = returnsFromValues(testRuns.get(EQUAL_WEIGHT)!.result.value);
      activeReturns.push(agentReturns.map((r, i) => r - equalReturns[i]!));
      const run: LearnCheckRun = {
        market: name,
        run: k,
        seed,
        marketSeed,
        agent: { testSharpe: agentSharpe, bestUpdate: trained.bestUpdate, bestValidationSharpe: trained.bestValidationSharpe, updates: trained.updates, trainSeconds: trained.seconds, modelDirectory },
        bestRule: baselines.bestRule,
        oracle: baselines.oracle,
        equalWeight: baselines.equalWeight,
        ratioToRule: ratio(agentSharpe, baselines.bestRule.testSharpe),
        ratioToOracle: ratio(agentSharpe, baselines.oracle.testSharpe),
        versusEqualWeight: {
          meanDifference: test.mean_difference,
          pairedT: { statistic: test.paired_t.statistic, pValue: test.paired_t.p_value },
          wilcoxon: { statistic: test.wilcoxon.statistic, pValue: test.wilcoxon.p_value },
          deflatedSharpe: Number.NaN,
          significant: isCalledSignificant(test, alpha),
        },
      };
      progress(`${label}: agent test Sharpe ${agentSharpe.toFixed(2)} (selected at update ${trained.bestUpdate ?? trained.updates}), ${run.versusEqualWeight.significant ? '' : 'not '}significantly ahead of equal weight (paired t p ${test.paired_t.p_value.toFixed(3)}), ${trained.seconds.toFixed(1)} s\n`);
      marketRuns.push(run);
    }
    // The deflated Sharpe ratio against equal weight: N = the market's runs, V = the variance of their active Sharpe ratios.
    const activeSharpes = activeReturns.map((r) => periodSharpe(r));
    const variance = activeSharpes.length > 1 ? sampleStd(activeSharpes) ** 2 : 0;
    marketRuns.forEach((run, k) => (run.versusEqualWeight.deflatedSharpe = deflatedSharpeRatio(activeReturns[k]!, marketRuns.length, variance).deflatedSharpe));
    runs.push(...marketRuns);
    summaries.push(summarize(name, descriptions.get(name)!, marketRuns, goalRatio));
  }
  const ranges = learnCheckSplits(bars);
  const time = businessDays(PLANTED_MARKET_START, bars);
  const range = (r: { start: number; end: number }) => ({ from: day(time[r.start]!), to: day(time[r.end - 1]!) });
  return {
    markets: summaries,
    runs,
    options: { markets, seeds, firstRun, updates, fixedMarket, assets, bars, alpha, goalRatio, configFile: options.configFile ?? null },
    splits: { train: range(ranges.train), validation: range(ranges.validation), test: range(ranges.test) },
    testBars: ranges.test.end - ranges.test.start,
    config: { ...lastConfig!, seed: options.config.seed, data: { ...lastConfig!.data, paths: ['planted:*'] } },
    seconds: (performance.now() - started) / 1000,
  };
}

function summarize(name: PlantedMarketName, description: string, runs: LearnCheckRun[], goalRatio: number): LearnCheckMarketSummary {
  const agent = runs.map((r) => scored(r.agent.testSharpe));
  const agentInterval = interval(agent);
  const bestRuleSharpe = median(runs.map((r) => scored(r.bestRule.testSharpe)));
  const significantCount = runs.filter((r) => r.versusEqualWeight.significant).length;
  const edge = name !== 'null';
  const share = significantCount / runs.length;
  const threshold = goalRatio * bestRuleSharpe;
  const met = edge ? agentInterval.median >= threshold : share <= 0.05;
  const upperBound = binomialUpperBound(significantCount, runs.length);
  const goal = edge ? `median agent test Sharpe ≥ ${goalRatio} × the best rule's (${threshold.toFixed(2)})` : 'at most 5 % of runs significantly ahead of equal weight';
  const text = edge
    ? `${met ? 'MET' : 'NOT MET'}: median agent Sharpe ${agentInterval.median.toFixed(2)} vs ${goalRatio} × best rule ${bestRuleSharpe.toFixed(2)} = ${threshold.toFixed(2)}`
    : `${met ? 'MET' : 'NOT MET'}: ${significantCount} of ${runs.length} runs called significant (false-positive rate ${(100 * share).toFixed(0)} %, 95 % upper bound ${(100 * upperBound).toFixed(0)} %)`;
  return {
    market: name,
    description,
    rules: PLANTED_RULE_FAMILIES[name],
    runs: runs.length,
    marketSeeds: runs.map((r) => r.marketSeed),
    agentSharpe: { ...agentInterval, min: Math.min(...agent), max: Math.max(...agent) },
    bestRuleSharpe,
    bestRules: chosenRules(runs),
    oracleSharpe: median(runs.map((r) => scored(r.oracle.testSharpe))),
    equalWeightSharpe: median(runs.map((r) => scored(r.equalWeight.testSharpe))),
    // On the null market there is no edge to measure a share of.
    ratioToRule: interval(edge ? runs.map((r) => r.ratioToRule) : []),
    ratioToOracle: interval(edge ? runs.map((r) => r.ratioToOracle) : []),
    significant: { count: significantCount, share, upperBound },
    verdict: { edge, goal, met, text },
  };
}

function chosenRules(runs: LearnCheckRun[]): { name: string; runs: number }[] {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.bestRule.name, (counts.get(run.bestRule.name) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, runs: count })).sort((a, b) => b.runs - a.runs);
}

function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** The summary table: header and one row per market (the CLI prints it, the page shows it). */
export function learnCheckTable(result: LearnCheckResult): { header: string[]; rows: string[][] } {
  return {
    header: ['market', 'best rule', 'rule', 'oracle', 'equal wt', 'agent median', 'agent range', 'agent/rule', '95% CI', 'agent/oracle', 'signif.', 'verdict'],
    rows: result.markets.map((m) => [
      m.market,
      `${m.bestRules[0]!.name}${m.bestRules.length > 1 ? ` +${m.bestRules.length - 1}` : ''}`,
      fixed(m.bestRuleSharpe),
      fixed(m.oracleSharpe),
      fixed(m.equalWeightSharpe),
      fixed(m.agentSharpe.median),
      `${fixed(m.agentSharpe.min)}..${fixed(m.agentSharpe.max)}`,
      m.verdict.edge ? fixed(m.ratioToRule.median) : '–',
      m.verdict.edge ? `${fixed(m.ratioToRule.lower)}..${fixed(m.ratioToRule.upper)}` : '–',
      m.verdict.edge ? fixed(m.ratioToOracle.median) : '–',
      `${m.significant.count}/${m.runs}`,
      m.verdict.met ? 'MET' : 'NOT MET',
    ]),
  };
}

/** Metrics by market for the run store (`runs show`). */
function storeMetrics(result: LearnCheckResult): Record<string, Record<string, number>> {
  return Object.fromEntries(
    result.markets.map((m) => [
      m.market,
      {
        agent_median_sharpe: m.agentSharpe.median,
        agent_mean_sharpe: m.agentSharpe.mean,
        best_rule_sharpe: m.bestRuleSharpe,
        oracle_sharpe: m.oracleSharpe,
        equal_weight_sharpe: m.equalWeightSharpe,
        ratio_to_rule_median: m.ratioToRule.median,
        ratio_to_oracle_median: m.ratioToOracle.median,
        significant_share: m.significant.share,
        goal_met: m.verdict.met ? 1 : 0,
      },
    ]),
  );
}

/** Record the suite as one `learn_check` run; returns its id. */
export function recordLearnCheck(store: RunStore, result: LearnCheckResult, artifacts: Record<string, unknown>): number {
  return store.recordRun({
    kind: 'learn_check',
    name: `learn-check on ${result.markets.length} planted SYNTHETIC market${result.markets.length === 1 ? '' : 's'} × ${result.options.seeds} run${result.options.seeds === 1 ? '' : 's'}, ${result.options.updates} updates`,
    period: { first: result.splits.test.from, last: result.splits.test.to, bars: result.testBars, split: 'test (out-of-sample)' },
    config: { train: result.config, suite: result.options, splits: result.splits },
    data: { synthetic: true, markets: result.markets.map((m) => ({ name: m.market, description: m.description, seeds: m.marketSeeds })) },
    seed: result.config.seed,
    artifacts,
    series: [],
    metrics: storeMetrics(result),
    extra: { learn_check: result },
  });
}

/** A recorded suite's result, for `report ID`. */
export function learnCheckFromStore(store: RunStore, id: number): LearnCheckResult {
  const run = store.getRun(id);
  const result = (run.extra as { learn_check?: LearnCheckResult }).learn_check;
  if (run.kind !== 'learn_check' || result === undefined) throw invalidArgument(`run ${id} is a ${run.kind} run, not a learn_check run`);
  return result;
}
