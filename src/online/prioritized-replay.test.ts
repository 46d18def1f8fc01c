/**
 * The sum and min trees against naive sums and scans (random updates, as Tianshou's test_segtree),
 * and the prioritised replay buffer against a naive O(n) model of the same distribution: weights by
 * the formula, empirical frequencies, regime consistency when the ring overwrites, never failing on
 * few non-zero priorities, serialisation, determinism and no dependence on later additions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { PrioritizedReplayBuffer } from './prioritized-replay.js';
import { MinTree, SumTree } from './segment-tree.js';

describe('SumTree and MinTree', () => {
  it('match naive sums, minima and cumulative search under random updates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 10_000 }).map((x) => x / 100)), { minLength: 1, maxLength: 200 }), (capacity, updates) => {
        const sum = new SumTree(capacity);
        const min = new MinTree(capacity);
        const values = new Float64Array(capacity);
        const touched = new Set<number>();
        for (const [raw, value] of updates) {
          const index = raw % capacity;
          sum.set(index, value);
          min.set(index, value);
          values[index] = value;
          touched.add(index);
        }
        const total = values.reduce((s, v) => s + v, 0);
        expect(sum.total()).toBeCloseTo(total, 6);
        expect(min.min()).toBe(Math.min(...[...touched].map((i) => values[i]!)));
        if (total > 0) {
          for (const fraction of [0, 0.13, 0.5, 0.77, 0.999999]) {
            const prefix = fraction * sum.total();
            let cumulative = 0;
            let expected = -1;
            for (let i = 0; i < capacity; i++) {
              cumulative += values[i]!;
              if (cumulative > prefix) {
                expected = i;
                break;
              }
            }
            const found = sum.find(prefix);
            expect(values[found]).toBeGreaterThan(0);
            // Equal up to float rounding at an interval's edge: then the neighbour holding the mass.
            if (found !== expected) expect(Math.abs(values.slice(0, found).reduce((s, v) => s + v, 0) - prefix)).toBeLessThan(1e-6 * total);
          }
        }
      }),
    );
  });
});

const small = (extra = {}) => new PrioritizedReplayBuffer({ capacity: 8, stateSize: 2, actionSize: 1, ...extra });
const state = (x: number) => [x, -x];

describe('PrioritizedReplayBuffer', () => {
  it('never holds more than its capacity, and keeps each slot under the regime written last (defect 5)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 1, maxLength: 60 }), (regimes) => {
        const buffer = small({ maxRegimes: 4 });
        regimes.forEach((regime, t) => buffer.add(state(t), [0], 0, state(t + 1), false, regime));
        expect(buffer.size).toBe(Math.min(8, regimes.length));
        const last = regimes.slice(-8);
        for (let r = 0; r < 4; r++) {
          // The regime tree's mass is exactly the priority mass of the slots whose latest write had that regime.
          let expected = 0;
          for (let slot = 0; slot < buffer.size; slot++) if (buffer.regimeAt(slot) === r) expected += Math.pow(buffer.priority(slot), 0.6);
          expect(buffer.regimeWeight(r)).toBeCloseTo(expected, 9);
        }
        expect(last.length).toBeLessThanOrEqual(8);
      }),
    );
  });

  it('weights are (N·q)^−β over the largest possible weight, q the mixture actually sampled from — checked against a naive model', () => {
    const buffer = small({ maxRegimes: 3 });
    const regimes = [0, 1, 1, 2, 0, 1, 2, 2];
    regimes.forEach((regime, t) => buffer.add(state(t), [t], t, state(t + 1), false, regime));
    const errors = [0.5, 2, 0.1, 1, 3, 0.25, 0.7, 1.5];
    buffer.updatePriorities([0, 1, 2, 3, 4, 5, 6, 7], errors);
    const beta = buffer.beta;
    const batch = buffer.sample(6, new Rng(1), 1);
    // Naive: p_i = (|δ|+ε)^α, mixture 0.5 within regime 1 + 0.5 over all.
    const p = errors.map((e) => Math.pow(e + 1e-6, 0.6));
    const total = p.reduce((s, v) => s + v, 0);
    const inRegime = p.reduce((s, v, i) => s + (regimes[i] === 1 ? v : 0), 0);
    const q = p.map((v, i) => 0.5 * (v / total) + (regimes[i] === 1 ? 0.5 * (v / inRegime) : 0));
    const maxWeight = Math.pow(8 * 0.5 * (Math.min(...p) / total), -beta);
    batch.indices.forEach((slot, k) => {
      expect(batch.weights[k]).toBeCloseTo(Math.pow(8 * q[slot]!, -beta) / maxWeight, 5);
      expect(batch.rewards[k]).toBe(slot);
      expect(batch.actions[k]).toBe(slot);
      expect(Array.from(batch.states.subarray(2 * k, 2 * k + 2))).toEqual(state(slot));
    });
    // Half the batch (3 of 6) comes from regime 1.
    expect(Array.from(batch.regimes.subarray(0, 3))).toEqual([1, 1, 1]);
    expect(buffer.beta).toBeCloseTo(beta + 0.001, 12);
  });

  it('samples each entry with the mixture probability (empirical frequencies over 40,000 draws)', () => {
    const buffer = small({ maxRegimes: 2 });
    const regimes = [0, 0, 1, 1, 0, 1, 0, 1];
    regimes.forEach((regime, t) => buffer.add(state(t), [0], 0, state(t), false, regime));
    const errors = [1, 2, 3, 4, 0.5, 0.1, 5, 1];
    buffer.updatePriorities([0, 1, 2, 3, 4, 5, 6, 7], errors);
    const counts = new Float64Array(8);
    const rng = new Rng(3);
    for (let b = 0; b < 1000; b++) for (const slot of buffer.sample(40, rng, 0).indices) counts[slot]!++;
    const p = errors.map((e) => Math.pow(e + 1e-6, 0.6));
    const total = p.reduce((s, v) => s + v, 0);
    const inRegime = p.reduce((s, v, i) => s + (regimes[i] === 0 ? v : 0), 0);
    p.forEach((v, i) => {
      const q = 0.5 * (v / total) + (regimes[i] === 0 ? 0.5 * (v / inRegime) : 0);
      expect(Math.abs(counts[i]! / 40_000 - q)).toBeLessThan(0.01);
    });
  });

  it('does not fail when fewer entries than requested have priority mass, and gives new entries the largest priority seen', () => {
    const buffer = small();
    buffer.add(state(1), [0], 0, state(2), false);
    buffer.add(state(2), [0], 0, state(3), true);
    buffer.updatePriorities([0, 1], [0, 4]);
    const batch = buffer.sample(32, new Rng(5));
    expect(batch.indices.length).toBe(32);
    expect(new Set(batch.indices).size).toBeLessThanOrEqual(2);
    expect(buffer.priority(buffer.add(state(3), [0], 0, state(4), false))).toBeCloseTo(4 + 1e-6, 12);
    expect(() => small().sample(4, new Rng(1))).toThrow(/empty buffer/);
  });

  it('round-trips through bytes and samples identically afterwards; the same seed gives the same batches', () => {
    const buffer = new PrioritizedReplayBuffer({ capacity: 50, stateSize: 3, actionSize: 2, maxRegimes: 4 });
    const rng = new Rng(11);
    for (let t = 0; t < 70; t++) buffer.add([t, rng.normal(), 1], [rng.next(), -1], rng.normal(), [t + 1, 0, 1], t % 9 === 0, t % 4);
    buffer.updatePriorities([1, 5, 9, 40], [0.3, 2, 0.01, 7]);
    const restored = PrioritizedReplayBuffer.deserialize(buffer.serialize());
    expect(restored.size).toBe(50);
    expect(restored.position).toBe(20);
    expect(restored.sample(16, new Rng(2), 3)).toEqual(buffer.sample(16, new Rng(2), 3));
    expect(() => PrioritizedReplayBuffer.deserialize(new TextEncoder().encode('{"magic":"x"}\n'))).toThrow(/not a grpo-trader replay buffer/);
  });

  it('writes only what is stored: a partly filled buffer of a large capacity is small on disk and restores exactly', () => {
    const buffer = new PrioritizedReplayBuffer({ capacity: 100_000, stateSize: 3, actionSize: 2 });
    for (let t = 0; t < 10; t++) buffer.add([t, 0, 1], [0.5, -1], t / 10, [t + 1, 0, 1], false, t % 2);
    const bytes = buffer.serialize();
    // 10 rows × (2 states of 3 float32 + 2 float32 actions + float32 reward + done byte + int32 regime + float64 priority) + the header line.
    const rows = 10 * (2 * 3 * 4 + 2 * 4 + 4 + 1 + 4 + 8);
    const header = bytes.indexOf(10) + 1;
    expect(bytes.length).toBe(header + rows);
    const restored = PrioritizedReplayBuffer.deserialize(bytes);
    expect(restored.size).toBe(10);
    expect(restored.sample(8, new Rng(3), 1)).toEqual(buffer.sample(8, new Rng(3), 1));
    expect(() => PrioritizedReplayBuffer.deserialize(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
  });

  it('a batch drawn at step t does not depend on what is added after t', () => {
    const run = (later: number) => {
      const buffer = small();
      for (let t = 0; t < 6; t++) buffer.add(state(t), [t], t, state(t + 1), false);
      const rng = new Rng(9);
      const atT = buffer.sample(5, rng);
      for (let t = 0; t < 3; t++) buffer.add(state(later + t), [later], later, state(later), false);
      return atT;
    };
    expect(run(100)).toEqual(run(-7));
  });

  it('refuses a saved buffer whose header was edited to a huge size, naming the field, before allocating', () => {
    const buffer = new PrioritizedReplayBuffer({ capacity: 8, stateSize: 3, actionSize: 2 });
    buffer.add([1, 2, 3], [0, 1], 0.5, [2, 3, 4], false);
    const bytes = buffer.serialize();
    const newline = bytes.indexOf(10);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline))) as { options: Record<string, number> };
    const edited = (options: Record<string, number>) => {
      const text = new TextEncoder().encode(`${JSON.stringify({ ...header, options: { ...header.options, ...options } })}\n`);
      const out = new Uint8Array(text.length + bytes.length - newline - 1);
      out.set(text);
      out.set(bytes.subarray(newline + 1), text.length);
      return out;
    };
    expect(() => PrioritizedReplayBuffer.deserialize(edited({ stateSize: 1e10 }))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', location: { field: 'stateSize' } }));
    expect(() => PrioritizedReplayBuffer.deserialize(edited({ capacity: 1e9 }))).toThrow(/replay buffer: capacity must be an integer in 1 \.\. 1000000, got 1000000000/);
    // In bounds but over the memory budget (1,000,000 transitions of 16 M-value states): refused by the budget, naming capacity.
    expect(() => new PrioritizedReplayBuffer({ capacity: 1_000_000, stateSize: 2 ** 24, actionSize: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', location: { field: 'capacity', value: '1000000' } }));
  });

  it('names the field of bad input', () => {
    expect(() => small().add([1], [0], 0, [1, 2], false)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', location: { field: 'state' } }));
    expect(() => small().add(state(1), [0], Number.NaN, state(1), false)).toThrow(expect.objectContaining({ location: { field: 'reward' } }));
    expect(() => new PrioritizedReplayBuffer({ stateSize: 2, actionSize: 1, alpha: -1 })).toThrow(/alpha must be in/);
  });
});
