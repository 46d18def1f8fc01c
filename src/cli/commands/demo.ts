/**
 * `grpo-trader demo`: the whole pipeline offline in a few minutes — a market (the seeded synthetic
 * regime-switching market, clearly labelled, unless --data points at real files), a brief GRPO
 * training with validation-based model selection, an out-of-sample backtest of the selected model
 * against every baseline through the same accounting, paired tests, a stored run and its HTML report.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { replayPolicy } from '../../backtest/agent-policy.js';
import { findChromium } from '../../backtest/report/chromium.js';
import { writeReport } from '../../backtest/report/write-report.js';
import { createStrategy, STRATEGY_NAMES } from '../../backtest/strategies/index.js';
import { StrategyBenchmark } from '../../backtest/strategy-benchmark.js';
import { flattenSummary } from '../../backtest/summarize.js';
import { invalidArgument } from '../../core/errors.js';
import { prepareOutputDirectory } from '../../core/fs.js';
import { formatTimestamp } from '../../data/dates.js';
import { dateRangeIndices, loadMarket, seriesFromMarket, sliceByDate, splitRangesByDate, syntheticRegimeMarket, writeOhlcvCsv } from '../../data/index.js';
import type { MarketData } from '../../data/types.js';
import { buildFeatureTensor } from '../../env/index.js';
import { marketFingerprint } from '../../data/fingerprint.js';
import { storeTrainingRecorder } from '../../store/training-recorder.js';
import type { CliIo } from '../output.js';
import { storeOption, withRunStore } from './store-option.js';
import { formatNumber, formatTable, numberFlag, parseList, toJson } from './backtest-common.js';
import { backtestModel, isExplainable } from '../../backtest/model-backtest.js';
import { explanationsRecord } from '../../backtest/report/explanations.js';
import { reportInputFromStore } from './report.js';
import { dataInputs, storeInput } from './output-options.js';

interface DemoFlags {
  data?: string[];
  symbols?: string;
  from?: string;
  to?: string;
  trainEnd?: string;
  validationEnd?: string;
  out?: string;
  seed?: string;
  updates?: string;
  assets?: string;
  bars?: string;
  png?: boolean;
  store?: string;
  policy?: string;
  json?: boolean;
}

/** The synthetic market's largest sizes: beyond them it would not fit a laptop's memory or a demo's minutes. */
export const DEMO_LIMITS = {
  assets: { max: 500, reason: 'the demo market is built, featurised and written as one CSV per asset; 500 is more than the S&P 500' },
  bars: { max: 100_000, reason: 'the demo market holds every bar of every asset in memory; 100,000 daily bars are 400 years' },
} as const;

export const DEMO_DEFAULTS = { out: 'grpo-trader-demo', seed: 0, updates: 60, assets: 6, bars: 1500, marketSeed: 7, policy: 'deepseek' } as const;

/**
 * The synthetic market, built so that an edge exists: each asset follows its own persistent trend
 * (±0.6 %/day, ~100 days on average) that momentum indicators can see, over a weak market regime
 * cycle (the regime drifts at 0.3× syntheticRegimeMarket's defaults). Equal weight averages the trends
 * away; a policy that reads them can beat it. Clearly labelled SYNTHETIC wherever it appears.
 */
export const DEMO_MARKET = { assetTrends: { drift: 0.006, persistence: 0.99 }, drift: { bull: 0.00027, bear: -0.00033, sideways: 0 } };

/** The demo's deepseek network: the specification's architecture, small enough to train in seconds on 2 cores. */
export const DEMO_DEEPSEEK = { hiddenDim: 32, encoderLayers: 1, encoderHeads: 4, attentionHeads: 4, decoderLayers: 1, decoderHeads: 4, feedForward: 64, dropout: 0.1 };

const AGENT = 'grpo_agent';

interface SplitDates {
  train: { from: string; to: string };
  validation: { from: string; to: string };
  test: { from: string; to: string };
}

function day(ms: number): string {
  return formatTimestamp(ms).slice(0, 10);
}

