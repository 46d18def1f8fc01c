/**
 * A seeded synthetic multi-asset market with regimes, for the demo and for examples that must run
 * offline. Clearly synthetic: symbols are `SYN01`, `SYN02`, ... and the result says so.
 *
 * Model: a hidden Markov chain of market regimes (bull, bear, sideways) with persistent states; each
 * regime has a market drift and volatility. Asset a's daily log return is
 *   beta_a · market_t + alpha_a(regime) + idiosyncratic noise,
 * so regimes are persistent and partly visible in trend features. Bars are business days; open, high,
 * low and volume are generated around the close path so every OHLCV validation rule holds.
 */
import { invalidArgument } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { MarketData } from './types.js';

export const REGIME_NAMES = ['bull', 'bear', 'sideways'] as const;
export type RegimeName = (typeof REGIME_NAMES)[number];

export interface SyntheticMarketOptions {
  /** Number of assets (default 6). */
  assets?: number;
  /** Number of business-day bars (default 1500, about six years). */
  bars?: number;
  /** Seed of every random draw (default 7). */
  seed?: number;
  /** First date, YYYY-MM-DD (default 2010-01-04). */
  start?: string;
  /** Probability of staying in the current regime each day (default 0.985: regimes last ~2–3 months). */
  persistence?: number;
  /** Daily market drift per regime (default bull 0.0009, bear −0.0011, sideways 0). */
  drift?: Record<RegimeName, number>;
  /** Daily market volatility per regime (default bull 0.008, bear 0.018, sideways 0.01). */
  volatility?: Record<RegimeName, number>;
  /** Idiosyncratic daily volatility (default 0.012). */
  idiosyncraticVolatility?: number;
  /**
   * Per-asset trends, an edge by construction: each asset is in its own persistent up or down trend
   * (a two-state Markov chain staying put with probability `persistence`) that adds ±`drift` to its
   * daily log return. Trends last 1/(1 − persistence) days on average, long enough for momentum
   * indicators to see them. Default: none.
   */
  assetTrends?: { drift: number; persistence: number };
}

export interface SyntheticMarket {
  market: MarketData;
  /** Regime index per bar (0 bull, 1 bear, 2 sideways). */
  regimes: Uint8Array;
  /** Per-asset market beta. */
  betas: Float64Array;
  synthetic: true;
  description: string;
}

const DAY = 86_400_000;

/** `bars` consecutive business days (Monday to Friday, UTC midnight) from `start` (YYYY-MM-DD) on. */
export function businessDays(start: string, bars: number, who = 'businessDays'): Float64Array {
  const time = new Float64Array(bars);
  let day = Date.parse(`${start}T00:00:00Z`);
  if (Number.isNaN(day)) throw invalidArgument(`${who}: start must be YYYY-MM-DD, got ${start}`);
  for (let t = 0; t < bars; t++) {
    while (new Date(day).getUTCDay() === 0 || new Date(day).getUTCDay() === 6) day += DAY;
    time[t] = day;
    day += DAY;
  }
  return time;
}

/**
 * Write one synthetic bar at index `i` from the previous close and the bar's log return: the open gaps
 * by N(0, gap²) in log terms, high and low lie beyond max/min(open, close) by |N|·scale/2 (the low at
 * most halved), and the volume grows with |logReturn|/scale around `baseVolume` — so every OHLCV
 * validation rule holds. Draws four normals from `rng`, in that order.
 */
export function syntheticBarInto(
  columns: { open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array },
  i: number,
  previous: number,
  logReturn: number,
  gap: number,
  scale: number,
  baseVolume: number,
  rng: Rng,
): void {
  const o = previous * Math.exp(gap * rng.normal());
  const c = previous * Math.exp(logReturn);
  const range = scale * 0.5;
  columns.open[i] = o;
  columns.close[i] = c;
  columns.high[i] = Math.max(o, c) * (1 + range * Math.abs(rng.normal()));
  columns.low[i] = Math.min(o, c) * (1 - Math.min(0.5, range * Math.abs(rng.normal())));
  columns.volume[i] = Math.round(baseVolume * Math.exp(0.3 * rng.normal()) * (1 + Math.abs(logReturn) / scale));
}

