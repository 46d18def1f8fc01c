/**
 * The checks and repairs shared by every file format: row rules (positive prices, high ≥ low, open
 * and close within the bar, volume ≥ 0), timestamp order and duplicates, then the series.
 */
import type { OhlcvColumns, OhlcvSeries } from './types.js';
import type { ColumnRole, ResolvedLoadOptions } from './load-options.js';
import type { Dialect, Problem, Repair, ValidationReport, Warning } from './validation-report.js';
import { formatTimestamp } from './dates.js';

/** Parsed columns of one file before validation; NaN marks a cell that did not parse (already reported). */
export interface RawTable extends OhlcvColumns {
  file: string;
  symbol: string;
  rows: number;
  /** Line (CSV) or row number (Parquet) of each row. */
  lines: Int32Array;
  adjClose: Float64Array | undefined;
  /** False when the file had no volume column and volume was set to 0 (`missingVolume: 'zero'`). */
  hasVolume: boolean;
  /** 1 where a cell of the row already has a problem. */
  invalid: Uint8Array;
  /** The cell as written, for messages. */
  text(row: number, role: ColumnRole): string;
}

const LIST_LIMIT = 100;

/** Run the row, order and duplicate checks, apply requested repairs, and build the series when clean. */
export function finishValidation(
  table: RawTable,
  options: ResolvedLoadOptions,
  dialect: Dialect,
  problems: Problem[],
  warnings: Warning[],
): ValidationReport {
  const { file, lines } = table;
  const repairs: Repair[] = [];
  const report = (): ValidationReport => ({ file, symbol: table.symbol, rows: table.rows, problems, warnings, repairs, dialect });

  checkRows(table, options, problems);

  // Rows kept so far, in file order.
  let kept: number[] = [];
  if (options.repair.dropInvalidRows) {
    const droppedLines: number[] = [];
    for (let row = 0; row < table.rows; row++) {
      if (table.invalid[row]) droppedLines.push(lines[row]!);
      else kept.push(row);
    }
    if (droppedLines.length > 0) {
      const droppedSet = new Set(droppedLines);
      // Row-level problems are repaired by the drop; file-level ones (missing column...) stay.
      for (let i = problems.length - 1; i >= 0; i--) {
        const problem = problems[i]!;
        if (problem.line !== undefined && droppedSet.has(problem.line) && problem.kind !== 'unterminated-quote') problems.splice(i, 1);
      }
      repairs.push({
        kind: 'drop-invalid-rows',
        message: `dropped ${droppedLines.length} invalid row${droppedLines.length === 1 ? '' : 's'} (${describeLines(droppedLines)})`,
        count: droppedLines.length,
        lines: droppedLines,
      });
    }
  } else {
    for (let row = 0; row < table.rows; row++) kept.push(row);
  }

  kept = checkOrder(table, kept, options, dialect, problems, warnings, repairs);
  kept = checkDuplicates(table, kept, options, problems, repairs);
  if (table.hasVolume) summarizeZeroVolume(table, kept, warnings);
  else warnings.push({ kind: 'ignored-column', message: 'no volume column: volume set to 0 on every bar', count: kept.length });

  if (table.rows === 0 && !problems.some((problem) => problem.kind === 'missing-column' || problem.kind === 'no-header')) {
    problems.push({ kind: 'no-rows', file, message: 'the file has no data rows' });
  }
  // Reading order: by line, file-level problems first (sort is stable: kinds keep their order within a line).
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (problems.length > 0) return report();
  if (kept.length === 0) {
    problems.push({ kind: 'no-rows', file, message: 'no rows left after repairs' });
    return report();
  }
  const result = report();
  result.series = buildSeries(table, kept, options);
  if (options.adjust && table.adjClose) {
    warnings.push({ kind: 'adjusted-prices', message: 'open, high, low and close scaled by AdjClose/Close on every bar (volume unchanged)', count: kept.length });
  }
  return result;
}

function problemAt(table: RawTable, row: number, role: ColumnRole, kind: Problem['kind'], message: string): Problem {
  return { kind, file: table.file, line: table.lines[row]!, field: roleName(role), value: table.text(row, role), message };
}

/** The field name users see: `adjClose` is written `adj_close`. */
export function roleName(role: ColumnRole): string {
  return role === 'adjClose' ? 'adj_close' : role === 'time' ? 'date' : role;
}

