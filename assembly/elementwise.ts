// Elementwise, broadcasting, reduction, normalisation and data-movement kernels for the ONNX graph
// executor. Owns the SIMD log, erf and softplus approximations and their error bounds; holds no static
// data and allocates nothing: operands are byte addresses, shapes and strides come as i32 descriptors.
//
// Legend: n elements; r rank; dims / strides in elements (0 on a broadcast axis); L the longest
// trailing run of axes that is one strided line for every operand (axes of size 1 skipped). Every
// strided kernel walks: an outer index decoded by division × two explicit axes × the run L, so the
// divisions are paid once per (two axes × L) elements, not per element.
//
// Error of unary() against float64 math on the float32 input: every 251st float32 bit pattern (17.1M
// inputs over the whole range, denormals, ±Inf and NaN included) with the release build, plain and
// relaxed SIMD alike; the spec checks the same bounds on a dense sweep, every binade and the extremes.
// "ulp" is of the float32 result, over normal results.
//   log       ≤ 0.80 ulp (fdlibm logf: exponent split to [√2/2, √2), s = f/(2+f), odd series in s)
//   erf       ≤ 1.37 ulp, ≤ 8.2e-8 absolute (see erfV)
//   softplus  ≤ 1.97 ulp, ≤ 1.1e-7 absolute where the result is below 1 (exp's error carries through)
//   pow       ≤ 0.51 ulp: exponents 2, 0.5 (sqrt), −1 correctly rounded, 3 in float64, 1 and 0 exact,
//             any other through Mathf.pow (musl's powf)
//   exp       ≤ 1.9 ulp (relative ≤ 3e-7, activations.ts's expV) for normal results, +Inf above 88.72,
//             gradual underflow through the denormals to 0 below −104 (see expFullV)
//   sigmoid, tanh  activations.ts's bounds (absolute ≤ 2e-7 and ≤ 3.5e-7)
//   the rest  correctly rounded or exact: relu, sqrt, abs, neg, reciprocal, leaky relu, clip, square,
//             floor, ceil, round, sign; affine and hard sigmoid computed in float64 and rounded once more

import { madd, at } from "./simd";
import { expV, sigmoidV, tanhV } from "./activations";

// ---- SIMD approximations -----------------------------------------------------------------------

// log: fdlibm's logf (musl logf.c before 2017, error < 1 ulp), four lanes. x = 2^k·(1+f) with
// 1+f ∈ [√2/2, √2); s = f/(2+f); log(1+f) = f − f²/2 + s·(f²/2 + R(s²)).
const LG1: f32 = 0.666666627; // 0xaaaaaa.0p-24
const LG2: f32 = 0.400009722; // 0xccce13.0p-25
const LG3: f32 = 0.284987867; // 0x91e9ee.0p-25
const LG4: f32 = 0.242790788; // 0xf89e26.0p-26
const LOG_LN2_HI: f32 = 0.693138123; // 0x3f317180
const LOG_LN2_LO: f32 = 9.05800061e-6; // 0x3717f7d1
const MIN_NORMAL: f32 = 1.17549435e-38;
const TWO_25: f32 = 33554432.0;

