/**
 * The specification's ExperienceBuffer (6.3) with its defects fixed (spec README, defect 5):
 * preallocated storage written at a circular position; a sum tree of priority^α for all entries and
 * one per regime, so sampling and priority updates are O(log n); a slot that the ring overwrites
 * leaves its old regime's tree (regime indices stay consistent); sampling draws with replacement, so
 * it never fails when fewer entries than requested have non-zero probability; and the importance
 * weights come from the probabilities actually used to sample.
 *
 * Sampling distribution. With a current regime r that holds entries, a share ρ (`regimeShare`, the
 * specification's 50 %) of the batch is drawn from r by priority and the rest from all entries by
 * priority, so each draw comes from the mixture
 *   q(i) = ρ·[regime(i) = r]·p_i^α / Σ_{j∈r} p_j^α + (1 − ρ)·p_i^α / Σ_j p_j^α;
 * without one, q(i) = p_i^α / Σ_j p_j^α. Importance weights are w_i = (N·q(i))^−β, divided by the
 * largest weight any entry can have, (N·(1 − ρ)·min_j p_j^α / Σ_j p_j^α)^−β (the min tree), so they
 * are ≤ 1 and do not depend on which entries the batch happened to draw. β grows by
 * `betaIncrement` per batch up to 1. New experience gets the largest priority seen so far.
 */
import { invalidArgument, invalidField } from '../core/errors.js';
import { checkMemoryEstimate, memoryEstimate } from '../core/memory-budget.js';

import type { Rng } from '../core/rng.js';
import { MinTree, SumTree } from './segment-tree.js';

export interface PrioritizedReplayOptions {
  capacity: number;
  /** Values per state (the agent's observation size). */
  stateSize: number;
  /** Values per action (weights, or one-hot for discrete). */
  actionSize: number;
  /** Priority exponent α (spec 0.6). */
  alpha: number;
  /** Initial importance exponent β (spec 0.4), annealed to 1. */
  beta: number;
  betaIncrement: number;
  /** Share of a batch drawn from the current regime (spec 0.5). */
  regimeShare: number;
  /** Regime labels 0 .. maxRegimes − 1 are accepted (−1: none). */
  maxRegimes: number;
  /** Added to |TD error| so no entry's priority is 0. */
  epsilon: number;
}

export const PRIORITIZED_REPLAY_DEFAULTS = { capacity: 10_000, alpha: 0.6, beta: 0.4, betaIncrement: 0.001, regimeShare: 0.5, maxRegimes: 16, epsilon: 1e-6 } as const;

/**
 * Bounds of a buffer's sizes, whoever gives them (options, or the header of a saved buffer): 100× the
 * specification's 10,000 transitions, an observation of 16 M values (lookback 2048 × 30 assets × 33
 * features is 2 M), 65,536 action values and 256 regime labels. Within them, a buffer must also fit
 * the memory budget (src/core/memory-budget.ts).
 */
export const REPLAY_LIMITS = { capacity: 1_000_000, stateSize: 2 ** 24, actionSize: 2 ** 16, maxRegimes: 256 } as const;

/** Bytes a buffer of these sizes holds when full: its transitions, its sum and min trees, and a sum tree per regime label. */
export function replayBufferBytes(options: Pick<PrioritizedReplayOptions, 'capacity' | 'stateSize' | 'actionSize' | 'maxRegimes'>): number {
  const treeBytes = 2 * 2 ** Math.ceil(Math.log2(options.capacity)) * 8;
  // Per transition: state and next state, action, reward (float32), done (byte), regime (int32), priority (float64).
  return options.capacity * ((2 * options.stateSize + options.actionSize + 1) * 4 + 1 + 4 + 8) + treeBytes * (2 + options.maxRegimes);
}

/** A sampled batch: row-major copies of the transitions, their slots and importance weights. */
export interface ReplayBatch {
  indices: Int32Array;
  weights: Float32Array;
  states: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextStates: Float32Array;
  dones: Uint8Array;
  regimes: Int32Array;
}

const MAGIC = 'grpo-trader-replay-v2';

export class PrioritizedReplayBuffer {
  readonly options: PrioritizedReplayOptions;
  /** Number of stored transitions (≤ capacity). */
  size = 0;
  /** Slot the next transition is written to. */
  position = 0;
  beta: number;
  /** Largest priority (before ^α) seen so far: new experience gets it. */
  maxPriority = 1;

