/** Equity curves as CSV (`date,value`): reading with errors that name file, line, column and value; writing. */
import { GrpoTraderError, ErrorCodes } from '../core/errors.js';
import { detectDateFormat, formatTimestamp, parseTimestamp, type DateFormat } from '../data/dates.js';

export interface EquityCurve {
  /** UTC epoch ms, strictly increasing. */
  time: Float64Array;
  value: Float64Array;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function unquote(cell: string): string {
  const trimmed = cell.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed;
}

/**
 * Parse an equity CSV with a header holding `date` and `value` (other columns, such as `simulate`'s
 * `cost,turnover`, are ignored). Dates ISO (`YYYY-MM-DD` or a datetime; other forms the data module
 * detects unambiguously are accepted), strictly increasing; values
 * positive finite numbers; at least two rows.
 */
export function parseEquityCsv(text: string, file = '<text>'): EquityCurve {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const fail = (message: string, line?: number, field?: string, value?: string): never => {
    const location: { file: string; line?: number; field?: string; value?: string } = { file };
    if (line !== undefined) location.line = line;
    if (field !== undefined) location.field = field;
    if (value !== undefined) location.value = value;
    throw new GrpoTraderError(ErrorCodes.invalidData, message, { location });
  };
  if (lines.length === 0) fail('equity file is empty (expected a header "date,value" and rows)');
  const header = lines[0]!.split(',').map((cell) => unquote(cell).toLowerCase());
  const dateColumn = header.indexOf('date');
  const valueColumn = header.indexOf('value');
  if (dateColumn < 0 || valueColumn < 0) fail(`header must name the columns "date" and "value", got "${lines[0]}"`, 1, dateColumn < 0 ? 'date' : 'value');
  const rows = lines.length - 1;
  const time = new Float64Array(rows);
  const value = new Float64Array(rows);
  // Dates are usually ISO; other unambiguous forms (YYYYMMDD, unix seconds or ms, dd.mm.yyyy) are detected.
  const dateCells: string[] = [];
  for (let k = 1; k < lines.length; k++) if (lines[k]!.trim() !== '') dateCells.push(unquote(lines[k]!.split(',')[dateColumn] ?? ''));
  const format: DateFormat = detectDateFormat(dateCells)?.format ?? 'iso';
  let r = 0;
  for (let k = 1; k < lines.length; k++) {
    const line = k + 1;
    // Blank lines between rows are skipped (their line numbers still count in messages).
    if (lines[k]!.trim() === '') continue;
    const cells = lines[k]!.split(',').map(unquote);
    if (cells.length !== header.length) fail(`row has ${cells.length} cells, the header has ${header.length}`, line);
    const dateText = cells[dateColumn]!;
    const ms = parseTimestamp(dateText, format);
    if (Number.isNaN(ms)) fail(`not a date (expected ${format === 'iso' ? 'YYYY-MM-DD or an ISO datetime' : `the ${format} dates of the other rows`})`, line, 'date', dateText);
    if (r > 0 && ms <= time[r - 1]!) fail(ms === time[r - 1] ? 'date repeats the previous row' : 'dates must be increasing', line, 'date', dateText);
    const valueText = cells[valueColumn]!;
    const v = Number(valueText);
    if (!NUMBER.test(valueText) || !Number.isFinite(v)) fail('value is not a number', line, 'value', valueText);
    if (!(v > 0)) fail('value must be positive (a portfolio value, not a return)', line, 'value', valueText);
    time[r] = ms;
    value[r] = v;
    r++;
  }
  if (r < 2) fail(`an equity curve needs at least 2 rows, got ${r}`);
  return { time: time.slice(0, r), value: value.slice(0, r) };
}

/**
 * The benchmark's values on the equity curve's dates: every equity date must be a benchmark date
 * (extra benchmark dates are ignored).
 */
export function alignBenchmark(equity: EquityCurve, benchmark: EquityCurve, benchmarkFile = '<benchmark>'): Float64Array {
  const out = new Float64Array(equity.time.length);
  let j = 0;
  for (let i = 0; i < equity.time.length; i++) {
    const t = equity.time[i]!;
    while (j < benchmark.time.length && benchmark.time[j]! < t) j++;
    if (j === benchmark.time.length || benchmark.time[j] !== t) {
      throw new GrpoTraderError(ErrorCodes.invalidData, `benchmark has no row for the equity date ${formatTimestamp(t)} (every equity date must be in the benchmark)`, { location: { file: benchmarkFile, field: 'date', value: formatTimestamp(t) } });
    }
    out[i] = benchmark.value[j]!;
  }
  return out;
}

/** `date,value` text of a curve. */
export function formatEquityCsv(curve: EquityCurve): string {
  const lines = ['date,value'];
  for (let i = 0; i < curve.time.length; i++) lines.push(`${formatTimestamp(curve.time[i]!)},${curve.value[i]}`);
  return `${lines.join('\n')}\n`;
}

/** `date,value,cost,turnover` of a backtest: one row per bar, value after that bar's costs. */
export function formatBacktestCsv(result: { time: Float64Array; value: Float64Array; cost: Float64Array; turnover: Float64Array }): string {
  const lines = ['date,value,cost,turnover'];
  for (let i = 0; i < result.time.length; i++) lines.push(`${formatTimestamp(result.time[i]!)},${result.value[i]},${result.cost[i]},${result.turnover[i]}`);
  return `${lines.join('\n')}\n`;
}