function checkRows(table: RawTable, options: ResolvedLoadOptions, problems: Problem[]): void {
  const { open, high, low, close, volume, adjClose, invalid } = table;
  const useAdjusted = options.adjust && adjClose !== undefined;
  for (let row = 0; row < table.rows; row++) {
    const o = open[row]!;
    const h = high[row]!;
    const l = low[row]!;
    const c = close[row]!;
    const v = volume[row]!;
    let bad = false;
    // Negated comparisons also catch the NaN that parsing left (already reported, so skip those).
    if (o <= 0) bad = push(problems, problemAt(table, row, 'open', 'non-positive-price', 'price must be positive'));
    if (h <= 0) bad = push(problems, problemAt(table, row, 'high', 'non-positive-price', 'price must be positive'));
    if (l <= 0) bad = push(problems, problemAt(table, row, 'low', 'non-positive-price', 'price must be positive'));
    if (c <= 0) bad = push(problems, problemAt(table, row, 'close', 'non-positive-price', 'price must be positive'));
    if (h < l) bad = push(problems, problemAt(table, row, 'high', 'high-below-low', `high is below low ${table.text(row, 'low')}`));
    if (l <= h) {
      if (o < l || o > h) bad = push(problems, problemAt(table, row, 'open', 'open-outside-range', `open is outside [low ${table.text(row, 'low')}, high ${table.text(row, 'high')}]`));
      if (c < l || c > h) bad = push(problems, problemAt(table, row, 'close', 'close-outside-range', `close is outside [low ${table.text(row, 'low')}, high ${table.text(row, 'high')}]`));
    }
    if (v < 0) bad = push(problems, problemAt(table, row, 'volume', 'negative-volume', 'volume must not be negative'));
    if (useAdjusted && adjClose[row]! <= 0) bad = push(problems, problemAt(table, row, 'adjClose', 'non-positive-price', 'adjusted close must be positive'));
    if (bad) invalid[row] = 1;
  }
}

function push(problems: Problem[], problem: Problem): true {
  problems.push(problem);
  return true;
}

/** Detect the row order; reverse newest-first, sort on request, report mixed order otherwise. Returns rows in time order when possible. */
function checkOrder(
  table: RawTable,
  kept: number[],
  options: ResolvedLoadOptions,
  dialect: Dialect,
  problems: Problem[],
  warnings: Warning[],
  repairs: Repair[],
): number[] {
  const { time, lines } = table;
  let ascending = 0;
  let descending = 0;
  let previous = Number.NaN;
  for (const row of kept) {
    const t = time[row]!;
    if (Number.isNaN(t)) continue;
    if (t > previous) ascending++;
    else if (t < previous) descending++;
    previous = t;
  }
  if (ascending === 0 && descending === 0) {
    dialect.order = kept.length === 0 ? 'empty' : 'ascending';
    return kept;
  }
  if (descending === 0) {
    dialect.order = 'ascending';
    return kept;
  }
  if (ascending === 0) {
    dialect.order = 'newest-first';
    warnings.push({ kind: 'newest-first', message: 'rows are newest-first; reversed to oldest-first', count: kept.length });
    return kept.slice().reverse();
  }
  dialect.order = 'mixed';
  const newestFirst = descending > ascending;
  // A newest-first file has to be reordered anyway, so its few stray rows are sorted into place and
  // named in a warning (publishers such as CryptoDataDownload leave some). In an oldest-first file,
  // rows out of order are a problem unless the caller asks for the sort repair.
  const sortAnyway = newestFirst;
  // A row is out of order when it steps against the file's main direction.
  const outOfOrder: number[] = [];
  let previousRow = -1;
  for (const row of kept) {
    const t = time[row]!;
    if (Number.isNaN(t)) continue;
    if (previousRow >= 0) {
      const before = time[previousRow]!;
      if (newestFirst ? t > before : t < before) {
        outOfOrder.push(row);
        if (!options.repair.sort && !sortAnyway) {
          problems.push({
            kind: 'unsorted-timestamp',
            file: table.file,
            line: lines[row]!,
            field: 'date',
            value: table.text(row, 'time'),
            message: `${newestFirst ? 'later' : 'earlier'} than the previous row's ${table.text(previousRow, 'time')} (line ${lines[previousRow]}): rows are not in time order (repair: sort)`,
          });
        }
      }
    }
    previousRow = row;
  }
  if (!options.repair.sort && !sortAnyway) return kept;
  const sorted = kept.slice().sort((a, b) => {
    const difference = time[a]! - time[b]!;
    // NaN times (already reported) sort last; ties keep file order.
    if (Number.isNaN(difference)) return Number.isNaN(time[a]!) ? (Number.isNaN(time[b]!) ? a - b : 1) : -1;
    return difference !== 0 ? difference : a - b;
  });
  const movedLines = outOfOrder.map((row) => lines[row]!);
  if (!options.repair.sort) {
    dialect.order = 'newest-first';
    warnings.push({
      kind: 'out-of-order-rows',
      message: `rows are newest-first with ${outOfOrder.length} row${outOfOrder.length === 1 ? '' : 's'} out of place (${describeLines(movedLines)}); sorted into time order`,
      count: outOfOrder.length,
      lines: movedLines.slice(0, 100),
    });
    return sorted;
  }
  repairs.push({
    kind: 'sort',
    message: `sorted ${kept.length} rows by timestamp; ${outOfOrder.length} row${outOfOrder.length === 1 ? ' was' : 's were'} out of order (${describeLines(movedLines)})`,
    count: outOfOrder.length,
    lines: movedLines,
  });
  return sorted;
}

