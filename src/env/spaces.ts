/** Gymnasium-style spaces: a shape, `sample(rng)` and `contains(x)`. */
import { invalidArgument } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/** A box of real vectors, low ≤ x ≤ high elementwise (bounds may be ±Infinity). */
export class Box {
  readonly kind = 'box';
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly shape: readonly number[];
  readonly size: number;

  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape: readonly number[]) {
    this.shape = [...shape];
    this.size = shape.reduce((a, b) => a * b, 1);
    this.low = typeof low === 'number' ? new Float64Array(this.size).fill(low) : Float64Array.from(low);
    this.high = typeof high === 'number' ? new Float64Array(this.size).fill(high) : Float64Array.from(high);
    if (this.low.length !== this.size || this.high.length !== this.size) throw invalidArgument(`Box bounds must have ${this.size} values`);
    for (let i = 0; i < this.size; i++) if (!(this.low[i]! <= this.high[i]!)) throw invalidArgument(`Box low[${i}] > high[${i}]`);
  }

  /** Uniform on bounded coordinates; standard normal where unbounded (as Gymnasium). */
  sample(rng: Rng, out = new Float64Array(this.size)): Float64Array {
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      if (Number.isFinite(lo) && Number.isFinite(hi)) out[i] = rng.uniform(lo, hi);
      else if (Number.isFinite(lo)) out[i] = lo - Math.log(1 - rng.next());
      else if (Number.isFinite(hi)) out[i] = hi + Math.log(1 - rng.next());
      else out[i] = rng.normal();
    }
    return out;
  }

  contains(x: ArrayLike<number>): boolean {
    if (x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = x[i]!;
      if (Number.isNaN(v) || v < this.low[i]! || v > this.high[i]!) return false;
    }
    return true;
  }
}

/** The integers 0 .. n−1. */
export class Discrete {
  readonly kind = 'discrete';
  readonly shape: readonly number[] = [];
  readonly size = 1;
  constructor(readonly n: number) {
    if (!(Number.isInteger(n) && n > 0)) throw invalidArgument(`Discrete n must be a positive integer, got ${n}`);
  }
  sample(rng: Rng): number {
    return rng.int(this.n);
  }
  contains(x: number | ArrayLike<number>): boolean {
    const v = typeof x === 'number' ? x : x.length === 1 ? x[0]! : Number.NaN;
    return Number.isInteger(v) && v >= 0 && v < this.n;
  }
}

export type Space = Box | Discrete;
