// Optimizer updates and gradient clipping over flat float arrays (a layer's parameters, gradients and
// optimizer state are each one contiguous array, so every update is one loop). Follows PyTorch's
// formulas (torch.optim.SGD / Adam / AdamW, clip_grad_norm_ / clip_grad_value_).
//
// Legend: n floats; p parameters, g gradients, v momentum / second moment, m first moment.

import { ld, st } from "./lanes";

/** Σ x² over n floats, accumulated in float64 per block so long arrays stay accurate. */
export function sumOfSquares(n: i32, x: usize): f64 {
  let total: f64 = 0;
  let i = 0;
  while (i < n) {
    let end = min(n, i + 4096);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      let v = v128.load(x + (<usize>i << 2));
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    total += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
    for (; i < end; i++) {
      let v = <f64>load<f32>(x + (<usize>i << 2));
      total += v * v;
    }
  }
  return total;
}

/** Number of NaN or ±Inf among n floats. */
export function countNonFinite(n: i32, x: usize): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) if (!isFinite<f32>(load<f32>(x + (<usize>i << 2)))) count++;
  return count;
}

/** x *= s. */
export function scaleInPlace(n: i32, x: usize, s: f32): void {
  let vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(x + (<usize>i << 2), f32x4.mul(v128.load(x + (<usize>i << 2)), vs));
  for (; i < n; i++) store<f32>(x + (<usize>i << 2), load<f32>(x + (<usize>i << 2)) * s);
}

/** x = clamp(x, −c, c) (clip by value). */
export function clampInPlace(n: i32, x: usize, c: f32): void {
  let hi = f32x4.splat(c), lo = f32x4.splat(-c);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(x + (<usize>i << 2), f32x4.pmax(f32x4.pmin(v128.load(x + (<usize>i << 2)), hi), lo));
  for (; i < n; i++) store<f32>(x + (<usize>i << 2), max(min(load<f32>(x + (<usize>i << 2)), c), -c));
}

/**
 * SGD with optional L2 weight decay, momentum (dampening) and Nesterov momentum:
 *   d = g + wd·p;  v = first ? d : μv + (1 − dampening)d;  d = nesterov ? d + μv : v;  p −= lr·d
 * With momentum 0, v is unused (may be 0).
 */
export function sgdStep(n: i32, p: usize, g: usize, v: usize, lr: f32, momentum: f32, dampening: f32,
                        weightDecay: f32, nesterov: i32, first: i32): void {
  for (let i = 0; i < n; i++) {
    let o = <usize>i << 2;
    let d = load<f32>(g + o) + weightDecay * load<f32>(p + o);
    if (momentum != 0) {
      let buf = first ? d : momentum * load<f32>(v + o) + (1 - dampening) * d;
      store<f32>(v + o, buf);
      d = nesterov ? d + momentum * buf : buf;
    }
    store<f32>(p + o, load<f32>(p + o) - lr * d);
  }
}

/** One Adam update of four (wide) or one lane(s) at byte offset o. */
// @ts-ignore: decorator
@inline function adamLanes(o: usize, wide: bool, p: usize, g: usize, m: usize, v: usize, beta1: f32, beta2: f32,
                           eps: f32, stepSize: f32, sqrtBc2: f32, decay: f32, l2: f32): void {
  let pv = ld(p + o, wide);
  let gv = f32x4.add(ld(g + o, wide), f32x4.mul(f32x4.splat(l2), pv));
  pv = f32x4.mul(pv, f32x4.splat(decay));
  let mv = f32x4.add(f32x4.mul(f32x4.splat(beta1), ld(m + o, wide)), f32x4.mul(f32x4.splat(1 - beta1), gv));
  let sv = f32x4.add(f32x4.mul(f32x4.splat(beta2), ld(v + o, wide)), f32x4.mul(f32x4.splat(1 - beta2), f32x4.mul(gv, gv)));
  let denom = f32x4.add(f32x4.div(f32x4.sqrt(sv), f32x4.splat(sqrtBc2)), f32x4.splat(eps));
  st(m + o, mv, wide);
  st(v + o, sv, wide);
  st(p + o, f32x4.sub(pv, f32x4.mul(f32x4.splat(stepSize), f32x4.div(mv, denom))), wide);
}

/**
 * Adam (decoupled = 0: L2 decay added to the gradient) or AdamW (decoupled = 1: p *= 1 − lr·wd):
 *   m = β1 m + (1 − β1) g;  v = β2 v + (1 − β2) g²;  p −= (lr / bc1) · m / (√v / √bc2 + ε)
 * bc1 = 1 − β1^t and bc2 = 1 − β2^t are computed by the caller for step t.
 */
export function adamStep(n: i32, p: usize, g: usize, m: usize, v: usize, lr: f32, beta1: f32, beta2: f32, eps: f32,
                         weightDecay: f32, decoupled: i32, bc1: f32, bc2: f32): void {
  let stepSize = lr / bc1, sqrtBc2 = Mathf.sqrt(bc2);
  let decay: f32 = decoupled ? 1 - lr * weightDecay : 1;
  let l2: f32 = decoupled ? 0 : weightDecay;
  let i = 0;
  for (; i + 4 <= n; i += 4) adamLanes(<usize>i << 2, true, p, g, m, v, beta1, beta2, eps, stepSize, sqrtBc2, decay, l2);
  for (; i < n; i++) adamLanes(<usize>i << 2, false, p, g, m, v, beta1, beta2, eps, stepSize, sqrtBc2, decay, l2);
}

/** dst (=|+=) s·src over n floats: reducing gradient shards from workers in a fixed order. */
export function scaleAdd(n: i32, dst: usize, src: usize, s: f32, accumulate: i32): void {
  let vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2;
    let v = f32x4.mul(v128.load(src + o), vs);
    v128.store(dst + o, accumulate ? f32x4.add(v128.load(dst + o), v) : v);
  }
  for (; i < n; i++) {
    let o = <usize>i << 2;
    let v = load<f32>(src + o) * s;
    store<f32>(dst + o, accumulate ? load<f32>(dst + o) + v : v);
  }
}
