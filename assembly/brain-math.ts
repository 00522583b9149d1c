// exp, expm1, tanh and the logistic sigmoid in float64, two lanes at a time, for brain.js's arithmetic
// (assembly/brain.ts): brain.js computes Math.exp and Math.tanh in float64 and stores float32, so
// these need float64 accuracy (within ~2 ulp of the libm), not float32's: rounded to float32 they give
// the same value as V8's libm but where the two float64 results straddle a float32 rounding boundary
// (about one argument in 2^28). The scalar libm (NativeMath) is the naive reference they are tested
// against (assembly/__tests__/brain-math.spec.ts).
//
// exp(x) = 2^k·(1 + p), expm1(x) = 2^k·p + (2^k − 1), with k = round(x / ln 2), r = x − k·ln 2 (ln 2 in
// two parts, Cody–Waite: k·LN2_HI is exact), |r| ≤ ln 2 / 2, and p = expm1(r) = r + r²·q(r), q its
// Taylor series to r¹¹ (the first term left out is below 1e-17 of p). Arguments are clamped to where
// 2^k is a normal float64 (|x| ≤ 708): the clamped results are ~1e-308 or ~1e307, which sigmoid turns
// into 0 and 1, as the libm's 0 and Infinity; tanh saturates to ±1 in float64 by |x| = 19.1 and clamps
// at 22. NaN passes through every function.

const LN2_HI: f64 = 6.93147180369123816490e-01; // low 21 bits zero
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;
const LIMIT: f64 = 708;

/** Taylor coefficients 1/n! for n = 2 … 13. */
const C2: f64 = 1.0 / 2, C3: f64 = 1.0 / 6, C4: f64 = 1.0 / 24, C5: f64 = 1.0 / 120, C6: f64 = 1.0 / 720, C7: f64 = 1.0 / 5040;
const C8: f64 = 1.0 / 40320, C9: f64 = 1.0 / 362880, C10: f64 = 1.0 / 3628800, C11: f64 = 1.0 / 39916800;
const C12: f64 = 1.0 / 479001600, C13: f64 = 1.0 / 6227020800;

// @ts-ignore: decorator
@inline function clampLanes(x: v128, lo: f64, hi: f64): v128 {
  // pmin(x, hi) is hi < x ? hi : x and pmax(x, lo) is x < lo ? lo : x: NaN stays NaN
  return f64x2.pmax(f64x2.pmin(x, f64x2.splat(hi)), f64x2.splat(lo));
}

/** k = round(x / ln 2) per lane (as a float64). */
// @ts-ignore: decorator
@inline function exponentOf(x: v128): v128 {
  return f64x2.nearest(f64x2.mul(x, f64x2.splat(INV_LN2)));
}

/** 2^k per lane, for integral k with |k| ≤ 1022 (its bits built directly). */
// @ts-ignore: decorator
@inline function powerOfTwo(k: v128): v128 {
  const k64 = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  return i64x2.shl(i64x2.add(k64, i64x2.splat(1023)), 52);
}

/** expm1(r) per lane for r = x − k·ln 2. */
// @ts-ignore: decorator
@inline function expm1Reduced(x: v128, k: v128): v128 {
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  let q = f64x2.add(f64x2.splat(C12), f64x2.mul(r, f64x2.splat(C13)));
  q = f64x2.add(f64x2.splat(C11), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(C10), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(C9), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(C8), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(C7), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(C6), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(C5), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(C4), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(C3), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(C2), f64x2.mul(r, q));
  return f64x2.add(r, f64x2.mul(f64x2.mul(r, r), q));
}

/** e^x per lane. */
// @ts-ignore: decorator
@inline export function expLanes(x: v128): v128 {
  const c = clampLanes(x, -LIMIT, LIMIT), k = exponentOf(c), s = powerOfTwo(k);
  return f64x2.add(f64x2.mul(s, expm1Reduced(c, k)), s);
}

/** e^x − 1 per lane. */
// @ts-ignore: decorator
@inline export function expm1Lanes(x: v128): v128 {
  const c = clampLanes(x, -LIMIT, LIMIT), k = exponentOf(c), s = powerOfTwo(k);
  return f64x2.add(f64x2.mul(s, expm1Reduced(c, k)), f64x2.sub(s, f64x2.splat(1)));
}

/** tanh x per lane: expm1(2|x|) / (expm1(2|x|) + 2) with x's sign. */
// @ts-ignore: decorator
@inline export function tanhLanes(x: v128): v128 {
  const a = clampLanes(f64x2.abs(x), 0, 22);
  const t = expm1Lanes(f64x2.add(a, a));
  const m = f64x2.div(t, f64x2.add(t, f64x2.splat(2)));
  // x's sign bit onto the magnitude (tanh(−0) = −0)
  const sign = v128.and(x, f64x2.splat(-0.0));
  return v128.or(m, sign);
}

/** 1 / (1 + e^−x) per lane (brain.js's sigmoid). */
// @ts-ignore: decorator
@inline export function sigmoidLanes(x: v128): v128 {
  return f64x2.div(f64x2.splat(1), f64x2.add(f64x2.splat(1), expLanes(f64x2.neg(x))));
}
