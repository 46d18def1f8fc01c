/**
 * What a forward pass needs besides parameters and inputs: train/eval mode and, in training, a
 * jax-js PRNG key that dropout sites split from in a fixed order (so a seed reproduces a pass).
 */
import { invalidNetworkInput } from './config-errors.js';
import { numpy as np, random } from './jax.js';
import type { Array } from './jax.js';

export class ForwardContext {
  private key: Array | null;

  /** `key` is consumed; pass null for evaluation (dropout is the identity). */
  constructor(
    readonly training: boolean,
    key: Array | null = null,
  ) {
    this.key = key;
  }

  /** Evaluation mode: no dropout, no key. */
  static evaluation(): ForwardContext {
    return new ForwardContext(false, null);
  }

  /** Inverted dropout: zero each element with probability `rate`, scale the rest by 1/(1-rate). */
  dropout(x: Array, rate: number): Array {
    if (!this.training || rate <= 0) return x;
    const keep = random.uniform(this.nextKey(), x.shape).greaterEqual(rate);
    return x.mul(keep.astype(np.float32)).mul(1 / (1 - rate));
  }

  /** A fresh key for a sampling site; throws when the context has none. */
  nextKey(): Array {
    if (!this.key) throw invalidNetworkInput('key', 'null', 'training with dropout needs a PRNG key (jax.random.key(seed)), or set dropout 0');
    const keys = random.split(this.key, 2);
    this.key = keys.ref.slice(0);
    return keys.slice(1);
  }

  /** Release the remaining key (call once the forward pass is built). */
  dispose(): void {
    this.key?.dispose();
    this.key = null;
  }
}