/** Generate a synthetic regime-switching market (deterministic for a seed). */
export function syntheticRegimeMarket(options: SyntheticMarketOptions = {}): SyntheticMarket {
  const assets = options.assets ?? 6;
  const bars = options.bars ?? 1500;
  const seed = options.seed ?? 7;
  const persistence = options.persistence ?? 0.985;
  const drift = options.drift ?? { bull: 0.0009, bear: -0.0011, sideways: 0 };
  const volatility = options.volatility ?? { bull: 0.008, bear: 0.018, sideways: 0.01 };
  const idiosyncratic = options.idiosyncraticVolatility ?? 0.012;
  if (!Number.isInteger(assets) || assets < 1) throw invalidArgument(`syntheticRegimeMarket: assets must be a positive integer, got ${assets}`);
  if (!Number.isInteger(bars) || bars < 2) throw invalidArgument(`syntheticRegimeMarket: bars must be an integer ≥ 2, got ${bars}`);
  if (!(persistence >= 0 && persistence <= 1)) throw invalidArgument(`syntheticRegimeMarket: persistence must be in [0, 1], got ${persistence}`);

  const rng = new Rng(seed);
  const betas = new Float64Array(assets);
  const alphas = new Float64Array(assets * 3);
  const baseVolume = new Float64Array(assets);
  for (let a = 0; a < assets; a++) {
    betas[a] = 0.6 + 0.8 * rng.next();
    // Some assets do better in some regimes: a per-regime tilt, small next to the market drift.
    for (let k = 0; k < 3; k++) alphas[a * 3 + k] = 0.0003 * rng.normal();
    baseVolume[a] = 1e5 * (1 + 9 * rng.next());
  }

  const time = businessDays(options.start ?? '2010-01-04', bars, 'syntheticRegimeMarket');

  const size = bars * assets;
  const open = new Float64Array(size);
  const high = new Float64Array(size);
  const low = new Float64Array(size);
  const close = new Float64Array(size);
  const volume = new Float64Array(size);
  const columns = { open, high, low, close, volume };
  const regimes = new Uint8Array(bars);
  const trends = options.assetTrends;
  if (trends && !(trends.persistence >= 0 && trends.persistence <= 1 && Number.isFinite(trends.drift))) {
    throw invalidArgument(`syntheticRegimeMarket: assetTrends needs a finite drift and persistence in [0, 1], got ${JSON.stringify(trends)}`);
  }
  // Drawn from their own generator so the market without trends stays the same for a seed.
  const trendRng = new Rng(seed ^ 0x7e4d);
  const trendSign = Float64Array.from({ length: assets }, () => (trendRng.next() < 0.5 ? -1 : 1));
  let regime = 2;
  for (let t = 0; t < bars; t++) {
    if (t > 0 && rng.next() > persistence) regime = (regime + 1 + rng.int(2)) % 3;
    regimes[t] = regime;
    const name = REGIME_NAMES[regime]!;
    const market = drift[name] + volatility[name] * rng.normal();
    if (trends && t > 0) for (let a = 0; a < assets; a++) if (trendRng.next() > trends.persistence) trendSign[a] = -trendSign[a]!;
    for (let a = 0; a < assets; a++) {
      const i = t * assets + a;
      const previous = t === 0 ? 50 + 100 * rng.next() : close[i - assets]!;
      const logReturn = betas[a]! * market + alphas[a * 3 + regime]! + idiosyncratic * rng.normal() + (trends ? trends.drift * trendSign[a]! : 0);
      syntheticBarInto(columns, i, previous, logReturn, 0.2 * idiosyncratic, volatility[name] + idiosyncratic, baseVolume[a]!, rng);
    }
  }
  const symbols = Array.from({ length: assets }, (_, a) => `SYN${String(a + 1).padStart(2, '0')}`);
  return {
    market: { symbols, time, open, high, low, close, volume },
    regimes,
    betas,
    synthetic: true,
    description: `SYNTHETIC market (seed ${seed}): ${assets} assets, ${bars} business days, regime-switching (bull/bear/sideways, persistence ${persistence})${trends ? `, per-asset trends of ±${trends.drift}/day lasting ~${Math.round(1 / Math.max(1e-9, 1 - trends.persistence))} days (an edge by construction)` : ''}`,
  };
}