/** Natural log, four lanes: log(±0) = −Inf, log(x < 0) = NaN, log(+Inf) = +Inf, NaN propagates. */
// @ts-ignore: decorator
@inline export function logV(x: v128): v128 {
  let one = f32x4.splat(1);
  // Denormals: scale by 2^25 and take 25 off the exponent (the mask is also set for x ≤ 0: fixed below).
  let tiny = f32x4.lt(x, f32x4.splat(MIN_NORMAL));
  let xs = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO_25)), x, tiny);
  let ix = i32x4.add(xs, i32x4.splat(0x3f800000 - 0x3f3504f3));
  let k = i32x4.sub(i32x4.sub(i32x4.shr_u(ix, 23), i32x4.splat(0x7f)), v128.and(tiny, i32x4.splat(25)));
  let m = i32x4.add(v128.and(ix, i32x4.splat(0x007fffff)), i32x4.splat(0x3f3504f3));
  let f = f32x4.sub(m, one);
  let s = f32x4.div(f, f32x4.add(f32x4.splat(2), f));
  let z = f32x4.mul(s, s), w = f32x4.mul(z, z);
  let t1 = f32x4.mul(w, f32x4.add(f32x4.splat(LG2), f32x4.mul(w, f32x4.splat(LG4))));
  let t2 = f32x4.mul(z, f32x4.add(f32x4.splat(LG1), f32x4.mul(w, f32x4.splat(LG3))));
  let hfsq = f32x4.mul(f32x4.mul(f32x4.splat(0.5), f), f);
  let dk = f32x4.convert_i32x4_s(k);
  let r = f32x4.add(f32x4.mul(s, f32x4.add(hfsq, f32x4.add(t2, t1))), f32x4.mul(dk, f32x4.splat(LOG_LN2_LO)));
  r = f32x4.add(f32x4.add(f32x4.sub(r, hfsq), f), f32x4.mul(dk, f32x4.splat(LOG_LN2_HI)));
  r = v128.bitselect(f32x4.splat(<f32>NaN), r, f32x4.lt(x, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(<f32>-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  return v128.bitselect(x, r, v128.not(f32x4.lt(x, f32x4.splat(<f32>Infinity)))); // +Inf and NaN: x itself
}

// exp over the whole float range: activations.ts's expV is accurate on [−87, 88] and clamps outside.
// Beyond, e^x = expV(x − 16)·e^16 (x > 88) or expV(x + 64)·e^−64 (x < −87); both shifts are exact in
// float32 there (same or finer binade), so only the constant's rounding (≤ 6e-8) is added. Results
// overflow to +Inf past 88.72 and underflow gradually through the denormals to 0 below −104.
const E_16: f32 = 8886110.52; // e^16
const E_MINUS_64: f32 = 1.60381089e-28; // e^−64

// @ts-ignore: decorator
@inline export function expFullV(x: v128): v128 {
  let high = f32x4.gt(x, f32x4.splat(88)), low = f32x4.lt(x, f32x4.splat(-87));
  let shift = v128.bitselect(f32x4.splat(16), v128.and(low, f32x4.splat(-64)), high);
  let scale = v128.bitselect(f32x4.splat(E_16), v128.bitselect(f32x4.splat(E_MINUS_64), f32x4.splat(1), low), high);
  return f32x4.mul(expV(f32x4.sub(x, shift)), scale);
}

// erf: two pieces, both fitted by Lawson-reweighted least squares (minimax) in float64, coefficients
// rounded to float32 and the error measured in float32 evaluation:
//   |x| ≤ 0.921875:  erf(x) = x + x·A(x²), A of degree 5 (relative error of the fit 1.5e-8)
//   |x| > 0.921875:  erf(x) = 1 − exp(B(t − 2) − t²), t = min(|x|, 3.92), B of degree 6 (fit of
//                    log erfc(t) + t², absolute error of erf 1.5e-9); erf rounds to 1 from 3.92 on.
// The second piece inherits expV's 3e-7 relative error times erfc(0.92) = 0.19: ≤ 6e-8 absolute.
// (Abramowitz–Stegun 7.1.26 is 1.5e-7 absolute before rounding — not enough.)
const ERF_SPLIT: f32 = 0.921875;
const ERF_TOP: f32 = 3.92;
const ERF_A0: f32 = 0.128379151;
const ERF_A1: f32 = -0.376125067;
const ERF_A2: f32 = 0.112819284;
const ERF_A3: f32 = -0.0267702565;
const ERF_A4: f32 = 0.00499802921;
const ERF_A5: f32 = -0.000601351552;
const ERF_B0: f32 = -1.364941;
const ERF_B1: f32 = -0.41815963;
const ERF_B2: f32 = 0.07624259;
const ERF_B3: f32 = -0.016494228;
const ERF_B4: f32 = 0.003549462;
const ERF_B5: f32 = -0.000694786;
const ERF_B6: f32 = 0.00019473475;

/** erf, four lanes (odd; NaN propagates; ±Inf → ±1). */
// @ts-ignore: decorator
@inline export function erfV(x: v128): v128 {
  let t = f32x4.abs(x);
  let s = f32x4.mul(t, t);
  let a = madd(f32x4.splat(ERF_A5), s, f32x4.splat(ERF_A4));
  a = madd(a, s, f32x4.splat(ERF_A3));
  a = madd(a, s, f32x4.splat(ERF_A2));
  a = madd(a, s, f32x4.splat(ERF_A1));
  a = madd(a, s, f32x4.splat(ERF_A0));
  let small = madd(a, t, t);
  let tc = f32x4.pmin(t, f32x4.splat(ERF_TOP));
  let u = f32x4.sub(tc, f32x4.splat(2));
  let b = madd(f32x4.splat(ERF_B6), u, f32x4.splat(ERF_B5));
  b = madd(b, u, f32x4.splat(ERF_B4));
  b = madd(b, u, f32x4.splat(ERF_B3));
  b = madd(b, u, f32x4.splat(ERF_B2));
  b = madd(b, u, f32x4.splat(ERF_B1));
  b = madd(b, u, f32x4.splat(ERF_B0));
  let large = f32x4.sub(f32x4.splat(1), expV(f32x4.sub(b, f32x4.mul(tc, tc))));
  let r = v128.bitselect(large, small, f32x4.gt(t, f32x4.splat(ERF_SPLIT)));
  return v128.or(r, v128.and(x, f32x4.splat(-0.0))); // r ≥ 0: copy x's sign
}

/** softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^−|x|), four lanes. log1p(t) = log(u) + (t − (u−1))/u
 *  with u = 1 + t (the second term restores what rounding u lost; u − 1 is exact). */
// @ts-ignore: decorator
@inline export function softplusV(x: v128): v128 {
  let one = f32x4.splat(1);
  let t = expFullV(f32x4.neg(f32x4.abs(x)));
  let u = f32x4.add(one, t);
  let l = f32x4.add(logV(u), f32x4.div(f32x4.sub(t, f32x4.sub(u, one)), u));
  return f32x4.add(f32x4.pmax(x, f32x4.splat(0)), l);
}

/** alpha·x + beta in float64 (the product of two floats is exact there), rounded to float32. */
// @ts-ignore: decorator
@inline function affineV(x: v128, alpha: f32, beta: f32): v128 {
  let a = f64x2.splat(<f64>alpha), b = f64x2.splat(<f64>beta);
  let lo = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(x), a), b);
  let hi = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3)), a), b);
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** x³ in float64 (x² exact there, x³ rounded at 2^-53), rounded to float32: powf(x, 3) to 0.5 ulp
 *  but for double rounding (x·x·x in float32 is off by up to 1.3 ulp). */
// @ts-ignore: decorator
@inline function cubeV(x: v128): v128 {
  let lo = f64x2.promote_low_f32x4(x), hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3));
  lo = f64x2.mul(f64x2.mul(lo, lo), lo);
  hi = f64x2.mul(f64x2.mul(hi, hi), hi);
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

// ---- unary -------------------------------------------------------------------------------------

// Internal op codes for pow's exact exponents (unary's public codes stop at 21).
const POW_HALF = 22, CUBE = 23, ONE = 24;

