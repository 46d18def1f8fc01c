/**
 * `grpo-trader compare --data PATHS --strategies NAME,... [--from D] [--to D] [--json]`: baseline
 * strategies through the same accounting over the same dates, a metrics table, paired tests against a
 * baseline and the deflated Sharpe ratio. Data before --from is loaded as history (indicator warm-up,
 * covariance windows) and never traded or scored.
 */
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { formatBacktestCsv } from '../../backtest/equity-csv.js';
import { checkOutputFile, prepareOutputDirectory, writeFileAtomic } from '../../core/fs.js';
import { createStrategy, STRATEGY_NAMES } from '../../backtest/strategies/index.js';
import { StrategyBenchmark } from '../../backtest/strategy-benchmark.js';
import { flattenSummary } from '../../backtest/summarize.js';
import type { WalkForwardOptions } from '../../data/splits.js';
import { marketFingerprint } from '../../data/fingerprint.js';
import { backtestDefaults } from '../../backtest/run-backtest.js';
import { invalidArgument } from '../../core/errors.js';
import type { TrainedModelInfo } from '../../agents/load-trained-model.js';
import type { CliIo } from '../output.js';
import { replayPolicy } from '../../backtest/agent-policy.js';
import { formatNumber, formatTable, loadEvaluationMarket, numberFlag, parseList, toJson } from './backtest-common.js';
import { backtestModel, evaluationRange, loadModelMarket, modelFeatures, readModel } from '../../backtest/model-backtest.js';
import { storeOption, withRunStore } from './store-option.js';
import { dataInputs, modelInputs, overwriteOption, storeInput } from './output-options.js';

interface CompareFlags {
  data: string[];
  strategies: string;
  symbols?: string;
  from?: string;
  to?: string;
  baseline?: string;
  model?: string;
  seed?: string;
  initialCapital?: string;
  tradingCost?: string;
  slippage?: string;
  periodsPerYear?: string;
  riskFree?: string;
  trainBars?: string;
  testBars?: string;
  stepBars?: string;
  anchored?: boolean;
  equityDir?: string;
  overwrite?: boolean;
  save?: boolean;
  store?: string;
  name?: string;
  json?: boolean;
}

/** The market restricted to the model's symbols, and the evaluated bars [firstBar, endBar) of --from/--to. */
async function loadModelEvaluationMarket(model: TrainedModelInfo, flags: CompareFlags) {
  const { market, files } = await loadModelMarket(model, flags.data, flags.symbols === undefined ? null : parseList('--symbols', flags.symbols));
  const { start, end } = evaluationRange(market, flags.from, flags.to);
  return { market, files, firstBar: start, endBar: end };
}