/** Report or drop repeated timestamps. Returns the kept rows in the same order. */
function checkDuplicates(table: RawTable, kept: number[], options: ResolvedLoadOptions, problems: Problem[], repairs: Repair[]): number[] {
  const { time, lines } = table;
  // Fast path: strictly increasing rows hold no repeat.
  let increasing = true;
  for (let i = 1; i < kept.length && increasing; i++) increasing = time[kept[i]!]! > time[kept[i - 1]!]!;
  if (increasing) return kept;
  const byTime = kept.filter((row) => !Number.isNaN(time[row]!)).sort((a, b) => time[a]! - time[b]! || a - b);
  const drop = new Set<number>();
  for (let i = 0; i < byTime.length; ) {
    let j = i + 1;
    while (j < byTime.length && time[byTime[j]!] === time[byTime[i]!]) j++;
    if (j - i > 1) {
      // Rows within the group are in file order (ties broken by row index).
      const keepRow = options.repair.dropDuplicates === 'last' ? byTime[j - 1]! : byTime[i]!;
      for (let k = i; k < j; k++) {
        const row = byTime[k]!;
        if (row === keepRow && options.repair.dropDuplicates) continue;
        if (options.repair.dropDuplicates) drop.add(row);
        else if (k > i) {
          problems.push({
            kind: 'duplicate-timestamp',
            file: table.file,
            line: lines[row]!,
            field: 'date',
            value: table.text(row, 'time'),
            message: `duplicate timestamp, already on line ${lines[byTime[i]!]}`,
          });
        }
      }
    }
    i = j;
  }
  if (drop.size === 0) return kept;
  const droppedLines = [...drop].sort((a, b) => a - b).map((row) => lines[row]!);
  repairs.push({
    kind: 'drop-duplicates',
    message: `dropped ${drop.size} row${drop.size === 1 ? '' : 's'} with a repeated timestamp, keeping the ${options.repair.dropDuplicates} occurrence in file order (${describeLines(droppedLines)})`,
    count: drop.size,
    lines: droppedLines,
  });
  return kept.filter((row) => !drop.has(row));
}

function summarizeZeroVolume(table: RawTable, kept: number[], warnings: Warning[]): void {
  const zeroLines: number[] = [];
  const zeroDates: string[] = [];
  let count = 0;
  for (const row of kept) {
    if (table.volume[row] === 0) {
      count++;
      if (zeroLines.length < LIST_LIMIT) {
        zeroLines.push(table.lines[row]!);
        zeroDates.push(Number.isNaN(table.time[row]!) ? table.text(row, 'time') : formatTimestamp(table.time[row]!));
      }
    }
  }
  if (count > 0) {
    const order = zeroLines.map((line, i) => [line, i] as const).sort((a, b) => a[0] - b[0]);
    zeroLines.splice(0, zeroLines.length, ...order.map(([line]) => line));
    const sortedDates = order.map(([, i]) => zeroDates[i]!);
    zeroDates.splice(0, zeroDates.length, ...sortedDates);
    warnings.push({
      kind: 'zero-volume',
      message: `${count} bar${count === 1 ? ' has' : 's have'} zero volume (${describeLines(zeroLines)}${count > zeroLines.length ? ', ...' : ''})`,
      count,
      lines: zeroLines,
      dates: zeroDates,
    });
  }
}

function buildSeries(table: RawTable, kept: number[], options: ResolvedLoadOptions): OhlcvSeries {
  const n = kept.length;
  const series: OhlcvSeries = {
    symbol: table.symbol,
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    source: table.file,
  };
  const adjClose = options.adjust ? table.adjClose : undefined;
  for (let i = 0; i < n; i++) {
    const row = kept[i]!;
    const factor = adjClose ? adjClose[row]! / table.close[row]! : 1;
    series.time[i] = table.time[row]!;
    series.open[i] = adjClose ? table.open[row]! * factor : table.open[row]!;
    series.high[i] = adjClose ? table.high[row]! * factor : table.high[row]!;
    series.low[i] = adjClose ? table.low[row]! * factor : table.low[row]!;
    // Close × factor rather than AdjClose itself, so the bar stays consistent (close ≤ high) to the last bit.
    series.close[i] = adjClose ? table.close[row]! * factor : table.close[row]!;
    series.volume[i] = table.volume[row]!;
  }
  return series;
}

/** `line 5`, `lines 5, 9, 12`, or `lines 5, 9, ... (40 in all)`. */
export function describeLines(lines: readonly number[]): string {
  if (lines.length === 1) return `line ${lines[0]}`;
  if (lines.length <= 10) return `lines ${lines.join(', ')}`;
  return `lines ${lines.slice(0, 10).join(', ')}, ... (${lines.length} in all)`;
}
