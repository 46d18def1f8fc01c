/**
 * `grpo-trader backtest --model DIR --data PATHS [--from D] [--to D] [--checkpoint best|latest|N] [--json]`:
 * evaluate a trained model (a `train --out` directory) on data and dates of your choice, through an
 * environment built exactly as in training (features, lookback, costs, caps from the stored config),
 * with the deterministic policy (Gaussian mean / most probable action), recorded by `runEnvEpisode`.
 */
import type { Command } from 'commander';
import { backtestModel, evaluationRange, isExplainable, loadModelMarket, modelFeatures, readModel } from '../../backtest/model-backtest.js';
import { formatBacktestCsv } from '../../backtest/equity-csv.js';
import { summarizeBacktest, type BacktestSummary } from '../../backtest/summarize.js';
import { checkOutputFile, writeFileAtomic } from '../../core/fs.js';
import { marketFingerprint } from '../../data/fingerprint.js';
import { flattenSummary } from '../../backtest/summarize.js';
import type { CliIo } from '../output.js';
import { storeOption, withRunStore } from './store-option.js';
import { explanationsRecord } from '../../backtest/report/explanations.js';
import { formatNumber, formatTable, parseList, toJson } from './backtest-common.js';
import { dataInputs, modelInputs, overwriteOption, storeInput } from './output-options.js';

interface BacktestFlags {
  model: string;
  data: string[];
  symbols?: string;
  from?: string;
  to?: string;
  checkpoint?: string;
  equity?: string;
  store?: string;
  overwrite?: boolean;
  json?: boolean;
}

const METRIC_ORDER = ['total_return', 'annual_return', 'volatility', 'sharpe_ratio', 'sortino_ratio', 'max_drawdown', 'calmar_ratio', 'win_rate', 'profit_factor', 'periods'] as const;
const TRADE_ORDER = ['trades', 'round_trips', 'win_rate', 'profit_factor', 'average_holding_period', 'average_trade_return', 'total_cost', 'total_turnover'] as const;

/** The metrics table printed by backtest (snake_case names of docs/evaluation.md). */
export function formatSummaryTable(summary: BacktestSummary): string {
  const metrics = summary.metrics as unknown as Record<string, number>;
  const trades = summary.trades as unknown as Record<string, number>;
  const rows = [
    ...METRIC_ORDER.map((name) => [name, name === 'periods' ? String(metrics[name]) : formatNumber(metrics[name]!, 4)]),
    ...TRADE_ORDER.map((name) => [name === 'win_rate' || name === 'profit_factor' ? `trade_${name}` : name, name === 'trades' || name === 'round_trips' ? String(trades[name]) : formatNumber(trades[name]!, 4)]),
    ['initial_capital', formatNumber(summary.initial_capital, 2)],
    ['final_value', formatNumber(summary.final_value, 2)],
  ];
  return formatTable(['metric', 'value'], rows);
}

