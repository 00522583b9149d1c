#!/usr/bin/env python3
"""Fits the polynomial coefficients used by assembly/activations.ts and reports their error.

exp:  e^r ≈ 1 + r + r²·q(r) on |r| ≤ ln2/2, q of degree 4 (relative error).
tanh: tanh(x) ≈ x + x³·q(x²) on |x| < 0.625, q of degree 4 (relative error).
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


def fit_tanh():
    limit = 0.625
    x = chebyshev_nodes(4000, limit)
    x = x[x != 0]
    target = (np.tanh(x) - x) / x**3
    weight = np.abs(x) ** 3 / np.tanh(np.abs(x))
    basis = np.vander(x**2, 5, increasing=True)
    coeffs, *_ = np.linalg.lstsq(basis * weight[:, None], target * weight, rcond=None)
    grid = np.linspace(1e-6, limit, 100001)
    approx = grid + grid**3 * np.polyval(coeffs[::-1], grid**2)
    return coeffs, np.max(np.abs(approx / np.tanh(grid) - 1))


if __name__ == "__main__":
    for name, (coeffs, err) in (("exp", fit_exp()), ("tanh", fit_tanh())):
        print(name, [float(np.float32(c)) for c in coeffs], "max relative error (float64 evaluation):", err)
