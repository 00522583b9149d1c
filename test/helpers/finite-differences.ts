// Finite-difference gradient checks shared by the layer and model tests: the central difference
// (L(v + ε) − L(v − ε)) / 2ε of a loss in chosen coordinates of a tensor, beside the analytic
// gradient, and the element-wise agreement the checks require. The tests choose the coordinates.

import type { Random } from "../../src/random.js";

/** One checked coordinate: the analytic gradient and the central difference. */
export interface GradientSample {
  index: number;
  analytic: number;
  numeric: number;
}

/**
 * Nudges values[i] by ±eps for each i of `indices` and returns the central differences of `loss`
 * beside analytic[i]. `apply` runs after every change, for values that must be handed to the code under
 * test (loadStateDict) rather than being read where they are; values are restored after each coordinate.
 */
export function centralDifferences(values: Float32Array, indices: readonly number[], analytic: ArrayLike<number>, loss: () => number,
  eps: number, apply: () => void = () => {}): GradientSample[] {
  return indices.map((index) => {
    const original = values[index];
    values[index] = original + eps;
    apply();
    const up = loss();
    values[index] = original - eps;
    apply();
    const down = loss();
    values[index] = original;
    apply();
    return { index, analytic: analytic[index], numeric: (up - down) / (2 * eps) };
  });
}

/** The element-wise agreement: |analytic − numeric| ≤ 3e-3 + 2e-2·|numeric| (false for NaN). */
export function agrees({ analytic, numeric }: GradientSample): boolean {
  return Math.abs(analytic - numeric) <= 3e-3 + 2e-2 * Math.abs(numeric);
}

/** `count` random coordinates of a tensor of n values (n of them when n is smaller; repeats possible). */
export function sampleIndices(random: Random, n: number, count: number): number[] {
  return Array.from({ length: Math.min(n, count) }, () => Math.floor(random.uniform() * n));
}
