// Fully connected layer (torch.nn.Linear) and embedding lookup: forward and backward side by side.
// Owns only these equations; the GEMMs come from gemm.ts, sizes and pointers from the caller (or, for
// a dense layer split over a thread team, from a DenseJob per thread).
//
// Legend: N rows (all leading dimensions flattened), I input features, O output features,
// V vocabulary (embedding rows), E embedding size.
//   dense:      y = x Wᵀ + b            ∂W += ∂yᵀ x,  ∂b += Σ_rows ∂y,  ∂x = ∂y W
//   embedding:  y[n] = table[id[n]]     ∂table[id[n]] += ∂y[n]  (rows with id = padding get none)

import { sgemm } from "./gemm";
import { addColumnSums } from "./sequence";
import { addInto } from "./simd";
import { rowStart } from "./threads/split";
import { int8Product } from "./int8";

/** y [N, O] = x [N, I] · Wᵀ (+ b); W is [O, I] row-major. */
export function denseForward(N: i32, I: i32, O: i32, x: usize, w: usize, b: usize, y: usize, work: usize): void {
  sgemm(N, O, I, x, I, 1, w, 1, I, y, O, 0, work);
  if (b == 0) return;
  for (let n = 0; n < N; n++) addInto(y + (<usize>(n * O) << 2), b, O);
}

/** y [N, O] = x [N, I] · Wᵀ (+ b) with W int8, packed by packInt8 (quantized inference; int8.ts). */
export function denseForwardInt8(N: i32, I: i32, O: i32, x: usize, packed: usize, b: usize, y: usize, work: usize): void {
  int8Product(N, O, I, x, I, packed, y, O, 0, work);
  if (b == 0) return;
  for (let n = 0; n < N; n++) addInto(y + (<usize>(n * O) << 2), b, O);
}

/** ∂W += ∂yᵀ x, ∂b += Σ ∂y (gradB ≠ 0), ∂x = ∂y W (gradX ≠ 0). */
export function denseBackward(N: i32, I: i32, O: i32, x: usize, w: usize, gradY: usize,
                              gradW: usize, gradB: usize, gradX: usize, work: usize): void {
  denseBackwardPart(N, I, O, x, w, gradY, gradW, gradB, gradX, work, 0, 1);
}

/**
 * Part `part` of `parts` of denseBackward: the rows rowStart(O, part) … of ∂W and ∂b, and the rows
 * rowStart(N, part) … of ∂x — disjoint outputs, so threads need no locks (the recurrent kernels'
 * input side, ∂W_ih += dGᵀ X, ∂X = dG W_ih, is this product too).
 */
export function denseBackwardPart(N: i32, I: i32, O: i32, x: usize, w: usize, gradY: usize,
                                  gradW: usize, gradB: usize, gradX: usize, work: usize, part: i32, parts: i32): void {
  let o0 = rowStart(O, part, parts), o1 = rowStart(O, part + 1, parts);
  sgemm(o1 - o0, I, N, gradY + (<usize>o0 << 2), 1, O, x, I, 1, gradW + (<usize>(o0 * I) << 2), I, 1, work);
  if (gradB != 0) addColumnSums(N, o1 - o0, gradY + (<usize>o0 << 2), O, gradB + (<usize>o0 << 2));
  let r0 = rowStart(N, part, parts), r1 = rowStart(N, part + 1, parts);
  if (gradX != 0) sgemm(r1 - r0, I, O, gradY + (<usize>(r0 * O) << 2), O, 1, w, I, 1, gradX + (<usize>(r0 * I) << 2), I, 0, work);
}

/** A dense layer's forward or backward split over a thread team: one per thread (field order is
 *  the ABI: src/engine/abi.ts DENSE_JOB_FIELDS). */
@unmanaged
class DenseJob {
  rows: i32;
  inFeatures: i32;
  outFeatures: i32;
  x: usize;
  w: usize;
  b: usize;
  y: usize;
  gradY: usize;
  gradW: usize;
  gradB: usize;
  gradX: usize;
  work: usize;
  part: i32;
  parts: i32;
  int8: i32;           // w is int8, packed by packInt8 (forward only)
}

/** Size of DenseJob in bytes (the engine checks it against its field list). */
export function denseJobBytes(): i32 {
  return <i32>offsetof<DenseJob>();
}

/** This thread's rows rowStart(rows, part) … of a dense forward. */
export function denseForwardJob(job: usize): void {
  let j = changetype<DenseJob>(job);
  let r0 = rowStart(j.rows, j.part, j.parts), r1 = rowStart(j.rows, j.part + 1, j.parts);
  let I = j.inFeatures, O = j.outFeatures;
  let x = j.x + (<usize>(r0 * I) << 2), y = j.y + (<usize>(r0 * O) << 2);
  if (j.int8 != 0) denseForwardInt8(r1 - r0, I, O, x, j.w, j.b, y, j.work);
  else denseForward(r1 - r0, I, O, x, j.w, j.b, y, j.work);
}

/** This thread's part of a dense backward (denseBackwardPart). */
export function denseBackwardJob(job: usize): void {
  let j = changetype<DenseJob>(job);
  denseBackwardPart(j.rows, j.inFeatures, j.outFeatures, j.x, j.w, j.gradY, j.gradW, j.gradB, j.gradX, j.work, j.part, j.parts);
}

/** y [N, E] = table [V, E] rows ids [N] (int32, already checked to be in 0…V−1). */
export function embeddingForward(N: i32, E: i32, table: usize, ids: usize, y: usize): void {
  let bytes = <usize>E << 2;
  for (let n = 0; n < N; n++) {
    let id = load<i32>(ids + (<usize>n << 2));
    memory.copy(y + <usize>n * bytes, table + <usize>id * bytes, bytes);
  }
}

/** ∂table[id[n]] += ∂y[n] for every n whose id is not paddingIdx (−1: none). */
export function embeddingBackward(N: i32, E: i32, ids: usize, gradY: usize, gradTable: usize, paddingIdx: i32): void {
  let bytes = <usize>E << 2;
  for (let n = 0; n < N; n++) {
    let id = load<i32>(ids + (<usize>n << 2));
    if (id == paddingIdx) continue;
    addInto(gradTable + <usize>id * bytes, gradY + <usize>n * bytes, E);
  }
}
