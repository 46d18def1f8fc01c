/**
 * Sum and min trees over a fixed number of leaves, each one flat Float64Array (Dopamine's and
 * Tianshou's layout: node k has children 2k and 2k+1, leaves at [size, 2·size)). O(log n) updates,
 * O(1) totals, O(log n) prefix-sum search. The replay buffer keeps one sum tree of priority^α for
 * all entries, one per regime, and a min tree for the importance-weight bound.
 */
import { invalidArgument } from '../core/errors.js';

function leafCount(capacity: number): number {
  if (!Number.isInteger(capacity) || capacity < 1) throw invalidArgument(`tree capacity must be a positive integer, got ${capacity}`);
  let size = 1;
  while (size < capacity) size *= 2;
  return size;
}

/** The flat layout both trees share: leaves at [size, 2·size), node k's children at 2k and 2k + 1. */
abstract class FlatTree {
  readonly capacity: number;
  protected readonly size: number;
  protected readonly nodes: Float64Array;

  protected constructor(capacity: number, empty: number) {
    this.capacity = capacity;
    this.size = leafCount(capacity);
    this.nodes = new Float64Array(2 * this.size).fill(empty);
  }
}

/** Σ of leaf values with prefix search: the sampler of a prioritised replay buffer. */
export class SumTree extends FlatTree {
  constructor(capacity: number) {
    super(capacity, 0);
  }

  /** Sum of every leaf. */
  total(): number {
    return this.nodes[1]!;
  }

  get(index: number): number {
    return this.nodes[this.size + index]!;
  }

  /** Set leaf `index` (a non-negative finite value) and update its ancestors. */
  set(index: number, value: number): void {
    let node = this.size + index;
    this.nodes[node] = value;
    node >>= 1;
    while (node >= 1) {
      this.nodes[node] = this.nodes[2 * node]! + this.nodes[2 * node + 1]!;
      node >>= 1;
    }
  }

  /**
   * The leaf whose cumulative interval holds `prefix` (0 ≤ prefix < total): the first index i with
   * Σ_{j≤i} value_j > prefix. Rounding at the top end never selects a zero leaf.
   */
  find(prefix: number): number {
    let node = 1;
    let remaining = prefix;
    while (node < this.size) {
      const left = 2 * node;
      const leftSum = this.nodes[left]!;
      if (remaining < leftSum || this.nodes[left + 1]! <= 0) node = left;
      else {
        remaining -= leftSum;
        node = left + 1;
      }
    }
    return node - this.size;
  }

  /** Zero every leaf. */
  clear(): void {
    this.nodes.fill(0);
  }
}

/** Minimum over leaves (empty leaves are +∞). */
export class MinTree extends FlatTree {
  constructor(capacity: number) {
    super(capacity, Number.POSITIVE_INFINITY);
  }

  min(): number {
    return this.nodes[1]!;
  }

  set(index: number, value: number): void {
    let node = this.size + index;
    this.nodes[node] = value;
    node >>= 1;
    while (node >= 1) {
      const left = this.nodes[2 * node]!;
      const right = this.nodes[2 * node + 1]!;
      this.nodes[node] = left < right ? left : right;
      node >>= 1;
    }
  }

  clear(): void {
    this.nodes.fill(Number.POSITIVE_INFINITY);
  }
}
