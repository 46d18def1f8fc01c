/**
 * Putting several assets on one sorted time axis. The specification intersects dates through a
 * Python set and indexes with `list(set)`, which scrambles row order (known defect 1); here the axis
 * is always the sorted union or intersection of the inputs' timestamps.
 */
import { GrpoTraderError, ErrorCodes, invalidArgument } from '../core/errors.js';
import type { MarketData, OhlcvSeries } from './types.js';
import { formatTimestamp } from './dates.js';

export type AlignmentPolicy = 'intersection' | 'ffill';

export interface AlignOptions {
  /** `intersection` (default): keep timestamps every asset has. `ffill`: carry a missing bar forward. */
  policy?: AlignmentPolicy;
  /** With `ffill`: most consecutive bars one asset may have filled (default 1). */
  maxFill?: number;
}

/** What alignment did to one asset. */
export interface AssetAlignment {
  symbol: string;
  inputRows: number;
  outputRows: number;
  /** First and last timestamp of the asset's own data. */
  first: string;
  last: string;
  /** Timestamps on the union axis inside the asset's own span where it has no bar (the real gaps). */
  missing: string[];
  /** Bars synthesised by forward-filling (close carried into O/H/L/C, volume 0). */
  filled: string[];
  /** The asset's own rows left out of the output: before the common start, after the common end, and inside. */
  dropped: { count: number; beforeStart: number; afterEnd: number; inside: string[] };
}

export interface AlignmentReport {
  policy: AlignmentPolicy;
  maxFill: number;
  rows: number;
  first: string | undefined;
  last: string | undefined;
  /** Timestamps of the union axis, inside the output's span, dropped because some asset had no bar (even after filling). */
  droppedDates: string[];
  assets: AssetAlignment[];
}

function checkSeries(series: OhlcvSeries): void {
  const { time } = series;
  for (const [name, column] of [['open', series.open], ['high', series.high], ['low', series.low], ['close', series.close], ['volume', series.volume]] as const) {
    if (column.length !== time.length) throw invalidArgument(`series ${series.symbol}: ${name} has ${column.length} values but time has ${time.length}`);
  }
  for (let i = 1; i < time.length; i++) {
    if (!(time[i]! > time[i - 1]!)) {
      throw new GrpoTraderError(
        ErrorCodes.invalidData,
        `series ${series.symbol}: timestamps must be strictly increasing, but bar ${i} (${formatTimestamp(time[i]!)}) follows ${formatTimestamp(time[i - 1]!)}`,
      );
    }
  }
}

