/**
 * Hyperparameter search spaces and the samplers that propose trials (issue 14's sweep, first part):
 * a space maps config paths (`algorithm.learningRate`) to a domain — `choices`, `uniform`,
 * `loguniform` or `int` — and a sampler proposes the next configuration from the trials so far:
 * `grid` (every combination of the choices and ints, in order), `random` (seeded), and `tpe` (the
 * tree-structured Parzen estimator of Bergstra et al. 2011: finished trials are split at the γ
 * quantile of the objective into good and bad; per parameter, candidates drawn from the good
 * trials' Parzen density are scored by l(x)/g(x)). Parameters are independent, as in hyperopt's
 * default: a categorical value that early trials made look good can keep winning (its l/g stays
 * high), so a sweep should not rely on TPE alone to explore choices. Median pruning decides early
 * stops. No library: the JavaScript TPE implementations are unmaintained, and the algorithm is short.
 */
import { z } from 'zod';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { Rng } from '../core/rng.js';

const bounds = z.tuple([z.number(), z.number()]).refine(([low, high]) => Number.isFinite(low) && Number.isFinite(high) && low < high, { message: 'give [low, high] with low < high' });

export const DomainSchema = z.union([
  z.object({ choices: z.array(z.union([z.number(), z.string(), z.boolean(), z.array(z.number()).min(1)])).min(1).max(1_000) }).strict(),
  z.object({ uniform: bounds }).strict(),
  z.object({ loguniform: bounds.refine(([low]) => low > 0, { message: 'loguniform bounds must be positive' }) }).strict(),
  z.object({ int: bounds.refine(([low, high]) => Number.isInteger(low) && Number.isInteger(high), { message: 'int bounds must be integers' }) }).strict(),
]);

/** Config path (dot-separated, e.g. `algorithm.grpo.groupSize`) → domain. */
export const SearchSpaceSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'a config path such as algorithm.learningRate'), DomainSchema).refine((space) => Object.keys(space).length > 0, { message: 'the search space is empty' });

export type Domain = z.infer<typeof DomainSchema>;
export type SearchSpace = z.infer<typeof SearchSpaceSchema>;
export type ParameterValue = number | string | boolean | number[];
export type Assignment = Record<string, ParameterValue>;

/** A finished (or pruned) trial as the samplers see it; lower `objective` is not assumed: `maximize` says. */
export interface TrialResult {
  params: Assignment;
  objective: number;
}

/** Set `value` at a dot path of a (deep-copied) config; creates intermediate objects. */
export function withParameters(config: Record<string, unknown>, params: Assignment): Record<string, unknown> {
  const out = structuredClone(config);
  for (const [path, value] of Object.entries(params)) {
    const keys = path.split('.');
    let node: Record<string, unknown> = out;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null) node[key] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) throw new GrpoTraderError(ErrorCodes.invalidConfig, `search space: ${path} goes through ${key}, which is not an object in the base config`, { location: { field: path } });
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1)!] = value;
  }
  return out;
}

/** A sweep runs at most this many trials: the bound on sampler.trials and on the size of a grid run whole. */
export const MAX_SWEEP_TRIALS = 10_000;

/** The values of each axis of a grid (choices, or an int range by its ends), without listing a range. */
function gridAxes(space: SearchSpace): { path: string; count: number; value: (index: number) => ParameterValue }[] {
  return Object.entries(space).map(([path, domain]) => {
    if ('choices' in domain) return { path, count: domain.choices.length, value: (index: number) => domain.choices[index]! };
    if ('int' in domain) return { path, count: domain.int[1] - domain.int[0] + 1, value: (index: number) => domain.int[0] + index };
    throw new GrpoTraderError(ErrorCodes.invalidConfig, `grid search needs finite domains: ${path} is continuous (use choices, int, or the random or tpe sampler)`, { location: { field: path } });
  });
}

/** Number of combinations of a grid (may exceed what can be listed: an int range of a billion values is one axis). */
export function gridSize(space: SearchSpace): number {
  return gridAxes(space).reduce((size, axis) => size * axis.count, 1);
}