/** One vector of unary op `op`. */
// @ts-ignore: decorator
@inline function unaryV(op: i32, v: v128, alpha: f32, beta: f32): v128 {
  switch (op) {
    case 1: return f32x4.pmax(v, f32x4.splat(0));
    case 2: return sigmoidV(v);
    case 3: return tanhV(v);
    case 4: return expFullV(v);
    case 5: return logV(v);
    case 6: return f32x4.sqrt(v);
    case 7: return f32x4.abs(v);
    case 8: return f32x4.neg(v);
    case 9: return f32x4.div(f32x4.splat(1), v);
    case 10: return erfV(v);
    case 11: return softplusV(v);
    case 12: return f32x4.pmax(f32x4.pmin(affineV(v, alpha, beta), f32x4.splat(1)), f32x4.splat(0));
    case 13: return v128.bitselect(f32x4.mul(v, f32x4.splat(alpha)), v, f32x4.lt(v, f32x4.splat(0)));
    case 14: return f32x4.pmin(f32x4.pmax(v, f32x4.splat(alpha)), f32x4.splat(beta)); // pmax/pmin keep a NaN x
    case 15: return f32x4.mul(v, v);
    case 17: return affineV(v, alpha, beta);
    case 18: return f32x4.floor(v);
    case 19: return f32x4.ceil(v);
    case 20: return f32x4.nearest(v);
    case 21: {
      let one = f32x4.splat(1);
      return v128.bitselect(one, v128.bitselect(f32x4.neg(one), v, f32x4.lt(v, f32x4.splat(0))), f32x4.gt(v, f32x4.splat(0)));
    }
    case POW_HALF: { // powf(x, 0.5): +0 for −0, +Inf for −Inf (sqrt gives −0 and NaN)
      let r = f32x4.abs(f32x4.sqrt(v));
      return v128.bitselect(f32x4.splat(<f32>Infinity), r, f32x4.eq(v, f32x4.splat(<f32>-Infinity)));
    }
    case CUBE: return cubeV(v);
    case ONE: return f32x4.splat(1);
    default: return v;
  }
}

/** One vector of any unary op chosen at run time (not inlined: one copy of every op's code, for the
 *  loop the less common ops share). */
function unaryAnyV(op: i32, v: v128, alpha: f32, beta: f32): v128 {
  return unaryV(op, v, alpha, beta);
}

/** y[i] = op(x[i]) for i < n with the op chosen per vector. */
function unaryAnyLoop(op: i32, n: i32, x: usize, y: usize, alpha: f32, beta: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), unaryAnyV(op, v128.load(at(x, i)), alpha, beta));
  for (; i < n; i++) store<f32>(at(y, i), f32x4.extract_lane(unaryAnyV(op, f32x4.splat(load<f32>(at(x, i))), alpha, beta), 0));
}

/** y[i] = op(x[i]) for i < n (y may equal x). ops: 0 copy, 1 relu, 2 sigmoid, 3 tanh, 4 exp, 5 log,
 *  6 sqrt, 7 abs, 8 neg, 9 reciprocal, 10 erf, 11 softplus, 12 hard sigmoid max(0, min(1, αx + β)),
 *  13 leaky relu (x < 0 ? αx : x), 14 clip to [α, β], 15 square, 16 pow(x, α), 17 αx + β, 18 floor,
 *  19 ceil, 20 round half to even, 21 sign. */
export function unary(op: i32, n: i32, x: usize, y: usize, alpha: f32, beta: f32): void {
  if (op == 16) {
    if (alpha == 2) op = 15;
    else if (alpha == 1) op = 0;
    else if (alpha == -1) op = 9;
    else if (alpha == 0.5) op = POW_HALF;
    else if (alpha == 3) op = CUBE;
    else if (alpha == 0) op = ONE;
    else {
      for (let i = 0; i < n; i++) store<f32>(at(y, i), Mathf.pow(load<f32>(at(x, i)), alpha));
      return;
    }
  }
  // One loop for every op, picking the function per vector: a loop specialised per op was up to five
  // times faster on the cheap ones (relu: 0.08 against 0.4 ns an element) but multiplied the code by
  // twenty, for operators that in real graphs are small or fuse into a convolution's epilogue.
  if (op == 0) {
    if (x != y) memory.copy(y, x, <usize>n << 2);
    return;
  }
  unaryAnyLoop(op, n, x, y, alpha, beta);
}

// ---- binary with broadcasting -------------------------------------------------------------------

/** One vector of a binary op (called, not inlined: one copy of the ops for every loop). */
function binaryV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case 0: return f32x4.add(a, b);
    case 1: return f32x4.sub(a, b);
    case 2: return f32x4.mul(a, b);
    case 3: return f32x4.div(a, b);
    case 5: return f32x4.max(a, b); // NaN-propagating (numpy's maximum), unlike pmax
    case 6: return f32x4.min(a, b);
    default: return v128.bitselect(f32x4.mul(a, b), a, f32x4.lt(a, f32x4.splat(0))); // 7 prelu
  }
}

// @ts-ignore: decorator
@inline function binaryS(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return Mathf.pow(a, b);
    case 5: return max(a, b);
    case 6: return min(a, b);
    case 7: return a < 0 ? a * b : a;
    default: return Mathf.mod(a, b); // 8: C fmod
  }
}