/** Run the comparison the flags describe; returns the JSON document the command prints. */
export async function runCompare(flags: CompareFlags, io: CliIo) {
  const names = parseList('--strategies', flags.strategies);
  for (const name of names) {
    if (!(STRATEGY_NAMES as readonly string[]).includes(name)) throw invalidArgument(`--strategies: unknown strategy "${name}"; known: ${STRATEGY_NAMES.join(', ')}`);
  }
  const baseline = flags.baseline ?? names[0]!;
  if (!names.includes(baseline)) throw invalidArgument(`--baseline ${baseline} is not one of --strategies (${names.join(', ')})`);
  const seed = numberFlag('--seed', flags.seed, 0, { min: 0, integer: true });
  const options = {
    initialCapital: numberFlag('--initial-capital', flags.initialCapital, backtestDefaults.initialCapital, { min: 0, exclusiveMin: true }),
    tradingCost: numberFlag('--trading-cost', flags.tradingCost, backtestDefaults.tradingCost, { min: 0 }),
    slippage: numberFlag('--slippage', flags.slippage, backtestDefaults.slippage, { min: 0 }),
    periodsPerYear: numberFlag('--periods-per-year', flags.periodsPerYear, backtestDefaults.periodsPerYear, { min: 0, exclusiveMin: true }),
    riskFree: numberFlag('--risk-free', flags.riskFree, 0),
  };
  // With --model, the data is restricted to the model's symbols (in its order) unless --symbols names them.
  const model = flags.model === undefined ? undefined : await readModel(flags.model);
  const { market, files, firstBar: start, endBar: end } = model ? await loadModelEvaluationMarket(model, flags) : await loadEvaluationMarket(flags);
  let walkForward: WalkForwardOptions | undefined;
  if (flags.trainBars !== undefined || flags.testBars !== undefined) {
    if (flags.trainBars === undefined || flags.testBars === undefined) throw invalidArgument('walk-forward needs both --train-bars and --test-bars');
    walkForward = { trainBars: numberFlag('--train-bars', flags.trainBars, 0, { min: 1, integer: true }), testBars: numberFlag('--test-bars', flags.testBars, 0, { min: 1, integer: true }) };
    if (flags.stepBars !== undefined) walkForward.stepBars = numberFlag('--step-bars', flags.stepBars, 0, { min: 1, integer: true });
    if (flags.anchored) walkForward.anchored = true;
  } else if (flags.stepBars !== undefined || flags.anchored) throw invalidArgument('--step-bars and --anchored need --train-bars and --test-bars');
  if (model && walkForward) throw invalidArgument('--model cannot be combined with walk-forward (--train-bars/--test-bars): a trained model is not refitted per window');
  const agentName = model ? `agent:${basename(resolve(model.directory))}` : undefined;
  if (agentName !== undefined && names.includes(agentName)) throw invalidArgument(`--model: the agent's name ${agentName} clashes with a strategy name`);
  if (flags.equityDir !== undefined) {
    // A folder of curves, one file per strategy: other files in it are kept; the curves written are checked one by one.
    const inputs = [...(await dataInputs('--data', flags.data)), ...(model ? modelInputs('--model', model) : []), storeInput(flags.store)];
    await prepareOutputDirectory(flags.equityDir, { option: '--equity-dir', existing: 'continue', what: 'equity curves', markers: [], inputs });
    for (const name of [...names, ...(agentName === undefined ? [] : [agentName])]) {
      await checkOutputFile(join(flags.equityDir, `${name}.csv`), { option: '--equity-dir', inputs, overwrite: flags.overwrite === true });
    }
  }
  io.progress(`compare: ${names.length} strategies, ${market.symbols.length} assets, ${end - start} bars (${start} bars of history before)\n`);
  const benchmark = new StrategyBenchmark(market, { ...options, firstBar: start, endBar: end, split: 'evaluation', ...(walkForward ? { walkForward } : {}) });
  for (const name of names) benchmark.addStrategy(name, createStrategy(name, { seed }));
  if (model && agentName !== undefined) {
    const e = model.config.environment;
    if (e.tradingCost !== options.tradingCost || e.slippage !== options.slippage || e.initialCapital !== options.initialCapital) {
      io.progress(`compare: the agent decides in its training environment (costs ${e.tradingCost} + ${e.slippage}, capital ${e.initialCapital}); its weights are accounted here with costs ${options.tradingCost} + ${options.slippage}, capital ${options.initialCapital}\n`);
    }
    io.progress(`compare: running ${model.algorithm} model ${model.directory} (${model.checkpointLabel}, update ${model.update})\n`);
    const { result: agentRun } = await backtestModel(model, market, modelFeatures(model, market), start, end, { name: agentName, split: 'evaluation' });
    benchmark.addStrategy(agentName, replayPolicy(agentName, agentRun, market.time.length));
    names.push(agentName);
  }
  const runs = benchmark.run();
  const first = runs.get(names[0]!)!.result.period;
  const windows = runs.get(names[0]!)!.windows;
  const walkForwardReport = walkForward && windows
    ? {
        ...walkForward,
        windows: windows.map((w) => ({ index: w.index, train_first: w.train.first, train_last: w.train.last, test_first: w.test.first, test_last: w.test.last })),
        refitted: names.filter((name) => runs.get(name)!.windows!.some((w) => w.fitted)),
      }
    : undefined;
  const equityFiles: Record<string, string> = {};
  if (flags.equityDir !== undefined) {
    for (const name of names) {
      const path = join(flags.equityDir, `${name}.csv`);
      await writeFileAtomic(path, formatBacktestCsv(runs.get(name)!.result));
      equityFiles[name] = path;
    }
  }
  const tests = benchmark.testAgainst(baseline);
  // The agent against every baseline, not only against --baseline.
  const agentTests = agentName === undefined ? [] : names.filter((name) => name !== agentName).map((name) => benchmark.statisticalTest(agentName, name));
  const deflatedSharpe = benchmark.deflatedSharpe();
  const { runId, storePath } = await withRunStore(flags.store, (store) => ({
    storePath: store.path,
    runId: store.recordRun({
      kind: 'compare',
      name: flags.name ?? names.join('+'),
      period: first,
      config: { strategies: names, baseline, model: model ? { directory: model.directory, checkpoint: model.checkpoint, update: model.update, algorithm: model.algorithm } : null, from: flags.from ?? null, to: flags.to ?? null, ...options, seed, walk_forward: walkForward ?? null },
      data: { paths: flags.data, files, symbols: market.symbols, history_bars: start },
      seed,
      dataFingerprint: marketFingerprint(market),
      artifacts: { ...(model ? { model_directory: model.directory, checkpoint: model.checkpoint } : {}), ...(flags.equityDir === undefined ? {} : { equity_files: equityFiles }) },
      series: names.map((name) => ({ name, result: runs.get(name)!.result, metrics: flattenSummary(runs.get(name)!.summary) })),
      tests,
      extra: { deflated_sharpe: deflatedSharpe, ...(walkForwardReport ? { walk_forward: walkForwardReport } : {}), ...(agentName === undefined ? {} : { agent_tests: agentTests }) },
    }),
  }));
  io.progress(`compare: recorded as run ${runId} in ${storePath}\n`);
  return {
    run_id: runId,
    store: storePath,
    period: first,
    history_bars: start,
    ...(walkForwardReport ? { walk_forward: walkForwardReport } : {}),
    ...(flags.equityDir !== undefined ? { equity_files: equityFiles } : {}),
    data: { files: files.length, symbols: market.symbols },
    options: { ...options, seed },
    strategies: names.map((name) => {
      const { summary } = runs.get(name)!;
      return { name, metrics: summary.metrics, trades: summary.trades, initial_capital: summary.initial_capital, final_value: summary.final_value };
    }),
    baseline,
    tests,
    ...(agentName === undefined ? {} : { agent: agentName, agent_tests: agentTests }),
    deflated_sharpe: deflatedSharpe,
  };
}

