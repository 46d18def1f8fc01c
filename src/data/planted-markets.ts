/**
 * Planted markets: seeded SYNTHETIC markets, each with one known structure and the truth behind it,
 * for checking whether an agent learns what is learnable (docs/research.md, `grpo-trader learn-check`).
 *
 * Every market draws each asset's daily log return as
 *   r_{a,t} = σ_m·f_t + (the planted structure) + σ_e·ε_{a,t},   f, ε i.i.d. N(0, 1),
 * with a common market factor f (σ_m = `marketVolatility`) and idiosyncratic noise (σ_e =
 * `idiosyncraticVolatility`); the structure is one of
 *   momentum            + μ·s_{a,t}, s a per-asset two-state (±1) Markov trend, mean duration D days;
 *   mean_reversion      log price = random walk + d, d_{a,t} = φ·d_{a,t−1} + σ_d·η, φ = 2^(−1/halfLife);
 *   lead_lag            followers: + Σ_k β_k·r_{leader,t−k} (k = 1..K), leaders carry no structure;
 *   volatility_regimes  the factor follows a persistent calm/turbulent Markov regime with its own
 *                       drift and volatility (σ_m·f_t is replaced by μ_g + σ_g·f_t);
 *   null                nothing: i.i.d. returns, zero drift.
 *
 * The truth is what an oracle knows at bar t's close: the hidden state, and the mean and variance of
 * each asset's next simple return R_{a,t+1} = exp(r_{a,t+1}) − 1 given that state (a switching state
 * may switch before t+1: the moments average over the next state). Open, high, low and volume are
 * drawn around the closes from a separate generator (`syntheticBarInto`), so every OHLCV validation
 * rule holds and the closes depend on the structure's draws only.
 */
import { invalidArgument } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { businessDays, syntheticBarInto } from './synthetic.js';
import type { MarketData } from './types.js';

export const PLANTED_MARKET_NAMES = ['momentum', 'mean_reversion', 'lead_lag', 'volatility_regimes', 'null'] as const;
export type PlantedMarketName = (typeof PLANTED_MARKET_NAMES)[number];

/** Each market's default seed: fixed, so that a market name means one market unless a seed is given. */
export const PLANTED_MARKET_SEEDS: Record<PlantedMarketName, number> = { momentum: 101, mean_reversion: 202, lead_lag: 303, volatility_regimes: 404, null: 505 };

/** The first date of every planted market unless `start` is given. */
export const PLANTED_MARKET_START = '2010-01-04';

/** Default idiosyncratic volatility per market (mean_reversion: the slow random walk under the deviation). */
const IDIOSYNCRATIC_DEFAULTS: Record<PlantedMarketName, number> = { momentum: 0.012, mean_reversion: 0.004, lead_lag: 0.012, volatility_regimes: 0.006, null: 0.012 };

/** What every planted market takes. */
export interface PlantedMarketCommonOptions {
  /** Number of assets (default 6). */
  assets?: number;
  /** Number of business-day bars (default 2000, about eight years). */
  bars?: number;
  /** Seed of every random draw (default: the market's entry in PLANTED_MARKET_SEEDS). */
  seed?: number;
  /** First date, YYYY-MM-DD (default 2010-01-04). */
  start?: string;
  /** Daily volatility σ_m of the common market factor (default 0.005; volatility_regimes uses its regimes instead). */
  marketVolatility?: number;
  /** Daily idiosyncratic volatility σ_e (default 0.012; mean_reversion: the slow random walk's, default 0.004; volatility_regimes: 0.006). */
  idiosyncraticVolatility?: number;
}

export interface MomentumMarketOptions extends PlantedMarketCommonOptions {
  /** Daily drift μ of a trend, added with the trend's sign (default 0.002). */
  drift?: number;
  /** Mean trend duration D in days: the sign flips with probability 1/D each day (default 100). */
  trendDuration?: number;
}

export interface MeanReversionMarketOptions extends PlantedMarketCommonOptions {
  /** Half-life of the deviation in days: φ = 2^(−1/halfLife) (default 3). */
  halfLife?: number;
  /** Daily innovation volatility σ_d of the deviation (default 0.008). */
  deviationVolatility?: number;
}

export interface LeadLagMarketOptions extends PlantedMarketCommonOptions {
  /** β_1..β_K: a follower's return loads β_k on its leader's return k bars earlier (default [0.15, 0.075]). */
  loadings?: number[];
}

