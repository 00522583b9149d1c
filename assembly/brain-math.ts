// exp, expm1, tanh and the logistic sigmoid in float64, two lanes at a time, for brain.js's arithmetic
// (assembly/brain.ts): brain.js computes Math.exp and Math.tanh in float64 and stores float32, so
// these need float64 accuracy (within a few ulps of the libm), not float32's: rounded to float32 they
// give the same value as V8's libm but where the two float64 results straddle a float32 rounding
// boundary (about one argument in 2^28). The scalar libm (NativeMath) is the naive reference they are
// tested against (assembly/__tests__/brain-math.spec.ts).
//
// e^x = 2^m · 2^(j/32) · e^r with k = round(x·32 / ln 2) = 32m + j (−16 ≤ j < 16), r = x − k·ln 2/32
// (ln 2/32 in two parts, Cody–Waite: k·LN2_32_HI is exact), |r| ≤ ln 2/64, and e^r − 1 = p = r +
// r²·q(r), q its Taylor series to r⁴ (the first term left out is below 4e-18). 2^(j/32) and
// 2^(j/32) − 1 come from tables (each rounded once), so expm1 = 2^m·((2^(j/32) − 1) + 2^(j/32)·p) +
// (2^m − 1) keeps its relative accuracy near 0 (m = 0 there, and the two terms do not cancel). Arguments are clamped to where 2^m is a normal float64 (|x| ≤ 708): the clamped
// results are ~1e-308 or ~1e307, which sigmoid turns into 0 and 1, as the libm's 0 and Infinity;
// tanh saturates to ±1 in float64 by |x| = 19.1 and clamps at 22. NaN passes through every function.

const LN2_32_HI: f64 = 6.93147180369123816490e-01 / 32; // low 21 bits zero
const LN2_32_LO: f64 = 1.90821492927058770002e-10 / 32;
const INV_LN2_32: f64 = 1.44269504088896338700e+00 * 32;
const LIMIT: f64 = 708;

/** 2^(j/32) for j = −16 … 15, at j + 16. */
const POWERS = memory.data<f64>([
  0.7071067811865476, 0.7225904034885233, 0.7384130729697497, 0.7545822137967114,
  0.7711054127039704, 0.7879904225539432, 0.8052451659746271, 0.8228777390769825,
  0.8408964152537145, 0.859309649061239, 0.8781260801866497, 0.8973545375015536,
  0.9170040432046712, 0.93708381705515, 0.9576032806985737, 0.9785720620877001,
  1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237,
  1.0905077326652577, 1.1143867425958924, 1.1387886347566916, 1.1637248587775775,
  1.189207115002721, 1.215247359980469, 1.241857812073484, 1.2690509571917332,
  1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
]);

/** 2^(j/32) − 1 for j = −16 … 15, at j + 16. */
const POWERS_M1 = memory.data<f64>([
  -0.2928932188134525, -0.2774095965114767, -0.2615869270302503, -0.24541778620328863,
  -0.2288945872960296, -0.21200957744605675, -0.19475483402537286, -0.17712226092301758,
  -0.15910358474628547, -0.14069035093876103, -0.12187391981335026, -0.1026454624984464,
  -0.08299595679532877, -0.06291618294485005, -0.042396719301426355, -0.021427937912299865,
  0.0, 0.02189714865411668, 0.04427378242741384, 0.06714040067682361,
  0.09050773266525766, 0.11438674259589254, 0.13878863475669165, 0.1637248587775775,
  0.18920711500272105, 0.21524735998046887, 0.24185781207348406, 0.2690509571917332,
  0.29683955465100964, 0.32523664315974127, 0.3542555469368927, 0.38390988196383197,
]);

// @ts-ignore: decorator
@inline function clampLanes(x: v128, lo: f64, hi: f64): v128 {
  // pmin(x, hi) is hi < x ? hi : x and pmax(x, lo) is x < lo ? lo : x: NaN stays NaN
  return f64x2.pmax(f64x2.pmin(x, f64x2.splat(hi)), f64x2.splat(lo));
}

