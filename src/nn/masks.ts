/**
 * Attention masks as additive biases (0 = attend, MASKED = blocked). A large finite negative instead
 * of −∞ keeps a fully masked row finite (uniform weights) rather than NaN.
 */
import { invalidNetworkInput } from './config-errors.js';
import { numpy as np } from './jax.js';
import type { Array } from './jax.js';

export const MASKED = -1e9;

/** Causal bias [L, L]: position i attends to positions ≤ i. */
export function causalBias(length: number): Array {
  const data = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) data[i * length + j] = MASKED;
  return np.array(data, { shape: [length, length] });
}

/**
 * Key-padding bias [B, 1, 1, S] from valid lengths: keys at positions ≥ lengths[b] are masked
 * (PyTorch's `key_padding_mask` with padding at the end).
 */
export function paddingBias(lengths: ArrayLike<number>, keyLength: number): Array {
  const batch = lengths.length;
  const data = new Float32Array(batch * keyLength);
  for (let b = 0; b < batch; b++) {
    const valid = lengths[b]!;
    if (!Number.isInteger(valid) || valid < 1 || valid > keyLength) throw invalidNetworkInput(`lengths[${b}]`, valid, `must be an integer in 1..${keyLength}`);
    for (let s = valid; s < keyLength; s++) data[b * keyLength + s] = MASKED;
  }
  return np.array(data, { shape: [batch, 1, 1, keyLength] });
}

/** Padding weights [B, S] (1 valid, 0 padded) for masked pooling. */
export function validMask(lengths: ArrayLike<number>, keyLength: number): Array {
  const batch = lengths.length;
  const data = new Float32Array(batch * keyLength);
  for (let b = 0; b < batch; b++) for (let s = 0; s < Math.min(lengths[b]!, keyLength); s++) data[b * keyLength + s] = 1;
  return np.array(data, { shape: [batch, keyLength] });
}