/** y[i] = a[i·sa] op b[i·sb] for i < L, y contiguous. */
function binaryRun(op: i32, L: i32, pa: usize, sa: i32, pb: usize, sb: i32, py: usize): void {
  if (op == 4 && sa == 1 && sb == 0) { unary(16, L, pa, py, load<f32>(pb), 0); return; }
  let i = 0;
  if (op != 4 && op != 8 && (sa | sb) <= 1 && (sa | sb) >= 0) {
    // Strides in {0, 1}: vectors, the broadcast operand as a splat.
    if (sa == 1 && sb == 1) {
      for (; i + 16 <= L; i += 16) {
        let p = at(pa, i), q = at(pb, i), o = at(py, i);
        let r0 = binaryV(op, v128.load(p), v128.load(q));
        let r1 = binaryV(op, v128.load(p, 16), v128.load(q, 16));
        let r2 = binaryV(op, v128.load(p, 32), v128.load(q, 32));
        let r3 = binaryV(op, v128.load(p, 48), v128.load(q, 48));
        v128.store(o, r0); v128.store(o, r1, 16); v128.store(o, r2, 32); v128.store(o, r3, 48);
      }
      for (; i + 4 <= L; i += 4) v128.store(at(py, i), binaryV(op, v128.load(at(pa, i)), v128.load(at(pb, i))));
    } else if (sa == 1) {
      let bv = v128.load32_splat(pb);
      for (; i + 16 <= L; i += 16) {
        let p = at(pa, i), o = at(py, i);
        let r0 = binaryV(op, v128.load(p), bv);
        let r1 = binaryV(op, v128.load(p, 16), bv);
        let r2 = binaryV(op, v128.load(p, 32), bv);
        let r3 = binaryV(op, v128.load(p, 48), bv);
        v128.store(o, r0); v128.store(o, r1, 16); v128.store(o, r2, 32); v128.store(o, r3, 48);
      }
      for (; i + 4 <= L; i += 4) v128.store(at(py, i), binaryV(op, v128.load(at(pa, i)), bv));
    } else if (sb == 1) {
      let av = v128.load32_splat(pa);
      for (; i + 16 <= L; i += 16) {
        let q = at(pb, i), o = at(py, i);
        let r0 = binaryV(op, av, v128.load(q));
        let r1 = binaryV(op, av, v128.load(q, 16));
        let r2 = binaryV(op, av, v128.load(q, 32));
        let r3 = binaryV(op, av, v128.load(q, 48));
        v128.store(o, r0); v128.store(o, r1, 16); v128.store(o, r2, 32); v128.store(o, r3, 48);
      }
      for (; i + 4 <= L; i += 4) v128.store(at(py, i), binaryV(op, av, v128.load(at(pb, i))));
    }
  }
  for (; i < L; i++) store<f32>(at(py, i), binaryS(op, load<f32>(at(pa, i * sa)), load<f32>(at(pb, i * sb))));
}

/** The broadcasting walk (one copy for every op). */
// @ts-ignore: decorator
@inline function binaryWalk(op: i32, desc: usize, a: usize, b: usize, y: usize): void {
  let r = load<i32>(desc);
  let dims = desc + 4, as = dims + (<usize>r << 2), bs = as + (<usize>r << 2);
  for (let k = 0; k < r; k++) if (load<i32>(at(dims, k)) <= 0) return;
  // The run: trailing axes that are one strided line for a and for b (y is contiguous).
  let L = 1, sa = 0, sb = 0, q = r - 1;
  for (; q >= 0; q--) {
    let d = load<i32>(at(dims, q));
    if (d == 1) continue;
    let da = load<i32>(at(as, q)), db = load<i32>(at(bs, q));
    if (L == 1) { L = d; sa = da; sb = db; }
    else if (da == sa * L && db == sb * L) L *= d;
    else break;
  }
  // Outer axes 0..q: q and q − 1 as explicit loops, the rest decoded from one index.
  let d1 = 1, a1 = 0, b1 = 0, d2 = 1, a2 = 0, b2 = 0, rest = 1;
  if (q >= 0) { d1 = load<i32>(at(dims, q)); a1 = load<i32>(at(as, q)); b1 = load<i32>(at(bs, q)); }
  if (q >= 1) { d2 = load<i32>(at(dims, q - 1)); a2 = load<i32>(at(as, q - 1)); b2 = load<i32>(at(bs, q - 1)); }
  for (let k = 0; k < q - 1; k++) rest *= load<i32>(at(dims, k));
  let py = y;
  for (let o = 0; o < rest; o++) {
    let offA = 0, offB = 0, t = o;
    for (let k = q - 2; k >= 0; k--) {
      let d = load<i32>(at(dims, k)), c = t % d;
      t /= d;
      offA += c * load<i32>(at(as, k));
      offB += c * load<i32>(at(bs, k));
    }
    for (let i2 = 0; i2 < d2; i2++) {
      for (let i1 = 0; i1 < d1; i1++) {
        binaryRun(op, L, at(a, offA + i2 * a2 + i1 * a1), sa, at(b, offB + i2 * b2 + i1 * b1), sb, py);
        py = at(py, L);
      }
    }
  }
}

/** y [dims] = a op b with numpy broadcasting. desc: i32 rank r (1…6), dims[r], aStrides[r],
 *  bStrides[r] (elements; 0 on broadcast axes). y may equal a when a has y's contiguous strides.
 *  ops: 0 add, 1 sub, 2 mul, 3 div, 4 pow (powf), 5 max, 6 min, 7 prelu (a < 0 ? b·a : a), 8 fmod. */
export function binary(op: i32, desc: usize, a: usize, b: usize, y: usize): void {
  // One walk for every op, picked per vector: specialising each op multiplied the code by nine for
  // a few percent on operators that move little data next to the convolutions and recurrences.
  binaryWalk(op, desc, a, b, y);
}

// ---- reductions --------------------------------------------------------------------------------

// ops: 0 sum, 1 mean, 2 max, 3 min, 4 sum of squares, 5 L2, 6 log-sum-exp, 7 product.
const LOG_SUM_EXP = 6;

// @ts-ignore: decorator
@inline function reduceInit(op: i32): v128 {
  switch (op) {
    case 2: case LOG_SUM_EXP: return f32x4.splat(<f32>-Infinity);
    case 3: return f32x4.splat(<f32>Infinity);
    case 7: return f32x4.splat(1);
    default: return f32x4.splat(0);
  }
}