  private readonly states: Float32Array;
  private readonly actions: Float32Array;
  private readonly rewards: Float32Array;
  private readonly nextStates: Float32Array;
  private readonly dones: Uint8Array;
  private readonly regimes: Int32Array;
  private readonly priorities: Float64Array;
  private readonly all: SumTree;
  private readonly minimum: MinTree;
  private readonly byRegime: SumTree[] = [];

  constructor(options: Partial<PrioritizedReplayOptions> & Pick<PrioritizedReplayOptions, 'stateSize' | 'actionSize'>) {
    const o = (this.options = { ...PRIORITIZED_REPLAY_DEFAULTS, ...options });
    const integer = (name: keyof typeof REPLAY_LIMITS, value: number) => {
      if (!Number.isInteger(value) || value < 1 || value > REPLAY_LIMITS[name]) throw invalidField(name, `replay buffer: ${name} must be an integer in 1 .. ${REPLAY_LIMITS[name]}, got ${value}`);
    };
    integer('capacity', o.capacity);
    integer('stateSize', o.stateSize);
    integer('actionSize', o.actionSize);
    integer('maxRegimes', o.maxRegimes);
    for (const [name, value, low, high] of [['alpha', o.alpha, 0, 10], ['beta', o.beta, 0, 1], ['betaIncrement', o.betaIncrement, 0, 1], ['regimeShare', o.regimeShare, 0, 1]] as const) {
      if (!(value >= low && value <= high)) throw invalidField(name, `replay buffer: ${name} must be in [${low}, ${high}], got ${value}`);
    }
    if (!(o.epsilon > 0)) throw invalidField('epsilon', `replay buffer: epsilon must be positive, got ${o.epsilon}`);
    const what = `replay buffer (${o.capacity} transitions of ${o.stateSize}-value states)`;
    checkMemoryEstimate(memoryEstimate([{ field: 'capacity', value: o.capacity, what, bytes: replayBufferBytes(o) }]), { what: 'the replay buffer' });
    const n = o.capacity;
    this.beta = o.beta;
    this.states = new Float32Array(n * o.stateSize);
    this.nextStates = new Float32Array(n * o.stateSize);
    this.actions = new Float32Array(n * o.actionSize);
    this.rewards = new Float32Array(n);
    this.dones = new Uint8Array(n);
    this.regimes = new Int32Array(n).fill(-1);
    this.priorities = new Float64Array(n);
    this.all = new SumTree(n);
    this.minimum = new MinTree(n);
  }

  private regimeTree(regime: number): SumTree {
    let tree = this.byRegime[regime];
    if (!tree) tree = this.byRegime[regime] = new SumTree(this.options.capacity);
    return tree;
  }

  /** Store a transition (copied) with the largest priority seen; returns its slot. */
  add(state: ArrayLike<number>, action: ArrayLike<number>, reward: number, nextState: ArrayLike<number>, done: boolean, regime = -1): number {
    const o = this.options;
    if (state.length !== o.stateSize || nextState.length !== o.stateSize) throw invalidField('state', `replay buffer: a state has ${state.length} / ${nextState.length} values, expected ${o.stateSize}`);
    if (action.length !== o.actionSize) throw invalidField('action', `replay buffer: an action has ${action.length} values, expected ${o.actionSize}`);
    if (!Number.isInteger(regime) || regime < -1 || regime >= o.maxRegimes) throw invalidField('regime', `replay buffer: regime must be an integer in −1 .. ${o.maxRegimes - 1}, got ${regime}`);
    if (!Number.isFinite(reward)) throw invalidField('reward', `replay buffer: reward must be finite, got ${reward}`);
    const slot = this.position;
    this.states.set(state, slot * o.stateSize);
    this.nextStates.set(nextState, slot * o.stateSize);
    this.actions.set(action, slot * o.actionSize);
    this.rewards[slot] = reward;
    this.dones[slot] = done ? 1 : 0;
    const previous = this.regimes[slot]!;
    if (previous >= 0 && previous !== regime) this.byRegime[previous]!.set(slot, 0);
    this.regimes[slot] = regime;
    this.setPriority(slot, this.maxPriority);
    this.position = (slot + 1) % o.capacity;
    this.size = Math.min(this.size + 1, o.capacity);
    return slot;
  }