export function registerBacktest(program: Command, io: CliIo): void {
  overwriteOption(storeOption(program.command('backtest').description('Backtest a trained model (a train --out directory) on data and dates, deterministic policy, same accounting as training; recorded in the run store')), 'the --equity file')
    .requiredOption('--model <dir>', 'output directory of grpo-trader train (its best/ checkpoint by default)')
    .requiredOption('--data <paths...>', 'OHLCV files or directories holding the model\'s symbols')
    .option('--symbols <list>', 'the model\'s symbols (default: read from the model)')
    .option('--from <date>', 'first date evaluated (earlier data is history only: indicator warm-up, lookback window)')
    .option('--to <date>', 'last date evaluated (inclusive)')
    .option('--checkpoint <which>', 'best (default when present), latest, an update number, or a checkpoint directory')
    .option('--equity <file>', 'write the equity curve as CSV (date,value,cost,turnover)')
    .option('--json', 'print one JSON object: model, period, metrics, trade statistics')
    .action(async (flags: BacktestFlags) => {
      const info = await readModel(flags.model, flags.checkpoint);
      if (flags.equity !== undefined) {
        const inputs = [...(await dataInputs('--data', flags.data)), ...modelInputs('--model', info), storeInput(flags.store)];
        await checkOutputFile(flags.equity, { option: '--equity', inputs, overwrite: flags.overwrite === true });
      }
      const { market, files } = await loadModelMarket(info, flags.data, flags.symbols === undefined ? null : parseList('--symbols', flags.symbols));
      const { start, end } = evaluationRange(market, flags.from, flags.to);
      io.progress(`backtest: ${info.algorithm} model ${info.directory} (${info.checkpointLabel}, update ${info.update}), ${market.symbols.length} assets, ${end - start} bars\n`);
      const explain = isExplainable(info);
      const { result, explanations } = await backtestModel(info, market, modelFeatures(info, market), start, end, { explain });
      const summary = summarizeBacktest(result, market);
      if (flags.equity !== undefined) await writeFileAtomic(flags.equity, formatBacktestCsv(result));
      const e = info.config.environment;
      // Out-of-sample only if every evaluated date is after the dates the model was trained and selected on.
      const seen = info.config.splits.validation?.to ?? info.config.splits.train.to;
      const outOfSample = summary.period.first > seen;
      const { runId, storePath } = await withRunStore(flags.store, (store) => ({
        storePath: store.path,
        runId: store.recordRun({
          kind: 'backtest',
          name: `${info.algorithm} ${info.directory} (${info.checkpointLabel})`,
          period: summary.period,
          config: { model: { directory: info.directory, checkpoint: info.checkpoint, which: info.checkpointLabel, update: info.update, algorithm: info.algorithm }, from: flags.from ?? null, to: flags.to ?? null, out_of_sample: outOfSample, environment: info.config.environment },
          data: { paths: flags.data, files, symbols: market.symbols },
          seed: null,
          dataFingerprint: marketFingerprint(market),
          artifacts: { model_directory: info.directory, checkpoint: info.checkpoint, ...(flags.equity === undefined ? {} : { equity_file: flags.equity }) },
          series: [{ name: 'agent', result, metrics: flattenSummary(summary) }],
          ...(explanations ? { extra: { explanations: explanationsRecord(explanations, 'agent') } } : {}),
        }),
      }));
      io.progress(`backtest: recorded as run ${runId} in ${storePath}\n`);
      const report = {
        run_id: runId,
        model: { directory: info.directory, checkpoint: info.checkpoint, which: info.checkpointLabel, update: info.update, algorithm: info.algorithm, trained_on: info.data },
        data: { files: files.length, symbols: market.symbols },
        period: summary.period,
        out_of_sample: outOfSample,
        environment: { lookback: e.lookback, trading_cost: e.tradingCost, slippage: e.slippage, initial_capital: e.initialCapital, features: info.config.data.features },
        metrics: summary.metrics,
        trades: summary.trades,
        initial_capital: summary.initial_capital,
        final_value: summary.final_value,
        ...(flags.equity === undefined ? {} : { equity_file: flags.equity }),
      };
      if (flags.json) {
        io.stdout(`${toJson(report)}\n`);
        return;
      }
      const p = summary.period;
      io.stdout(`${p.first} .. ${p.last}: ${p.bars} bars (${p.split}), ${market.symbols.length} assets, model ${info.directory} (${info.checkpointLabel}, update ${info.update})\n`);
      const splits = info.config.splits;
      io.stdout(
        `model trained on ${splits.train.from} .. ${splits.train.to}${splits.validation ? `, selected on ${splits.validation.from} .. ${splits.validation.to}` : ''}${info.data ? ` (its data: ${info.data.first} .. ${info.data.last})` : ''}\n`,
      );
      if (!outOfSample) io.stdout(`NOTE: these dates overlap the model's training/validation dates (up to ${seen}): NOT out-of-sample\n`);
      io.stdout(`costs ${e.tradingCost} + slippage ${e.slippage} per unit traded, lookback ${e.lookback}, deterministic policy\n\n`);
      io.stdout(formatSummaryTable(summary));
    });
}