/** Splits by date flags, or 60/20/20 of the bars. Each split must hold enough bars. */
function chooseSplits(market: MarketData, trainEnd?: string, validationEnd?: string): SplitDates {
  const time = market.time;
  const n = time.length;
  if ((trainEnd === undefined) !== (validationEnd === undefined)) throw invalidArgument('give both --train-end and --validation-end, or neither (60/20/20 of the bars)');
  let trainLast: number;
  let validationLast: number;
  if (trainEnd !== undefined && validationEnd !== undefined) {
    // The data module's date splits: a validation end before the train end is refused naming both flags.
    const ranges = splitRangesByDate(time, { trainEnd, validationEnd, labels: { trainEnd: '--train-end', validationEnd: '--validation-end' } });
    trainLast = ranges.train.end - 1;
    validationLast = ranges.validation.end - 1;
  } else {
    trainLast = Math.floor(n * 0.6) - 1;
    validationLast = Math.floor(n * 0.8) - 1;
  }
  const sizes = { train: trainLast + 1, validation: validationLast - trainLast, test: n - 1 - validationLast };
  for (const [name, size] of Object.entries(sizes)) {
    if (size < 60) throw invalidArgument(`the ${name} split holds ${size} bars of the data (${day(time[0]!)} .. ${day(time[n - 1]!)}); it needs at least 60`);
  }
  return {
    train: { from: day(time[0]!), to: day(time[trainLast]!) },
    validation: { from: day(time[trainLast + 1]!), to: day(time[validationLast]!) },
    test: { from: day(time[validationLast + 1]!), to: day(time[n - 1]!) },
  };
}

