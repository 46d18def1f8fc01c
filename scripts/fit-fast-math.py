#!/usr/bin/env python3
"""Fits the polynomial coefficients in src/nn/activation.ts (run with Debian's python3-numpy).

jax-js's wasm backend vectorises (f32x4) only kernels made of +, −, ×, min, max, floor, sqrt,
comparisons and where; a division or exp makes the whole fused kernel scalar. This polynomial
builds erf from vectorisable operations: erf(u) = u·P(t/8 − 1), t = u², |u| ≤ 4, degree 16,
weighted least squares on a Chebyshev basis with Lawson reweighting towards the largest absolute
error (max error 6e-9 in float64, 1.9e-7 when evaluated by Horner in float32).

Prints the coefficients, highest degree first, and the errors.
"""
from math import erf

import numpy as np
from numpy.polynomial import chebyshev as C


def horner_f32(coefficients_low_first, x32):
    acc = np.full_like(x32, np.float32(coefficients_low_first[-1]))
    for a in coefficients_low_first[-2::-1]:
        acc = (acc * x32 + np.float32(a)).astype(np.float32)
    return acc


def fit_erf(degree=16):
    u = np.linspace(0, 4, 80001)
    exact = np.vectorize(erf)(u)
    s = u * u / 8 - 1
    target = np.where(u > 0, exact / np.maximum(u, 1e-30), 2 / np.sqrt(np.pi))
    weights = np.maximum(u, 0.05)
    for _ in range(30):
        c = C.chebfit(s, target, degree, w=weights)
        error = np.abs(u * C.chebval(s, c) - exact)
        weights = weights * (error / error.max() + 1e-3) ** 0.5
    monomial = C.cheb2poly(c)
    u32 = u.astype(np.float32)
    s32 = ((u32 * u32).astype(np.float32) * np.float32(0.125) - np.float32(1)).astype(np.float32)
    error32 = np.abs((u32 * horner_f32(monomial, s32)).astype(np.float64) - exact).max()
    return monomial[::-1], error.max(), error32


if __name__ == '__main__':
    erf_coefficients, erf_error, erf_error32 = fit_erf()
    print('ERF_POLYNOMIAL', [float(x) for x in erf_coefficients])
    print(f'  max |error| float64 {erf_error:.2e}, float32 Horner {erf_error32:.2e}')
