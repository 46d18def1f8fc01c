/** Activations used by the networks. */
import { nn } from './jax.js';
import type { Array } from './jax.js';

/** 'exact' is PyTorch's default `nn.GELU()` (x·Φ(x) through erf); 'tanh' is its tanh approximation. */
export type GeluForm = 'exact' | 'tanh';

/** GELU in the chosen form; consumes x. */
export function gelu(x: Array, form: GeluForm = 'exact'): Array {
  return nn.gelu(x, { approximate: form === 'tanh' });
}
