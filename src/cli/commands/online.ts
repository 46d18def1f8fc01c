/**
 * `grpo-trader online --model DIR --data PATHS --from D [--to D] --state DIR [--resume] [--json]`:
 * a trained model keeps learning bar by bar over history exactly as a live feed would deliver it,
 * saving crash-safe state, then compares online vs frozen vs equal weight and writes a report with
 * the regime timeline and the events (a thin adapter over `runOnline`).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { crashPoint } from '../../core/crash-point.js';
import { findChromium } from '../../backtest/report/chromium.js';
import { writeReport } from '../../backtest/report/write-report.js';
import { ONLINE_AGENT_DEFAULTS, ONLINE_RUN_DEFAULTS, ONLINE_SIZE_LIMITS, runOnline } from '../../online/index.js';
import type { CliIo } from '../output.js';
import { formatNumber, formatTable, numberFlag, parseList, toJson } from './backtest-common.js';
import { reportInputFromStore } from './report.js';
import { storeOption, withRunStore } from './store-option.js';
import { prepareOutputDirectory } from '../../core/fs.js';
import { dataInputs, storeInput } from './output-options.js';

interface OnlineFlags {
  model: string;
  checkpoint?: string;
  data: string[];
  symbols?: string;
  from: string;
  to?: string;
  state: string;
  resume?: boolean;
  saveFrequency?: string;
  updateFrequency?: string;
  batchSize?: string;
  minSamples?: string;
  bufferCapacity?: string;
  evaluationWindow?: string;
  evaluationInterval?: string;
  promotionMargin?: string;
  champion?: boolean;
  explore?: boolean;
  regimeSymbol?: string;
  report?: boolean;
  png?: boolean;
  json?: boolean;
  store?: string;
}

export function registerOnline(program: Command, io: CliIo): void {
  const d = ONLINE_AGENT_DEFAULTS;
  storeOption(
    program
      .command('online')
      .description('Keep a trained model learning bar by bar over history as a live feed would deliver it (regimes, prioritised replay, champion/challenger, crash-safe --resume); compare with the frozen model and equal weight'),
  )
    .requiredOption('--model <dir>', 'model directory written by grpo-trader train --out (multi-asset)')
    .option('--checkpoint <which>', 'best (default when present), latest, an update number or a checkpoint directory')
    .requiredOption('--data <paths...>', 'OHLCV files or directories with the model\'s symbols')
    .option('--symbols <list>', "the model's symbols (comma-separated, checked against the model)")
    .requiredOption('--from <date>', 'first streamed date (earlier bars are history)')
    .option('--to <date>', 'last streamed date (default: the end of the data)')
    .requiredOption('--state <dir>', 'directory for the crash-safe saves and steps.jsonl')
    .option('--resume', 'continue the stream saved in --state (after a crash or kill)')
    .option('--save-frequency <bars>', `bars between saves (default ${ONLINE_RUN_DEFAULTS.saveFrequency})`)
    .option('--update-frequency <bars>', `bars between updates (default ${d.updateFrequency})`)
    .option('--batch-size <n>', `transitions per update (default ${d.batchSize})`)
    .option('--min-samples <n>', `learnable transitions before the first update (default ${d.minSamplesBeforeUpdate})`)
    .option('--buffer-capacity <n>', `replay capacity (default ${d.bufferCapacity})`)
    .option('--evaluation-window <bars>', `held-out trailing bars the champion and challenger are compared on (default ${d.evaluationWindow})`)
    .option('--evaluation-interval <bars>', `bars between comparisons (default ${d.evaluationInterval})`)
    .option('--promotion-margin <sharpe>', `Sharpe the challenger must add to be promoted (default ${d.promotionMargin})`)
    .option('--no-explore', "trade the model's deterministic action instead of sampling at the regime's exploration temperature")
    .option('--no-champion', 'no champion/challenger: the learner trades directly (the specification\'s plain loop)')
    .option('--regime-symbol <name>', 'read the regime from this symbol (default: the equal-weight composite)')
    .option('--no-report', 'skip the HTML report')
    .option('--no-png', 'skip the report\'s PNG images')
    .option('--json', 'print the result as JSON')
    .action(async (flags: OnlineFlags) => {
      const options = {
        updateFrequency: numberFlag('--update-frequency', flags.updateFrequency, d.updateFrequency, { min: 1, integer: true }),
        batchSize: numberFlag('--batch-size', flags.batchSize, d.batchSize, { min: 1, integer: true, ...ONLINE_SIZE_LIMITS.batchSize }),
        minSamplesBeforeUpdate: numberFlag('--min-samples', flags.minSamples, d.minSamplesBeforeUpdate, { min: 1, integer: true }),
        bufferCapacity: numberFlag('--buffer-capacity', flags.bufferCapacity, d.bufferCapacity, { min: 1, integer: true, ...ONLINE_SIZE_LIMITS.bufferCapacity }),
        evaluationWindow: numberFlag('--evaluation-window', flags.evaluationWindow, d.evaluationWindow, { min: 2, integer: true, ...ONLINE_SIZE_LIMITS.evaluationWindow }),
        evaluationInterval: numberFlag('--evaluation-interval', flags.evaluationInterval, d.evaluationInterval, { min: 1, integer: true }),
        promotionMargin: numberFlag('--promotion-margin', flags.promotionMargin, d.promotionMargin, {}),
        championChallenger: flags.champion !== false,
        explore: flags.explore !== false,
        regimeSymbol: flags.regimeSymbol ?? null,
      };
      const saveFrequency = numberFlag('--save-frequency', flags.saveFrequency, ONLINE_RUN_DEFAULTS.saveFrequency, { min: 1, integer: true });
      const symbols = flags.symbols === undefined ? null : parseList('--symbols', flags.symbols);
      // The state folder is the stream's own: continued with --resume, otherwise it must be new or empty.
      await prepareOutputDirectory(flags.state, {
        option: '--state',
        existing: flags.resume ? 'continue' : 'refuse',
        what: 'an online stream',
        markers: [],
        inputs: [{ option: '--model', path: flags.model }, ...(await dataInputs('--data', flags.data)), storeInput(flags.store)],
        hint: 'add --resume to continue the stream saved there, or give another --state',
      });
      const { result, reportInput } = await withRunStore(flags.store, async (store) => {
        const result = await runOnline({
          model: flags.model,
          ...(flags.checkpoint !== undefined ? { checkpoint: flags.checkpoint } : {}),
          data: flags.data,
          symbols,
          from: flags.from,
          ...(flags.to !== undefined ? { to: flags.to } : {}),
          stateDir: flags.state,
          resume: flags.resume === true,
          saveFrequency,
          options,
          store,
          onProgress: (line) => io.progress(line),
        });
        const reportInput = flags.report !== false && result.run_id !== null ? reportInputFromStore(store, result.run_id) : null;
        return { result, reportInput };
      });
      let report: { html: string; images: string[] } | null = null;
      if (reportInput) {
        reportInput.title = `${reportInput.title} — online ${result.first} .. ${result.last}`;
        report = await writeReport(reportInput, join(result.state_directory, 'report'), { png: flags.png !== false && findChromium() !== undefined });
        crashPoint('online.report-written');
        await withRunStore(flags.store, (store) => store.addArtifacts(result.run_id!, { report: report!.html }));
      }
      if (flags.json) {
        io.stdout(`${toJson({ ...result, report: report?.html ?? null })}\n`);
        return;
      }
      io.stdout(`online ${result.first} .. ${result.last}: ${result.bars} bars, ${result.updates} updates, ${result.bars_per_second.toFixed(0)} bars/s; champion v${result.champion}\n`);
      const e = result.events;
      io.stdout(`events: ${e.refit} refits, ${e.evaluation} evaluations, ${e.promotion} promotions, ${e.alarm} alarms, ${e.rollback} rollbacks (run ${result.run_id ?? '-'}; grpo-trader runs show ${result.run_id ?? 'ID'})\n\n`);
      io.stdout(
        formatTable(
          ['strategy', 'total return', 'sharpe', 'max drawdown', 'final value'],
          result.strategies.map((s) => [s.name, formatNumber(s.metrics.total_return, 4), formatNumber(s.metrics.sharpe_ratio, 3), formatNumber(s.metrics.max_drawdown, 4), formatNumber(s.final_value, 0)]),
        ),
      );
      io.stdout('\npaired tests on daily returns:\n');
      io.stdout(
        formatTable(
          ['strategy', 'baseline', 'mean diff', 't p-value', 'wilcoxon p', 'sharpe diff [95% CI]'],
          result.tests.map((t) => [t.strategy, t.baseline, formatNumber(t.mean_difference, 6), formatNumber(t.paired_t.p_value, 4), formatNumber(t.wilcoxon.p_value, 4), `${formatNumber(t.sharpe_difference.estimate, 3)} [${formatNumber(t.sharpe_difference.lower, 3)}, ${formatNumber(t.sharpe_difference.upper, 3)}]`]),
        ),
      );
      io.stdout(`\nstate: ${result.last_save ?? result.state_directory}\nsteps: ${result.steps_file}\n${report ? `report: ${report.html}\n` : ''}`);
    });
}
