/** Activations used by the networks. */
import { lax, nn, numpy as np } from './jax.js';
import type { Array } from './jax.js';

/** 'exact' is PyTorch's default `nn.GELU()` (x·Φ(x) through erf); 'tanh' is its tanh approximation. */
export type GeluForm = 'exact' | 'tanh';

// jax-js's wasm backend vectorises (f32x4) a fused kernel only when every operation in it is +, −,
// ×, min, max, floor, sqrt, a comparison or where; one division makes the whole kernel scalar. erf
// below is built from those operations alone. Coefficients come from scripts/fit-fast-math.py
// (numpy), highest degree first.

// erf(u) ≈ u·P(u²/8 − 1) on [−4, 4]: degree 16, max error 1.9e-7 evaluated in float32.
const ERF_POLYNOMIAL = [
  0.0004937200127241737, -0.001321284487474558, 0.0010016879734930009, -0.0012572975733619878, 0.004993444439524201,
  -0.009834700407952436, 0.014366837036274525, -0.021839662594072967, 0.03301858046549347, -0.04594789867309869,
  0.05990227773966473, -0.07470021110907132, 0.09020678498965304, -0.10771230452400678, 0.13167522668919734,
  -0.17657619703477095, 0.353530994798281,
];
// Beyond this, float32 erf is exactly ±1 (erf(3.9) = 1 − 3.5e-8 rounds to 1).
const ERF_SATURATION = 3.9;
const INVERSE_SQRT_TWO_PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Σ a_i·x^i (coefficients highest degree first) as `ways` interleaved Horner chains in x^ways: the
 * chains are independent, so the CPU overlaps them instead of waiting on one long chain of
 * dependent multiply-adds (a degree-16 polynomial runs about twice as fast with 4 chains). Consumes x.
 */
function polynomial(x: Array, coefficients: readonly number[], ways = 1): Array {
  const lowFirst = [...coefficients].reverse();
  let step = x.ref; // x^ways
  for (let k = 1; k < ways; k++) step = step.mul(x.ref);
  let total: Array | null = null;
  let power: Array | null = null; // x^k for chain k ≥ 1
  for (let k = 0; k < ways; k++) {
    if (k > 0) power = power === null ? x.ref : power.mul(x.ref);
    const chain = lowFirst.filter((_, i) => i % ways === k).reverse();
    if (chain.length < 2) throw new Error('polynomial: each chain needs at least two coefficients');
    let value = step.ref.mul(chain[0]!).add(chain[1]!);
    for (let i = 2; i < chain.length; i++) value = value.mul(step.ref).add(chain[i]!);
    const term = power === null ? value : value.mul(power.ref);
    total = total === null ? term : total.add(term);
  }
  power?.dispose();
  step.dispose();
  x.dispose();
  return total!;
}

/**
 * erf to within 1.9e-7, from multiplies and adds that jax-js fuses into the surrounding vectorised
 * kernel (its own `erf`/`erfc` call a scalar wasm function per element). Exactly ±1 beyond ±3.9, as
 * float32 erf is. Consumes x.
 */
export function erf(x: Array): Array {
  const u = np.clip(x, -4, 4);
  const s = u.ref.mul(u.ref).mul(0.125).sub(1);
  const value = u.ref.mul(polynomial(s, ERF_POLYNOMIAL, 4));
  const saturated = np.where(u.ref.less(-ERF_SATURATION), -1, np.clip(value, -1, 1));
  return np.where(u.less(ERF_SATURATION), saturated, 1);
}

/**
 * Exact GELU x·Φ(x) with its exact derivative Φ(x) + x·φ(x) supplied through stop-gradients:
 * value and slope are computed in the forward pass and the backward pass is one multiply by the
 * saved slope. Differentiating the erf approximation instead keeps a dozen full-size intermediates
 * per layer alive (the medium benchmark then exceeded wasm's 4 GiB with workers) and was no faster.
 * First derivatives (reverse and forward mode) are exact; second derivatives through GELU are not
 * supported (nothing here needs them). Consumes x.
 */
function exactGelu(x: Array): Array {
  const cdf = erf(x.ref.mul(Math.SQRT1_2)).add(1).mul(0.5);
  const value = x.ref.mul(cdf.ref);
  const density = np.exp(x.ref.mul(x.ref).mul(-0.5)).mul(INVERSE_SQRT_TWO_PI);
  const slope = cdf.add(x.ref.mul(density));
  // x − stopGradient(x) is exactly 0, so the output equals `value`; its gradient is `slope`.
  return lax.stopGradient(value).add(x.ref.sub(lax.stopGradient(x)).mul(lax.stopGradient(slope)));
}

/**
 * GELU in the chosen form; consumes x. `differentiated: false` (inference) computes the exact form's
 * value alone, which is faster when no gradient is taken (batch-64 inference 60 ms vs 69 ms); the
 * result is still differentiable, through the erf approximation, at a higher memory cost.
 */
export function gelu(x: Array, form: GeluForm = 'exact', differentiated = true): Array {
  if (form === 'tanh') return nn.gelu(x, { approximate: true });
  if (!differentiated) return x.ref.mul(erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5));
  return exactGelu(x);
}
