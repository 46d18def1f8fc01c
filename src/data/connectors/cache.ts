import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { GrpoTraderError, ErrorCodes } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/fs.js';
import { symbolFileName } from './symbol-file-name.js';
import type { BarColumns } from './types.js';

/** The bars cached for one source/symbol/interval and the range they were fetched for. */
export interface CacheEntry {
  source: string;
  symbol: string;
  interval: string;
  /** Start of the range fetched so far (inclusive, UTC epoch ms). */
  coveredFrom: number;
  /** End of the range fetched so far (exclusive, UTC epoch ms; never later than `fetchedAt`). */
  coveredTo: number;
  /** When the bars were last fetched (UTC epoch ms): a bar still open at that moment may have been partial. */
  fetchedAt: number;
  bars: BarColumns;
}

const FORMAT = 'grpo-trader-ohlcv-cache';
const VERSION = 1;
const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/** `$GRPO_TRADER_CACHE`, else `~/.cache/grpo-trader`. */
export function defaultCacheDirectory(environment: NodeJS.ProcessEnv = process.env): string {
  const configured = environment.GRPO_TRADER_CACHE;
  return configured && configured.trim() !== '' ? configured : join(homedir(), '.cache', 'grpo-trader');
}

/** `<cache>/<source path>/<safe symbol>/<interval>.json`, e.g. `ccxt/binance/BTC-USDT/1h.json`. */
export function cacheFilePath(cacheDirectory: string, source: string, symbol: string, interval: string): string {
  // ccxt's month timeframe `1M` must not share a file with `1m` on case-insensitive file systems.
  const intervalName = interval.replace(/M$/, 'month');
  return join(cacheDirectory, ...source.split('/').map(symbolFileName), symbolFileName(symbol), `${symbolFileName(intervalName)}.json`);
}

/**
 * Serialise an entry as two lines: a JSON header carrying the SHA-256 of the second line, then the
 * bars as JSON columns. The checksum catches truncation and edits; JSON keeps the cache inspectable.
 */
export function serializeCacheEntry(entry: CacheEntry): string {
  const columns: Record<string, number[]> = {};
  for (const name of COLUMNS) columns[name] = Array.from(entry.bars[name]);
  if (entry.bars.adjustedClose) columns.adjustedClose = Array.from(entry.bars.adjustedClose);
  const body = JSON.stringify(columns);
  const header = {
    format: FORMAT,
    version: VERSION,
    source: entry.source,
    symbol: entry.symbol,
    interval: entry.interval,
    coveredFrom: entry.coveredFrom,
    coveredTo: entry.coveredTo,
    fetchedAt: entry.fetchedAt,
    bars: entry.bars.time.length,
    sha256: sha256(body),
  };
  return `${JSON.stringify(header)}\n${body}\n`;
}

/** Parse and verify a cache file's text; throws CORRUPTED naming the file and the first problem found. */
export function parseCacheEntry(text: string, file: string, expected: { source: string; symbol: string; interval: string }): CacheEntry {
  const corrupted = (problem: string): GrpoTraderError =>
    new GrpoTraderError(ErrorCodes.corrupted, `corrupted cache file: ${problem}`, { location: { file } });
  const lines = text.split('\n');
  if (lines.length !== 3 || lines[2] !== '') throw corrupted(`expected 2 lines, found ${lines.length - (lines[lines.length - 1] === '' ? 1 : 0)}`);
  const header = parseJson(lines[0], () => corrupted('header is not valid JSON')) as Record<string, unknown>;
  if (header?.format !== FORMAT || header.version !== VERSION) throw corrupted(`not a ${FORMAT} v${VERSION} file`);
  for (const key of ['source', 'symbol', 'interval'] as const) {
    if (header[key] !== expected[key]) throw corrupted(`holds ${key} ${JSON.stringify(header[key])}, expected ${JSON.stringify(expected[key])}`);
  }
  for (const key of ['coveredFrom', 'coveredTo', 'fetchedAt', 'bars'] as const) {
    if (typeof header[key] !== 'number' || !Number.isFinite(header[key])) throw corrupted(`header field ${key} is not a number`);
  }
  if (sha256(lines[1]) !== header.sha256) throw corrupted('checksum mismatch (truncated or edited)');
  const body = parseJson(lines[1], () => corrupted('bars are not valid JSON')) as Record<string, unknown>;
  const count = header.bars as number;
  const names = body && 'adjustedClose' in body ? [...COLUMNS, 'adjustedClose' as const] : [...COLUMNS];
  const bars = {} as BarColumns;
  for (const name of names) {
    const values = body[name];
    if (!Array.isArray(values) || values.length !== count || !values.every((value) => typeof value === 'number' && Number.isFinite(value))) {
      throw corrupted(`column ${name} is not ${count} finite numbers`);
    }
    bars[name] = Float64Array.from(values as number[]);
  }
  for (let i = 1; i < count; i++) {
    if (!(bars.time[i] > bars.time[i - 1])) throw corrupted(`times not strictly increasing at bar ${i}`);
  }
  return {
    source: expected.source,
    symbol: expected.symbol,
    interval: expected.interval,
    coveredFrom: header.coveredFrom as number,
    coveredTo: header.coveredTo as number,
    fetchedAt: header.fetchedAt as number,
    bars,
  };
}

/** Read a cache entry; `undefined` when there is none, CORRUPTED when the file cannot be trusted. */
export async function readCacheEntry(file: string, expected: { source: string; symbol: string; interval: string }): Promise<CacheEntry | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseCacheEntry(text, file, expected);
}

/** Write a cache entry atomically (a crash leaves the old file or the new one, never half of one). */
export async function writeCacheEntry(file: string, entry: CacheEntry): Promise<void> {
  await writeFileAtomic(file, serializeCacheEntry(entry));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function parseJson(text: string, onError: () => Error): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw onError();
  }
}
