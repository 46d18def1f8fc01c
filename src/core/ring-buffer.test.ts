import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Float64Ring } from './ring-buffer.js';

describe('Float64Ring', () => {
  it('keeps the last `capacity` values in order and returns what it evicts', () => {
    const ring = new Float64Ring(3);
    expect(Number.isNaN(ring.push(1))).toBe(true);
    ring.push(2);
    ring.push(3);
    expect(ring.push(4)).toBe(1);
    expect([ring.get(0), ring.get(1), ring.get(2)]).toEqual([2, 3, 4]);
    expect(ring.last()).toBe(4);
    expect(ring.length).toBe(3);
  });

  it('never holds more than its capacity and always ends with the newest values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.double({ noNaN: true }), { maxLength: 100 }), (capacity, values) => {
        const ring = new Float64Ring(capacity);
        for (const v of values) ring.push(v);
        const kept = values.slice(-capacity);
        expect(ring.length).toBe(kept.length);
        const out = new Float64Array(capacity);
        ring.copyInto(out);
        expect(Array.from(out.subarray(0, kept.length))).toEqual(kept);
      }),
    );
  });
});