/** Align assets by timestamp into one `MarketData` (sorted, strictly increasing) and report what was dropped or filled. */
export function alignSeries(series: readonly OhlcvSeries[], options: AlignOptions = {}): { market: MarketData; report: AlignmentReport } {
  const policy = options.policy ?? 'intersection';
  const maxFill = options.maxFill ?? 1;
  if (policy !== 'intersection' && policy !== 'ffill') throw invalidArgument(`alignment policy "${String(policy)}" is not one of intersection, ffill`);
  if (!Number.isInteger(maxFill) || maxFill < 0) throw invalidArgument(`maxFill must be a non-negative integer, got ${maxFill}`);
  if (series.length === 0) throw invalidArgument('alignSeries needs at least one series');
  const seen = new Set<string>();
  for (const one of series) {
    if (seen.has(one.symbol)) throw invalidArgument(`symbol ${one.symbol} appears twice; give each series a distinct symbol`);
    seen.add(one.symbol);
    checkSeries(one);
  }
  const nAssets = series.length;

  // Sorted union of all timestamps.
  let total = 0;
  for (const one of series) total += one.time.length;
  const all = new Float64Array(total);
  let offset = 0;
  for (const one of series) {
    all.set(one.time, offset);
    offset += one.time.length;
  }
  all.sort();
  let unionLength = 0;
  for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[i - 1]) all[unionLength++] = all[i]!;
  const union = all.subarray(0, unionLength);

  // For each asset and union index: the asset's row, or the row whose close fills it (negative = -(row+1)), or none.
  const NONE = -2147483648;
  const source = new Int32Array(unionLength * nAssets).fill(NONE);
  const keep = new Uint8Array(unionLength).fill(1);
  for (let a = 0; a < nAssets; a++) {
    const time = series[a]!.time;
    let row = 0;
    let run = 0;
    for (let u = 0; u < unionLength; u++) {
      if (row < time.length && time[row] === union[u]) {
        source[u * nAssets + a] = row;
        row++;
        run = 0;
      } else if (policy === 'ffill' && row > 0 && row < time.length && run < maxFill) {
        // Inside the asset's span only: never before its first bar nor after its last.
        source[u * nAssets + a] = -row;
        run++;
      } else {
        keep[u] = 0;
        if (row > 0) run++;
      }
    }
  }

  let rows = 0;
  for (let u = 0; u < unionLength; u++) rows += keep[u]!;
  const market: MarketData = {
    symbols: series.map((one) => one.symbol),
    time: new Float64Array(rows),
    open: new Float64Array(rows * nAssets),
    high: new Float64Array(rows * nAssets),
    low: new Float64Array(rows * nAssets),
    close: new Float64Array(rows * nAssets),
    volume: new Float64Array(rows * nAssets),
  };
  let t = 0;
  for (let u = 0; u < unionLength; u++) {
    if (!keep[u]) continue;
    market.time[t] = union[u]!;
    for (let a = 0; a < nAssets; a++) {
      const one = series[a]!;
      const s = source[u * nAssets + a]!;
      const index = t * nAssets + a;
      if (s >= 0) {
        market.open[index] = one.open[s]!;
        market.high[index] = one.high[s]!;
        market.low[index] = one.low[s]!;
        market.close[index] = one.close[s]!;
        market.volume[index] = one.volume[s]!;
      } else {
        const previousClose = one.close[-s - 1]!;
        market.open[index] = previousClose;
        market.high[index] = previousClose;
        market.low[index] = previousClose;
        market.close[index] = previousClose;
        market.volume[index] = 0;
      }
    }
    t++;
  }

  const first = rows > 0 ? market.time[0]! : Number.NaN;
  const last = rows > 0 ? market.time[rows - 1]! : Number.NaN;
  const droppedDates: string[] = [];
  for (let u = 0; u < unionLength; u++) if (!keep[u] && union[u]! > first && union[u]! < last) droppedDates.push(formatTimestamp(union[u]!));
  const assets: AssetAlignment[] = series.map((one, a) => {
    const missing: string[] = [];
    const filled: string[] = [];
    const inside: string[] = [];
    let beforeStart = 0;
    let afterEnd = 0;
    let outputRows = 0;
    const time = one.time;
    const start = time.length > 0 ? time[0]! : Number.NaN;
    const end = time.length > 0 ? time[time.length - 1]! : Number.NaN;
    for (let u = 0; u < unionLength; u++) {
      const s = source[u * nAssets + a]!;
      const stamp = union[u]!;
      if (s < 0 && stamp > start && stamp < end) missing.push(formatTimestamp(stamp));
      if (keep[u]) {
        outputRows++;
        if (s < 0) filled.push(formatTimestamp(stamp));
      } else if (s >= 0) {
        if (rows === 0 || stamp < first) beforeStart++;
        else if (stamp > last) afterEnd++;
        else inside.push(formatTimestamp(stamp));
      }
    }
    return {
      symbol: one.symbol,
      inputRows: time.length,
      outputRows,
      first: time.length > 0 ? formatTimestamp(start) : '',
      last: time.length > 0 ? formatTimestamp(end) : '',
      missing,
      filled,
      dropped: { count: beforeStart + afterEnd + inside.length, beforeStart, afterEnd, inside },
    };
  });
  return {
    market,
    report: {
      policy,
      maxFill: policy === 'ffill' ? maxFill : 0,
      rows,
      first: rows > 0 ? formatTimestamp(first) : undefined,
      last: rows > 0 ? formatTimestamp(last) : undefined,
      droppedDates,
      assets,
    },
  };
}
