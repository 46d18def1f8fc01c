/** Positional encodings: the fixed sinusoidal table of "Attention is all you need" and a learned table. */
import { invalidNetworkInput } from './config-errors.js';
import type { Rng } from '../core/index.js';
import { numpy as np } from './jax.js';
import type { Array } from './jax.js';
import { normalArray } from './initializers.js';

/** The specification's maximum sequence length for positional encodings. */
export const DEFAULT_MAX_LENGTH = 200;

/** Sinusoidal table [maxLength, d]: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same). */
export function sinusoidalTable(maxLength: number, dModel: number): Float32Array {
  const table = new Float32Array(maxLength * dModel);
  for (let position = 0; position < maxLength; position++) {
    for (let i = 0; i < dModel; i += 2) {
      const angle = position / Math.pow(10000, i / dModel);
      table[position * dModel + i] = Math.sin(angle);
      if (i + 1 < dModel) table[position * dModel + i + 1] = Math.cos(angle);
    }
  }
  return table;
}

/** The first `length` rows of the sinusoidal table as a jax array [length, d]. */
export function sinusoidalEncoding(length: number, dModel: number): Array {
  return np.array(sinusoidalTable(length, dModel), { shape: [length, dModel] });
}

/** Learned table [maxLength, d], N(0, 1) like PyTorch's `nn.Embedding`. */
export function initLearnedPositions(rng: Rng, maxLength: number, dModel: number): Array {
  return normalArray(rng, [maxLength, dModel]);
}

/** Add positions to x [B, T, d]: rows 0..T-1 of `table` [maxLength, d]. Consumes both. */
export function addPositions(x: Array, table: Array): Array {
  const length = x.shape[1]!;
  if (length > table.shape[0]!) throw invalidNetworkInput('sequence length', length, `exceeds the positional table's ${table.shape[0]} rows (maxLength)`);
  return x.add(table.slice([0, length]));
}