  private setPriority(slot: number, priority: number): void {
    this.priorities[slot] = priority;
    const scaled = Math.pow(priority, this.options.alpha);
    this.all.set(slot, scaled);
    this.minimum.set(slot, scaled);
    const regime = this.regimes[slot]!;
    if (regime >= 0) this.regimeTree(regime).set(slot, scaled);
  }

  /** Entries stored under `regime`'s label. */
  regimeWeight(regime: number): number {
    return this.byRegime[regime]?.total() ?? 0;
  }

  /**
   * Draw `batchSize` transitions (with replacement, stratified over the priority mass) from the
   * mixture described above, using `rng` for every draw; anneals β afterwards. `into`, a batch of
   * the same size, is filled instead of allocating one.
   */
  sample(batchSize: number, rng: Rng, currentRegime = -1, into?: ReplayBatch): ReplayBatch {
    if (this.size === 0) throw invalidArgument('replay buffer: cannot sample from an empty buffer');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw invalidField('batchSize', `replay buffer: batch size must be a positive integer, got ${batchSize}`);
    const o = this.options;
    const regimeTree = currentRegime >= 0 ? this.byRegime[currentRegime] : undefined;
    const regimeTotal = regimeTree?.total() ?? 0;
    const share = regimeTotal > 0 ? o.regimeShare : 0;
    const fromRegime = Math.round(share * batchSize);
    const total = this.all.total();
    const batch: ReplayBatch = into && into.indices.length === batchSize ? into : {
      indices: new Int32Array(batchSize),
      weights: new Float32Array(batchSize),
      states: new Float32Array(batchSize * o.stateSize),
      actions: new Float32Array(batchSize * o.actionSize),
      rewards: new Float32Array(batchSize),
      nextStates: new Float32Array(batchSize * o.stateSize),
      dones: new Uint8Array(batchSize),
      regimes: new Int32Array(batchSize),
    };
    const n = this.size;
    const lowest = Math.max(1e-300, (1 - share) * (this.minimum.min() / total));
    const maxWeight = Math.pow(n * lowest, -this.beta);
    for (let k = 0; k < batchSize; k++) {
      // Stratified: draw k of each source falls in its own segment of that source's mass.
      const local = k < fromRegime ? k : k - fromRegime;
      const count = k < fromRegime ? fromRegime : batchSize - fromRegime;
      const tree = k < fromRegime ? regimeTree! : this.all;
      const mass = tree.total();
      const slot = Math.min(tree.find(((local + rng.next()) / count) * mass), n - 1);
      const scaled = this.all.get(slot);
      const q = (1 - share) * (scaled / total) + (share > 0 && this.regimes[slot] === currentRegime ? share * (scaled / regimeTotal) : 0);
      batch.indices[k] = slot;
      batch.weights[k] = Math.min(1, Math.pow(n * q, -this.beta) / maxWeight);
      // Plain loops: a subarray view per row would allocate on this hot path.
      const S = o.stateSize;
      for (let d = 0; d < S; d++) {
        batch.states[k * S + d] = this.states[slot * S + d]!;
        batch.nextStates[k * S + d] = this.nextStates[slot * S + d]!;
      }
      for (let a = 0; a < o.actionSize; a++) batch.actions[k * o.actionSize + a] = this.actions[slot * o.actionSize + a]!;
      batch.rewards[k] = this.rewards[slot]!;
      batch.dones[k] = this.dones[slot]!;
      batch.regimes[k] = this.regimes[slot]!;
    }
    this.beta = Math.min(1, this.beta + o.betaIncrement);
    return batch;
  }

  /** New priorities |δ| + ε from the TD errors of a sampled batch's slots. */
  updatePriorities(indices: ArrayLike<number>, tdErrors: ArrayLike<number>): void {
    if (indices.length !== tdErrors.length) throw invalidField('tdErrors', `replay buffer: ${indices.length} indices but ${tdErrors.length} TD errors`);
    for (let k = 0; k < indices.length; k++) {
      const slot = indices[k]!;
      if (!(Number.isInteger(slot) && slot >= 0 && slot < this.size)) throw invalidField('indices', `replay buffer: slot ${slot} is not stored`);
      const error = Math.abs(tdErrors[k]!);
      if (!Number.isFinite(error)) throw invalidField('tdErrors', `replay buffer: TD error ${tdErrors[k]} at slot ${slot} is not finite`);
      const priority = error + this.options.epsilon;
      if (priority > this.maxPriority) this.maxPriority = priority;
      this.setPriority(slot, priority);
    }
  }

