/**
 * The specification's weight normalisation (4.2.3): first scale the whole vector down so that the
 * gross exposure Σ|w| is at most `maxPositionSize`, then clip each weight to ±`maxAssetWeight`.
 * Clipping only shrinks weights, so the gross cap still holds afterwards.
 *
 * An action becomes weights by one rule, `actionToWeightsInto`: clip to the action box ±actionBound,
 * then normalise. The environment, the server, explanations and the online agent all call it, so a
 * served or explained decision is the one a backtest trades. `normalizeWeightsInto` alone is for
 * inputs that already are weights (a strategy's table, `simulate`).
 */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';

/** What turns an action into weights: the action box and the two caps (a `MultiAssetEnvConfig` has them). */
export interface WeightLimits {
  readonly actionBound: number;
  readonly maxPositionSize: number;
  readonly maxAssetWeight: number;
}

/** Normalise target weights into `out` (may alias `weights`): gross cap, then per-asset cap. */
export function normalizeWeightsInto(
  out: Float64Array,
  weights: ArrayLike<number>,
  maxPositionSize: number,
  maxAssetWeight: number,
): Float64Array {
  const n = weights.length;
  let gross = 0;
  for (let i = 0; i < n; i++) gross += Math.abs(weights[i]!);
  const scale = gross > maxPositionSize ? maxPositionSize / gross : 1;
  for (let i = 0; i < n; i++) {
    // Math.min/max rather than a ternary: keeps the hot loop free of heap-number boxing.
    out[i] = Math.min(maxAssetWeight, Math.max(-maxAssetWeight, weights[i]! * scale));
  }
  return out;
}

/** Normalised copy of `weights` (allocates; use `normalizeWeightsInto` on hot paths). */
export function normalizeWeights(weights: ArrayLike<number>, maxPositionSize: number, maxAssetWeight: number): Float64Array {
  return normalizeWeightsInto(new Float64Array(weights.length), weights, maxPositionSize, maxAssetWeight);
}

/**
 * The weights an action holds, into `out` (may alias `action`; allocates nothing): each value clipped
 * to ±actionBound, then `normalizeWeightsInto`. A NaN is refused, naming its index.
 */
export function actionToWeightsInto(out: Float64Array, action: ArrayLike<number>, limits: WeightLimits): Float64Array {
  const bound = limits.actionBound;
  const n = action.length;
  for (let a = 0; a < n; a++) {
    const x = action[a]!;
    if (x !== x) throw new GrpoTraderError(ErrorCodes.invalidArgument, `action[${a}] is NaN`, { location: { field: `action[${a}]` } });
    // Math.min/max keep the value in float64; a ternary mixing it with the (maybe small-integer)
    // bound makes V8 box every result as a heap number.
    out[a] = Math.min(bound, Math.max(-bound, x));
  }
  return normalizeWeightsInto(out, out, limits.maxPositionSize, limits.maxAssetWeight);
}

/** The weights an action holds (allocates; use `actionToWeightsInto` on hot paths). */
export function actionToWeights(action: ArrayLike<number>, limits: WeightLimits): Float64Array {
  return actionToWeightsInto(new Float64Array(action.length), action, limits);
}
