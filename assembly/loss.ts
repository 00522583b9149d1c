// Losses with their gradients in one pass (fused forward and backward), and the softmax forms used
// for sampling and log-probabilities. Owns the numerics (max-shifted exponentials, log-sum-exp in
// float64); the caller owns reduction choices through `gradScale`.
//
// Legend: N rows, V classes.
//   cross-entropy   loss_n = logΣ_j e^{x_nj} − x_{n,t_n};   ∂loss_n/∂x_nj = softmax_nj − [j = t_n]
//   BCE with logits loss_i = max(x,0) − x·y + log(1 + e^{−|x|});  ∂/∂x = σ(x) − y

import { expV } from "./activations";

/** Largest value of a row of V floats. */
function rowMax(row: usize, V: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= V; j += 4) m = f32x4.pmax(m, v128.load(row + (<usize>j << 2)));
  let best = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  for (; j < V; j++) best = max(best, load<f32>(row + (<usize>j << 2)));
  return best;
}

/** out[j] = e^{row[j] · invT − shift} (out may be 0: sum only); returns Σ_j as float64. */
function shiftedExp(row: usize, V: i32, invT: f32, shift: f32, out: usize): f64 {
  let sum: f64 = 0;
  let acc = f32x4.splat(0);
  let vs = f32x4.splat(shift), vt = f32x4.splat(invT);
  let j = 0;
  for (; j + 4 <= V; j += 4) {
    let e = expV(f32x4.sub(f32x4.mul(v128.load(row + (<usize>j << 2)), vt), vs));
    if (out != 0) v128.store(out + (<usize>j << 2), e);
    acc = f32x4.add(acc, e);
  }
  sum = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  for (; j < V; j++) {
    let e = f32x4.extract_lane(expV(f32x4.splat(load<f32>(row + (<usize>j << 2)) * invT - shift)), 0);
    if (out != 0) store<f32>(out + (<usize>j << 2), e);
    sum += <f64>e;
  }
  return sum;
}

/**
 * Softmax cross-entropy of logits [N, V] against int32 targets [N]. Rows whose target is ignoreIndex
 * count for nothing. Writes gradScale·∂loss/∂logits into grad [N, V] when grad ≠ 0 (grad may alias
 * logits) and each row's loss into rowLoss [N] when rowLoss ≠ 0. Returns Σ loss over counted rows.
 */
export function softmaxCrossEntropy(N: i32, V: i32, logits: usize, targets: usize, ignoreIndex: i32,
                                    gradScale: f32, grad: usize, rowLoss: usize): f64 {
  let total: f64 = 0;
  let rowBytes = <usize>V << 2;
  for (let n = 0; n < N; n++) {
    let row = logits + <usize>n * rowBytes;
    let g: usize = grad != 0 ? grad + <usize>n * rowBytes : 0;
    let t = load<i32>(targets + (<usize>n << 2));
    if (t == ignoreIndex) {
      if (g != 0) memory.fill(g, 0, rowBytes);
      if (rowLoss != 0) store<f32>(rowLoss + (<usize>n << 2), 0);
      continue;
    }
    let m = rowMax(row, V);
    let xt = load<f32>(row + (<usize>t << 2));
    let s = shiftedExp(row, V, 1, m, g);
    let loss = Math.log(s) + <f64>m - <f64>xt;
    total += loss;
    if (rowLoss != 0) store<f32>(rowLoss + (<usize>n << 2), <f32>loss);
    if (g != 0) {
      let k = f32x4.splat(<f32>(<f64>gradScale / s));
      let j = 0;
      for (; j + 4 <= V; j += 4) v128.store(g + (<usize>j << 2), f32x4.mul(v128.load(g + (<usize>j << 2)), k));
      for (; j < V; j++) store<f32>(g + (<usize>j << 2), load<f32>(g + (<usize>j << 2)) * f32x4.extract_lane(k, 0));
      store<f32>(g + (<usize>t << 2), load<f32>(g + (<usize>t << 2)) - gradScale);
    }
  }
  return total;
}

/** out [N, V] = log softmax(logits / temperature) row by row (out may alias logits). */
export function logSoftmax(N: i32, V: i32, logits: usize, temperature: f32, out: usize): void {
  let rowBytes = <usize>V << 2;
  let invT: f32 = 1 / temperature;
  for (let n = 0; n < N; n++) {
    let row = logits + <usize>n * rowBytes, o = out + <usize>n * rowBytes;
    let m = rowMax(row, V) * invT;
    let logZ = <f32>(Math.log(shiftedExp(row, V, invT, m, 0)) + <f64>m);
    for (let j = 0; j < V; j++) store<f32>(o + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) * invT - logZ);
  }
}

/** out [N, V] = softmax(logits / temperature) row by row (out may alias logits). */
export function softmax(N: i32, V: i32, logits: usize, temperature: f32, out: usize): void {
  let rowBytes = <usize>V << 2;
  let invT: f32 = 1 / temperature;
  for (let n = 0; n < N; n++) {
    let row = logits + <usize>n * rowBytes, o = out + <usize>n * rowBytes;
    let s = shiftedExp(row, V, invT, rowMax(row, V) * invT, o);
    let k: f32 = <f32>(1 / s);
    for (let j = 0; j < V; j++) store<f32>(o + (<usize>j << 2), load<f32>(o + (<usize>j << 2)) * k);
  }
}

/** Binary cross-entropy with logits over n values (targets in [0, 1]); grad (≠ 0) = gradScale·∂/∂x. */
export function binaryCrossEntropy(n: i32, logits: usize, targets: usize, gradScale: f32, grad: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    let x = <f64>load<f32>(logits + (<usize>i << 2)), y = <f64>load<f32>(targets + (<usize>i << 2));
    total += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
    if (grad != 0) {
      let sigma = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
      store<f32>(grad + (<usize>i << 2), <f32>((sigma - y) * <f64>gradScale));
    }
  }
  return total;
}
