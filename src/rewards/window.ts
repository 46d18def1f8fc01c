/**
 * A fixed-capacity window of recent returns, oldest overwritten first; flat state for snapshots.
 * Rewards append with `values[position] = r; advance()`: passing a double to a call V8 does not
 * inline would box it, and rewards run inside every environment step.
 */
export class ReturnWindow {
  readonly values: Float64Array;
  /** Next slot to write. */
  position = 0;
  /** Values held (≤ capacity). */
  size = 0;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Commit the value just written at `values[position]`. */
  advance(): void {
    this.position = this.position + 1 === this.capacity ? 0 : this.position + 1;
    if (this.size < this.capacity) this.size++;
  }

  push(value: number): void {
    this.values[this.position] = value;
    this.advance();
  }

  clear(): void {
    this.position = 0;
    this.size = 0;
    this.values.fill(0);
  }

  /** Mean of the held values (NaN when empty). */
  mean(): number {
    let sum = 0;
    for (let i = 0; i < this.size; i++) sum += this.values[i]!;
    return sum / this.size;
  }

  get stateSize(): number {
    return this.capacity + 2;
  }

  saveStateInto(out: Float64Array, offset: number): void {
    out[offset] = this.position;
    out[offset + 1] = this.size;
    out.set(this.values, offset + 2);
  }

  loadState(source: Float64Array, offset: number): void {
    this.position = source[offset]!;
    this.size = source[offset + 1]!;
    this.values.set(source.subarray(offset + 2, offset + 2 + this.capacity));
  }
}