/** Folds one vector of inputs into an accumulator (for log-sum-exp, the max pass). */
// @ts-ignore: decorator
@inline function reduceStep(op: i32, acc: v128, v: v128): v128 {
  switch (op) {
    case 2: case LOG_SUM_EXP: return f32x4.max(acc, v);
    case 3: return f32x4.min(acc, v);
    case 4: case 5: return madd(v, v, acc);
    case 7: return f32x4.mul(acc, v);
    default: return f32x4.add(acc, v);
  }
}

/** Combines two accumulators (sums of squares add). */
// @ts-ignore: decorator
@inline function reduceCombine(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case 2: case LOG_SUM_EXP: return f32x4.max(a, b);
    case 3: return f32x4.min(a, b);
    case 7: return f32x4.mul(a, b);
    default: return f32x4.add(a, b);
  }
}

/** The result from the accumulator of n inputs. */
// @ts-ignore: decorator
@inline function reduceFinish(op: i32, acc: v128, n: i32): v128 {
  if (op == 1) return f32x4.div(acc, f32x4.splat(<f32>n));
  if (op == 5) return f32x4.sqrt(acc);
  return acc;
}

/** m + log(s) for log-sum-exp, or m itself when m is ±Inf or NaN. */
// @ts-ignore: decorator
@inline function logSumExpFinish(m: v128, s: v128): v128 {
  let finite = f32x4.lt(f32x4.abs(m), f32x4.splat(<f32>Infinity));
  return v128.bitselect(f32x4.add(m, logV(s)), m, finite);
}

/** The shift for exp(x − m): m where finite, else 0 (the result is m there anyway). */
// @ts-ignore: decorator
@inline function safeMax(m: v128): v128 {
  return v128.and(m, f32x4.lt(f32x4.abs(m), f32x4.splat(<f32>Infinity)));
}

