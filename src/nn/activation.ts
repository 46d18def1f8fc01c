/** Activations used by the networks. */
import { lax, nn, numpy as np } from './jax.js';
import type { Array } from './jax.js';

/** 'exact' is PyTorch's default `nn.GELU()` (x·Φ(x) through erf); 'tanh' is its tanh approximation. */
export type GeluForm = 'exact' | 'tanh';

// jax-js's wasm backend vectorises (f32x4) a fused kernel only when every operation in it is +, −,
// ×, min, max, floor, sqrt, a comparison or where; one division or `exp` makes the whole kernel
// scalar (4–8× slower). erf and exp below are built from those operations alone. Coefficients come
// from scripts/fit-fast-math.py (numpy), highest degree first.

// erf(u) ≈ u·P(u²/8 − 1) on [−4, 4]: degree 16, max error 1.9e-7 evaluated in float32.
const ERF_POLYNOMIAL = [
  0.0004937200127241737, -0.001321284487474558, 0.0010016879734930009, -0.0012572975733619878, 0.004993444439524201,
  -0.009834700407952436, 0.014366837036274525, -0.021839662594072967, 0.03301858046549347, -0.04594789867309869,
  0.05990227773966473, -0.07470021110907132, 0.09020678498965304, -0.10771230452400678, 0.13167522668919734,
  -0.17657619703477095, 0.353530994798281,
];
// Beyond this, float32 erf is exactly ±1 (erf(3.9) = 1 − 3.5e-8 rounds to 1).
const ERF_SATURATION = 3.9;
// 2^f on [0, 1): degree 6, max relative error 1.1e-7 in float32.
const EXP2_POLYNOMIAL = [
  0.00021683439263142645, 0.001243793754838407, 0.009679987095296383, 0.05548214912414551, 0.24023030698299408, 0.6931468844413757, 1,
];
// exp(y) is below float32's smallest normal number for y·log2(e) < −126: returned as 0.
// ln 2 = LN2_HIGH + LN2_LOW, LN2_HIGH with 9 significant bits (Cephes' expf constants).
const LN2_HIGH = 0.693359375;
const LN2_LOW = -2.12194440e-4;
const EXP2_MIN_EXPONENT = -126;
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
 * exp(y) for y ≤ 0 (positive y count as 0), vectorisable: y·log2(e) = n + f with n = ⌊·⌋, 2^f from a
 * polynomial (1–2 ulp) and 2^n, n ∈ [−126, 0], as an exact product of powers of two chosen by n's
 * binary digits. Below 2^−126 the result is 0. Its gradient is its value (diagonal Jacobian through
 * stop-gradients; the polynomial is not differentiated). Consumes y.
 */
export function expNonPositive(y: Array): Array {
  const result = expNonPositiveValue(y.ref);
  return lax.stopGradient(result.ref).add(y.ref.sub(lax.stopGradient(y)).mul(lax.stopGradient(result)));
}

/** The value of `expNonPositive`, not meant to be differentiated. Consumes y. */
function expNonPositiveValue(y: Array): Array {
  const underflow = y.ref.mul(Math.LOG2E).less(EXP2_MIN_EXPONENT);
  const clamped = np.clip(y, EXP2_MIN_EXPONENT * Math.LN2, 0);
  const n = np.floor(clamped.ref.mul(Math.LOG2E)); // integer in [−126, 0]
  // Cody–Waite reduction: r = y − n·ln2 with ln2 split so that n·LN2_HIGH is exact; computing
  // y·log2(e) directly would lose up to 5e-6 relative for large |y|.
  const r = clamped.sub(n.ref.mul(LN2_HIGH)).sub(n.ref.mul(LN2_LOW));
  const fraction = polynomial(r.mul(Math.LOG2E), EXP2_POLYNOMIAL, 2); // 2^f, f = r·log2(e) ∈ [0, 1)
  const m = n.mul(-1);
  // 2^−m = Π 2^(−2^k) over m's binary digits d_k = ⌊m/2^k⌋ − 2⌊m/2^(k+1)⌋, each exact, multiplied as a tree.
  const quotients = [m.ref];
  for (let k = 1; k <= 7; k++) quotients.push(np.floor(m.ref.mul(2 ** -k)));
  m.dispose();
  let factors: Array[] = [];
  for (let k = 0; k < 7; k++) {
    const digit = quotients[k]!.sub(quotients[k + 1]!.ref.mul(2));
    // d·2^(−2^k) + (1 − d), exact; 1 + d·(2^(−2^k) − 1) would round 2^−32 − 1 to −1.
    factors.push(digit.ref.mul(2 ** -(2 ** k)).add(digit.mul(-1).add(1)));
  }
  quotients[7]!.dispose();
  factors.push(fraction);
  while (factors.length > 1) {
    const next: Array[] = [];
    for (let i = 0; i + 1 < factors.length; i += 2) next.push(factors[i]!.mul(factors[i + 1]!));
    if (factors.length % 2 === 1) next.push(factors[factors.length - 1]!);
    factors = next;
  }
  const value = factors[0]!;
  return np.where(underflow, 0, value);
}

/**
 * Softmax along `axis` (default last) as jax-js's `nn.softmax` computes it — exp(x − max) / Σ — but
 * with `expNonPositive`, so the exponentials run vectorised. Consumes x.
 */
export function softmax(x: Array, axis = -1): Array {
  const shift = lax.stopGradient(np.max(x.ref, axis, { keepdims: true }));
  const unnormalised = expNonPositive(x.sub(shift));
  return unnormalised.ref.mul(np.reciprocal(unnormalised.sum(axis, { keepdims: true })));
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
  const density = expNonPositiveValue(x.ref.mul(x.ref).mul(-0.5)).mul(INVERSE_SQRT_TWO_PI);
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
