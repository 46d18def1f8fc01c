/**
 * `grpo-trader report RUN`: one self-contained HTML file for a recorded run (equity, drawdown, weights
 * over time, return distribution, metrics, paired tests, deflated Sharpe; ECharts inlined) and PNG
 * images of the main charts rendered by headless Chromium; `--check` loads the page in Chromium and
 * fails on any console error.
 */
import { resolve, join } from 'node:path';
import type { Command } from 'commander';
import { checkPageInChromium, findChromium } from '../../backtest/report/chromium.js';
import type { ReportInput } from '../../backtest/report/report-data.js';
import { writeReport } from '../../backtest/report/write-report.js';
import { ErrorCodes, GrpoTraderError } from '../../core/errors.js';
import { prepareOutputDirectory } from '../../core/fs.js';
import type { RunStore } from '../../store/run-store.js';
import type { CliIo } from '../output.js';
import { toJson } from './backtest-common.js';
import { resolveRunId } from './runs.js';
import { storeOption, withRunStore } from './store-option.js';
import { overwriteOption, storeInput } from './output-options.js';

interface ReportFlags {
  store?: string;
  output?: string;
  png?: boolean;
  check?: boolean;
  overwrite?: boolean;
  json?: boolean;
}

/** The report input of a stored run. */
export function reportInputFromStore(store: RunStore, id: number): ReportInput {
  const run = store.getRun(id);
  const series = store.series(id);
  if (series.length === 0) {
    const model = typeof run.artifacts['model_directory'] === 'string' ? run.artifacts['model_directory'] : 'DIR';
    throw new GrpoTraderError(ErrorCodes.notFound, `run ${id} (${run.kind}) has no backtest to report; backtest its model first: grpo-trader backtest --model ${model} --data PATHS`, { location: { file: store.path } });
  }
  const extra = run.extra as { deflated_sharpe?: unknown[]; walk_forward?: { windows?: ReportInput['windows'] }; explanations?: ReportInput['explanations']; online?: { regimes: NonNullable<ReportInput['online']>['regimes'] } };
  const deflated = extra.deflated_sharpe ?? [];
  const windows = extra.walk_forward?.windows;
  return {
    ...(windows ? { windows } : {}),
    ...(extra.explanations ? { explanations: extra.explanations } : {}),
    ...(extra.online ? { online: { regimes: extra.online.regimes, events: store.events(id).map((e) => ({ kind: e.kind, date: e.date, bar: e.bar, payload: e.payload })) } } : {}),
    title: `${run.name} — ${run.kind} run ${run.id}`,
    run: { id: run.id, kind: run.kind, name: run.name, created_at: run.created_at, split: run.split, first: run.first_date, last: run.last_date, bars: run.bars, config: run.config, data: run.data },
    series: series.map((s) => ({ name: s.name, symbols: s.symbols, time: s.time, value: s.value, weights: s.weights, metrics: run.metrics[s.name] ?? {} })),
    tests: run.tests,
    deflatedSharpe: deflated,
  };
}

export function registerReport(program: Command, io: CliIo): void {
  overwriteOption(storeOption(program.command('report').description('Write a self-contained HTML report (and PNG charts) of a recorded run').argument('<run>', 'run id (see runs list), or latest')), 'the report in --output (the folder is emptied first)')
    .option('--output <dir>', 'directory for report.html and the PNGs (default reports/run-<id>)')
    .option('--no-png', 'skip the PNG images (they need Chromium)')
    .option('--check', 'load the page in headless Chromium and fail on any console error')
    .option('--json', 'print what was written as JSON')
    .action(async (runText: string, flags: ReportFlags) => {
      const { id, input, sweep, learnCheck } = await withRunStore(
        flags.store,
        async (store) => {
          const runId = resolveRunId(store, runText);
          const kind = store.getRun(runId).kind;
          // A sweep has its own page: objective by trial, parameter importance, the table.
          if (kind === 'sweep') return { id: runId, input: null, sweep: (await import('../../sweep/run-sweep.js')).sweepSummary(store, runId), learnCheck: null };
          // So has the planted-market suite: verdicts, and every run beside its rule, oracle and equal weight.
          if (kind === 'learn_check') return { id: runId, input: null, sweep: null, learnCheck: (await import('../../app/learn-check.js')).learnCheckFromStore(store, runId) };
          return { id: runId, input: reportInputFromStore(store, runId), sweep: null, learnCheck: null };
        },
        { mustExist: true },
      );
      const directory = resolve(flags.output ?? join('reports', `run-${id}`));
      await prepareOutputDirectory(directory, {
        option: '--output',
        existing: flags.overwrite ? 'replace' : 'refuse',
        what: 'a report',
        markers: ['report.html'],
        inputs: [storeInput(flags.store)],
        hint: 'give another --output, or --overwrite to replace the report in it',
      });
      if (learnCheck) {
        const html = await (await import('../../app/learn-check-report.js')).writeLearnCheckReport(learnCheck, directory, `learn-check run ${id}`);
        const check = flags.check ? await checkPageInChromium(html) : undefined;
        if (check && !check.ok) throw new GrpoTraderError(ErrorCodes.invalidData, `the learn-check report does not render cleanly in Chromium: status ${check.renderStatus ?? 'none'}, console: ${check.consoleErrors.slice(0, 3).join(' | ') || 'none'}`, { location: { file: html } });
        if (flags.json) io.stdout(`${toJson({ run: id, html, images: [], check })}\n`);
        else io.stdout(`${html}${check ? ` (checked in Chromium: ${check.canvases} charts, no console errors)` : ''}\n`);
        return;
      }
      if (sweep) {
        const html = await (await import('../../sweep/sweep-report.js')).writeSweepReport(sweep, directory);
        const check = flags.check ? await checkPageInChromium(html) : undefined;
        if (check && !check.ok) throw new GrpoTraderError(ErrorCodes.invalidData, `the sweep report does not render cleanly in Chromium: status ${check.renderStatus ?? 'none'}, console: ${check.consoleErrors.slice(0, 3).join(' | ') || 'none'}`, { location: { file: html } });
        if (flags.json) io.stdout(`${toJson({ run: id, html, images: [], check })}\n`);
        else io.stdout(`${html}${check ? ` (checked in Chromium: ${check.canvases} charts, no console errors)` : ''}\n`);
        return;
      }
      if (!input) return;
      const chromium = findChromium();
      const png = flags.png !== false && chromium !== undefined;
      if (flags.png !== false && chromium === undefined) io.progress('report: no Chromium found (install Debian\'s chromium or set CHROMIUM_PATH): writing the HTML without PNG images\n');
      io.progress(`report: run ${id}, ${input.series.length} series, ${input.run.bars} bars → ${directory}\n`);
      const written = await writeReport(input, directory, { png });
      let check;
      if (flags.check) {
        check = await checkPageInChromium(written.html);
        if (!check.ok) {
          throw new GrpoTraderError(ErrorCodes.invalidData, `the report does not render cleanly in Chromium: status ${check.renderStatus ?? 'none'}, ${check.pageErrors} page error(s), console: ${check.consoleErrors.slice(0, 3).join(' | ') || 'none'}`, { location: { file: written.html } });
        }
      }
      if (flags.json) io.stdout(`${toJson({ run: id, html: written.html, images: written.images, check })}\n`);
      else io.stdout(`${written.html}${written.images.length > 0 ? ` and ${written.images.length} PNG images` : ''}${check ? ` (checked in Chromium: ${check.canvases} charts, no console errors)` : ''}\n`);
    });
}