export function registerCompare(program: Command, io: CliIo): void {
  overwriteOption(storeOption(program.command('compare').description('Compare baseline strategies through the same accounting over the same dates, with paired tests; recorded in the run store')), 'the curves in --equity-dir')
    .requiredOption('--data <paths...>', 'OHLCV files or directories (aligned on common dates)')
    .requiredOption('--strategies <names>', `comma-separated: ${STRATEGY_NAMES.join(',')}`)
    .option('--symbols <list>', 'only these symbols (comma-separated file names)')
    .option('--from <date>', 'first date evaluated (earlier data is history only)')
    .option('--to <date>', 'last date evaluated (inclusive)')
    .option('--baseline <name>', 'strategy the others are tested against (default: the first listed)')
    .option('--model <dir>', 'a trained model (train --out directory, best/ checkpoint) to compare as strategy agent:<dir name>')
    .option('--seed <n>', 'seed of the random strategy (default 0)')
    .option('--initial-capital <amount>', `starting value (default ${backtestDefaults.initialCapital})`)
    .option('--trading-cost <fraction>', `commission per unit of traded notional (default ${backtestDefaults.tradingCost})`)
    .option('--slippage <fraction>', `slippage per unit of traded notional (default ${backtestDefaults.slippage})`)
    .option('--periods-per-year <n>', 'bars per year (default 252)')
    .option('--risk-free <rate>', 'annual risk-free rate for the metrics (default 0)')
    .option('--train-bars <n>', 'walk-forward: training window in bars (strategies with a fit, e.g. min_variance, are refitted per window)')
    .option('--test-bars <n>', 'walk-forward: test window in bars; the report covers the stitched test windows (out-of-sample)')
    .option('--step-bars <n>', 'walk-forward: bars between test windows (default --test-bars)')
    .option('--anchored', 'walk-forward: expanding training windows from the first bar')
    .option('--equity-dir <dir>', 'write each strategy\'s curve to DIR/<name>.csv (date,value,cost,turnover; readable by grpo-trader metrics)')
    .option('--save', 'accepted for compatibility: every comparison is recorded in the run store')
    .option('--name <name>', 'name of the recorded run (default: the strategy names)')
    .option('--json', 'print the whole comparison as one JSON object (NaN/Infinity as null)')
    .action(async (flags: CompareFlags) => {
      const report = await runCompare(flags, io);
      if (flags.json) {
        io.stdout(`${toJson(report)}\n`);
        return;
      }
      const p = report.period;
      io.stdout(`${p.first} .. ${p.last}: ${p.bars} bars (${p.split}), ${report.data.symbols.length} assets, costs ${report.options.tradingCost} + slippage ${report.options.slippage} per unit traded\n`);
      if ('walk_forward' in report && report.walk_forward) {
        const wf = report.walk_forward;
        io.stdout(`walk-forward: ${wf.windows.length} windows of ${wf.testBars} test bars after ${wf.anchored ? 'an expanding' : `a ${wf.trainBars}-bar`} training window; refitted: ${wf.refitted.join(', ') || 'none'}\n`);
        for (const w of wf.windows) io.stdout(`  window ${w.index}: train ${w.train_first} .. ${w.train_last}, test ${w.test_first} .. ${w.test_last}\n`);
      }
      io.stdout('\n');
      const deflated = new Map(report.deflated_sharpe.map((d) => [d.strategy, d.deflated_sharpe]));
      io.stdout(
        formatTable(
          ['strategy', 'total_return', 'annual_return', 'sharpe', 'sortino', 'max_drawdown', 'volatility', 'turnover', 'round_trips', 'trade_win_rate', 'deflated_sharpe'],
          report.strategies.map((s) => [
            s.name,
            formatNumber(s.metrics.total_return),
            formatNumber(s.metrics.annual_return),
            formatNumber(s.metrics.sharpe_ratio, 3),
            formatNumber(s.metrics.sortino_ratio, 3),
            formatNumber(s.metrics.max_drawdown),
            formatNumber(s.metrics.volatility),
            formatNumber(s.trades.total_turnover, 1),
            String(s.trades.round_trips),
            formatNumber(s.trades.win_rate, 3),
            formatNumber(deflated.get(s.name)!, 3),
          ]),
        ),
      );
      io.stdout(`\nsaved as run ${report.run_id} in ${report.store}\n`);
      if (report.tests.length > 0) {
        io.stdout(`\nPaired tests against ${report.baseline} (daily returns, same dates):\n`);
        io.stdout(
          formatTable(
            ['strategy', 't', 'p(t)', 'wilcoxon p', 'cohens_d', 'sharpe diff', '95% CI'],
            report.tests.map((t) => [
              t.strategy,
              formatNumber(t.paired_t.statistic, 3),
              formatNumber(t.paired_t.p_value, 4),
              formatNumber(t.wilcoxon.p_value, 4),
              formatNumber(t.cohens_d, 4),
              formatNumber(t.sharpe_difference.estimate, 3),
              `[${formatNumber(t.sharpe_difference.lower, 3)}, ${formatNumber(t.sharpe_difference.upper, 3)}]`,
            ]),
          ),
        );
      }
      if ('agent_tests' in report && report.agent_tests) {
        io.stdout(`\nPaired tests, ${report.agent} against each baseline (daily returns, same dates):\n`);
        io.stdout(
          formatTable(
            ['baseline', 'mean diff', 't', 'p(t)', 'wilcoxon p', 'sharpe diff', '95% CI'],
            report.agent_tests.map((t) => [
              t.baseline,
              formatNumber(t.mean_difference, 6),
              formatNumber(t.paired_t.statistic, 3),
              formatNumber(t.paired_t.p_value, 4),
              formatNumber(t.wilcoxon.p_value, 4),
              formatNumber(t.sharpe_difference.estimate, 3),
              `[${formatNumber(t.sharpe_difference.lower, 3)}, ${formatNumber(t.sharpe_difference.upper, 3)}]`,
            ]),
          ),
        );
      }
    });
}