  /** Priority (before ^α) of a slot. */
  priority(slot: number): number {
    return this.priorities[slot]!;
  }

  /** Regime label stored at a slot (−1: none). */
  regimeAt(slot: number): number {
    return this.regimes[slot]!;
  }

  /** The transition in `slot`: views into the storage, valid until the slot is overwritten. */
  entry(slot: number): { state: Float32Array; action: Float32Array; reward: number; nextState: Float32Array; done: boolean; regime: number } {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < this.size)) throw invalidField('slot', `replay buffer: slot ${slot} is not in 0 .. ${this.size - 1}`);
    const { stateSize: D, actionSize: A } = this.options;
    return {
      state: this.states.subarray(slot * D, (slot + 1) * D),
      action: this.actions.subarray(slot * A, (slot + 1) * A),
      reward: this.rewards[slot]!,
      nextState: this.nextStates.subarray(slot * D, (slot + 1) * D),
      done: this.dones[slot] === 1,
      regime: this.regimes[slot]!,
    };
  }

  /** The whole buffer as bytes (a JSON header line, then the stored rows of each array): what a checkpoint writes. */
  serialize(): Uint8Array {
    const { stateSize: D, actionSize: A } = this.options;
    const n = this.size;
    // Slots fill from 0, so the stored rows are the first `size` of each array.
    const arrays = [this.states.subarray(0, n * D), this.actions.subarray(0, n * A), this.rewards.subarray(0, n), this.nextStates.subarray(0, n * D), this.dones.subarray(0, n), this.regimes.subarray(0, n), this.priorities.subarray(0, n)];
    const header = JSON.stringify({ magic: MAGIC, options: this.options, size: this.size, position: this.position, beta: this.beta, maxPriority: this.maxPriority, lengths: arrays.map((a) => a.byteLength) });
    const headerBytes = new TextEncoder().encode(`${header}\n`);
    const out = new Uint8Array(headerBytes.length + arrays.reduce((s, a) => s + a.byteLength, 0));
    out.set(headerBytes, 0);
    let offset = headerBytes.length;
    for (const a of arrays) {
      out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
      offset += a.byteLength;
    }
    return out;
  }

  /** Rebuild a buffer from `serialize` bytes (trees recomputed from the priorities). */
  static deserialize(bytes: Uint8Array): PrioritizedReplayBuffer {
    const newline = bytes.indexOf(10);
    let header: { magic: string; options: PrioritizedReplayOptions; size: number; position: number; beta: number; maxPriority: number; lengths: number[] };
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline))) as typeof header;
    } catch {
      throw invalidArgument('not a grpo-trader replay buffer (unreadable header)');
    }
    if (header.magic !== MAGIC) throw invalidArgument(`not a grpo-trader replay buffer (magic ${JSON.stringify(header.magic)})`);
    const buffer = new PrioritizedReplayBuffer(header.options);
    if (!(Number.isInteger(header.size) && header.size >= 0 && header.size <= buffer.options.capacity && Number.isInteger(header.position) && header.position >= 0 && header.position < buffer.options.capacity)) {
      throw invalidArgument(`replay buffer header: size ${header.size} / position ${header.position} do not fit capacity ${buffer.options.capacity}`);
    }
    const targets = [buffer.states, buffer.actions, buffer.rewards, buffer.nextStates, buffer.dones, buffer.regimes, buffer.priorities];
    let offset = newline + 1;
    targets.forEach((target, i) => {
      const length = header.lengths[i]!;
      const expected = (target.byteLength / header.options.capacity) * header.size;
      if (length !== expected || offset + length > bytes.length) throw invalidArgument('replay buffer bytes are truncated or of another size');
      new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(bytes.subarray(offset, offset + length));
      offset += length;
    });
    buffer.size = header.size;
    buffer.position = header.position;
    buffer.beta = header.beta;
    buffer.maxPriority = header.maxPriority;
    for (let slot = 0; slot < buffer.size; slot++) buffer.setPriority(slot, buffer.priorities[slot]!);
    return buffer;
  }
}