/** Combination `index` of the grid, in the order of `gridOf` (the first path varies slowest), computed without listing the grid. */
export function gridAssignment(space: SearchSpace, index: number): Assignment {
  const axes = gridAxes(space);
  const assignment: Assignment = {};
  let rest = index;
  for (let a = axes.length - 1; a >= 0; a--) {
    const axis = axes[a]!;
    assignment[axis.path] = axis.value(rest % axis.count);
    rest = Math.floor(rest / axis.count);
  }
  return Object.fromEntries(axes.map((axis) => [axis.path, assignment[axis.path]!]));
}

/** Every combination of a space whose domains are all finite (choices, int), in a fixed order; at most `limit` of them. */
export function gridOf(space: SearchSpace, limit = MAX_SWEEP_TRIALS): Assignment[] {
  const size = gridSize(space);
  if (size > limit) throw new GrpoTraderError(ErrorCodes.invalidConfig, `the grid of the space has ${size} combinations, more than ${limit} can be listed; use the random or tpe sampler, or fewer values`, { location: { field: 'space' } });
  return Array.from({ length: size }, (_, index) => gridAssignment(space, index));
}

/** The values a domain can propose at its edges: every choice, or both ends of a range. */
export function domainExtremes(domain: Domain): ParameterValue[] {
  if ('choices' in domain) return domain.choices;
  if ('uniform' in domain) return [...domain.uniform];
  if ('loguniform' in domain) return [...domain.loguniform];
  return [...domain.int];
}

/** One value drawn from a domain's prior. */
export function drawFrom(domain: Domain, rng: Rng): ParameterValue {
  if ('choices' in domain) return domain.choices[rng.int(domain.choices.length)]!;
  if ('uniform' in domain) return domain.uniform[0] + rng.next() * (domain.uniform[1] - domain.uniform[0]);
  if ('loguniform' in domain) return Math.exp(Math.log(domain.loguniform[0]) + rng.next() * Math.log(domain.loguniform[1] / domain.loguniform[0]));
  return domain.int[0] + rng.int(domain.int[1] - domain.int[0] + 1);
}

export function randomAssignment(space: SearchSpace, rng: Rng): Assignment {
  return Object.fromEntries(Object.entries(space).map(([path, domain]) => [path, drawFrom(domain, rng)]));
}

export interface TpeOptions {
  /** Share of the finished trials counted as good. */
  gamma: number;
  /** Trials drawn at random before the estimator is used. */
  startupTrials: number;
  /** Candidates drawn from the good density per parameter. */
  candidates: number;
  /** Whether a larger objective is better. */
  maximize: boolean;
}

export const TPE_DEFAULTS: TpeOptions = { gamma: 0.25, startupTrials: 10, candidates: 24, maximize: true };

/** A numeric domain mapped to the line the Parzen estimator works on (log for loguniform). */
function toLine(domain: Domain, value: number): number {
  return 'loguniform' in domain ? Math.log(value) : value;
}

function lineBounds(domain: Exclude<Domain, { choices: unknown }>): [number, number] {
  if ('uniform' in domain) return domain.uniform;
  if ('loguniform' in domain) return [Math.log(domain.loguniform[0]), Math.log(domain.loguniform[1])];
  return [domain.int[0] - 0.5, domain.int[1] + 0.5];
}

/** Density of a Parzen estimator: a Gaussian per observation (bandwidth from the neighbours, clipped) plus the uniform prior. */
function parzen(points: number[], low: number, high: number): { density: (x: number) => number; draw: (rng: Rng) => number } {
  const sorted = [...points].sort((a, b) => a - b);
  const width = high - low;
  // Bandwidth: the distance to the farther neighbour (hyperopt's rule, neighbours among the points),
  // clipped to [width / min(100, n + 1), width] ("magic clip").
  const sigmas = sorted.map((p, i) => {
    const left = i > 0 ? p - sorted[i - 1]! : 0;
    const right = i < sorted.length - 1 ? sorted[i + 1]! - p : 0;
    const spread = sorted.length > 1 ? Math.max(left, right) : width;
    return Math.min(width, Math.max(width / Math.min(100, sorted.length + 1), spread));
  });
  const weight = 1 / (sorted.length + 1);
  const gaussian = (x: number, mu: number, sigma: number) => Math.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
  return {
    density: (x) => weight / width + sorted.reduce((sum, mu, i) => sum + weight * gaussian(x, mu, sigmas[i]!), 0),
    draw: (rng) => {
      const k = rng.int(sorted.length + 1);
      if (k === sorted.length) return low + rng.next() * width;
      for (let attempt = 0; attempt < 100; attempt++) {
        const x = sorted[k]! + sigmas[k]! * rng.normal();
        if (x >= low && x <= high) return x;
      }
      return Math.min(high, Math.max(low, sorted[k]!));
    },
  };
}