export interface VolatilityRegime {
  /** Daily drift of the market factor in the regime. */
  drift: number;
  /** Daily volatility of the market factor in the regime. */
  volatility: number;
  /** Mean duration of the regime in days (it ends with probability 1/duration each day). */
  duration: number;
}

export interface VolatilityRegimesMarketOptions extends PlantedMarketCommonOptions {
  /** Default { drift: 0.0015, volatility: 0.006, duration: 100 }. */
  calm?: VolatilityRegime;
  /** Default { drift: −0.0015, volatility: 0.03, duration: 40 }. */
  turbulent?: VolatilityRegime;
}

export type NullMarketOptions = PlantedMarketCommonOptions;

export interface PlantedMarketOptionsByName {
  momentum: MomentumMarketOptions;
  mean_reversion: MeanReversionMarketOptions;
  lead_lag: LeadLagMarketOptions;
  volatility_regimes: VolatilityRegimesMarketOptions;
  null: NullMarketOptions;
}

/** What the oracle knows at each bar's close. Arrays are `[bar × asset]` like the market's fields. */
export interface PlantedTruth {
  /** What `state` holds in this market (e.g. "trend sign ±1"). */
  stateName: string;
  /** The hidden state at each bar's close. */
  state: Float64Array;
  /** E[R_{a,t+1} | state at t]: the expected next simple return (the last bar's is that of a bar that never comes). */
  expectedReturn: Float64Array;
  /** Var[R_{a,t+1} | state at t] of the next simple return. */
  variance: Float64Array;
  /** lead_lag: each asset's leader (−1 for a leader); −1 everywhere in the other markets. */
  leaderOf: Int32Array;
}

export interface PlantedMarket {
  name: PlantedMarketName;
  market: MarketData;
  truth: PlantedTruth;
  synthetic: true;
  seed: number;
  /** Every parameter of the model, defaults filled in. */
  parameters: Record<string, unknown>;
  /** Says SYNTHETIC and names the planted structure. */
  description: string;
}

/** Mean and variance of exp(X) − 1 for X a mixture of normals N(mean_k, variance_k) with weights p_k. */
function simpleReturnMoments(weights: readonly number[], means: readonly number[], variances: readonly number[]): { mean: number; variance: number } {
  let first = 0;
  let second = 0;
  for (let k = 0; k < weights.length; k++) {
    first += weights[k]! * Math.exp(means[k]! + variances[k]! / 2);
    second += weights[k]! * Math.exp(2 * means[k]! + 2 * variances[k]!);
  }
  return { mean: first - 1, variance: second - first * first };
}

function check(condition: boolean, message: string): void {
  if (!condition) throw invalidArgument(`plantedMarket: ${message}`);
}

function positive(value: number, name: string): void {
  check(Number.isFinite(value) && value > 0, `${name} must be a positive number, got ${value}`);
}

function nonNegative(value: number, name: string): void {
  check(Number.isFinite(value) && value >= 0, `${name} must be a non-negative number, got ${value}`);
}

interface Common {
  assets: number;
  bars: number;
  seed: number;
  start: string;
  marketVolatility: number;
  idiosyncraticVolatility: number;
}

function common(name: PlantedMarketName, options: PlantedMarketCommonOptions, idiosyncraticDefault = 0.012): Common {
  const resolved = {
    assets: options.assets ?? 6,
    bars: options.bars ?? 2000,
    seed: options.seed ?? PLANTED_MARKET_SEEDS[name],
    start: options.start ?? PLANTED_MARKET_START,
    marketVolatility: options.marketVolatility ?? 0.005,
    idiosyncraticVolatility: options.idiosyncraticVolatility ?? idiosyncraticDefault,
  };
  check(Number.isInteger(resolved.assets) && resolved.assets >= 1, `assets must be a positive integer, got ${resolved.assets}`);
  check(Number.isInteger(resolved.bars) && resolved.bars >= 2, `bars must be an integer ≥ 2, got ${resolved.bars}`);
  check(Number.isInteger(resolved.seed) && resolved.seed >= 0, `seed must be a non-negative integer, got ${resolved.seed}`);
  nonNegative(resolved.marketVolatility, 'marketVolatility');
  positive(resolved.idiosyncraticVolatility, 'idiosyncraticVolatility');
  return resolved;
}

/** The generated paths before they become bars: log returns `[bar × asset]` (row 0 unused) and the truth. */
interface Paths {
  logReturns: Float64Array;
  /** Typical daily volatility per asset: scales the bars' ranges and volume. */
  scale: Float64Array;
  truth: PlantedTruth;
  parameters: Record<string, unknown>;
  structure: string;
}

