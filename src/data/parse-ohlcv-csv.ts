/** Reading OHLCV CSV text in the dialects people really have, reporting every problem found. */
import { basename, extname } from 'node:path';
import { GrpoTraderError, ErrorCodes, excerpt } from '../core/errors.js';
import type { OhlcvSeries } from './types.js';
import { detectDelimiter, normalizeCsvText, tokenizeCsv } from './csv-tokenizer.js';
import { countRecognizedColumns, normalizeColumnName, resolveColumns } from './columns.js';
import { detectDateFormat, parseTimestamp, type DateFormat } from './dates.js';
import { describeNumberIssue, lastNumberIssue, parseNumberCell } from './numbers.js';
import { resolveLoadOptions, type ColumnRole, type LoadOhlcvOptions, type ResolvedLoadOptions } from './load-options.js';
import { finishValidation, roleName, type RawTable } from './validate-table.js';
import { formatProblem, type Dialect, type Problem, type ValidationReport, type Warning } from './validation-report.js';

/** `data/AAPL.csv` → `AAPL` (only the last extension goes). */
export function symbolFromPath(path: string): string {
  const name = basename(path);
  return name.slice(0, name.length - extname(name).length) || name;
}

const HEADER_SEARCH_RECORDS = 20;
const DATE_SAMPLE_LIMIT = 5000;
const SYMBOL_COLUMNS = new Set(['symbol', 'ticker', 'pair', 'instrument', 'asset']);
const FORMAT_EXAMPLES: Record<DateFormat, string> = {
  iso: '2017-01-31 or 2017-01-31T22:00:00Z',
  'day-first': '31.01.2017 22:00:00',
  'month-first': '01/31/2017',
  'unix-seconds': '1485900000',
  'unix-milliseconds': '1485900000000',
  yyyymmdd: '20170131',
};

/** Validate CSV text and build the series when it is clean (or repaired). Never throws for data problems. */
export function inspectOhlcvCsv(text: string, options: LoadOhlcvOptions = {}): ValidationReport {
  return inspectResolved(text, resolveLoadOptions(options));
}

/** Parse OHLCV CSV text; throws INVALID_DATA listing every problem unless repaired. */
export function parseOhlcvCsv(text: string, options: LoadOhlcvOptions = {}): OhlcvSeries {
  return seriesOrThrow(inspectOhlcvCsv(text, options));
}

/** The series of a clean report, or a GrpoTraderError whose message names the first problem and counts the rest. */
export function seriesOrThrow(report: ValidationReport): OhlcvSeries {
  if (report.series && report.problems.length === 0) return report.series;
  throw validationError(report);
}

/** One line: the first problem and how many more; every problem in `details.problems`. */
export function validationError(report: ValidationReport): GrpoTraderError {
  const [first] = report.problems;
  const more = report.problems.length - 1;
  const message = first
    ? `${formatProblem(first)}${more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : ''}`
    : `${report.file}: no usable rows`;
  return new GrpoTraderError(ErrorCodes.invalidData, message, { details: { file: report.file, problems: report.problems, repairs: report.repairs } });
}

