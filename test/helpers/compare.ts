// Tensor comparison for tests: element-wise |actual − expected| ≤ atol + rtol·(|expected| + scale),
// where scale = max |expected| over the tensor (so entries that are small because of cancellation in
// a long float32 sum are judged against the tensor's magnitude), with a failure message naming the
// tensor, the worst index, both values and the maximum difference.

import { expect } from "vitest";

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** Fails with a readable message when any element is outside the tolerance. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, tol: Tolerance = {}): void {
  const rtol = tol.rtol ?? 1e-4;
  const atol = tol.atol ?? 1e-6;
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const scale = maxAbs(expected);
  let worst = -1, worstExcess = 0, maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    maxDiff = Math.max(maxDiff, diff);
    const excess = diff - (atol + rtol * (Math.abs(expected[i]) + scale));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(diff))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${label}: index ${worst}: expected ${expected[worst]}, got ${actual[worst]} ` +
        `(max |diff| ${maxDiff.toExponential(3)}, max |expected| ${scale.toExponential(3)}, tolerance ${atol} + ${rtol}·(|expected| + max |expected|))`,
    );
  }
}