function emptyTruth(bars: number, assets: number, stateName: string): PlantedTruth {
  const size = bars * assets;
  return { stateName, state: new Float64Array(size), expectedReturn: new Float64Array(size), variance: new Float64Array(size), leaderOf: new Int32Array(assets).fill(-1) };
}

function momentumPaths(c: Common, options: MomentumMarketOptions, rng: Rng): Paths {
  const drift = options.drift ?? 0.002;
  const duration = options.trendDuration ?? 100;
  nonNegative(drift, 'drift');
  check(Number.isFinite(duration) && duration >= 1, `trendDuration must be ≥ 1 day, got ${duration}`);
  const { assets: A, bars: T, marketVolatility: sm, idiosyncraticVolatility: se } = c;
  const flip = 1 / duration;
  const truth = emptyTruth(T, A, 'trend sign (±1) of each asset');
  const logReturns = new Float64Array(T * A);
  const sign = Float64Array.from({ length: A }, () => (rng.next() < 0.5 ? -1 : 1));
  const v = sm * sm + se * se;
  // Given s_t, s_{t+1} = s_t with probability 1 − 1/D: the next return's moments for s_t = +1 and −1.
  const up = simpleReturnMoments([1 - flip, flip], [drift, -drift], [v, v]);
  const down = simpleReturnMoments([1 - flip, flip], [-drift, drift], [v, v]);
  for (let t = 0; t < T; t++) {
    const factor = sm * rng.normal();
    for (let a = 0; a < A; a++) {
      const i = t * A + a;
      if (t > 0) {
        if (rng.next() < flip) sign[a] = -sign[a]!;
        logReturns[i] = factor + drift * sign[a]! + se * rng.normal();
      }
      const moments = sign[a]! > 0 ? up : down;
      truth.state[i] = sign[a]!;
      truth.expectedReturn[i] = moments.mean;
      truth.variance[i] = moments.variance;
    }
  }
  return {
    logReturns,
    scale: new Float64Array(A).fill(Math.sqrt(v)),
    truth,
    parameters: { drift, trendDuration: duration },
    structure: `persistent per-asset trends: each asset drifts ±${drift}/day, the sign flipping with probability 1/${duration} a day (trends last ~${duration} days)`,
  };
}

function meanReversionPaths(c: Common, options: MeanReversionMarketOptions, rng: Rng): Paths {
  const halfLife = options.halfLife ?? 3;
  const sd = options.deviationVolatility ?? 0.008;
  positive(halfLife, 'halfLife');
  positive(sd, 'deviationVolatility');
  const { assets: A, bars: T, marketVolatility: sm, idiosyncraticVolatility: sw } = c;
  const phi = 2 ** (-1 / halfLife);
  const truth = emptyTruth(T, A, 'deviation d of the log price from its random walk');
  const logReturns = new Float64Array(T * A);
  // Start each deviation from its stationary distribution N(0, σ_d²/(1 − φ²)).
  const deviation = Float64Array.from({ length: A }, () => (sd / Math.sqrt(1 - phi * phi)) * rng.normal());
  const v = sm * sm + sw * sw + sd * sd;
  for (let t = 0; t < T; t++) {
    const factor = sm * rng.normal();
    for (let a = 0; a < A; a++) {
      const i = t * A + a;
      if (t > 0) {
        const previous = deviation[a]!;
        const next = phi * previous + sd * rng.normal();
        deviation[a] = next;
        logReturns[i] = factor + sw * rng.normal() + next - previous;
      }
      // r_{t+1} = σ_m f + σ_w ε + (φ − 1)·d_t + σ_d η: normal, mean (φ − 1)·d_t.
      const moments = simpleReturnMoments([1], [(phi - 1) * deviation[a]!], [v]);
      truth.state[i] = deviation[a]!;
      truth.expectedReturn[i] = moments.mean;
      truth.variance[i] = moments.variance;
    }
  }
  return {
    logReturns,
    scale: new Float64Array(A).fill(Math.sqrt(v)),
    truth,
    parameters: { halfLife, phi, deviationVolatility: sd, randomWalkVolatility: sw },
    structure: `mean reversion: each log price is a random walk plus an AR(1) deviation (half-life ${halfLife} days, φ ${phi.toFixed(4)}, innovations ${sd}/day)`,
  };
}