export function inspectResolved(rawText: string, options: ResolvedLoadOptions): ValidationReport {
  const file = options.file;
  const symbol = options.symbol ?? (options.file === '<text>' ? 'SERIES' : symbolFromPath(options.file));
  const text = normalizeCsvText(rawText);
  const delimiter = options.delimiter ?? detectDelimiter(text);
  const { records, lines, unterminatedQuoteLine } = tokenizeCsv(text, delimiter);
  const problems: Problem[] = [];
  const warnings: Warning[] = [];
  const dialect: Dialect = { format: 'csv', delimiter, columns: {}, order: 'empty' };
  if (unterminatedQuoteLine !== undefined) {
    problems.push({ kind: 'unterminated-quote', file, line: unterminatedQuoteLine, message: 'a quoted cell opens here and never closes' });
  }
  const emptyReport = (rows: number): ValidationReport => ({ file, symbol, rows, problems, warnings, repairs: [], dialect });

  // Header: the first record naming at least two known columns; lines before it are a banner.
  let headerIndex = -1;
  if (options.header !== false) {
    const limit = Math.min(records.length, HEADER_SEARCH_RECORDS);
    const requestedNames = new Set(Object.values(options.columns).map((name) => normalizeColumnName(name ?? '')));
    for (let i = 0; i < limit; i++) {
      const cells = records[i]!;
      const requestedFound = cells.reduce((n, cell) => n + (requestedNames.has(normalizeColumnName(cell)) ? 1 : 0), 0);
      if (countRecognizedColumns(cells) + requestedFound >= 2) {
        headerIndex = i;
        break;
      }
    }
  }
  let header: string[];
  if (headerIndex >= 0) {
    header = records[headerIndex]!.map((cell) => cell.trim());
    dialect.headerLine = lines[headerIndex]!;
    if (headerIndex > 0) {
      const skipped = lines.slice(0, headerIndex);
      warnings.push({
        kind: 'skipped-lines',
        message: `skipped ${headerIndex} line${headerIndex === 1 ? '' : 's'} before the header (${records
          .slice(0, headerIndex)
          .map((record) => JSON.stringify(excerpt(record.join(delimiter), 80)))
          .join(', ')})`,
        count: headerIndex,
        lines: skipped,
      });
    }
  } else if (records.length === 0) {
    problems.push({ kind: 'no-rows', file, message: 'the file is empty' });
    return emptyReport(0);
  } else {
    const first = records[0]!;
    const looksLikeData = first.length >= 5 && detectDateFormat([first[0]!]) !== undefined && first.slice(1, 5).every((cell) => !Number.isNaN(parseNumberCell(cell)));
    if (options.header === true || !looksLikeData) {
      problems.push({
        kind: 'no-header',
        file,
        line: lines[0]!,
        value: first.join(delimiter).slice(0, 120),
        message: 'no header row naming the date, open, high, low and close columns was found in the first lines (pass columns to name them, or header: false for date,open,high,low,close,volume order)',
      });
      return emptyReport(records.length);
    }
    // Positional: date, open, high, low, close[, volume]; further columns (Binance klines have 12) unnamed and ignored.
    header = first.map((_, index) => ['date', 'open', 'high', 'low', 'close', 'volume'][index] ?? '');
    headerIndex = -1;
    dialect.headerLine = 0;
  }
  const firstData = headerIndex + 1;
  const rowCount = records.length - firstData;

  const symbolColumn = header.findIndex((name) => SYMBOL_COLUMNS.has(normalizeColumnName(name)));
  const symbolHint = symbolColumn >= 0 && rowCount > 0 ? records[firstData]![symbolColumn]?.trim() : symbol;
  const resolution = resolveColumns(header, options.columns, symbolHint || symbol);
  const { indices } = resolution;
  // pandas `to_csv()` of an unnamed DatetimeIndex leaves the date column's name empty.
  if (indices.time === undefined && options.columns.time === undefined && header[0] === '' && rowCount > 0 && detectDateFormat([records[firstData]![0] ?? '']) !== undefined) {
    indices.time = 0;
    warnings.push({ kind: 'unnamed-date-column', message: 'the first column has no name but holds dates: read as the date column', count: 1 });
  }
  // MetaTrader-style exports split the timestamp into a date column and a time-of-day column.
  let timeOfDayIndex: number | undefined;
  if (indices.time !== undefined && options.columns.time === undefined && ['date', 'day', 'tradedate', 'tradingday'].includes(normalizeColumnName(header[indices.time]!))) {
    const used = new Set(Object.values(indices));
    const candidate = header.findIndex((name, index) => !used.has(index) && ['time', 'timeofday', 'hour'].includes(normalizeColumnName(name)));
    if (candidate >= 0) timeOfDayIndex = candidate;
  }
  for (const [role, name] of resolution.missingRequested) {
    problems.push({ kind: 'missing-column', file, line: dialect.headerLine || undefined, field: roleName(role), value: name, message: `column "${name}" requested for ${roleName(role)} is not in the header (${excerpt(header.join(', '), 200)})` });
  }
  const required: ColumnRole[] = ['time', 'open', 'high', 'low', 'close'];
  if (options.missingVolume === 'error') required.push('volume');
  if (options.adjust) required.push('adjClose');
  for (const role of required) {
    if (indices[role] === undefined && options.columns[role] === undefined) {
      problems.push({
        kind: 'missing-column',
        file,
        ...(dialect.headerLine ? { line: dialect.headerLine } : {}),
        field: roleName(role),
        message: `no ${roleName(role)} column in the header (${excerpt(header.join(', '), 200)})${role === 'volume' ? "; pass missingVolume: 'zero' to load without volume" : ''}`,
      });
    }
  }
  for (const role of ['time', 'open', 'high', 'low', 'close', 'volume', 'adjClose'] as const) {
    const index = indices[role];
    if (index !== undefined && (role !== 'adjClose' || options.adjust)) dialect.columns[roleName(role)] = header[index]!;
  }
  if (timeOfDayIndex !== undefined) dialect.columns.date += ` + ${header[timeOfDayIndex]}`;
  if (resolution.volumeNote) warnings.push({ kind: 'volume-column', message: resolution.volumeNote, count: 1 });
  if (resolution.ignoredAdjClose && !options.adjust) {
    warnings.push({ kind: 'ignored-column', message: `column "${resolution.ignoredAdjClose}" ignored: prices are used as written (pass adjust: true to scale OHLC by AdjClose/Close)`, count: 1 });
  }
  if (problems.some((problem) => problem.kind === 'missing-column')) return emptyReport(rowCount);

  const timeIndex = indices.time!;
  const timeCell = (cells: string[]): string | undefined =>
    timeOfDayIndex === undefined || cells[timeIndex] === undefined ? cells[timeIndex] : `${cells[timeIndex]} ${cells[timeOfDayIndex] ?? ''}`.trim();
  // Date format: detected from a spread of samples unless given.
  let format: DateFormat;
  if (options.dateFormat !== 'auto') format = options.dateFormat;
  else if (rowCount === 0) format = 'iso';
  else {
    const step = Math.max(1, Math.ceil(rowCount / DATE_SAMPLE_LIMIT));
    const samples: string[] = [];
    for (let i = firstData; i < records.length; i += step) samples.push(timeCell(records[i]!) ?? '');
    if (rowCount > 0) samples.push(timeCell(records[records.length - 1]!) ?? '');
    const detection = detectDateFormat(samples);
    if (!detection) {
      const example = samples.find((sample) => sample.trim() !== '') ?? '';
      problems.push({
        kind: 'unparsable-date',
        file,
        line: lines[firstData],
        field: 'date',
        value: example,
        message: 'cannot tell the date format (or whether it is day-first or month-first); pass dateFormat or dayFirst',
      });
      return emptyReport(rowCount);
    }
    format = detection.format;
    if (detection.note) warnings.push({ kind: 'date-format', message: detection.note, count: 1 });
  }
  dialect.dateFormat = format;

  const table = buildTable(records, lines, firstData, header.length, indices, timeCell, format, options, file, symbol, problems);
  return finishValidation(table, options, dialect, problems, warnings);
}

