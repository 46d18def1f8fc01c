/** `grpo-trader features`: the feature set of one OHLCV file as CSV (raw indicators, then `*_norm`). */
import type { Command } from 'commander';
import { invalidArgument } from '../../core/errors.js';
import { checkOutputFile, writeFileAtomic } from '../../core/fs.js';
import { formatTimestamp } from '../../data/dates.js';
import { loadOhlcv } from '../../data/index.js';
import { computeFeatures, resolveNormalization, warmUpLength, type FeatureFrame, type NormalizationOptions } from '../../features/index.js';
import type { CliIo } from '../output.js';
import { overwriteOption } from './output-options.js';

interface FeaturesFlags {
  input: string;
  output: string;
  normalize: string;
  window?: string;
  minPeriods?: string;
  overwrite?: boolean;
  json?: boolean;
}

function positiveInteger(flag: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < minimum) {
    throw invalidArgument(`${flag} must be an integer >= ${minimum}, got "${text}"`);
  }
  return value;
}

/** Map the command's flags to normalisation options (defaults are filled by the library). */
export function normalizationFromFlags(flags: Pick<FeaturesFlags, 'normalize' | 'window' | 'minPeriods'>): NormalizationOptions {
  const minPeriods = flags.minPeriods === undefined ? undefined : positiveInteger('--min-periods', flags.minPeriods, 1);
  switch (flags.normalize) {
    case 'rolling': {
      const window = flags.window === undefined ? undefined : positiveInteger('--window', flags.window, 2);
      return { method: 'rolling', window, minPeriods };
    }
    case 'expanding':
      if (flags.window !== undefined) throw invalidArgument('--window applies to --normalize rolling only');
      return { method: 'expanding', minPeriods };
    case 'none':
      if (flags.window !== undefined || flags.minPeriods !== undefined) throw invalidArgument('--window and --min-periods need --normalize rolling or expanding');
      return { method: 'none' };
    default:
      throw invalidArgument(`--normalize must be rolling, expanding or none, got "${flags.normalize}"`);
  }
}

/** CSV text: `date`, then every feature column; NaN and ±Infinity are empty cells. */
export function formatFeatureCsv(time: Float64Array, frame: FeatureFrame): string {
  const lines = [['date', ...frame.names].join(',')];
  const cells = new Array<string>(frame.columns.length + 1);
  for (let i = 0; i < time.length; i++) {
    cells[0] = formatTimestamp(time[i]!);
    for (let c = 0; c < frame.columns.length; c++) {
      const value = frame.columns[c]![i]!;
      cells[c + 1] = Number.isFinite(value) ? String(value) : '';
    }
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function registerFeatures(program: Command, io: CliIo): void {
  overwriteOption(program.command('features'), 'the --output file')
    .description('Compute the 21 indicators and their causal z-scores (*_norm) for one OHLCV file and write them as CSV')
    .requiredOption('--input <file>', 'OHLCV file (CSV or Parquet) to read')
    .requiredOption('--output <file>', 'CSV file to write (atomically)')
    .option('--normalize <method>', 'rolling, expanding or none', 'rolling')
    .option('--window <bars>', 'rolling normalisation window (default 252)')
    .option('--min-periods <bars>', 'observations needed before a z-score is given (default 20)')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (flags: FeaturesFlags) => {
      const normalization = normalizationFromFlags(flags);
      await checkOutputFile(flags.output, { option: '--output', inputs: [{ option: '--input', path: flags.input }], overwrite: flags.overwrite === true });
      const series = await loadOhlcv(flags.input);
      const frame = computeFeatures(series, { normalization });
      await writeFileAtomic(flags.output, formatFeatureCsv(series.time, frame));
      const warmUp = Object.fromEntries(frame.names.map((name, c) => [name, warmUpLength(frame.columns[c]!)]));
      if (flags.json) {
        io.stdout(`${JSON.stringify({ input: flags.input, output: flags.output, rows: series.time.length, columns: ['date', ...frame.names], normalization: resolveNormalization(normalization), warmUp })}\n`);
      } else {
        io.stdout(`${flags.output}: ${series.time.length} rows, ${frame.names.length} feature columns (normalisation: ${normalization.method})\n`);
      }
    });
}
