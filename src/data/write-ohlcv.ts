/** Writing a series as CSV that every loader (ours, pandas, a spreadsheet) reads back exactly. */
import { writeFileAtomic } from '../core/fs.js';
import { invalidArgument } from '../core/errors.js';
import type { OhlcvSeries } from './types.js';
import { toIsoDate } from './dates.js';

const MS_PER_DAY = 86_400_000;

/**
 * CSV text `date,open,high,low,close,volume`: dates `YYYY-MM-DD` when every bar is at midnight UTC,
 * else ISO datetimes with `Z`. Numbers in JavaScript's shortest round-trip form, so reading back is
 * bit-identical.
 */
export function formatOhlcvCsv(series: OhlcvSeries): string {
  const { time, open, high, low, close, volume } = series;
  const n = time.length;
  for (const [name, column] of [['open', open], ['high', high], ['low', low], ['close', close], ['volume', volume]] as const) {
    if (column.length !== n) throw invalidArgument(`series ${series.symbol}: ${name} has ${column.length} values but time has ${n}`);
  }
  let daily = true;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(time[i]!)) throw invalidArgument(`series ${series.symbol}: time[${i}] is not a finite timestamp`);
    if (time[i]! % MS_PER_DAY !== 0) daily = false;
  }
  const parts: string[] = ['date,open,high,low,close,volume\n'];
  for (let i = 0; i < n; i++) {
    const date = daily ? toIsoDate(time[i]!) : new Date(time[i]!).toISOString();
    parts.push(`${date},${open[i]},${high[i]},${low[i]},${close[i]},${volume[i]}\n`);
  }
  return parts.join('');
}

/** Write a series to `path` atomically (temporary file, then rename). */
export async function writeOhlcvCsv(path: string, series: OhlcvSeries): Promise<void> {
  await writeFileAtomic(path, formatOhlcvCsv(series));
}

