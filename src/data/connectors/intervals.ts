import { invalidArgument } from '../../core/errors.js';

const UNIT_MILLISECONDS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  wk: 7 * 86_400_000,
  // Months and quarters vary in length; the longest case keeps "is this bar complete?" conservative.
  M: 31 * 86_400_000,
  mo: 31 * 86_400_000,
  y: 366 * 86_400_000,
};

/**
 * Length of one bar for an interval like `1m`, `4h`, `1d`, `1wk`, `1mo` or ccxt's `1M`, in ms.
 * Months and years vary: `longest` (the default) counts 31/366 days, `shortest` 28/365.
 */
export function intervalToMilliseconds(interval: string, bound: 'longest' | 'shortest' = 'longest'): number {
  const match = /^(\d+)(s|m|h|d|w|wk|M|mo|y)$/.exec(interval);
  if (!match) throw invalidArgument(`unknown interval "${interval}" (expected a count and a unit, e.g. 1m, 1h, 1d, 1wk, 1mo)`);
  const count = Number(match[1]);
  if (count <= 0) throw invalidArgument(`interval "${interval}" must be positive`);
  const unit = match[2];
  if (bound === 'shortest' && (unit === 'M' || unit === 'mo')) return count * 28 * 86_400_000;
  if (bound === 'shortest' && unit === 'y') return count * 365 * 86_400_000;
  return count * UNIT_MILLISECONDS[unit];
}

/** True for daily and longer intervals, whose bars are stamped with a calendar date. */
export function isDailyOrLonger(interval: string): boolean {
  return intervalToMilliseconds(interval) >= 86_400_000;
}
