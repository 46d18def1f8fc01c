/**
 * Parameter importance of a sweep: for each parameter, the share of the objective's variance across
 * trials explained by that parameter alone (η², the between-group sum of squares over the total). A
 * categorical parameter groups trials by its value; a numeric one with more than `bins` distinct
 * values by equal-count bins of its rank (so a log scale does not matter), never fewer than two
 * trials a bin; fewer than 4 trials give NaN. Marginal, like a one-way ANOVA: interactions are not
 * credited, and with few trials every η² is noisy.
 */
import type { Assignment } from './search-space.js';

/** Parameter → η² over the trials with a finite objective; NaN for every parameter when `importanceUnavailable` gives a reason. */
export function parameterImportance(trials: readonly { params: Assignment; objective: number }[], bins = 4): Record<string, number> {
  const finished = trials.filter((t) => Number.isFinite(t.objective));
  const names = [...new Set(finished.flatMap((t) => Object.keys(t.params)))];
  const out: Record<string, number> = {};
  const n = finished.length;
  const grand = finished.reduce((s, t) => s + t.objective, 0) / n;
  const total = finished.reduce((s, t) => s + (t.objective - grand) ** 2, 0);
  for (const name of names) {
    if (n < 4 || !(total > 0)) {
      out[name] = Number.NaN;
      continue;
    }
    const values = finished.map((t) => t.params[name]);
    const distinct = new Set(values.map(String));
    let group: string[];
    // At least two trials per bin: a bin of one explains its own trial exactly (η² → 1 with few trials).
    const usable = Math.max(2, Math.min(bins, Math.floor(n / 2)));
    if (typeof values[0] !== 'number' || distinct.size <= usable) {
      group = values.map(String);
    } else {
      const order = values.map((v, i) => [v as number, i] as const).sort((a, b) => a[0] - b[0]);
      group = new Array<string>(n);
      order.forEach(([, i], rank) => (group[i] = String(Math.floor((rank * usable) / n))));
    }
    const sums = new Map<string, { sum: number; count: number }>();
    finished.forEach((t, i) => {
      const entry = sums.get(group[i]!) ?? { sum: 0, count: 0 };
      entry.sum += t.objective;
      entry.count++;
      sums.set(group[i]!, entry);
    });
    let between = 0;
    for (const { sum, count } of sums.values()) between += count * (sum / count - grand) ** 2;
    out[name] = between / total;
  }
  return out;
}

/**
 * Why `parameterImportance` of these trials is NaN (fewer than 4 finished trials, or no variance to
 * explain), as a sentence for the table and the report; undefined when it is computed.
 */
export function importanceUnavailable(trials: readonly { objective: number }[]): string | undefined {
  const objectives = trials.map((t) => t.objective).filter((value) => Number.isFinite(value));
  const n = objectives.length;
  if (n < 4) return `needs at least 4 finished trials, and this sweep has ${n}`;
  const grand = objectives.reduce((s, value) => s + value, 0) / n;
  if (!(objectives.reduce((s, value) => s + (value - grand) ** 2, 0) > 0)) return `all ${n} finished trials have the same objective, so no parameter explains any of its variance`;
  return undefined;
}
