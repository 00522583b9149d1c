// The SIMD activations against float64 Math over a dense sweep and the extremes: the error bounds
// stated in activations.ts.

import { activationArray } from "../activations";
import { floats } from "./helpers.include";

const N = 200001;

/** Largest |f(x) − ref(x)| (relative when `relative`) over x in [lo, hi], as a float64. */
function worstError(kind: i32, lo: f64, hi: f64, relative: bool): f64 {
  let x = floats(N), y = floats(N);
  for (let i = 0; i < N; i++) store<f32>(x + (<usize>i << 2), <f32>(lo + (hi - lo) * <f64>i / <f64>(N - 1)));
  activationArray(kind, x, y, N);
  let worst: f64 = 0;
  for (let i = 0; i < N; i++) {
    let xi = <f64>load<f32>(x + (<usize>i << 2));
    let ref = kind == 0 ? Math.exp(xi) : kind == 1 ? 1 / (1 + Math.exp(-xi)) : Math.tanh(xi);
    let err = Math.abs(<f64>load<f32>(y + (<usize>i << 2)) - ref);
    if (relative) err = ref != 0 ? err / Math.abs(ref) : err;
    worst = Math.max(worst, err);
  }
  heap.free(x); heap.free(y);
  return worst;
}

describe("activations", () => {
  it("exp: relative error ≤ 3e-7 on [−87, 88]", () => {
    expect(worstError(0, -87, 88, true)).toBeLessThan(3e-7);
  });
  it("sigmoid: absolute error ≤ 2e-7 on [−100, 100]", () => {
    expect(worstError(1, -100, 100, false)).toBeLessThan(2e-7);
  });
  it("tanh: absolute error ≤ 3.5e-7 on [−20, 20] and relative ≤ 3e-7 for |x| ≤ 1", () => {
    expect(worstError(2, -20, 20, false)).toBeLessThan(3.5e-7);
    expect(worstError(2, -1, 1, true)).toBeLessThan(3e-7);
    expect(worstError(2, -1e-3, 1e-3, true)).toBeLessThan(3e-7);
  });
  it("near saturation (x ≥ 1) σ is within 1e-7 of exact (under two float32 steps below 1): a gate's distance from 1", () => {
    expect(worstError(1, 1, 80, false)).toBeLessThan(1e-7);
  });
  it("saturates without NaN at ±Inf", () => {
    let x = floats(4), y = floats(4);
    store<f32>(x, Infinity); store<f32>(x, -Infinity, 4); store<f32>(x, 1e30, 8); store<f32>(x, -1e30, 12);
    activationArray(2, x, y, 4);
    expect(load<f32>(y)).toBe(1); expect(load<f32>(y, 4)).toBe(-1);
    activationArray(1, x, y, 4);
    expect(load<f32>(y)).toBe(1); expect(load<f32>(y, 4)).toBeLessThan(<f32>1e-30);
  });
});
