/** Host-side sampling from the policy's outputs with the project's seeded Rng (checkpointable). */
import type { Rng } from '../core/index.js';
import type { PolicyKind } from './policy.js';
import type { Env } from '../env/index.js';

/**
 * Draw one action for row `row` of `output` ([rows × size] means or logits) into `out[offset…]`:
 * Gaussian: mean + temperature·σ·ε (float32-rounded by `out`); categorical: an index drawn from
 * softmax(logits / temperature), written one-hot. Returns the index (categorical) or -1.
 * `probabilities` is scratch of length `size`.
 */
export function sampleActionInto(
  kind: PolicyKind,
  rng: Rng,
  out: Float32Array,
  offset: number,
  output: Float32Array,
  logStd: Float32Array,
  row: number,
  size: number,
  probabilities: Float64Array,
  temperature = 1,
): number {
  if (kind === 'gaussian') {
    for (let a = 0; a < size; a++) out[offset + a] = output[row * size + a]! + temperature * Math.exp(logStd[a]!) * rng.normal();
    return -1;
  }
  let peak = -Infinity;
  for (let a = 0; a < size; a++) peak = Math.max(peak, output[row * size + a]! / temperature);
  let total = 0;
  for (let a = 0; a < size; a++) total += probabilities[a] = Math.exp(output[row * size + a]! / temperature - peak);
  let u = rng.next() * total;
  let chosen = size - 1;
  for (let a = 0; a < size; a++) {
    u -= probabilities[a]!;
    if (u < 0) {
      chosen = a;
      break;
    }
  }
  for (let a = 0; a < size; a++) out[offset + a] = a === chosen ? 1 : 0;
  return chosen;
}

/** Index of the largest of `size` values at `row` (the categorical policy's deterministic action). */
export function argmaxRow(output: Float32Array, row: number, size: number): number {
  let best = 0;
  for (let a = 1; a < size; a++) if (output[row * size + a]! > output[row * size + best]!) best = a;
  return best;
}

/** Deterministic actions from a batch of policy outputs: Gaussian means as they are, or each row's most probable discrete action. */
export function deterministicActions(kind: PolicyKind, output: Float32Array, count: number, actionSize: number): Float64Array {
  if (kind === 'gaussian') return Float64Array.from(output);
  const actions = new Float64Array(count);
  for (let i = 0; i < count; i++) actions[i] = argmaxRow(output, i, actionSize);
  return actions;
}

/** Step env with the action stored at `offset` of a batch (one-hot for categorical policies), through a reused scratch. */
export function stepWithStoredAction(env: Env, kind: PolicyKind, actions: Float32Array | Float64Array, offset: number, actionSize: number, scratch: Float64Array) {
  if (kind === 'categorical') {
    let index = 0;
    for (let a = 0; a < actionSize; a++) if (actions[offset + a] === 1) index = a;
    return env.step(index);
  }
  for (let a = 0; a < actionSize; a++) scratch[a] = actions[offset + a]!;
  return env.step(scratch);
}