/**
 * The next assignment proposed by TPE from the finished trials (random until `startupTrials`).
 * Parameters are treated independently (the original TPE's tree is flat here).
 */
export function tpeAssignment(space: SearchSpace, trials: readonly TrialResult[], rng: Rng, options: Partial<TpeOptions> = {}): Assignment {
  const o = { ...TPE_DEFAULTS, ...options };
  const finished = trials.filter((t) => Number.isFinite(t.objective));
  if (finished.length < o.startupTrials) return randomAssignment(space, rng);
  const ranked = [...finished].sort((a, b) => (o.maximize ? b.objective - a.objective : a.objective - b.objective));
  const nGood = Math.max(1, Math.ceil(o.gamma * ranked.length));
  const good = ranked.slice(0, nGood);
  const bad = ranked.slice(nGood);
  const assignment: Assignment = {};
  for (const [path, domain] of Object.entries(space)) {
    if ('choices' in domain) {
      // Categorical: counts with a prior of one per choice.
      // Values compared as JSON: a choice may be a list (e.g. hidden sizes [64, 64]).
      const key = (value: unknown) => JSON.stringify(value);
      const share = (group: readonly TrialResult[]) => domain.choices.map((c) => (group.filter((t) => key(t.params[path]) === key(c)).length + 1) / (group.length + domain.choices.length));
      const l = share(good);
      const g = share(bad);
      // Candidates drawn from the good trials' shares; the one with the largest l/g wins.
      const candidates = Array.from({ length: o.candidates }, () => {
        let u = rng.next();
        let k = 0;
        while (k < l.length - 1 && u >= l[k]!) u -= l[k++]!;
        return k;
      });
      const best = candidates.reduce((b, k) => (l[k]! / g[k]! > l[b]! / g[b]! ? k : b), candidates[0]!);
      assignment[path] = domain.choices[best]!;
      continue;
    }
    const [low, high] = lineBounds(domain);
    const l = parzen(good.map((t) => toLine(domain, t.params[path] as number)), low, high);
    const g = parzen(bad.map((t) => toLine(domain, t.params[path] as number)), low, high);
    let bestX = l.draw(rng);
    let bestScore = l.density(bestX) / g.density(bestX);
    for (let c = 1; c < o.candidates; c++) {
      const x = l.draw(rng);
      const score = l.density(x) / g.density(x);
      if (score > bestScore) {
        bestX = x;
        bestScore = score;
      }
    }
    assignment[path] = 'loguniform' in domain ? Math.exp(bestX) : 'int' in domain ? Math.min(domain.int[1], Math.max(domain.int[0], Math.round(bestX))) : bestX;
  }
  return assignment;
}

/**
 * Median pruning: stop a trial at a checkpoint when its intermediate objective is worse than the
 * median of the other trials' values at the same checkpoint (once `minTrials` have reported there).
 */
export function shouldPrune(value: number, othersAtStep: readonly number[], options: { maximize: boolean; minTrials?: number } = { maximize: true }): boolean {
  const others = othersAtStep.filter(Number.isFinite);
  if (!Number.isFinite(value)) return true;
  if (others.length < (options.minTrials ?? 5)) return false;
  const sorted = [...others].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return options.maximize ? value < median : value > median;
}

/** An assignment as text, `learningRate=0.00123 hiddenSizes=[64,64]` (the last part of each path, or `fullPaths`). */
export function formatParams(params: Readonly<Record<string, unknown>>, options: { fullPaths?: boolean; separator?: string } = {}): string {
  return Object.entries(params)
    .map(([path, value]) => `${options.fullPaths ? path : path.split('.').pop()}=${typeof value === 'number' && !Number.isInteger(value) ? value.toPrecision(3) : Array.isArray(value) ? JSON.stringify(value) : String(value)}`)
    .join(options.separator ?? ' ');
}
