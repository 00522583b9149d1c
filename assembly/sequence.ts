// Whole-sequence data movement and reductions around the cells: copying steps with per-sequence
// reversal (for the reverse direction of variable-length batches), column slices of concatenated
// directions, bias sums, and column sums for bias gradients. Holds no static data.
//
// Legend: T steps, B batch, F features copied per row; row b of step t is at (t·B + b)·rowStride.

import { addInto } from "./simd";

/** Is row b still inside its sequence at step t? (lengths = 0: every sequence has all steps) */
// @ts-ignore: decorator
@inline export function isActive(lengths: usize, b: i32, t: i32): bool {
  return lengths == 0 || t < load<i32>(lengths + (<usize>b << 2));
}

/**
 * dst[t', b, 0..F] (= or +=) src[t, b, 0..F] for t < L_b, with t' = L_b − 1 − t when reverse ≠ 0,
 * else t' = t. Rows t ≥ L_b of dst are zeroed when overwriting and left alone when accumulating.
 * srcRow / dstRow are row strides in floats, so a column slice of [T, B, D·P] is (ptr + offset, D·P).
 */
export function mapSteps(T: i32, B: i32, F: i32, src: usize, srcRow: i32, dst: usize, dstRow: i32,
                         lengths: usize, reverse: i32, accumulate: i32): void {
  let bytes = <usize>F << 2;
  for (let b = 0; b < B; b++) {
    let L = lengths == 0 ? T : load<i32>(lengths + (<usize>b << 2));
    for (let t = 0; t < T; t++) {
      let d = dst + (<usize>((t * B + b) * dstRow) << 2);
      if (t >= L) {
        if (!accumulate) memory.fill(d, 0, bytes);
        continue;
      }
      let ts = reverse ? L - 1 - t : t;
      let s = src + (<usize>((ts * B + b) * srcRow) << 2);
      if (accumulate) addInto(d, s, F);
      else memory.copy(d, s, bytes);
    }
  }
}

/** dst[j] += Σ_r src[r·ld + j] for j < cols: bias gradients from per-row gate gradients. */
export function addColumnSums(rows: i32, cols: i32, src: usize, ld: i32, dst: usize): void {
  let j = 0;
  for (; j + 16 <= cols; j += 16) {
    let o = <usize>j << 2;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let p = src + o;
    let stride = <usize>ld << 2;
    for (let r = 0; r < rows; r++) {
      s0 = f32x4.add(s0, v128.load(p)); s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32)); s3 = f32x4.add(s3, v128.load(p, 48));
      p += stride;
    }
    v128.store(dst + o, f32x4.add(v128.load(dst + o), s0));
    v128.store(dst + o, f32x4.add(v128.load(dst + o, 16), s1), 16);
    v128.store(dst + o, f32x4.add(v128.load(dst + o, 32), s2), 32);
    v128.store(dst + o, f32x4.add(v128.load(dst + o, 48), s3), 48);
  }
  for (; j < cols; j++) {
    let s: f32 = 0;
    for (let r = 0; r < rows; r++) s += load<f32>(src + (<usize>(r * ld + j) << 2));
    store<f32>(dst + (<usize>j << 2), load<f32>(dst + (<usize>j << 2)) + s);
  }
}

/** dst[i] = a[i] + b[i] for i < n; a missing operand (0) counts as zeros. The combined bias b_ih + b_hh. */
export function addVectors(n: i32, a: usize, b: usize, dst: usize): void {
  for (let i = 0; i < n; i++) {
    let o = <usize>i << 2;
    store<f32>(dst + o, (a != 0 ? load<f32>(a + o) : 0) + (b != 0 ? load<f32>(b + o) : 0));
  }
}

/** Copies row b of a [B, F] state from `src` to `dst` for every row b0 ≤ b < b1 not active at step t. */
export function carryInactiveRows(b0: i32, b1: i32, F: i32, lengths: usize, t: i32, src: usize, dst: usize): void {
  if (lengths == 0) return;
  for (let b = b0; b < b1; b++) {
    if (!isActive(lengths, b, t)) memory.copy(dst + (<usize>(b * F) << 2), src + (<usize>(b * F) << 2), <usize>F << 2);
  }
}

/** dst[b, 0..F] = mean over t < L_b of src[t, b, 0..F] (mean pooling of a sequence's outputs). */
export function meanSteps(T: i32, B: i32, F: i32, src: usize, lengths: usize, dst: usize): void {
  memory.fill(dst, 0, <usize>(B * F) << 2);
  for (let b = 0; b < B; b++) {
    let L = lengths == 0 ? T : load<i32>(lengths + (<usize>b << 2));
    let d = dst + (<usize>(b * F) << 2);
    for (let t = 0; t < L; t++) addInto(d, src + (<usize>((t * B + b) * F) << 2), F);
    let inv: f32 = 1 / <f32>L;
    for (let j = 0; j < F; j++) store<f32>(d + (<usize>j << 2), load<f32>(d + (<usize>j << 2)) * inv);
  }
}

/** The gradient of meanSteps: gradSrc[t, b] = gradDst[b] / L_b for t < L_b, else 0. */
export function meanStepsBackward(T: i32, B: i32, F: i32, gradDst: usize, lengths: usize, gradSrc: usize): void {
  for (let b = 0; b < B; b++) {
    let L = lengths == 0 ? T : load<i32>(lengths + (<usize>b << 2));
    let g = gradDst + (<usize>(b * F) << 2);
    let inv: f32 = 1 / <f32>L;
    for (let t = 0; t < T; t++) {
      let o = gradSrc + (<usize>((t * B + b) * F) << 2);
      for (let j = 0; j < F; j++) store<f32>(o + (<usize>j << 2), t < L ? load<f32>(g + (<usize>j << 2)) * inv : 0);
    }
  }
}

/** dst[t, b, 0..F] (row stride dstRow) = src[b, 0..F] for every t: one vector per sequence, every step. */
export function broadcastSteps(T: i32, B: i32, F: i32, src: usize, dst: usize, dstRow: i32): void {
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) memory.copy(dst + (<usize>((t * B + b) * dstRow) << 2), src + (<usize>(b * F) << 2), <usize>F << 2);
  }
}

/** The gradient of broadcastSteps: dst[b, 0..F] += Σ_t src[t, b, 0..F] (row stride srcRow). */
export function sumSteps(T: i32, B: i32, F: i32, src: usize, srcRow: i32, dst: usize): void {
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) addInto(dst + (<usize>(b * F) << 2), src + (<usize>((t * B + b) * srcRow) << 2), F);
  }
}

/** dst[r, 0..F] = src[index[r], 0..F] for r < rows (reordering beams, replicating sources). */
export function gatherRows(rows: i32, F: i32, src: usize, indices: usize, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    let i = load<i32>(indices + (<usize>r << 2));
    memory.copy(dst + (<usize>(r * F) << 2), src + (<usize>(i * F) << 2), <usize>F << 2);
  }
}
