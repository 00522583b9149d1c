// SIMD exp, sigmoid and tanh on four lanes, plus array versions for tests and for the cells' tails.
// Owns the approximations and their error bounds; the cells inline the vector forms.
//
// Error (measured against float64 over the whole float range by assembly/__tests__/activations.spec.ts):
//   exp      relative ≤ 3e-7 for inputs in [−87, 88] (clamped outside; 0 below e^−87 is not produced: result ≥ 1e-38)
//   sigmoid  absolute ≤ 2e-7; ≤ 1e-7 for x ≥ 1 (under two float32 steps below 1)
//   tanh     absolute ≤ 3.5e-7, relative ≤ 3e-7 for |x| ≤ 1
// tanh is a rational function, x·P(x²)/Q(x²) (one division, no exp: the recurrent cells spend most of
// their time outside the products here, and this halves it). σ(x) = 1 / (1 + e^−x), so a saturated
// gate is as close to 1 as the exact value: an LSTM whose cell state is large multiplies the forget
// gate's error into it at every step, and with σ = (1 + tanh(x/2)) / 2 (2e-7 off near 1) Silero's
// state (|c| ≈ 170) drifted from onnxruntime's by 7e-4 over 455 frames. Coefficients were fitted on
// Chebyshev nodes (scripts/fit-activations.py): exp by weighted least squares, tanh by linearised
// rational least squares with Lawson reweighting.

import { madd } from "./simd";

// exp(x) = 2^n · e^r, n = round(x / ln 2), |r| ≤ ln2 / 2; e^r ≈ 1 + r + r²·q(r).
const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693145752;
const LN2_LO: f32 = 1.42860677e-6;
const ROUND_MAGIC: f32 = 12582912.0; // 1.5 · 2^23: adding and subtracting it rounds to the nearest integer
const EXP_Q0: f32 = 0.49999988;
const EXP_Q1: f32 = 0.16666518;
const EXP_Q2: f32 = 0.041669533;
const EXP_Q3: f32 = 0.008368916;
const EXP_Q4: f32 = 0.0013751407;
const EXP_MIN: f32 = -87.0;
const EXP_MAX: f32 = 88.0;

// tanh(x) = x·P(x²)/Q(x²) for |x| ≤ TANH_CLAMP (P(0) = Q(0) = 1), clamped to [−1, 1].
const TANH_P1: f32 = 0.13381034;
const TANH_P2: f32 = 0.0034955973;
const TANH_P3: f32 = 2.0609217e-5;
const TANH_P4: f32 = 1.3354824e-8;
const TANH_Q1: f32 = 0.4671435;
const TANH_Q2: f32 = 0.025877018;
const TANH_Q3: f32 = 3.285649e-4;
const TANH_Q4: f32 = 7.77663e-7;
const TANH_CLAMP: f32 = 9.0; // tanh rounds to ±1 in float32 from |x| ≈ 9.01

// @ts-ignore: decorator
@inline export function expV(x: v128): v128 {
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(EXP_MAX)), f32x4.splat(EXP_MIN));
  let magic = f32x4.splat(ROUND_MAGIC);
  let n = f32x4.sub(f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), magic), magic);
  let r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let q = f32x4.add(f32x4.mul(f32x4.splat(EXP_Q4), r), f32x4.splat(EXP_Q3));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(EXP_Q2));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(EXP_Q1));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(EXP_Q0));
  let p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(r, r), q), r), f32x4.splat(1));
  let scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

