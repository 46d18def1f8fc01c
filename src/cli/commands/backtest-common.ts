/** Flags and output shared by the evaluation commands (metrics, compare, backtest, demo). */
import { GrpoTraderError, ErrorCodes, invalidArgument } from '../../core/errors.js';
import { readFileBounded } from '../../core/fs.js';
import { dateRangeIndices, loadMarket } from '../../data/index.js';
import type { MarketData } from '../../data/types.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A numeric flag: undefined → fallback; otherwise a finite number within the bound, else a usage error naming the flag (and, for a size bounded because it allocates, the bound's reason). */
export function numberFlag(flag: string, text: string | undefined, fallback: number, bound: { min?: number; exclusiveMin?: boolean; max?: number; reason?: string; integer?: boolean } = {}): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  const { min = Number.NEGATIVE_INFINITY, exclusiveMin = false, max = Number.POSITIVE_INFINITY, reason, integer = false } = bound;
  // A size that allocates is bounded, with the reason, rather than allocated until V8 gives up.
  if (reason !== undefined && Number.isFinite(value) && value > max) throw invalidArgument(`${flag} must be at most ${max}: ${reason}; got "${text}"`);
  const ok = NUMBER.test(text.trim()) && Number.isFinite(value) && (exclusiveMin ? value > min : value >= min) && value <= max && (!integer || Number.isInteger(value));
  if (!ok) {
    const lower = min === Number.NEGATIVE_INFINITY ? '' : ` ${exclusiveMin ? '>' : '>='} ${min}`;
    const upper = max === Number.POSITIVE_INFINITY ? '' : `${lower ? ' and' : ''} <= ${max}`;
    throw invalidArgument(`${flag} must be ${integer ? 'an integer' : 'a number'}${lower}${upper}, got "${text}"`);
  }
  return value;
}

/** Read a text input under the read limits (docs/data.md); a missing file is NOT_FOUND naming it and what it was for. */
export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return (await readFileBounded(path)).toString('utf8');
  } catch (error) {
    if (error instanceof GrpoTraderError && error.code === ErrorCodes.notFound) throw new GrpoTraderError(ErrorCodes.notFound, `no such ${what} file`, { location: { file: path } });
    throw error;
  }
}

/** JSON where NaN and ±Infinity (degenerate metrics) become null, the only JSON for "no number". */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

/** A number for a text table: fixed decimals, or NaN / ±inf spelled out. */
export function formatNumber(value: number, digits = 4): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return value.toFixed(digits);
}

/** A plain text table with right-aligned numeric columns. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** A comma-separated list flag: non-empty, no repeats. */
export function parseList(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw invalidArgument(`${flag} needs at least one name`);
  const repeated = items.find((item, i) => items.indexOf(item) !== i);
  if (repeated !== undefined) throw invalidArgument(`${flag} names ${repeated} twice`);
  return items;
}

/**
 * The market an evaluation command runs on: every bar of the data is loaded (bars before `--from` are
 * history for warm-ups, never traded or scored) and `--from/--to` select the evaluated bars
 * [firstBar, endBar).
 */
export async function loadEvaluationMarket(flags: { data: string[]; symbols?: string; from?: string; to?: string }): Promise<{ market: MarketData; files: string[]; firstBar: number; endBar: number }> {
  const loadOptions: { symbols?: string[] } = {};
  if (flags.symbols !== undefined) loadOptions.symbols = parseList('--symbols', flags.symbols);
  const { market, files } = await loadMarket(flags.data, loadOptions);
  const { start, end } = dateRangeIndices(market.time, flags.from, flags.to);
  if (end - start < 2) {
    throw invalidArgument(`fewer than 2 bars between ${flags.from ?? 'the start'} and ${flags.to ?? 'the end'} (the data has ${market.time.length} aligned bars)`);
  }
  return { market, files, firstBar: start, endBar: end };
}