/** Run the demo; returns the JSON document the command prints. */
export async function runDemo(flags: DemoFlags, io: CliIo) {
  const started = performance.now();
  const seed = numberFlag('--seed', flags.seed, DEMO_DEFAULTS.seed, { min: 0, integer: true });
  const updates = numberFlag('--updates', flags.updates, DEMO_DEFAULTS.updates, { min: 1, integer: true });
  const policy = flags.policy ?? DEMO_DEFAULTS.policy;
  if (policy !== 'deepseek' && policy !== 'mlp') throw invalidArgument(`--policy must be deepseek or mlp, got "${policy}"`);
  const out = resolve(flags.out ?? DEMO_DEFAULTS.out);
  const modelDir = join(out, 'model');
  // The demo is re-run by design (README, serve --demo): a previous demo's folder is emptied — its
  // model, data, report and serve --demo's live state, so nothing of the old demo mixes with the
  // new — but a folder that is not a demo's, or that holds the --data given, is refused.
  await prepareOutputDirectory(out, {
    option: '--out',
    existing: 'replace',
    what: "a previous demo's output",
    markers: ['model/metrics.jsonl', 'report/report.html'],
    inputs: [...(flags.data === undefined ? [] : await dataInputs('--data', flags.data)), storeInput(flags.store)],
  });

  let market: MarketData;
  let dataRecord: Record<string, unknown>;
  let label: string;
  if (flags.data !== undefined) {
    if (flags.assets !== undefined || flags.bars !== undefined) throw invalidArgument('--assets and --bars shape the synthetic market; they cannot be combined with --data');
    const symbols = flags.symbols === undefined ? undefined : parseList('--symbols', flags.symbols);
    const loaded = await loadMarket(flags.data, { symbols });
    market = flags.from !== undefined || flags.to !== undefined ? sliceByDate(loaded.market, flags.from, flags.to) : loaded.market;
    if (market.time.length < 2) throw invalidArgument(`no bars between ${flags.from ?? 'the start'} and ${flags.to ?? 'the end'}`);
    label = `real data: ${flags.data.join(' ')} (${market.symbols.length} assets: ${market.symbols.join(',')})`;
    dataRecord = { synthetic: false, paths: flags.data, files: loaded.files, symbols: market.symbols };
  } else {
    if (flags.symbols !== undefined || flags.from !== undefined || flags.to !== undefined) throw invalidArgument('--symbols, --from and --to select real data; they need --data');
    const assets = numberFlag('--assets', flags.assets, DEMO_DEFAULTS.assets, { min: 1, integer: true, ...DEMO_LIMITS.assets });
    const bars = numberFlag('--bars', flags.bars, DEMO_DEFAULTS.bars, { min: 400, integer: true, ...DEMO_LIMITS.bars });
    const synthetic = syntheticRegimeMarket({ assets, bars, seed: DEMO_DEFAULTS.marketSeed, ...DEMO_MARKET });
    market = synthetic.market;
    label = `SYNTHETIC data — NOT real prices: ${synthetic.description}`;
    // Written out so that other commands can read the same bars (grpo-trader serve --demo replays them).
    const dataDirectory = join(out, 'data');
    for (const symbol of market.symbols) await writeOhlcvCsv(join(dataDirectory, `${symbol}.csv`), seriesFromMarket(market, symbol));
    dataRecord = { synthetic: true, description: synthetic.description, seed: DEMO_DEFAULTS.marketSeed, symbols: market.symbols, files: dataDirectory };
  }
  const splits = chooseSplits(market, flags.trainEnd, flags.validationEnd);
  const bars = (range: { from: string; to: string }) => {
    const { start, end } = dateRangeIndices(market.time, range.from, range.to);
    return { start, end, count: end - start };
  };
  const testBars = bars(splits.test);
  io.progress(`demo: ${label}\n`);
  io.progress(
    `demo: splits — train ${splits.train.from} .. ${splits.train.to} (${bars(splits.train).count} bars), validation ${splits.validation.from} .. ${splits.validation.to} (${bars(splits.validation).count} bars, model selection), test ${splits.test.from} .. ${splits.test.to} (${testBars.count} bars, out-of-sample)\n`,
  );

  // Loaded on use: the agents module brings jax-js, which other commands do not need.
  const { parseTrainConfig, runTraining, readTrainedModel } = await import('../../agents/index.js');
  const config = parseTrainConfig(
    {
      seed,
      data: { symbols: market.symbols, features: 'normalized' },
      splits,
      environment: { type: 'multi_asset', lookback: 5, returnHistory: 10, episodeLength: 63, reward: { type: 'return' } },
      algorithm: {
        type: 'grpo',
        policy,
        deepseek: DEMO_DEEPSEEK,
        hiddenSizes: [64],
        initialMean: 'equal',
        initialStd: 0.2,
        learningRate: 0.003,
        scheduleUpdates: updates,
        // Each sampled book is scored over the next 10 days: trends pay over days, not in one.
        grpo: { groupSize: 8, horizon: 10, rolloutSteps: 16, epochs: 2 },
      },
      training: { updates, envs: 8, evalInterval: Math.max(1, Math.min(10, Math.floor(updates / 10))), patience: 0, checkpointInterval: updates },
    },
    'demo config',
  );
  const features = buildFeatureTensor(market, { features: config.data.features });
  io.progress(`demo: training group-relative GRPO with the ${policy === 'deepseek' ? "specification's DeepSeek-R1 network (small)" : 'MLP policy'} for ${updates} updates on the train split (validation Sharpe every ${config.training.evalInterval} updates selects the model)\n`);
  const dataFingerprint = marketFingerprint(market);
  const { trained, trainRunId } = await withRunStore(flags.store, async (store) => {
    const recorder = storeTrainingRecorder(store, { name: 'demo training', extra: { demo: true } });
    const summary = await runTraining(config, { outDir: modelDir, prepared: { market, features }, onProgress: (line) => io.progress(line), skipTest: true, recorder });
    return { trained: summary, trainRunId: recorder.runId };
  });

  io.progress(`demo: backtesting the selected model (update ${trained.bestUpdate ?? trained.updates}) and ${STRATEGY_NAMES.length} baselines on the test split\n`);
  const info = await readTrainedModel(modelDir);
  const e = config.environment;
  const { result: agentRun, explanations } = await backtestModel(info, market, features, testBars.start, testBars.end, { name: AGENT, split: 'test (out-of-sample)', explain: isExplainable(info) });
  const benchmark = new StrategyBenchmark(market, {
    firstBar: testBars.start,
    endBar: testBars.end,
    split: 'test (out-of-sample)',
    initialCapital: e.initialCapital,
    tradingCost: e.tradingCost,
    slippage: e.slippage,
    maxPositionSize: e.maxPositionSize,
    maxAssetWeight: e.maxAssetWeight,
  });
  benchmark.addStrategy(AGENT, replayPolicy(AGENT, agentRun, market.time.length));
  for (const name of STRATEGY_NAMES) benchmark.addStrategy(name, createStrategy(name, { seed }));
  const runs = benchmark.run();
  const names = benchmark.names();
  const tests = STRATEGY_NAMES.map((baseline) => benchmark.statisticalTest(AGENT, baseline));
  const deflatedSharpe = benchmark.deflatedSharpe();
  const period = runs.get(AGENT)!.result.period;

  const reportDirectory = join(out, 'report');
  const { runId, reportInput, storePath } = await withRunStore(flags.store, (store) => {
    const id = store.recordRun({
      kind: 'demo',
      name: dataRecord['synthetic'] ? 'demo on SYNTHETIC data (seeded regime-switching market, not real prices)' : `demo on ${market.symbols.length} real assets`,
      period,
      config: { splits, train: config, model: { directory: modelDir, checkpoint: info.checkpointLabel, update: info.update }, out_of_sample: true },
      data: dataRecord,
      seed,
      dataFingerprint,
      artifacts: { model_directory: modelDir, checkpoint: info.checkpoint, train_run: trainRunId ?? null },
      series: names.map((name) => ({ name, result: runs.get(name)!.result, metrics: flattenSummary(runs.get(name)!.summary) })),
      tests,
      extra: { deflated_sharpe: deflatedSharpe, splits, training: trained, ...(explanations ? { explanations: explanationsRecord(explanations, AGENT) } : {}) },
    });
    return { runId: id, reportInput: reportInputFromStore(store, id), storePath: store.path };
  });
  reportInput.title = `${reportInput.title} — out-of-sample test ${splits.test.from} .. ${splits.test.to}`;
  const png = flags.png === true && findChromium() !== undefined;
  if (flags.png === true && !png) io.progress('demo: no Chromium found: writing the HTML report without PNG images\n');
  const written = await writeReport(reportInput, reportDirectory, { png });
  await withRunStore(flags.store, (store) => store.addArtifacts(runId, { report: written.html }));
  const seconds = (performance.now() - started) / 1000;
  return {
    data: dataRecord,
    label,
    splits,
    out_of_sample: { split: 'test', first: period.first, last: period.last, bars: period.bars, note: 'the test dates were used neither for training nor for model selection' },
    training: { algorithm: trained.algorithm, policy, updates: trained.updates, best_update: trained.bestUpdate, best_validation_sharpe: trained.bestValidationSharpe, model_directory: modelDir, checkpoint: info.checkpointLabel },
    strategies: names.map((name) => {
      const { summary } = runs.get(name)!;
      return { name, metrics: summary.metrics, trades: summary.trades, final_value: summary.final_value };
    }),
    tests,
    deflated_sharpe: deflatedSharpe,
    run_id: runId,
    train_run_id: trainRunId ?? null,
    data_fingerprint: dataFingerprint,
    store: storePath,
    report: written.html,
    images: written.images,
    seconds,
  };
}

