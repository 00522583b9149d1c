// Naive references of optim.ts's clipping helpers: a sum of squares in float64, a count of non-finite
// values, scaling, clamping and the scaled add of gradient shards, one float at a time. (The optimizer
// steps themselves are checked against the float64 TypeScript reference in test/reference/optimizers.ts.)
// The oracles of the optimizers case table (test/cases/optimizers.json). Test-only: exported from
// assembly/testing.ts, never from assembly/index.ts.
//
// Legend: n floats.

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

/** Σ x² over n floats, in float64. */
export function sumOfSquaresNaive(n: i32, x: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += <f64>f(x, i) * <f64>f(x, i);
  return s;
}

/** Number of NaN or ±Inf among n floats. */
export function countNonFiniteNaive(n: i32, x: usize): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) if (f(x, i) != f(x, i) || abs<f32>(f(x, i)) == Infinity) count++;
  return count;
}

/** x *= s (one float32 product each). */
export function scaleInPlaceNaive(n: i32, x: usize, s: f32): void {
  for (let i = 0; i < n; i++) store<f32>(x + (<usize>i << 2), f(x, i) * s);
}

/** x = clamp(x, −c, c); NaN stays NaN. */
export function clampInPlaceNaive(n: i32, x: usize, c: f32): void {
  for (let i = 0; i < n; i++) {
    let v = f(x, i);
    store<f32>(x + (<usize>i << 2), v > c ? c : v < -c ? -c : v);
  }
}

/** dst = s·src (accumulate = 0) or dst += s·src (accumulate = 1), one float32 product and sum each. */
export function scaleAddNaive(n: i32, dst: usize, src: usize, s: f32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    let v = f(src, i) * s;
    store<f32>(dst + (<usize>i << 2), accumulate ? f(dst, i) + v : v);
  }
}