// sigmoid's and tanh's constants as four-lane vectors in static data, at the byte offsets below: V8
// rebuilds a splat of a constant inside a loop each time (a move, a transfer, a shuffle), where a
// load from L1 is one instruction — measured, the LSTM gate pass took 30 µs a step instead of 49
// (W2, Node 26).
const CLAMP = 0, NEG_CLAMP = 16, P4 = 32, P3 = 48, P2 = 64, P1 = 80, Q4 = 96, Q3 = 112, Q2 = 128, Q1 = 144, ONE = 160, NEG_ONE = 176;
const VECTORS = memory.data<f32>([
  TANH_CLAMP, TANH_CLAMP, TANH_CLAMP, TANH_CLAMP, -TANH_CLAMP, -TANH_CLAMP, -TANH_CLAMP, -TANH_CLAMP,
  TANH_P4, TANH_P4, TANH_P4, TANH_P4, TANH_P3, TANH_P3, TANH_P3, TANH_P3,
  TANH_P2, TANH_P2, TANH_P2, TANH_P2, TANH_P1, TANH_P1, TANH_P1, TANH_P1,
  TANH_Q4, TANH_Q4, TANH_Q4, TANH_Q4, TANH_Q3, TANH_Q3, TANH_Q3, TANH_Q3,
  TANH_Q2, TANH_Q2, TANH_Q2, TANH_Q2, TANH_Q1, TANH_Q1, TANH_Q1, TANH_Q1,
  1, 1, 1, 1, -1, -1, -1, -1,
], 16);

/** The constant vector at byte offset `at` of VECTORS. */
// @ts-ignore: decorator
@inline function constant(at: usize): v128 {
  return v128.load(VECTORS + at);
}

/** σ(x) = 1 / (1 + e^−x): near saturation 1 − σ is as accurate as e^−x (relative), where
 *  (1 + tanh(x/2)) / 2 erred by up to 2e-7 — the forget gate of an LSTM whose cell state is large
 *  (Silero's reaches |c| ≈ 170) multiplies that into the state at every step. */
// @ts-ignore: decorator
@inline export function sigmoidV(x: v128): v128 {
  let one = constant(ONE);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.neg(x))));
}

/** tanh(x) = x·P(x²)/Q(x²) on |x| ≤ TANH_CLAMP (clamped beyond), the result clamped to [−1, 1]. */
// @ts-ignore: decorator
@inline export function tanhV(x: v128): v128 {
  let one = constant(ONE);
  x = f32x4.pmax(f32x4.pmin(x, constant(CLAMP)), constant(NEG_CLAMP));
  let s = f32x4.mul(x, x);
  let p = madd(constant(P4), s, constant(P3));
  p = madd(p, s, constant(P2));
  p = madd(p, s, constant(P1));
  p = madd(p, s, one);
  let q = madd(constant(Q4), s, constant(Q3));
  q = madd(q, s, constant(Q2));
  q = madd(q, s, constant(Q1));
  q = madd(q, s, one);
  let y = f32x4.div(f32x4.mul(x, p), q);
  return f32x4.pmax(f32x4.pmin(y, one), constant(NEG_ONE));
}

/** ReLU: max(x, 0) with pmax (one instruction in V8; NaN rules do not matter here). */
// @ts-ignore: decorator
@inline export function reluV(x: v128): v128 {
  return f32x4.pmax(x, f32x4.splat(0));
}

/** Scalar forms through lane 0 of the vector forms, so tails round exactly like the body. */
// @ts-ignore: decorator
@inline export function tanh1(x: f32): f32 {
  return f32x4.extract_lane(tanhV(f32x4.splat(x)), 0);
}
// @ts-ignore: decorator
@inline export function exp1(x: f32): f32 {
  return f32x4.extract_lane(expV(f32x4.splat(x)), 0);
}

/** out[i] = f(x[i]) for i < n; kind 0 exp, 1 sigmoid, 2 tanh. For tests and error measurement. */
export function activationArray(kind: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let v = v128.load(x + (<usize>i << 2));
    let r = kind == 0 ? expV(v) : kind == 1 ? sigmoidV(v) : tanhV(v);
    v128.store(out + (<usize>i << 2), r);
  }
  for (; i < n; i++) {
    let v = f32x4.splat(load<f32>(x + (<usize>i << 2)));
    let r = kind == 0 ? expV(v) : kind == 1 ? sigmoidV(v) : tanhV(v);
    store<f32>(out + (<usize>i << 2), f32x4.extract_lane(r, 0));
  }
}