/** Lane-wise horizontal fold of a vector accumulator to lane 0. */
// @ts-ignore: decorator
@inline function reduceLanes(op: i32, v: v128): v128 {
  v = reduceCombine(op, v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return reduceCombine(op, v, v128.shuffle<f32>(v, v, 1, 0, 3, 2));
}

/** Reduces n contiguous floats at p (inner = 1): four accumulators across n. */
function reduceLine(op: i32, n: i32, p: usize): f32 {
  let a0 = reduceInit(op), a1 = a0, a2 = a0, a3 = a0;
  let k = 0;
  for (; k + 16 <= n; k += 16) {
    let q = at(p, k);
    a0 = reduceStep(op, a0, v128.load(q));
    a1 = reduceStep(op, a1, v128.load(q, 16));
    a2 = reduceStep(op, a2, v128.load(q, 32));
    a3 = reduceStep(op, a3, v128.load(q, 48));
  }
  for (; k + 4 <= n; k += 4) a0 = reduceStep(op, a0, v128.load(at(p, k)));
  let acc = reduceLanes(op, reduceCombine(op, reduceCombine(op, a0, a1), reduceCombine(op, a2, a3)));
  // The tail through lane 0 only (the identity elsewhere does not matter: lane 0 is the result).
  for (; k < n; k++) acc = reduceStep(op, acc, v128.load32_zero(at(p, k)));
  if (op == LOG_SUM_EXP) {
    let m = acc, mv = v128.shuffle<f32>(safeMax(m), m, 0, 0, 0, 0);
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    k = 0;
    for (; k + 16 <= n; k += 16) {
      let q = at(p, k);
      s0 = f32x4.add(s0, expV(f32x4.sub(v128.load(q), mv)));
      s1 = f32x4.add(s1, expV(f32x4.sub(v128.load(q, 16), mv)));
      s2 = f32x4.add(s2, expV(f32x4.sub(v128.load(q, 32), mv)));
      s3 = f32x4.add(s3, expV(f32x4.sub(v128.load(q, 48), mv)));
    }
    for (; k + 4 <= n; k += 4) s0 = f32x4.add(s0, expV(f32x4.sub(v128.load(at(p, k)), mv)));
    let s = reduceLanes(0, f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
    for (; k < n; k++) s = f32x4.add(s, expV(f32x4.sub(v128.load32_splat(at(p, k)), mv)));
    acc = logSumExpFinish(m, s);
  }
  return f32x4.extract_lane(reduceFinish(op, acc, n), 0);
}

/** Reduces `width` (1…4 vectors: constant) columns at p, k-stride `inner` floats, into y. */
function reduceColumns(op: i32, width: i32, n: i32, inner: i32, p: usize, y: usize): void {
  let a0 = reduceInit(op), a1 = a0, a2 = a0, a3 = a0;
  let step = <usize>inner << 2;
  let q = p;
  for (let k = 0; k < n; k++) {
    a0 = reduceStep(op, a0, v128.load(q));
    if (width > 1) a1 = reduceStep(op, a1, v128.load(q, 16));
    if (width > 2) a2 = reduceStep(op, a2, v128.load(q, 32));
    if (width > 3) a3 = reduceStep(op, a3, v128.load(q, 48));
    q += step;
  }
  if (op == LOG_SUM_EXP) {
    let m0 = safeMax(a0), m1 = safeMax(a1), m2 = safeMax(a2), m3 = safeMax(a3);
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    q = p;
    for (let k = 0; k < n; k++) {
      s0 = f32x4.add(s0, expV(f32x4.sub(v128.load(q), m0)));
      if (width > 1) s1 = f32x4.add(s1, expV(f32x4.sub(v128.load(q, 16), m1)));
      if (width > 2) s2 = f32x4.add(s2, expV(f32x4.sub(v128.load(q, 32), m2)));
      if (width > 3) s3 = f32x4.add(s3, expV(f32x4.sub(v128.load(q, 48), m3)));
      q += step;
    }
    a0 = logSumExpFinish(a0, s0);
    if (width > 1) a1 = logSumExpFinish(a1, s1);
    if (width > 2) a2 = logSumExpFinish(a2, s2);
    if (width > 3) a3 = logSumExpFinish(a3, s3);
  }
  v128.store(y, reduceFinish(op, a0, n));
  if (width > 1) v128.store(y, reduceFinish(op, a1, n), 16);
  if (width > 2) v128.store(y, reduceFinish(op, a2, n), 32);
  if (width > 3) v128.store(y, reduceFinish(op, a3, n), 48);
}

// @ts-ignore: decorator
@inline function reduceOp(op: i32, outer: i32, n: i32, inner: i32, x: usize, y: usize): void {
  for (let o = 0; o < outer; o++) {
    let xo = at(x, o * n * inner), yo = at(y, o * inner);
    if (inner == 1) {
      store<f32>(yo, reduceLine(op, n, xo));
    } else if (inner >= 4) {
      let i = 0;
      for (; i + 16 <= inner; i += 16) reduceColumns(op, 4, n, inner, at(xo, i), at(yo, i));
      // Then one vector at a time; the last ends at the row's end (recomputing up to 3 columns: same values).
      for (; i < inner; i += 4) {
        let j = min(i, inner - 4);
        reduceColumns(op, 1, n, inner, at(xo, j), at(yo, j));
      }
    } else {
      for (let i = 0; i < inner; i++) {
        let acc = reduceInit(op);
        for (let k = 0; k < n; k++) acc = reduceStep(op, acc, v128.load32_zero(at(xo, k * inner + i)));
        if (op == LOG_SUM_EXP) {
          let mv = v128.shuffle<f32>(safeMax(acc), acc, 0, 0, 0, 0);
          let s = f32x4.splat(0);
          for (let k = 0; k < n; k++) s = f32x4.add(s, expV(f32x4.sub(v128.load32_splat(at(xo, k * inner + i)), mv)));
          acc = logSumExpFinish(acc, s);
        }
        store<f32>(at(yo, i), f32x4.extract_lane(reduceFinish(op, acc, n), 0));
      }
    }
  }
}

/** y[o·inner + i] = R_{k<n} x[(o·n + k)·inner + i]. ops: 0 sum, 1 mean, 2 max, 3 min, 4 sum of squares,
 *  5 L2, 6 log-sum-exp, 7 product; max and min propagate NaN. n = 0 gives sum 0, mean NaN, max −Inf,
 *  min +Inf, sum of squares 0, L2 0, log-sum-exp −Inf, product 1 (as onnxruntime). */
export function reduce(op: i32, outer: i32, n: i32, inner: i32, x: usize, y: usize): void {
  // One loop for every op, picked per vector (as binary).
  reduceOp(op, outer, n, inner, x, y);
}

// ---- normalisation -----------------------------------------------------------------------------

/** y[(b·C + c)·inner + i] = x[…]·scale[c] + shift[c] (a BatchNormalization folded by the caller);
 *  y may equal x. */
export function channelAffine(batch: i32, C: i32, inner: i32, x: usize, scale: usize, shift: usize, y: usize): void {
  if (inner == 1) {
    // [batch, C]: vectors across channels.
    for (let b = 0; b < batch; b++) {
      let xr = at(x, b * C), yr = at(y, b * C);
      let c = 0;
      for (; c + 4 <= C; c += 4) v128.store(at(yr, c), madd(v128.load(at(xr, c)), v128.load(at(scale, c)), v128.load(at(shift, c))));
      for (; c < C; c++) {
        let v = madd(v128.load32_splat(at(xr, c)), v128.load32_splat(at(scale, c)), v128.load32_splat(at(shift, c)));
        store<f32>(at(yr, c), f32x4.extract_lane(v, 0));
      }
    }
    return;
  }
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < C; c++) {
      let row = (b * C + c) * inner;
      let xr = at(x, row), yr = at(y, row);
      let s = v128.load32_splat(at(scale, c)), t = v128.load32_splat(at(shift, c));
      let i = 0;
      for (; i + 16 <= inner; i += 16) {
        let p = at(xr, i), q = at(yr, i);
        let v0 = madd(v128.load(p), s, t), v1 = madd(v128.load(p, 16), s, t);
        let v2 = madd(v128.load(p, 32), s, t), v3 = madd(v128.load(p, 48), s, t);
        v128.store(q, v0); v128.store(q, v1, 16); v128.store(q, v2, 32); v128.store(q, v3, 48);
      }
      for (; i + 4 <= inner; i += 4) v128.store(at(yr, i), madd(v128.load(at(xr, i)), s, t));
      for (; i < inner; i++) store<f32>(at(yr, i), f32x4.extract_lane(madd(v128.load32_splat(at(xr, i)), s, t), 0));
    }
  }
}

