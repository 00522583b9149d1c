#!/usr/bin/env python3
"""Fits the polynomial coefficients used by assembly/activations.ts and reports their error.

exp:  e^r ≈ 1 + r + r²·q(r) on |r| ≤ ln2/2, q of degree 4 (relative error).
tanh: tanh(x) ≈ x·P(x²)/Q(x²) on |x| ≤ 9, P and Q of degree 4 (relative error); sigmoid uses it.
Weighted least squares on Chebyshev nodes, which lands close to minimax for these smooth functions.
Run: /usr/bin/python3 scripts/fit-activations.py
"""
import numpy as np


def chebyshev_nodes(n, half_width):
    return np.cos(np.pi * (np.arange(n) + 0.5) / n) * half_width


def fit_exp():
    half = np.log(2) / 2
    r = chebyshev_nodes(4000, half)
    target = (np.exp(r) - 1 - r) / r**2
    weight = r**2 / np.exp(r)  # turns the residual of q into relative error of e^r
    basis = np.vander(r, 5, increasing=True)
    coeffs, *_ = np.linalg.lstsq(basis * weight[:, None], target * weight, rcond=None)
    grid = np.linspace(-half, half, 100001)
    approx = 1 + grid + grid**2 * np.polyval(coeffs[::-1], grid)
    return coeffs, np.max(np.abs(approx / np.exp(grid) - 1))


def fit_tanh(clamp=9.0, iterations=40, lawson=60):
    """tanh(x) ≈ x·P(s)/Q(s), s = x², P and Q of degree 4, Q(0) = P(0) = 1, for |x| ≤ clamp (relative
    error). Sanathanan–Koerner iterations of a linearised least-squares fit on Chebyshev nodes (in
    u = s / clamp², for conditioning), then Lawson reweighting toward the largest errors (≈ minimax)."""
    def nodes(n, a, b):
        return (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * (np.arange(n) + 0.5) / n)

    x = np.concatenate([nodes(8000, 0, 1), nodes(8000, 1, 4), nodes(8000, 4, clamp)])
    x = x[x > 1e-4]
    u, t = (x / clamp) ** 2, np.tanh(x)
    q_prev, lawson_weight = np.ones_like(x), np.ones_like(x)
    for it in range(iterations + lawson):
        A = np.hstack([np.vander(u, 5, increasing=True) * x[:, None], -np.vander(u, 5, increasing=True)[:, 1:] * t[:, None]])
        w = np.sqrt(lawson_weight) / (t * q_prev)
        coef, *_ = np.linalg.lstsq(A * w[:, None], t * w, rcond=None)
        p, q = coef[:5], np.concatenate([[1.0], coef[5:]])
        q_prev = np.polyval(q[::-1], u)
        if it >= iterations:
            err = np.abs(x * np.polyval(p[::-1], u) / q_prev - t) / t
            lawson_weight = lawson_weight * err / np.sum(lawson_weight * err) * len(x)
    scale = clamp ** (2 * np.arange(5))
    p, q = p / scale, q / scale  # coefficients of s = x²
    p, q = p / p[0], q / q[0]
    grid = np.linspace(1e-6, clamp, 100001)
    approx = grid * np.polyval(p[::-1], grid**2) / np.polyval(q[::-1], grid**2)
    return (p, q), np.max(np.abs(approx / np.tanh(grid) - 1))


if __name__ == "__main__":
    coeffs, err = fit_exp()
    print("exp q", [float(np.float32(c)) for c in coeffs], "max relative error (float64 evaluation):", err)
    (p, q), err = fit_tanh()
    print("tanh P", [float(np.float32(c)) for c in p], "Q", [float(np.float32(c)) for c in q], "max relative error (float64 evaluation):", err)