function buildTable(
  records: string[][],
  lines: number[],
  firstData: number,
  headerLength: number,
  indices: Partial<Record<ColumnRole, number>>,
  timeCell: (cells: string[]) => string | undefined,
  format: DateFormat,
  options: ResolvedLoadOptions,
  file: string,
  symbol: string,
  problems: Problem[],
): RawTable {
  const rows = records.length - firstData;
  const lineOf = new Int32Array(rows);
  const time = new Float64Array(rows);
  const open = new Float64Array(rows);
  const high = new Float64Array(rows);
  const low = new Float64Array(rows);
  const close = new Float64Array(rows);
  const volume = new Float64Array(rows);
  const adjClose = indices.adjClose !== undefined && options.adjust ? new Float64Array(rows) : undefined;
  const invalid = new Uint8Array(rows);
  const numeric: Array<[ColumnRole, Float64Array, number]> = [
    ['open', open, indices.open!],
    ['high', high, indices.high!],
    ['low', low, indices.low!],
    ['close', close, indices.close!],
  ];
  if (indices.volume !== undefined) numeric.push(['volume', volume, indices.volume]);
  if (adjClose) numeric.push(['adjClose', adjClose, indices.adjClose!]);
  const example = FORMAT_EXAMPLES[format];
  for (let row = 0; row < rows; row++) {
    const cells = records[firstData + row]!;
    const line = lines[firstData + row]!;
    lineOf[row] = line;
    if (cells.length !== headerLength) {
      problems.push({ kind: 'wrong-cell-count', file, line, message: `expected ${headerLength} cells like the header, found ${cells.length}` });
      invalid[row] = 1;
    }
    const timeText = timeCell(cells);
    if (timeText === undefined) time[row] = Number.NaN;
    else {
      const t = parseTimestamp(timeText, format);
      time[row] = t;
      if (Number.isNaN(t)) {
        invalid[row] = 1;
        const empty = timeText.trim() === '';
        problems.push({
          kind: empty ? 'empty-cell' : 'unparsable-date',
          file,
          line,
          field: 'date',
          value: timeText,
          message: empty ? 'empty cell' : `not a date in the file's format (${format}, like ${example})`,
        });
      }
    }
    for (let k = 0; k < numeric.length; k++) {
      const [role, column, index] = numeric[k]!;
      const cell = cells[index];
      if (cell === undefined) {
        column[row] = Number.NaN;
        continue;
      }
      const value = parseNumberCell(cell);
      column[row] = value;
      if (Number.isNaN(value)) {
        invalid[row] = 1;
        const issue = lastNumberIssue ?? 'invalid';
        problems.push({
          kind: issue === 'empty' ? 'empty-cell' : issue === 'not-a-number' ? 'not-a-number' : 'unparsable-number',
          file,
          line,
          field: roleName(role),
          value: cell,
          message: describeNumberIssue(issue),
        });
      } else if (!Number.isFinite(value)) {
        invalid[row] = 1;
        column[row] = Number.NaN;
        problems.push({ kind: 'unparsable-number', file, line, field: roleName(role), value: cell, message: 'number out of range' });
      }
    }
  }
  return {
    file,
    symbol,
    rows,
    lines: lineOf,
    time,
    open,
    high,
    low,
    close,
    volume,
    adjClose,
    hasVolume: indices.volume !== undefined,
    invalid,
    text(row, role) {
      if (role === 'time') return timeCell(records[firstData + row]!) ?? '';
      const index = indices[role];
      if (index === undefined) return '';
      return records[firstData + row]![index] ?? '';
    },
  };
}