/** The two lanes' table entries at `table` for j = k − 32m (k in i32 lanes 0 and 1), at j + 16. */
// @ts-ignore: decorator
@inline function lookup(table: usize, k: v128): v128 {
  const j0 = <usize>((i32x4.extract_lane(k, 0) + 16) & 31), j1 = <usize>((i32x4.extract_lane(k, 1) + 16) & 31);
  return f64x2.replace_lane(f64x2.splat(load<f64>(table + (j0 << 3))), 1, load<f64>(table + (j1 << 3)));
}

/** 2^m per lane for m = (k + 16) >> 5 (k in i32 lanes 0 and 1; |m| ≤ 1022), its bits built directly. */
// @ts-ignore: decorator
@inline function scaleOf(k: v128): v128 {
  const m = i64x2.extend_low_i32x4_s(i32x4.shr_s(i32x4.add(k, i32x4.splat(16)), 5));
  return i64x2.shl(i64x2.add(m, i64x2.splat(1023)), 52);
}

/** e^r − 1 per lane for r = x − k·ln 2/32 (k as float64 lanes). */
// @ts-ignore: decorator
@inline function expm1Reduced(x: v128, k: v128): v128 {
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_32_HI))), f64x2.mul(k, f64x2.splat(LN2_32_LO)));
  let q = f64x2.add(f64x2.splat(1.0 / 120), f64x2.mul(r, f64x2.splat(1.0 / 720)));
  q = f64x2.add(f64x2.splat(1.0 / 24), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(1.0 / 6), f64x2.mul(r, q));
  q = f64x2.add(f64x2.splat(0.5), f64x2.mul(r, q));
  return f64x2.add(r, f64x2.mul(f64x2.mul(r, r), q));
}

/** e^x per lane. */
// @ts-ignore: decorator
@inline export function expLanes(x: v128): v128 {
  const c = clampLanes(x, -LIMIT, LIMIT), kf = f64x2.nearest(f64x2.mul(c, f64x2.splat(INV_LN2_32)));
  const k = i32x4.trunc_sat_f64x2_s_zero(kf), t = lookup(POWERS, k);
  return f64x2.mul(scaleOf(k), f64x2.add(t, f64x2.mul(t, expm1Reduced(c, kf))));
}

/** e^x − 1 per lane. */
// @ts-ignore: decorator
@inline export function expm1Lanes(x: v128): v128 {
  const c = clampLanes(x, -LIMIT, LIMIT), kf = f64x2.nearest(f64x2.mul(c, f64x2.splat(INV_LN2_32)));
  const k = i32x4.trunc_sat_f64x2_s_zero(kf), s = scaleOf(k);
  const u = f64x2.add(lookup(POWERS_M1, k), f64x2.mul(lookup(POWERS, k), expm1Reduced(c, kf)));
  return f64x2.add(f64x2.mul(s, u), f64x2.sub(s, f64x2.splat(1)));
}

/** tanh x per lane: expm1(2|x|) / (expm1(2|x|) + 2) with x's sign. */
// @ts-ignore: decorator
@inline export function tanhLanes(x: v128): v128 {
  const a = clampLanes(f64x2.abs(x), 0, 22);
  const t = expm1Lanes(f64x2.add(a, a));
  const m = f64x2.div(t, f64x2.add(t, f64x2.splat(2)));
  // x's sign bit onto the magnitude (tanh(−0) = −0)
  return v128.or(m, v128.and(x, f64x2.splat(-0.0)));
}

/** 1 / (1 + e^−x) per lane (brain.js's sigmoid). */
// @ts-ignore: decorator
@inline export function sigmoidLanes(x: v128): v128 {
  return f64x2.div(f64x2.splat(1), f64x2.add(f64x2.splat(1), expLanes(f64x2.neg(x))));
}