function leadLagPaths(c: Common, options: LeadLagMarketOptions, rng: Rng): Paths {
  const loadings = options.loadings ?? [0.15, 0.075];
  check(Array.isArray(loadings) && loadings.length >= 1 && loadings.every((b) => Number.isFinite(b)), `loadings must be a non-empty list of finite numbers, got ${JSON.stringify(loadings)}`);
  const { assets: A, bars: T, marketVolatility: sm, idiosyncraticVolatility: se } = c;
  check(A >= 2, `lead_lag needs at least 2 assets (a leader and a follower), got ${A}`);
  const leaders = Math.floor(A / 2);
  const truth = emptyTruth(T, A, 'predictable part Σ β_k·r_{leader,t+1−k} of the next log return (0 for leaders)');
  for (let a = leaders; a < A; a++) truth.leaderOf[a] = (a - leaders) % leaders;
  const logReturns = new Float64Array(T * A);
  const v = sm * sm + se * se;
  const K = loadings.length;
  for (let t = 0; t < T; t++) {
    const factor = sm * rng.normal();
    for (let a = 0; a < A; a++) {
      const i = t * A + a;
      const leader = truth.leaderOf[a]!;
      if (t > 0) {
        let loaded = 0;
        if (leader >= 0) for (let k = 1; k <= K && t - k >= 1; k++) loaded += loadings[k - 1]! * logReturns[(t - k) * A + leader]!;
        logReturns[i] = factor + loaded + se * rng.normal();
      }
    }
    // Known at t's close: the leaders' returns up to t, hence each follower's next mean.
    for (let a = 0; a < A; a++) {
      const i = t * A + a;
      const leader = truth.leaderOf[a]!;
      let predictable = 0;
      if (leader >= 0) for (let k = 1; k <= K && t + 1 - k >= 1; k++) predictable += loadings[k - 1]! * logReturns[(t + 1 - k) * A + leader]!;
      const moments = simpleReturnMoments([1], [predictable], [v]);
      truth.state[i] = predictable;
      truth.expectedReturn[i] = moments.mean;
      truth.variance[i] = moments.variance;
    }
  }
  const pairs = Array.from({ length: A - leaders }, (_, k) => `${leaders + k + 1}←${truth.leaderOf[leaders + k]! + 1}`).join(', ');
  return {
    logReturns,
    scale: new Float64Array(A).fill(Math.sqrt(v)),
    truth,
    parameters: { loadings: loadings.slice(), leaders, leaderOf: Array.from(truth.leaderOf) },
    structure: `cross-asset lead–lag: assets 1..${leaders} lead, each follower's return loads ${loadings.join(', ')} on its leader's return 1..${K} bars earlier (follower←leader: ${pairs})`,
  };
}

function volatilityRegimesPaths(c: Common, options: VolatilityRegimesMarketOptions, rng: Rng): Paths {
  const calm = options.calm ?? { drift: 0.0015, volatility: 0.006, duration: 100 };
  const turbulent = options.turbulent ?? { drift: -0.0015, volatility: 0.03, duration: 40 };
  for (const [name, regime] of [['calm', calm], ['turbulent', turbulent]] as const) {
    check(Number.isFinite(regime.drift), `${name}.drift must be a finite number, got ${regime.drift}`);
    positive(regime.volatility, `${name}.volatility`);
    check(Number.isFinite(regime.duration) && regime.duration >= 1, `${name}.duration must be ≥ 1 day, got ${regime.duration}`);
  }
  const { assets: A, bars: T, idiosyncraticVolatility: se } = c;
  const regimes = [calm, turbulent];
  const leave = regimes.map((g) => 1 / g.duration);
  const truth = emptyTruth(T, A, 'market regime (0 calm, 1 turbulent)');
  const logReturns = new Float64Array(T * A);
  // Start in a regime drawn from the chain's stationary distribution.
  let regime = rng.next() < calm.duration / (calm.duration + turbulent.duration) ? 0 : 1;
  const moments = regimes.map((_, g) => {
    const stay = 1 - leave[g]!;
    const other = 1 - g;
    return simpleReturnMoments([stay, 1 - stay], [regimes[g]!.drift, regimes[other]!.drift], [regimes[g]!.volatility ** 2 + se * se, regimes[other]!.volatility ** 2 + se * se]);
  });
  for (let t = 0; t < T; t++) {
    if (t > 0 && rng.next() < leave[regime]!) regime = 1 - regime;
    const g = regimes[regime]!;
    const factor = g.drift + g.volatility * rng.normal();
    for (let a = 0; a < A; a++) {
      const i = t * A + a;
      if (t > 0) logReturns[i] = factor + se * rng.normal();
      truth.state[i] = regime;
      truth.expectedReturn[i] = moments[regime]!.mean;
      truth.variance[i] = moments[regime]!.variance;
    }
  }
  const share = calm.duration / (calm.duration + turbulent.duration);
  const typical = Math.sqrt(share * calm.volatility ** 2 + (1 - share) * turbulent.volatility ** 2 + se * se);
  return {
    logReturns,
    scale: new Float64Array(A).fill(typical),
    truth,
    parameters: { calm, turbulent },
    structure: `volatility regimes: the market factor alternates between calm (drift ${calm.drift}/day, volatility ${calm.volatility}, ~${calm.duration} days) and turbulent (drift ${turbulent.drift}/day, volatility ${turbulent.volatility}, ~${turbulent.duration} days)`,
  };
}

