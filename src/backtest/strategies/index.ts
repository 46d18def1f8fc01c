/** The baseline strategies (8.3) and a factory by name, as the CLI and the comparison use them. */
import { invalidArgument } from '../../core/errors.js';
import type { Strategy } from '../types.js';
import { buyAndHold } from './buy-and-hold.js';
import { equalWeight } from './equal-weight.js';
import { minVariance } from './min-variance.js';
import { momentum } from './momentum.js';
import { randomWeights } from './random-weights.js';
import { smaCross } from './sma-cross.js';

export { buyAndHold, type BuyAndHoldOptions } from './buy-and-hold.js';
export { equalWeight, type EqualWeightOptions } from './equal-weight.js';
export { smaCross, type SmaCrossOptions } from './sma-cross.js';
export { momentum, type MomentumOptions } from './momentum.js';
export { minVariance, minVarianceLongOnly, minVarianceUnconstrained, projectOntoSimplex, returnCovariance, type MinVarianceOptions } from './min-variance.js';
export { randomWeights, type RandomWeightsOptions } from './random-weights.js';
export { rebalanceMask, type RebalanceSchedule } from './schedule.js';
export { timeSeriesMomentum, type TimeSeriesMomentumOptions } from './time-series-momentum.js';
export { reversal, type ReversalOptions } from './reversal.js';
export { leadLag, type LeadLagOptions } from './lead-lag.js';
export { volatilityTarget, type VolatilityTargetOptions } from './volatility-target.js';
export { expectedReturnOracle, type ExpectedReturnOracleOptions } from './expected-return-oracle.js';

/** Names accepted by `createStrategy` and `grpo-trader compare --strategies`. */
export const STRATEGY_NAMES = ['buy_and_hold', 'equal_weight_daily', 'equal_weight_monthly', 'sma_cross', 'momentum_12_1', 'min_variance', 'random'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** A baseline strategy by name with its default parameters (seed for `random`). */
export function createStrategy(name: string, options: { seed?: number } = {}): Strategy {
  switch (name as StrategyName) {
    case 'buy_and_hold':
      return buyAndHold();
    case 'equal_weight_daily':
      return equalWeight({ rebalance: 'daily' });
    case 'equal_weight_monthly':
      return equalWeight({ rebalance: 'monthly' });
    case 'sma_cross':
      return smaCross();
    case 'momentum_12_1':
      return momentum();
    case 'min_variance':
      return minVariance();
    case 'random':
      return randomWeights(options.seed === undefined ? {} : { seed: options.seed });
    default:
      throw invalidArgument(`unknown strategy "${name}"; known: ${STRATEGY_NAMES.join(', ')}`);
  }
}
