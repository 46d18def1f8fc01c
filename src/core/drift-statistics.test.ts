/** PSI against a hand calculation and numpy's type-7 quantiles. */
import { describe, expect, it } from 'vitest';
import { driftReference, populationStabilityIndex, quantileEdges } from './drift-statistics.js';

describe('drift statistics', () => {
  it('quantile edges are numpy.quantile (linear) at k/bins', () => {
    // numpy.quantile([1..10], [0.25, 0.5, 0.75]) = [3.25, 5.5, 7.75]
    expect(quantileEdges([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 4)).toEqual([3.25, 5.5, 7.75]);
    expect(quantileEdges([Number.NaN, Number.POSITIVE_INFINITY])).toEqual([]);
  });

  it('PSI is 0 on the reference itself and matches a hand calculation on a shifted sample', () => {
    const reference = driftReference([1, 2, 3, 4, 5, 6, 7, 8], 2)!;
    expect(reference.edges).toEqual([4.5]);
    expect(reference.shares).toEqual([0.5, 0.5]);
    expect(populationStabilityIndex(reference, [1, 2, 3, 4, 5, 6, 7, 8])).toBe(0);
    // New sample: 1 of 4 below 4.5 → p = [0.25, 0.75]; PSI = (0.25−0.5)·ln(0.5) + (0.75−0.5)·ln(1.5).
    const expected = -0.25 * Math.log(0.5) + 0.25 * Math.log(1.5);
    expect(populationStabilityIndex(reference, [2, 5, 6, 7])).toBeCloseTo(expected, 15);
    expect(populationStabilityIndex(reference, [Number.NaN])).toBeNaN();
  });
});
