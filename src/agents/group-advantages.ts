/** Within-group advantages of group-relative GRPO (pure typed-array code, no jax). */

export type AdvantageNormalization = 'std' | 'mean';

/**
 * For `groups` groups of `groupSize` scores laid out contiguously: advantage = score − group mean,
 * divided by (population std + epsilon) when `normalization` is 'std' (GRPO) and left in reward
 * units when 'mean' (Dr. GRPO). A group whose std is ≤ `minStd` carries no signal: its advantages
 * are 0 and its mask 0 (dropped, DAPO's dynamic sampling filter). Returns the number of groups kept.
 */
export function groupAdvantagesInto(
  advantages: Float32Array,
  mask: Float32Array,
  scores: Float64Array,
  groups: number,
  groupSize: number,
  normalization: AdvantageNormalization,
  minStd = 1e-8,
  epsilon = 1e-8,
): number {
  let kept = 0;
  for (let group = 0; group < groups; group++) {
    const base = group * groupSize;
    let mean = 0;
    for (let g = 0; g < groupSize; g++) mean += scores[base + g]!;
    mean /= groupSize;
    let variance = 0;
    for (let g = 0; g < groupSize; g++) {
      const d = scores[base + g]! - mean;
      variance += d * d;
    }
    const std = Math.sqrt(variance / groupSize);
    const keep = std > minStd;
    if (keep) kept++;
    const divisor = normalization === 'std' ? std + epsilon : 1;
    for (let g = 0; g < groupSize; g++) {
      advantages[base + g] = keep ? (scores[base + g]! - mean) / divisor : 0;
      mask[base + g] = keep ? 1 : 0;
    }
  }
  return kept;
}
