/** When a strategy rebalances: decided from the bar's own date and earlier dates only. */
import { invalidArgument } from '../../core/errors.js';

/** Rebalance schedule: every bar, the first bar of each calendar month (UTC), or every n bars. */
export type RebalanceSchedule = 'daily' | 'monthly' | number;

function monthOf(ms: number): number {
  const date = new Date(ms);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

/**
 * 1 at the bars where a schedule rebalances: always `firstBar`; then every bar (`daily`), the first
 * bar of each new month (`monthly`: month(t) ≠ month(t − 1), known at t without the next date), or
 * every n bars counted from `firstBar`.
 */
export function rebalanceMask(time: Float64Array, firstBar: number, schedule: RebalanceSchedule): Uint8Array {
  const mask = new Uint8Array(time.length);
  if (typeof schedule === 'number' && !(Number.isInteger(schedule) && schedule > 0)) throw invalidArgument(`rebalance every n bars needs a positive integer, got ${schedule}`);
  if (typeof schedule !== 'number' && schedule !== 'daily' && schedule !== 'monthly') throw invalidArgument(`rebalance must be 'daily', 'monthly' or a number of bars, got ${String(schedule)}`);
  if (firstBar >= time.length) return mask;
  mask[firstBar] = 1;
  let previousMonth = monthOf(time[firstBar]!);
  for (let t = firstBar + 1; t < time.length; t++) {
    if (schedule === 'daily') mask[t] = 1;
    else if (schedule === 'monthly') {
      const month = monthOf(time[t]!);
      if (month !== previousMonth) mask[t] = 1;
      previousMonth = month;
    } else if ((t - firstBar) % schedule === 0) mask[t] = 1;
  }
  return mask;
}

/** A target table of NaN (no decision anywhere), `[bar × asset]`. */
export function emptyTargets(nBars: number, nAssets: number): Float64Array {
  return new Float64Array(nBars * nAssets).fill(Number.NaN);
}

/** Integer option check shared by the strategies. */
export function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw invalidArgument(`${name} must be a positive integer, got ${value}`);
  return value;
}
