import { invalidArgument } from './errors.js';
/** Fixed-capacity ring of numbers over a Float64Array; push overwrites the oldest value. No allocation after construction. */
export class Float64Ring {
  readonly capacity: number;
  private readonly values: Float64Array;
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw invalidArgument(`Float64Ring: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Append a value; returns the value pushed out, or NaN if the ring was not full. */
  push(value: number): number {
    if (this.count < this.capacity) {
      this.values[(this.start + this.count) % this.capacity] = value;
      this.count++;
      return Number.NaN;
    }
    const evicted = this.values[this.start]!;
    this.values[this.start] = value;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** Value i positions from the oldest (0 = oldest). */
  get(i: number): number {
    if (i < 0 || i >= this.count) return Number.NaN;
    return this.values[(this.start + i) % this.capacity]!;
  }

  /** Most recent value, or NaN if empty. */
  last(): number {
    return this.count === 0 ? Number.NaN : this.values[(this.start + this.count - 1) % this.capacity]!;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }

  /** Copy the contents, oldest first, into out (from offset). Returns the number copied. */
  copyInto(out: Float64Array, offset = 0): number {
    for (let i = 0; i < this.count; i++) out[offset + i] = this.values[(this.start + i) % this.capacity]!;
    return this.count;
  }
}