/** Sum of n contiguous floats (four vector accumulators); with `centre`, of (x − centre)². */
// @ts-ignore: decorator
@inline function rowSum(p: usize, n: i32, squares: bool, centre: f32): f32 {
  let c = f32x4.splat(centre);
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let k = 0;
  for (; k + 16 <= n; k += 16) {
    let q = at(p, k);
    let v0 = v128.load(q), v1 = v128.load(q, 16), v2 = v128.load(q, 32), v3 = v128.load(q, 48);
    if (squares) {
      v0 = f32x4.sub(v0, c); v1 = f32x4.sub(v1, c); v2 = f32x4.sub(v2, c); v3 = f32x4.sub(v3, c);
      a0 = madd(v0, v0, a0); a1 = madd(v1, v1, a1); a2 = madd(v2, v2, a2); a3 = madd(v3, v3, a3);
    } else {
      a0 = f32x4.add(a0, v0); a1 = f32x4.add(a1, v1); a2 = f32x4.add(a2, v2); a3 = f32x4.add(a3, v3);
    }
  }
  for (; k + 4 <= n; k += 4) {
    let v = v128.load(at(p, k));
    if (squares) { v = f32x4.sub(v, c); a0 = madd(v, v, a0); } else a0 = f32x4.add(a0, v);
  }
  let s = reduceLanes(0, f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  let r = f32x4.extract_lane(s, 0);
  for (; k < n; k++) {
    let v = load<f32>(at(p, k));
    if (squares) { v -= centre; r += v * v; } else r += v;
  }
  return r;
}

/** Each row of x [rows×cols] normalised over its cols: y = (x − mean)/√(var + eps)·scale[j] + bias[j],
 *  var = (1/cols)·Σ(x − mean)² (two passes). scale 0 = ones, bias 0 = none; mean / invStd 0 = not
 *  wanted, else [rows] floats. y may equal x. */
export function layerNorm(rows: i32, cols: i32, x: usize, scale: usize, bias: usize, eps: f32, y: usize,
                          mean: usize, invStd: usize): void {
  for (let r = 0; r < rows; r++) {
    let xr = at(x, r * cols), yr = at(y, r * cols);
    let mu = rowSum(xr, cols, false, 0) / <f32>cols;
    let variance = rowSum(xr, cols, true, mu) / <f32>cols;
    let inv = <f32>1 / Mathf.sqrt(variance + eps);
    if (mean != 0) store<f32>(at(mean, r), mu);
    if (invStd != 0) store<f32>(at(invStd, r), inv);
    let m = f32x4.splat(mu), iv = f32x4.splat(inv), one = f32x4.splat(1), zero = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      let s = scale != 0 ? v128.load(at(scale, j)) : one;
      let b = bias != 0 ? v128.load(at(bias, j)) : zero;
      v128.store(at(yr, j), madd(f32x4.mul(f32x4.sub(v128.load(at(xr, j)), m), iv), s, b));
    }
    for (; j < cols; j++) {
      let s = scale != 0 ? v128.load32_splat(at(scale, j)) : one;
      let b = bias != 0 ? v128.load32_splat(at(bias, j)) : zero;
      let v = madd(f32x4.mul(f32x4.sub(v128.load32_splat(at(xr, j)), m), iv), s, b);
      store<f32>(at(yr, j), f32x4.extract_lane(v, 0));
    }
  }
}

// ---- data movement (4-byte elements: float32 or int32, moved as bits) -------------------------------

/** y[i·sy] = x[i·sx] for i < L. */
// @ts-ignore: decorator
@inline function copyLine(L: i32, px: usize, sx: i32, py: usize, sy: i32): void {
  let i = 0;
  if (sx == 1 && sy == 1) {
    if (L >= 32) { memory.copy(py, px, <usize>L << 2); return; }
    for (; i + 4 <= L; i += 4) v128.store(at(py, i), v128.load(at(px, i)));
  } else if (sx == 0) {
    let v = load<i32>(px);
    if (sy == 1) {
      let vv = i32x4.splat(v);
      for (; i + 4 <= L; i += 4) v128.store(at(py, i), vv);
      for (; i < L; i++) store<i32>(at(py, i), v);
    } else {
      for (; i < L; i++) store<i32>(at(py, i * sy), v);
    }
    return;
  }
  for (; i < L; i++) store<i32>(at(py, i * sy), load<i32>(at(px, i * sx)));
}

/** y[j·ly + i] = x[i·lx + j] for i < L, j < D: 4×4 blocks transposed in registers (x contiguous
 *  along j, y along i). */
