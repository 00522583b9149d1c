// Pointwise activation layers over flat arrays, forward and backward side by side (the nonlinearity
// after the attention combination and the state bridge of seq2seq).
//
// Legend: n floats.   y = tanh(x);   ∂x = ∂y ⊙ (1 − y²)

import { tanhV } from "./activations";
import { ld, st } from "./lanes";

/** y = tanh(x) (y may alias x). */
export function tanhForward(n: i32, x: usize, y: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) st(y + (<usize>i << 2), tanhV(ld(x + (<usize>i << 2), true)), true);
  for (; i < n; i++) st(y + (<usize>i << 2), tanhV(ld(x + (<usize>i << 2), false)), false);
}

/** ∂x = ∂y ⊙ (1 − y²) from the forward output y (∂x may alias ∂y). */
export function tanhBackward(n: i32, y: usize, dy: usize, dx: usize): void {
  let one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2, yv = ld(y + o, true);
    st(dx + o, f32x4.mul(ld(dy + o, true), f32x4.sub(one, f32x4.mul(yv, yv))), true);
  }
  for (; i < n; i++) {
    let o = <usize>i << 2, yv = ld(y + o, false);
    st(dx + o, f32x4.mul(ld(dy + o, false), f32x4.sub(one, f32x4.mul(yv, yv))), false);
  }
}
