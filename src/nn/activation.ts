/** Activations used by the networks. */
import { lax, nn, numpy as np } from './jax.js';
import type { Array } from './jax.js';

/** 'exact' is PyTorch's default `nn.GELU()` (x·Φ(x) through erf); 'tanh' is its tanh approximation. */
export type GeluForm = 'exact' | 'tanh';

// erf(x) ≈ x·P(x²)/Q(x²) on [−4, 4] (erf(±4) = ±1 in float32): the rational approximation Eigen and
// XLA use for float32 erf (error about 1 ulp). Highest degree first.
const ERF_NUMERATOR = [
  -2.72614225801306e-10, 2.77068142495902e-8, -2.10102402082508e-6, -5.69250639462346e-5, -7.34990630326855e-4,
  -2.95459980854025e-3, -1.60960333262415e-2,
];
const ERF_DENOMINATOR = [-1.45660718464996e-5, -2.13374055278905e-4, -1.68282697438203e-3, -7.37332916720468e-3, -1.42647390514189e-2];
const INVERSE_SQRT_TWO_PI = 1 / Math.sqrt(2 * Math.PI);

function polynomial(x: Array, coefficients: readonly number[]): Array {
  let result = x.ref.mul(coefficients[0]!).add(coefficients[1]!);
  for (let i = 2; i < coefficients.length; i++) result = result.mul(x.ref).add(coefficients[i]!);
  x.dispose();
  return result;
}

/**
 * erf in float32 precision from multiplies, adds and one division, which jax-js fuses into the
 * surrounding kernel (its own `erf`/`erfc` call a scalar wasm function per element). Consumes x.
 */
export function erf(x: Array): Array {
  const clipped = np.clip(x, -4, 4);
  const squared = clipped.ref.mul(clipped.ref);
  const numerator = polynomial(squared.ref, ERF_NUMERATOR);
  const denominator = polynomial(squared, ERF_DENOMINATOR);
  return clipped.mul(numerator).div(denominator);
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
