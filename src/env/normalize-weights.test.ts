/**
 * The one rule from an action to the weights a portfolio holds (`actionToWeightsInto`): clip to
 * ±actionBound, then the specification's 4.2.3 normalisation — checked against hand-computed values
 * and an independent statement of the rule, and against what the environment holds after a step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../core/errors.js';
import { MultiAssetEnv } from './multi-asset-env.js';
import { actionToWeights, actionToWeightsInto, normalizeWeights } from './normalize-weights.js';
import { randomMarket } from './test-helpers.js';

/** The rule as the docs state it, written out independently: clip, scale the gross down to the cap, clip each. */
function reference(action: number[], bound: number, gross: number, asset: number): number[] {
  const clipped = action.map((x) => (x > bound ? bound : x < -bound ? -bound : x));
  const total = clipped.reduce((s, x) => s + Math.abs(x), 0);
  const scaled = total > gross ? clipped.map((x) => (x * gross) / total) : clipped;
  return scaled.map((x) => (x > asset ? asset : x < -asset ? -asset : x));
}

describe('actionToWeightsInto', () => {
  it('clips to ±actionBound, then caps the gross, then each asset (hand-computed)', () => {
    // clip: [1, −0.5, 0.1]; gross 1.6 > 1 → ×0.625: [0.625, −0.3125, 0.0625]; per-asset 0.4: [0.4, −0.3125, 0.0625].
    const out = actionToWeightsInto(new Float64Array(3), [2, -0.5, 0.1], { actionBound: 1, maxPositionSize: 1, maxAssetWeight: 0.4 });
    expect(Array.from(out)).toEqual([0.4, -0.3125, 0.0625]);
    // A bound that binds changes the answer normalisation alone gives: 0.2 each, not 1/3 each.
    const bound = { actionBound: 0.2, maxPositionSize: 1, maxAssetWeight: 1 };
    expect(Array.from(actionToWeights([0.5, 0.5, 0.5], bound))).toEqual([0.2, 0.2, 0.2]);
    expect(Array.from(normalizeWeights([0.5, 0.5, 0.5], 1, 1))).toEqual([1 / 3, 1 / 3, 1 / 3]);
    // ±Infinity is clipped like any other value.
    expect(Array.from(actionToWeights([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], { actionBound: 0.3, maxPositionSize: 1, maxAssetWeight: 1 }))).toEqual([0.3, -0.3]);
  });

  it('agrees with the rule written out independently, and may write over its input', () => {
    const limits = fc.record({ actionBound: fc.double({ min: 0.01, max: 3, noNaN: true }), maxPositionSize: fc.double({ min: 0.01, max: 3, noNaN: true }), maxAssetWeight: fc.double({ min: 0.01, max: 3, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 8 }), limits, (action, c) => {
        const expected = reference(action, c.actionBound, c.maxPositionSize, c.maxAssetWeight);
        const out = actionToWeights(action, c);
        expected.forEach((w, a) => expect(out[a]).toBeCloseTo(w, 12));
        const inPlace = Float64Array.from(action);
        expect(Array.from(actionToWeightsInto(inPlace, inPlace, c))).toEqual(Array.from(out));
      }),
    );
  });

  it('refuses a NaN action, naming its index', () => {
    expect(() => actionToWeights([0.1, Number.NaN], { actionBound: 1, maxPositionSize: 1, maxAssetWeight: 1 })).toThrow(expect.objectContaining({ code: ErrorCodes.invalidArgument, message: 'action[1] is NaN', location: { field: 'action[1]' } }));
  });

  it('is what the environment holds after a step, for any action', () => {
    const market = randomMarket(3, 3, 40);
    const features = { names: ['close'], values: Float64Array.from(market.close) };
    const config = { lookback: 2, includeCorrelation: false, actionBound: 0.35, maxPositionSize: 0.8, maxAssetWeight: 0.3 };
    const env = new MultiAssetEnv(market, features, config);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }), (action) => {
        env.reset();
        const held = Array.from(env.step(action).info.weightsAfter);
        expect(held).toEqual(Array.from(actionToWeights(action, env.config)));
        reference(action, 0.35, 0.8, 0.3).forEach((w, a) => expect(held[a]).toBeCloseTo(w, 12));
      }),
    );
  });
});
