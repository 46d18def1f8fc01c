/**
 * Options of the multi-asset environment: one zod schema, defaults filled in one place. The
 * accounting defaults (capital, costs, caps, rates) are `simulateDefaults`, shared with `simulate`,
 * backtests and the training config.
 */
import { z } from 'zod';
import { schemaError } from '../core/config-error.js';
import { simulateDefaults as accounting } from './simulate-weights.js';

const nonNegative = z.number().finite().min(0);
const positive = z.number().finite().gt(0);

export const multiAssetEnvConfigSchema = z.strictObject({
  initialCapital: positive.default(accounting.initialCapital),
  /** Fraction of traded notional paid as commission (the specification's 0.0005). */
  tradingCost: nonNegative.default(accounting.tradingCost),
  /** Fraction of traded notional lost to slippage (the specification's 0.0001). */
  slippage: nonNegative.default(accounting.slippage),
  /** Gross leverage cap Σ|w| (4.2.3). */
  maxPositionSize: positive.default(accounting.maxPositionSize),
  /** Cap on each |w_a| (4.2.3). */
  maxAssetWeight: positive.default(accounting.maxAssetWeight),
  /** Annual rate earned by cash 1 − Σw. */
  cashRate: z.number().finite().default(accounting.cashRate),
  /** Annual rate paid on short notional. */
  borrowCost: nonNegative.default(accounting.borrowCost),
  periodsPerYear: positive.default(accounting.periodsPerYear),
  /** Bars of features in each observation. */
  lookback: z.number().int().positive().default(30),
  /** Recent per-step portfolio returns in each observation. */
  returnHistory: z.number().int().min(0).default(10),
  /** Returns in the correlation window. */
  correlationLookback: z.number().int().min(2).default(30),
  includeCorrelation: z.boolean().default(true),
  /** λ of the concentration penalty λ·max(0, Σ_{a≠b} w_a w_b ρ_ab) subtracted from the reward. */
  correlationPenalty: nonNegative.default(0),
  /** Steps per episode; null runs to the end of the range. */
  episodeLength: z.number().int().positive().nullable().default(null),
  randomStart: z.boolean().default(false),
  /** First and last bar index the episodes may use (a split); null = the data's bounds. */
  firstBar: z.number().int().min(0).nullable().default(null),
  lastBar: z.number().int().min(0).nullable().default(null),
  /** Terminate when the drawdown from the episode's peak reaches this; null = never. */
  maxDrawdown: z.number().gt(0).max(1).nullable().default(null),
  /** Actions are clipped to ±actionBound before normalisation (the action space's bounds). */
  actionBound: positive.default(1),
  /** What to do with NaN/Infinity features after the warm-up: throw, or replace them with 0. */
  nonFiniteFeatures: z.enum(['error', 'zero']).default('error'),
  seed: z.number().int().default(0),
});

export type MultiAssetEnvConfig = z.infer<typeof multiAssetEnvConfigSchema>;
export type MultiAssetEnvConfigInput = z.input<typeof multiAssetEnvConfigSchema>;

/** Validate options, filling defaults; throws INVALID_CONFIG naming the field. */
export function parseMultiAssetEnvConfig(input: unknown): MultiAssetEnvConfig {
  const parsed = multiAssetEnvConfigSchema.safeParse(input ?? {});
  if (!parsed.success) throw schemaError(parsed.error.issues, { context: 'invalid environment option', input });
  return parsed.data;
}
