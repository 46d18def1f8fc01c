/**
 * The specification's weight normalisation (4.2.3): first scale the whole vector down so that the
 * gross exposure Σ|w| is at most `maxPositionSize`, then clip each weight to ±`maxAssetWeight`.
 * Clipping only shrinks weights, so the gross cap still holds afterwards.
 */

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