function transposeBlocks(L: i32, D: i32, x: usize, lx: i32, y: usize, ly: i32): void {
  let j = 0;
  let rx = <usize>lx << 2;
  for (; j + 4 <= D; j += 4) {
    let i = 0;
    for (; i + 4 <= L; i += 4) {
      let p = at(x, i * lx + j);
      let r0 = v128.load(p), r1 = v128.load(p + rx), r2 = v128.load(p + 2 * rx), r3 = v128.load(p + 3 * rx);
      let t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      let t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      let q = at(y, j * ly + i);
      v128.store(q, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(at(q, ly), v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(at(q, 2 * ly), v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(at(q, 3 * ly), v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    for (; i < L; i++) {
      for (let m = 0; m < 4; m++) store<i32>(at(y, (j + m) * ly + i), load<i32>(at(x, i * lx + j + m)));
    }
  }
  for (; j < D; j++) copyLine(L, at(x, j), lx, at(y, j * ly), 1);
}

/** Strided copy of 4-byte elements. desc: i32 rank r (1…8), dims[r], xStrides[r], yStrides[r]
 *  (elements; x strides may be 0 or anything, y strides say where each element goes): Transpose,
 *  Slice, Expand, Tile, Concat parts, channel splits. x and y must not overlap. */
export function copyStrided(desc: usize, x: usize, y: usize): void {
  let r = load<i32>(desc);
  let dims = desc + 4, xs = dims + (<usize>r << 2), ys = xs + (<usize>r << 2);
  for (let k = 0; k < r; k++) if (load<i32>(at(dims, k)) <= 0) return;
  let L = 1, sx = 0, sy = 0, q = r - 1;
  for (; q >= 0; q--) {
    let d = load<i32>(at(dims, q));
    if (d == 1) continue;
    let dx = load<i32>(at(xs, q)), dy = load<i32>(at(ys, q));
    if (L == 1) { L = d; sx = dx; sy = dy; }
    else if (dx == sx * L && dy == sy * L) L *= d;
    else break;
  }
  let d1 = 1, x1 = 0, y1 = 0, d2 = 1, x2 = 0, y2 = 0, rest = 1;
  if (q >= 0) { d1 = load<i32>(at(dims, q)); x1 = load<i32>(at(xs, q)); y1 = load<i32>(at(ys, q)); }
  if (q >= 1) { d2 = load<i32>(at(dims, q - 1)); x2 = load<i32>(at(xs, q - 1)); y2 = load<i32>(at(ys, q - 1)); }
  for (let k = 0; k < q - 1; k++) rest *= load<i32>(at(dims, k));
  // A transpose of the run with the next axis: y contiguous along one, x along the other.
  let blocksA = L >= 4 && d1 >= 4 && sy == 1 && x1 == 1;
  let blocksB = !blocksA && L >= 4 && d1 >= 4 && sx == 1 && y1 == 1;
  for (let o = 0; o < rest; o++) {
    let offX = 0, offY = 0, t = o;
    for (let k = q - 2; k >= 0; k--) {
      let d = load<i32>(at(dims, k)), c = t % d;
      t /= d;
      offX += c * load<i32>(at(xs, k));
      offY += c * load<i32>(at(ys, k));
    }
    for (let i2 = 0; i2 < d2; i2++) {
      let bx = offX + i2 * x2, by = offY + i2 * y2;
      if (blocksA) transposeBlocks(L, d1, at(x, bx), sx, at(y, by), y1);
      else if (blocksB) transposeBlocks(d1, L, at(x, bx), x1, at(y, by), sy);
      else for (let i1 = 0; i1 < d1; i1++) copyLine(L, at(x, bx + i1 * x1), sx, at(y, by + i1 * y1), sy);
    }
  }
}

/** Source index of output index i (already shifted by `before`) on an axis of n inputs, or −1 for
 *  the constant. Modes: 0 constant, 1 reflect (numpy 'reflect': period 2(n−1), edge not repeated),
 *  2 edge, 3 wrap. */
// @ts-ignore: decorator
@inline function padSource(i: i32, n: i32, mode: i32): i32 {
  if (<u32>i < <u32>n) return i;
  if (mode == 0 || n <= 0) return -1;
  if (mode == 2) return i < 0 ? 0 : n - 1;
  if (mode == 3) {
    if (i < 0 && i >= -n) return i + n; // one period out (the usual pad): no division
    if (i >= n && i < 2 * n) return i - n;
    let m = i % n;
    return m < 0 ? m + n : m;
  }
  if (n == 1) return 0;
  if (i < 0 && i > -n) return -i; // one reflection
  let period = 2 * (n - 1);
  if (i >= n && i < period) return period - i;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/** Pad (or crop, with negative pads) of 4-byte elements. desc: i32 rank r (1…8), inDims[r],
 *  before[r], after[r]; y [inDims + before + after]. mode 0 constant (`value`, as float bits),
 *  1 reflect, 2 edge, 3 wrap. */
export function pad(desc: usize, x: usize, y: usize, mode: i32, value: f32): void {
  let r = load<i32>(desc);
  let ins = desc + 4, befores = ins + (<usize>r << 2), afters = befores + (<usize>r << 2);
  let rows = 1;
  for (let k = 0; k < r; k++) {
    let d = load<i32>(at(ins, k)) + load<i32>(at(befores, k)) + load<i32>(at(afters, k));
    if (d <= 0) return;
    if (k < r - 1) rows *= d;
  }
  let fill = reinterpret<i32>(value);
  // The last axis: [0, left) and [right, nOut) are padding, [left, right) copies x[lo, lo + right − left).
  let nIn = load<i32>(at(ins, r - 1)), bL = load<i32>(at(befores, r - 1));
  let nOut = nIn + bL + load<i32>(at(afters, r - 1));
  let left = min(nOut, max(0, bL)), right = max(left, min(nOut, bL + nIn));
  // The second-to-last axis as an explicit loop, the others decoded per row group.
  let d2 = 1, n2 = 1, b2 = 0;
  if (r >= 2) { n2 = load<i32>(at(ins, r - 2)); b2 = load<i32>(at(befores, r - 2)); d2 = n2 + b2 + load<i32>(at(afters, r - 2)); }
  let groups = rows / d2;
  let py = y;
  for (let g = 0; g < groups; g++) {
    // Source offset of the group (axes 0..r−3), or −1 when a constant pad covers it.
    let base = 0, stride = nIn * n2, t = g;
    for (let k = r - 3; k >= 0; k--) {
      let nk = load<i32>(at(ins, k));
      let dk = nk + load<i32>(at(befores, k)) + load<i32>(at(afters, k));
      let i = padSource(t % dk - load<i32>(at(befores, k)), nk, mode);
      t /= dk;
      if (i < 0) base = -1;
      else if (base >= 0) base += i * stride;
      stride *= nk;
    }
    for (let o2 = 0; o2 < d2; o2++) {
      let i2 = r >= 2 ? padSource(o2 - b2, n2, mode) : 0;
      if (base < 0 || i2 < 0) {
        let vv = i32x4.splat(fill), j = 0;
        for (; j + 4 <= nOut; j += 4) v128.store(at(py, j), vv);
        for (; j < nOut; j++) store<i32>(at(py, j), fill);
      } else {
        let src = at(x, base + i2 * nIn);
        for (let j = 0; j < left; j++) {
          let i = padSource(j - bL, nIn, mode);
          store<i32>(at(py, j), i < 0 ? fill : load<i32>(at(src, i)));
        }
        copyLine(right - left, at(src, left - bL), 1, at(py, left), 1);
        for (let j = right; j < nOut; j++) {
          let i = padSource(j - bL, nIn, mode);
          store<i32>(at(py, j), i < 0 ? fill : load<i32>(at(src, i)));
        }
      }
      py = at(py, nOut);
    }
  }
}
