/** `grpo-trader data validate PATH...`: every problem in every file, a summary per file, optional repairs. */
import type { Command } from 'commander';
import { GrpoTraderError, ErrorCodes, invalidArgument } from '../../core/errors.js';
import { DATE_FORMATS, type DateFormat } from '../../data/dates.js';
import type { LoadOhlcvOptions } from '../../data/load-options.js';
import { expandDataPaths } from '../../data/load-market.js';
import { validateOhlcvFile } from '../../data/load-ohlcv.js';
import { formatProblem, type ValidationReport } from '../../data/validation-report.js';
import type { CliIo } from '../output.js';
import { commandGroup } from './group.js';

interface ValidateFlags {
  json?: boolean;
  sort?: boolean;
  dropDuplicates?: string | boolean;
  dropInvalid?: boolean;
  dateFormat?: string;
  dayFirst?: boolean;
  monthFirst?: boolean;
  delimiter?: string;
  volumeColumn?: string;
  adjust?: boolean;
  missingVolume?: string;
}

/** Turn CLI flags into loader options; a wrong flag value is INVALID_ARGUMENT. */
export function loadOptionsFromFlags(flags: ValidateFlags): LoadOhlcvOptions {
  const options: LoadOhlcvOptions = {};
  if (flags.dateFormat !== undefined) {
    if (!(DATE_FORMATS as readonly string[]).includes(flags.dateFormat) && flags.dateFormat !== 'auto') {
      throw invalidArgument(`--date-format "${flags.dateFormat}" is not one of auto, ${DATE_FORMATS.join(', ')}`);
    }
    options.dateFormat = flags.dateFormat as DateFormat | 'auto';
  }
  if (flags.dayFirst && flags.monthFirst) throw invalidArgument('--day-first and --month-first contradict each other');
  if (flags.dayFirst) options.dayFirst = true;
  if (flags.monthFirst) options.dayFirst = false;
  if (flags.delimiter !== undefined) {
    const delimiter = flags.delimiter === '\\t' || flags.delimiter.toLowerCase() === 'tab' ? '\t' : flags.delimiter;
    if (delimiter.length !== 1) throw invalidArgument(`--delimiter must be one character (or "tab"), got "${flags.delimiter}"`);
    options.delimiter = delimiter;
  }
  if (flags.volumeColumn !== undefined) options.volumeColumn = flags.volumeColumn;
  if (flags.adjust) options.adjust = true;
  if (flags.missingVolume !== undefined) {
    if (flags.missingVolume !== 'error' && flags.missingVolume !== 'zero') throw invalidArgument(`--missing-volume must be error or zero, got "${flags.missingVolume}"`);
    options.missingVolume = flags.missingVolume;
  }
  let dropDuplicates: 'first' | 'last' | false = false;
  if (flags.dropDuplicates === true) dropDuplicates = 'first';
  else if (typeof flags.dropDuplicates === 'string') {
    if (flags.dropDuplicates !== 'first' && flags.dropDuplicates !== 'last') throw invalidArgument(`--drop-duplicates takes first or last, got "${flags.dropDuplicates}"`);
    dropDuplicates = flags.dropDuplicates;
  }
  options.repair = { sort: flags.sort ?? false, dropDuplicates, dropInvalidRows: flags.dropInvalid ?? false };
  return options;
}

function reportJson(report: ValidationReport): object {
  const { series, ...rest } = report;
  return {
    ...rest,
    ok: report.problems.length === 0,
    first: series && series.time.length > 0 ? new Date(series.time[0]!).toISOString() : undefined,
    last: series && series.time.length > 0 ? new Date(series.time[series.time.length - 1]!).toISOString() : undefined,
    loadedRows: series?.time.length,
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function printReport(report: ValidationReport, io: CliIo): void {
  for (const problem of report.problems) io.stdout(`${formatProblem(problem)}\n`);
  const series = report.series;
  const status = report.problems.length === 0 ? 'ok' : plural(report.problems.length, 'problem');
  let summary = `${report.file}: ${status}, ${plural(report.rows, 'row')} read`;
  if (series) {
    const n = series.time.length;
    if (n > 0) summary += `, ${n} loaded from ${new Date(series.time[0]!).toISOString().replace('T00:00:00.000Z', '')} to ${new Date(series.time[n - 1]!).toISOString().replace('T00:00:00.000Z', '')}`;
  }
  summary += ` (${report.dialect.format}${report.dialect.dateFormat ? `, dates ${report.dialect.dateFormat}` : ''}, ${report.dialect.order})`;
  io.stdout(`${summary}\n`);
  for (const repair of report.repairs) io.stdout(`  repaired: ${repair.message}\n`);
  for (const warning of report.warnings) io.stdout(`  warning: ${warning.message}\n`);
}

/** Register `data validate` under the `data` group. */
export function registerDataValidate(program: Command, io: CliIo): void {
  commandGroup(program, 'data', 'Load, validate and fetch market data')
    .command('validate')
    .description('Check OHLCV files (CSV or Parquet; directories mean every such file in them) and print every problem')
    .argument('<paths...>', 'files or directories')
    .option('--json', 'print one JSON document with every report')
    .option('--sort', 'repair: sort rows whose timestamps are out of order')
    .option('--drop-duplicates [which]', 'repair: keep the first (default) or last row of a repeated timestamp')
    .option('--drop-invalid', 'repair: drop rows with an unparsable cell or an impossible bar')
    .option('--date-format <format>', `timestamp format: auto, ${DATE_FORMATS.join(', ')}`)
    .option('--day-first', 'read 01/02/2017 as 1 February')
    .option('--month-first', 'read 01/02/2017 as 2 January')
    .option('--delimiter <char>', 'cell delimiter (default: detected; "tab" for tabs)')
    .option('--volume-column <name>', 'which column is the volume when there are several')
    .option('--adjust', 'scale open/high/low/close by Adj Close / Close')
    .option('--missing-volume <policy>', 'when there is no volume column: error (default) or zero')
    .action(async (paths: string[], flags: ValidateFlags) => {
      const options = loadOptionsFromFlags(flags);
      const files = await expandDataPaths(paths);
      const reports: ValidationReport[] = [];
      for (const file of files) {
        const report = await validateOhlcvFile(file, options);
        reports.push(report);
        if (!flags.json) printReport(report, io);
      }
      const withProblems = reports.filter((report) => report.problems.length > 0);
      const problemCount = withProblems.reduce((sum, report) => sum + report.problems.length, 0);
      if (flags.json) {
        io.stdout(`${JSON.stringify({ ok: problemCount === 0, files: reports.map(reportJson), problems: problemCount }, null, 2)}\n`);
      } else if (files.length > 1) {
        io.stdout(`${plural(files.length, 'file')} checked, ${withProblems.length} with problems, ${plural(problemCount, 'problem')} in all\n`);
      }
      if (problemCount > 0) {
        throw new GrpoTraderError(
          ErrorCodes.invalidData,
          `${plural(problemCount, 'problem')} in ${plural(withProblems.length, 'file')} (${withProblems.map((report) => report.file).join(', ')})`,
        );
      }
    });
}
