// Tensor comparison for tests: element-wise |actual − expected| ≤ atol + rtol·(|expected| + scale),
// where scale = max |expected| over the tensor (so entries that are small because of cancellation in
// a long float32 sum are judged against the tensor's magnitude), with a failure message naming the
// tensor, the worst index, both values and the maximum difference; and exact equality (of bits, or
// of values) for kernels whose results are exact.

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

/** The indices where two float32 arrays of one length hold other bits (NaN payloads included). */
export function bitDifferences(actual: Float32Array, expected: Float32Array): number[] {
  const a = new Int32Array(actual.buffer, actual.byteOffset, actual.length), e = new Int32Array(expected.buffer, expected.byteOffset, expected.length);
  return [...a.keys()].filter((i) => a[i] !== e[i]);
}

/** Fails unless actual and expected hold the same float32 bits (NaN payloads included), naming the first differing index. */
export function expectSameBits(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const differing = bitDifferences(actual, expected);
  if (differing.length > 0) {
    const first = differing[0];
    throw new Error(`${label}: ${differing.length} of ${actual.length} values differ; first at index ${first}: expected ${expected[first]}, got ${actual[first]}`);
  }
}

/** Fails unless every actual value is the expected one (Object.is: NaN matches any NaN, −0 only −0),
 *  naming the first that is not. */
export function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${label}: index ${i}: expected ${expected[i]}, got ${actual[i]}`);
  }
}
