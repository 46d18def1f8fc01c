/** Options for reading one OHLCV file, with their defaults filled in one place. */
import { invalidArgument } from '../core/errors.js';
import { DATE_FORMATS, type DateFormat } from './dates.js';

/** The fields a file's columns map to. */
export type ColumnRole = 'time' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'adjClose';

export interface RepairOptions {
  /** Sort rows by timestamp when their order is mixed (newest-first files are reversed without asking). */
  sort?: boolean;
  /** Keep the first or the last occurrence (in file order) of a repeated timestamp. */
  dropDuplicates?: 'first' | 'last' | false;
  /** Drop every row with a row-level problem (unparsable cell, bad price, high below low...). */
  dropInvalidRows?: boolean;
}

export interface LoadOhlcvOptions {
  /** Symbol of the series; default: the file name without its extension. */
  symbol?: string;
  /** Name used in messages for in-memory text (`parseOhlcvCsv`); default `<text>`. */
  file?: string;
  /** Column name (case-insensitive) for each field, overriding detection. */
  columns?: Partial<Record<ColumnRole, string>>;
  /** Timestamp format; default: detected. */
  dateFormat?: DateFormat | 'auto';
  /** Shortcut for `dateFormat: 'day-first'` (true) or `'month-first'` (false) on `01/02/2017` style dates. */
  dayFirst?: boolean;
  /** Cell delimiter; default: detected among `,` `;` tab `|`. */
  delimiter?: string;
  /** Whether the file has a header row; default: detected (a headerless file is read as date,open,high,low,close[,volume]). */
  header?: boolean;
  /** Which column is the volume when a file has several (`volume_btc`, `volume`); same as `columns.volume`. */
  volumeColumn?: string;
  /** Scale open/high/low/close by AdjClose/Close (default false: prices as written, Adj Close ignored). */
  adjust?: boolean;
  /** What to do when the file has no volume column: a problem (default) or volume 0 on every bar. */
  missingVolume?: 'error' | 'zero';
  /** Explicit repairs; each one done is reported. Default: none (problems refuse the file). */
  repair?: RepairOptions;
}

export interface ResolvedLoadOptions {
  symbol: string | undefined;
  file: string;
  columns: Partial<Record<ColumnRole, string>>;
  dateFormat: DateFormat | 'auto';
  delimiter: string | undefined;
  header: boolean | undefined;
  adjust: boolean;
  missingVolume: 'error' | 'zero';
  repair: { sort: boolean; dropDuplicates: 'first' | 'last' | false; dropInvalidRows: boolean };
}

/** Fill defaults; option conflicts are the caller's mistake and throw INVALID_ARGUMENT upstream. */
export function resolveLoadOptions(options: LoadOhlcvOptions = {}): ResolvedLoadOptions {
  if (options.dateFormat !== undefined && options.dateFormat !== 'auto' && !DATE_FORMATS.includes(options.dateFormat)) {
    throw invalidArgument(`dateFormat "${String(options.dateFormat)}" is not one of auto, ${DATE_FORMATS.join(', ')}`);
  }
  if (options.delimiter !== undefined && (typeof options.delimiter !== 'string' || options.delimiter.length !== 1 || options.delimiter === '"' || options.delimiter === '\n')) {
    throw invalidArgument(`delimiter must be one character other than a quote or newline, got ${JSON.stringify(options.delimiter)}`);
  }
  const dropDuplicates = options.repair?.dropDuplicates;
  if (dropDuplicates !== undefined && dropDuplicates !== false && dropDuplicates !== 'first' && dropDuplicates !== 'last') {
    throw invalidArgument(`repair.dropDuplicates must be 'first', 'last' or false, got ${JSON.stringify(dropDuplicates)}`);
  }
  if (options.missingVolume !== undefined && options.missingVolume !== 'error' && options.missingVolume !== 'zero') {
    throw invalidArgument(`missingVolume must be 'error' or 'zero', got ${JSON.stringify(options.missingVolume)}`);
  }
  if (options.dateFormat !== undefined && options.dateFormat !== 'auto' && options.dayFirst !== undefined) {
    throw invalidArgument('give dateFormat or dayFirst, not both');
  }
  const columns = { ...options.columns };
  if (options.volumeColumn !== undefined) columns.volume = options.volumeColumn;
  let dateFormat: DateFormat | 'auto' = options.dateFormat ?? 'auto';
  if (dateFormat === 'auto' && options.dayFirst !== undefined) dateFormat = options.dayFirst ? 'day-first' : 'month-first';
  return {
    symbol: options.symbol,
    file: options.file ?? '<text>',
    columns,
    dateFormat,
    delimiter: options.delimiter,
    header: options.header,
    adjust: options.adjust ?? false,
    missingVolume: options.missingVolume ?? 'error',
    repair: {
      sort: options.repair?.sort ?? false,
      dropDuplicates: options.repair?.dropDuplicates ?? false,
      dropInvalidRows: options.repair?.dropInvalidRows ?? false,
    },
  };
}
