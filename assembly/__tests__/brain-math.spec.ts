// brain.js's float64 exp, expm1, tanh and sigmoid (brain-math.ts) against the scalar libm, their naive
// reference, over dense sweeps: within a few float64 ulps, so rounded to float32 (what brain.js stores)
// they agree with the libm but on a float32 rounding boundary; and the extremes and NaN.

import { expLanes, expm1Lanes, sigmoidLanes, tanhLanes } from "../brain-math";

const N = 100001;

/** f(x) of the libm (kind 0 exp, 1 expm1, 2 tanh, 3 sigmoid as brain.js writes it). */
function reference(kind: i32, x: f64): f64 {
  return kind == 0 ? Math.exp(x) : kind == 1 ? Math.expm1(x) : kind == 2 ? Math.tanh(x) : 1 / (1 + Math.exp(-x));
}

function lanes(kind: i32, x: v128): v128 {
  return kind == 0 ? expLanes(x) : kind == 1 ? expm1Lanes(x) : kind == 2 ? tanhLanes(x) : sigmoidLanes(x);
}

/** One float64 ulp at |v|. */
function ulp(v: f64): f64 {
  const bits = reinterpret<u64>(Math.abs(v));
  return reinterpret<f64>(bits + 1) - reinterpret<f64>(bits);
}

/** [worst error in ulps, how many float32 roundings differ] over x in [lo, hi], two lanes per call. */
function sweep(kind: i32, lo: f64, hi: f64): StaticArray<f64> {
  let worst: f64 = 0, differ: f64 = 0;
  for (let i = 0; i < N; i += 2) {
    const a = lo + (hi - lo) * <f64>i / <f64>(N - 1), b = lo + (hi - lo) * <f64>(i + 1) / <f64>(N - 1);
    const y = lanes(kind, f64x2.replace_lane(f64x2.splat(a), 1, b));
    for (let k = 0; k < 2; k++) {
      const x = k == 0 ? a : b, got = k == 0 ? f64x2.extract_lane(y, 0) : f64x2.extract_lane(y, 1), want = reference(kind, x);
      if (want != 0) worst = Math.max(worst, Math.abs(got - want) / ulp(want));
      if (<f32>got != <f32>want) differ++;
    }
  }
  const result = new StaticArray<f64>(2);
  result[0] = worst;
  result[1] = differ;
  return result;
}

describe("brain.js's float64 functions", () => {
  it("exp within 2 ulps on [−700, 700] and [−1, 1]; float32 roundings agree", () => {
    for (let r = 0; r < 2; r++) {
      const s = r == 0 ? sweep(0, -700, 700) : sweep(0, -1, 1);
      expect(s[0]).toBeLessThanOrEqual(2);
      expect(s[1]).toBe(0);
    }
  });
  it("expm1 within 3 ulps on [−40, 40] and [−1e-3, 1e-3]; float32 roundings agree", () => {
    for (let r = 0; r < 2; r++) {
      const s = r == 0 ? sweep(1, -40, 40) : sweep(1, -1e-3, 1e-3);
      expect(s[0]).toBeLessThanOrEqual(3);
      expect(s[1]).toBe(0);
    }
  });
  it("tanh within 3 ulps on [−25, 25] and [−1e-4, 1e-4]; float32 roundings agree", () => {
    for (let r = 0; r < 2; r++) {
      const s = r == 0 ? sweep(2, -25, 25) : sweep(2, -1e-4, 1e-4);
      expect(s[0]).toBeLessThanOrEqual(3);
      expect(s[1]).toBe(0);
    }
  });
  it("sigmoid within 4 ulps on [−120, 120]; float32 roundings agree, subnormal tails included", () => {
    const s = sweep(3, -120, 120);
    expect(s[0]).toBeLessThanOrEqual(4);
    expect(s[1]).toBe(0);
  });
  it("the extremes: 0 and 1 where the libm overflows, ±1, −0, and NaN through", () => {
    const big = f64x2.replace_lane(f64x2.splat(1000), 1, -1000);
    expect(<f32>f64x2.extract_lane(expLanes(big), 1)).toBe(0);
    expect(f64x2.extract_lane(sigmoidLanes(big), 0)).toBe(1);
    expect(<f32>f64x2.extract_lane(sigmoidLanes(big), 1)).toBe(0);
    const inf = f64x2.replace_lane(f64x2.splat(Infinity), 1, -Infinity);
    expect(f64x2.extract_lane(tanhLanes(inf), 0)).toBe(1);
    expect(f64x2.extract_lane(tanhLanes(inf), 1)).toBe(-1);
    expect(1 / f64x2.extract_lane(tanhLanes(f64x2.splat(-0.0)), 0)).toBe(-Infinity);
    const nan = f64x2.splat(NaN);
    expect(isNaN(f64x2.extract_lane(expLanes(nan), 0))).toBe(true);
    expect(isNaN(f64x2.extract_lane(tanhLanes(nan), 0))).toBe(true);
    expect(isNaN(f64x2.extract_lane(sigmoidLanes(nan), 0))).toBe(true);
  });
});
