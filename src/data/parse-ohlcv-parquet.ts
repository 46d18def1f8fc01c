/** Reading OHLCV Parquet files with hyparquet (pure JavaScript, every common encoding and codec). */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { parquetMetadata, parquetReadObjects, type Compressors } from 'hyparquet';
import { resolveColumns } from './columns.js';
import { detectDateFormat, parseTimestamp, type DateFormat } from './dates.js';
import { describeNumberIssue, lastNumberIssue, parseNumberCell } from './numbers.js';
import type { ColumnRole, ResolvedLoadOptions } from './load-options.js';
import { finishValidation, roleName, type RawTable } from './validate-table.js';
import type { Dialect, Problem, ValidationReport, Warning } from './validation-report.js';
import { symbolFromPath } from './parse-ohlcv-csv.js';

type Cell = unknown;

/** Snappy is built into hyparquet; gzip and brotli come from Node's zlib (no extra dependency). */
const COMPRESSORS: Compressors = {
  GZIP: (input) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
};

function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  return String(value);
}

/** Validate a Parquet file's bytes; never throws for data problems. Row numbers stand in for lines. */
export async function inspectOhlcvParquet(bytes: ArrayBuffer, options: ResolvedLoadOptions): Promise<ValidationReport> {
  const file = options.file;
  const symbol = options.symbol ?? symbolFromPath(file);
  const problems: Problem[] = [];
  const warnings: Warning[] = [];
  const dialect: Dialect = { format: 'parquet', columns: {}, order: 'empty' };
  const empty = (rows: number): ValidationReport => ({ file, symbol, rows, problems, warnings, repairs: [], dialect });
  let header: string[];
  let records: Array<Record<string, Cell>>;
  try {
    const metadata = parquetMetadata(bytes);
    header = metadata.schema.slice(1).filter((element) => !element.num_children).map((element) => element.name);
    records = (await parquetReadObjects({ file: bytes, metadata, compressors: COMPRESSORS })) as Array<Record<string, Cell>>;
  } catch (error) {
    problems.push({ kind: 'unreadable-file', file, message: `not a readable Parquet file: ${error instanceof Error ? error.message : String(error)}` });
    return empty(0);
  }
  const rows = records.length;
  const symbolColumn = header.find((name) => ['symbol', 'ticker', 'pair'].includes(name.toLowerCase()));
  const symbolHint = symbolColumn && rows > 0 ? cellText(records[0]![symbolColumn]) : symbol;
  const resolution = resolveColumns(header, options.columns, symbolHint || symbol);
  const names: Partial<Record<ColumnRole, string>> = {};
  for (const [role, index] of Object.entries(resolution.indices) as Array<[ColumnRole, number]>) names[role] = header[index]!;
  for (const [role, name] of resolution.missingRequested) {
    problems.push({ kind: 'missing-column', file, field: roleName(role), value: name, message: `column "${name}" requested for ${roleName(role)} is not in the file (${header.join(', ')})` });
  }
  const required: ColumnRole[] = ['time', 'open', 'high', 'low', 'close'];
  if (options.missingVolume === 'error') required.push('volume');
  if (options.adjust) required.push('adjClose');
  for (const role of required) {
    if (names[role] === undefined && options.columns[role] === undefined) {
      problems.push({ kind: 'missing-column', file, field: roleName(role), message: `no ${roleName(role)} column in the file (${header.join(', ')})` });
    }
  }
  for (const [role, name] of Object.entries(names) as Array<[ColumnRole, string]>) {
    if (role !== 'adjClose' || options.adjust) dialect.columns[roleName(role)] = name;
  }
  if (resolution.volumeNote) warnings.push({ kind: 'volume-column', message: resolution.volumeNote, count: 1 });
  if (problems.length > 0) return empty(rows);

  const timeName = names.time!;
  // Dates come as Date objects (TIMESTAMP/DATE logical types), numbers (epoch) or text.
  let format: DateFormat | undefined;
  const textTimes = records.some((record) => typeof record[timeName] === 'string' || typeof record[timeName] === 'number' || typeof record[timeName] === 'bigint');
  if (textTimes) {
    if (options.dateFormat !== 'auto') format = options.dateFormat;
    else {
      const detection = detectDateFormat(records.slice(0, 5000).map((record) => cellText(record[timeName])));
      format = detection?.format;
      if (detection?.note) warnings.push({ kind: 'date-format', message: detection.note, count: 1 });
    }
    if (format) dialect.dateFormat = format;
  }

  const lines = new Int32Array(rows);
  const columns = {
    time: new Float64Array(rows),
    open: new Float64Array(rows),
    high: new Float64Array(rows),
    low: new Float64Array(rows),
    close: new Float64Array(rows),
    volume: new Float64Array(rows),
  };
  const adjClose = options.adjust ? new Float64Array(rows) : undefined;
  const invalid = new Uint8Array(rows);
  const numericRoles: Array<[ColumnRole, Float64Array]> = [
    ['open', columns.open],
    ['high', columns.high],
    ['low', columns.low],
    ['close', columns.close],
  ];
  if (names.volume !== undefined) numericRoles.push(['volume', columns.volume]);
  if (adjClose) numericRoles.push(['adjClose', adjClose]);
  for (let row = 0; row < rows; row++) {
    const record = records[row]!;
    const line = row + 1;
    lines[row] = line;
    const timeValue = record[timeName];
    let t: number;
    if (timeValue instanceof Date) t = timeValue.getTime();
    else if (format !== undefined && timeValue !== null && timeValue !== undefined) t = parseTimestamp(cellText(timeValue), format);
    else t = Number.NaN;
    columns.time[row] = t;
    if (Number.isNaN(t)) {
      invalid[row] = 1;
      const text = cellText(timeValue);
      problems.push({ kind: text === '' ? 'empty-cell' : 'unparsable-date', file, line, field: 'date', value: text, message: text === '' ? 'empty cell' : 'not a date' });
    }
    for (const [role, column] of numericRoles) {
      const value = record[names[role]!];
      let number: number;
      let issue: string | undefined;
      if (typeof value === 'number') number = value;
      else if (typeof value === 'bigint') number = Number(value);
      else if (typeof value === 'string') {
        number = parseNumberCell(value);
        if (Number.isNaN(number)) issue = describeNumberIssue(lastNumberIssue ?? 'invalid');
      } else number = Number.NaN;
      column[row] = number;
      if (!Number.isFinite(number)) {
        column[row] = Number.NaN;
        invalid[row] = 1;
        const text = cellText(value);
        const kind = text === '' ? 'empty-cell' : typeof value === 'number' ? 'not-a-number' : 'unparsable-number';
        problems.push({ kind, file, line, field: roleName(role), value: text, message: issue ?? (text === '' ? 'empty cell' : 'not a finite number') });
      }
    }
  }
  const table: RawTable = {
    file,
    symbol,
    rows,
    lines,
    ...columns,
    adjClose,
    hasVolume: names.volume !== undefined,
    invalid,
    text(row, role) {
      const name = names[role];
      return name === undefined ? '' : cellText(records[row]![name]);
    },
  };
  return finishValidation(table, options, dialect, problems, warnings);
}