function nullPaths(c: Common, rng: Rng): Paths {
  const { assets: A, bars: T, marketVolatility: sm, idiosyncraticVolatility: se } = c;
  const truth = emptyTruth(T, A, 'none (no structure)');
  const logReturns = new Float64Array(T * A);
  const v = sm * sm + se * se;
  const moments = simpleReturnMoments([1], [0], [v]);
  for (let t = 0; t < T; t++) {
    const factor = sm * rng.normal();
    for (let a = 0; a < A; a++) {
      const i = t * A + a;
      if (t > 0) logReturns[i] = factor + se * rng.normal();
      truth.expectedReturn[i] = moments.mean;
      truth.variance[i] = moments.variance;
    }
  }
  return { logReturns, scale: new Float64Array(A).fill(Math.sqrt(v)), truth, parameters: {}, structure: 'NO structure (the null market): i.i.d. returns with zero log drift; no policy has an edge over equal weight' };
}

/** Build a planted market (deterministic for its options and seed). */
export function plantedMarket<N extends PlantedMarketName>(name: N, options: PlantedMarketOptionsByName[N] = {} as PlantedMarketOptionsByName[N]): PlantedMarket {
  if (!(PLANTED_MARKET_NAMES as readonly string[]).includes(name)) throw invalidArgument(`unknown planted market "${name}"; known: ${PLANTED_MARKET_NAMES.join(', ')}`);
  const c = common(name, options, IDIOSYNCRATIC_DEFAULTS[name]);
  const time = businessDays(c.start, c.bars, 'plantedMarket');
  const rng = new Rng(c.seed);
  // The bars' decoration (open, high, low, volume) has its own generator: the closes depend on the structure's draws only.
  const barRng = new Rng(c.seed ^ 0x5eed_ba55);
  let paths: Paths;
  switch (name) {
    case 'momentum':
      paths = momentumPaths(c, options as MomentumMarketOptions, rng);
      break;
    case 'mean_reversion':
      paths = meanReversionPaths(c, options as MeanReversionMarketOptions, rng);
      break;
    case 'lead_lag':
      paths = leadLagPaths(c, options as LeadLagMarketOptions, rng);
      break;
    case 'volatility_regimes':
      paths = volatilityRegimesPaths(c, options as VolatilityRegimesMarketOptions, rng);
      break;
    default:
      paths = nullPaths(c, rng);
  }
  const { assets: A, bars: T } = c;
  const size = T * A;
  const columns = { open: new Float64Array(size), high: new Float64Array(size), low: new Float64Array(size), close: new Float64Array(size), volume: new Float64Array(size) };
  const baseVolume = Float64Array.from({ length: A }, () => 1e5 * (1 + 9 * barRng.next()));
  const firstClose = Float64Array.from({ length: A }, () => 50 + 100 * barRng.next());
  for (let t = 0; t < T; t++) {
    for (let a = 0; a < A; a++) {
      const i = t * A + a;
      const previous = t === 0 ? firstClose[a]! : columns.close[i - A]!;
      syntheticBarInto(columns, i, previous, t === 0 ? 0 : paths.logReturns[i]!, 0.2 * c.idiosyncraticVolatility, paths.scale[a]!, baseVolume[a]!, barRng);
    }
  }
  const symbols = Array.from({ length: A }, (_, a) => `SYN${String(a + 1).padStart(2, '0')}`);
  const parameters = { ...c, ...(name === 'volatility_regimes' ? { marketVolatility: null } : {}), ...paths.parameters };
  return {
    name,
    market: { symbols, time, ...columns },
    truth: paths.truth,
    synthetic: true,
    seed: c.seed,
    parameters,
    description: `SYNTHETIC planted market "${name}" (seed ${c.seed}): ${A} assets, ${T} business days; ${paths.structure}; market factor ${name === 'volatility_regimes' ? 'by regime' : `${c.marketVolatility}/day`}, idiosyncratic noise ${c.idiosyncraticVolatility}/day`,
  };
}