export function registerDemo(program: Command, io: CliIo): void {
  storeOption(
    program
      .command('demo')
      .description('Offline end-to-end demo: market (synthetic unless --data), brief GRPO training, out-of-sample backtest against the baselines, paired tests, HTML report; recorded in the run store'),
  )
    .option('--data <paths...>', 'real OHLCV files or directories instead of the synthetic market')
    .option('--symbols <list>', 'with --data: only these symbols')
    .option('--from <date>', 'with --data: first date used')
    .option('--to <date>', 'with --data: last date used')
    .option('--train-end <date>', 'last training date (default: 60% of the bars)')
    .option('--validation-end <date>', 'last validation date (default: 80% of the bars); the test split is everything after')
    .option('--out <dir>', `output directory: model/, report/ (default ./${DEMO_DEFAULTS.out})`)
    .option('--seed <n>', `training seed (default ${DEMO_DEFAULTS.seed})`)
    .option('--updates <n>', `GRPO updates (default ${DEMO_DEFAULTS.updates})`)
    .option('--policy <name>', `deepseek (the specification's network, small) or mlp (default ${DEMO_DEFAULTS.policy})`)
    .option('--assets <n>', `synthetic market: assets (default ${DEMO_DEFAULTS.assets})`)
    .option('--bars <n>', `synthetic market: business days (default ${DEMO_DEFAULTS.bars})`)
    .option('--png', 'also write PNG charts (needs Chromium)')
    .option('--json', 'print the whole result as one JSON object')
    .action(async (flags: DemoFlags) => {
      const result = await runDemo(flags, io);
      if (flags.json) {
        io.stdout(`${toJson(result)}\n`);
        return;
      }
      const s = result.splits;
      io.stdout(`Data: ${result.label}\n`);
      io.stdout(`Splits: train ${s.train.from} .. ${s.train.to} | validation ${s.validation.from} .. ${s.validation.to} (model selection) | test ${s.test.from} .. ${s.test.to}\n`);
      io.stdout(
        `Model: GRPO with the ${result.training.policy === 'deepseek' ? 'DeepSeek-R1 network' : 'MLP policy'}, ${result.training.updates} updates, selected at update ${result.training.best_update ?? result.training.updates} (validation Sharpe ${formatNumber(result.training.best_validation_sharpe ?? Number.NaN, 3)})\n`,
      );
      const o = result.out_of_sample;
      io.stdout(`\nOUT-OF-SAMPLE test ${o.first} .. ${o.last} (${o.bars} bars; never used for training or model selection), same accounting and costs for every row:\n\n`);
      const deflated = new Map(result.deflated_sharpe.map((d) => [d.strategy, d.deflated_sharpe]));
      io.stdout(
        formatTable(
          ['strategy', 'total_return', 'annual_return', 'sharpe_ratio', 'sortino_ratio', 'max_drawdown', 'volatility', 'total_turnover', 'deflated_sharpe'],
          result.strategies.map((r) => [
            r.name,
            formatNumber(r.metrics.total_return),
            formatNumber(r.metrics.annual_return),
            formatNumber(r.metrics.sharpe_ratio, 3),
            formatNumber(r.metrics.sortino_ratio, 3),
            formatNumber(r.metrics.max_drawdown),
            formatNumber(r.metrics.volatility),
            formatNumber(r.trades.total_turnover, 1),
            formatNumber(deflated.get(r.name)!, 3),
          ]),
        ),
      );
      io.stdout(`\nPaired tests, ${AGENT} against each baseline (daily returns, same dates):\n`);
      io.stdout(
        formatTable(
          ['baseline', 'mean diff', 't', 'p(t)', 'wilcoxon p', 'sharpe diff', '95% CI', 'significant'],
          result.tests.map((t) => [
            t.baseline,
            formatNumber(t.mean_difference, 6),
            formatNumber(t.paired_t.statistic, 3),
            formatNumber(t.paired_t.p_value, 4),
            formatNumber(t.wilcoxon.p_value, 4),
            formatNumber(t.sharpe_difference.estimate, 3),
            `[${formatNumber(t.sharpe_difference.lower, 3)}, ${formatNumber(t.sharpe_difference.upper, 3)}]`,
            t.is_significant.paired_t && t.is_significant.wilcoxon ? 'yes' : 'no',
          ]),
        ),
      );
      io.stdout(
        `\nReport: ${result.report}\nRun ${result.run_id} (training: run ${result.train_run_id}) recorded in ${result.store} — grpo-trader runs list; model in ${result.training.model_directory}\nWall time: ${result.seconds.toFixed(1)} s\n`,
      );
    });
}
