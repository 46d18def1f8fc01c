/** Mapping a file's column names to OHLCV roles: case-insensitive, punctuation-blind, common aliases. */
import type { ColumnRole } from './load-options.js';

/** `Adj Close` → `adjclose`, `Gmt time` → `gmttime`, `volume_btc` → `volumebtc`. */
export function normalizeColumnName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Aliases by role, in priority order (the first present wins). */
const ALIASES: Record<Exclude<ColumnRole, 'volume'>, readonly string[]> = {
  time: [
    'date', 'datetime', 'timestamp', 'time', 'gmttime', 'utctime', 'localtime', 'dateutc', 'timeutc', 'datetimeutc',
    'timestamputc', 'datetimegmt', 'opentime', 'tradedate', 'tradingday', 'day', 'dt', 'ts', 'unix', 'unixtime',
    'unixtimestamp', 'epoch', 'period',
  ],
  open: ['open', 'o', 'openprice', 'opening', 'openbid', 'openask', 'openmid'],
  high: ['high', 'h', 'highprice', 'max', 'highbid', 'highask', 'highmid'],
  low: ['low', 'l', 'lowprice', 'min', 'lowbid', 'lowask', 'lowmid'],
  close: ['close', 'c', 'closeprice', 'last', 'lastprice', 'closelast', 'closing', 'closebid', 'closeask', 'closemid'],
  adjClose: ['adjclose', 'adjustedclose', 'adjclosed', 'closeadj', 'closeadjusted', 'adjustedcloseprice'],
};

function isVolumeName(normalized: string): boolean {
  return normalized === 'vol' || normalized === 'v' || normalized.startsWith('volume') || normalized === 'totalvolume' || normalized === 'tradevolume';
}

export interface ColumnResolution {
  /** Column index for each role found. */
  indices: Partial<Record<ColumnRole, number>>;
  /** Roles requested explicitly but not found: [role, requested name]. */
  missingRequested: Array<[ColumnRole, string]>;
  /** When several volume columns exist: the candidates and why one was chosen. */
  volumeNote?: string;
  /** Columns present but unused that a user may have meant (Adj Close). */
  ignoredAdjClose?: string;
}

/**
 * Resolve roles in a header. `symbolHint` (a symbol column's value or the file's symbol) picks the
 * base-asset volume among several volume columns (`volume_btc` for BTCUSD).
 */
export function resolveColumns(header: readonly string[], requested: Partial<Record<ColumnRole, string>>, symbolHint: string | undefined): ColumnResolution {
  const normalized = header.map(normalizeColumnName);
  const indices: Partial<Record<ColumnRole, number>> = {};
  const missingRequested: Array<[ColumnRole, string]> = [];
  const used = new Set<number>();
  for (const [role, name] of Object.entries(requested) as Array<[ColumnRole, string | undefined]>) {
    if (name === undefined) continue;
    let index = header.findIndex((column) => column.trim().toLowerCase() === name.trim().toLowerCase());
    if (index < 0) index = normalized.indexOf(normalizeColumnName(name));
    if (index < 0) missingRequested.push([role, name]);
    else {
      indices[role] = index;
      used.add(index);
    }
  }
  for (const role of ['time', 'adjClose', 'open', 'high', 'low', 'close'] as const) {
    if (indices[role] !== undefined || requested[role] !== undefined) continue;
    for (const alias of ALIASES[role]) {
      const index = normalized.indexOf(alias);
      if (index >= 0 && !used.has(index)) {
        indices[role] = index;
        used.add(index);
        break;
      }
    }
  }
  const resolution: ColumnResolution = { indices, missingRequested };
  if (indices.volume === undefined && requested.volume === undefined) {
    const candidates: number[] = [];
    normalized.forEach((name, index) => {
      if (isVolumeName(name) && !used.has(index)) candidates.push(index);
    });
    if (candidates.length === 1) indices.volume = candidates[0]!;
    else if (candidates.length > 1) {
      const { index, reason } = chooseVolume(candidates, normalized, symbolHint);
      indices.volume = index;
      resolution.volumeNote =
        `several volume columns (${candidates.map((i) => header[i]!.trim()).join(', ')}): using "${header[index]!.trim()}" (${reason}); ` +
        'set volumeColumn to choose another';
    }
  }
  if (indices.adjClose !== undefined && requested.adjClose === undefined) resolution.ignoredAdjClose = header[indices.adjClose]!.trim();
  return resolution;
}

function chooseVolume(candidates: number[], normalized: string[], symbolHint: string | undefined): { index: number; reason: string } {
  const from = candidates.find((index) => normalized[index] === 'volumefrom');
  if (from !== undefined) return { index: from, reason: 'base-asset volume' };
  const hint = (symbolHint ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
  if (hint) {
    for (const index of candidates) {
      const suffix = normalized[index]!.replace(/^(volume|vol)/, '');
      if (suffix.length >= 2 && hint.startsWith(suffix)) return { index, reason: `base-asset volume, named for ${suffix.toUpperCase()} in ${symbolHint}` };
    }
  }
  const plain = candidates.find((index) => normalized[index] === 'volume' || normalized[index] === 'vol');
  if (plain !== undefined) return { index: plain, reason: 'the column named plainly volume' };
  return { index: candidates[0]!, reason: 'the first volume column' };
}

/** How many roles a record's cells name: a header has at least two. */
export function countRecognizedColumns(cells: readonly string[]): number {
  let count = 0;
  const all = new Set<string>([...ALIASES.time, ...ALIASES.open, ...ALIASES.high, ...ALIASES.low, ...ALIASES.close, ...ALIASES.adjClose]);
  for (const cell of cells) {
    const name = normalizeColumnName(cell);
    if (all.has(name) || isVolumeName(name)) count++;
  }
  return count;
}
