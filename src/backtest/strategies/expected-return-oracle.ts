/**
 * The oracle of a planted market: a strategy handed the truth, each asset's expected next return m and
 * its variance v known at each bar's close. It holds the mean–variance book w ∝ m/v (the Sharpe-optimal
 * weights for independent assets) at one scale over time — k_t = gross / mean_{u≤t} Σ_a |m/v|, the
 * running mean of the signal strength — capped at the gross exposure: a strong signal fills the
 * book, a weak one (a turbulent regime with a small expected return) holds little. `sign` weighting
 * instead holds ±gross/N by the sign of m. Both read the truth of bars ≤ t only.
 */
import { invalidArgument } from '../../core/errors.js';
import type { Strategy } from '../types.js';
import { emptyTargets } from './schedule.js';

export interface ExpectedReturnOracleOptions {
  /** E[R_{a,t+1} | what is known at t], `[bar × asset]`. */
  expectedReturn: Float64Array;
  /** Var[R_{a,t+1} | what is known at t], `[bar × asset]`. */
  variance: Float64Array;
  /** `mean_variance` (default) or `sign`. */
  weighting?: 'mean_variance' | 'sign';
  /** Gross exposure cap Σ|w| (default 1). */
  grossExposure?: number;
  /** Series name (default `oracle`). */
  name?: string;
}

/** A strategy that trades on the planted truth. */
export function expectedReturnOracle(options: ExpectedReturnOracleOptions): Strategy {
  const { expectedReturn, variance } = options;
  const weighting = options.weighting ?? 'mean_variance';
  const gross = options.grossExposure ?? 1;
  if (weighting !== 'mean_variance' && weighting !== 'sign') throw invalidArgument(`oracle weighting must be mean_variance or sign, got ${String(weighting)}`);
  if (!(Number.isFinite(gross) && gross > 0)) throw invalidArgument(`oracle grossExposure must be positive, got ${gross}`);
  if (expectedReturn.length !== variance.length) throw invalidArgument(`oracle: expectedReturn has ${expectedReturn.length} values, variance ${variance.length}`);
  return {
    name: options.name ?? 'oracle',
    targets(market, firstBar) {
      const n = market.symbols.length;
      const nBars = market.time.length;
      if (expectedReturn.length !== nBars * n) throw invalidArgument(`oracle: the truth covers ${expectedReturn.length / n} bars × ${n} assets, the market ${nBars} bars`);
      const targets = emptyTargets(nBars, n);
      let strengthSum = 0;
      for (let t = 0; t < nBars; t++) {
        const row = t * n;
        let strength = 0;
        for (let a = 0; a < n; a++) strength += Math.abs(expectedReturn[row + a]! / variance[row + a]!);
        strengthSum += strength;
        if (t < firstBar) continue;
        if (weighting === 'sign') {
          for (let a = 0; a < n; a++) {
            const m = expectedReturn[row + a]!;
            targets[row + a] = ((m > 0 ? 1 : m < 0 ? -1 : 0) * gross) / n;
          }
          continue;
        }
        const meanStrength = strengthSum / (t + 1);
        const scale = meanStrength > 0 ? gross / meanStrength : 0;
        const total = strength * scale;
        const capped = total > gross ? scale * (gross / total) : scale;
        for (let a = 0; a < n; a++) targets[row + a] = (expectedReturn[row + a]! / variance[row + a]!) * capped;
      }
      return targets;
    },
  };
}
