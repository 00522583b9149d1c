// Fully connected layer (torch.nn.Linear) and embedding lookup: forward and backward side by side.
// Owns only these equations; the GEMMs come from gemm.ts, sizes and pointers from the caller.
//
// Legend: N rows (all leading dimensions flattened), I input features, O output features,
// V vocabulary (embedding rows), E embedding size.
//   dense:      y = x Wᵀ + b            ∂W += ∂yᵀ x,  ∂b += Σ_rows ∂y,  ∂x = ∂y W
//   embedding:  y[n] = table[id[n]]     ∂table[id[n]] += ∂y[n]  (rows with id = padding get none)

import { sgemm } from "./gemm";
import { addColumnSums } from "./sequence";
import { addInto } from "./simd";

/** y [N, O] = x [N, I] · Wᵀ (+ b); W is [O, I] row-major. */
export function denseForward(N: i32, I: i32, O: i32, x: usize, w: usize, b: usize, y: usize, work: usize): void {
  sgemm(N, O, I, x, I, 1, w, 1, I, y, O, 0, work);
  if (b == 0) return;
  for (let n = 0; n < N; n++) addInto(y + (<usize>(n * O) << 2), b, O);
}

/** ∂W += ∂yᵀ x, ∂b += Σ ∂y (gradB ≠ 0), ∂x = ∂y W (gradX ≠ 0). */
export function denseBackward(N: i32, I: i32, O: i32, x: usize, w: usize, gradY: usize,
                              gradW: usize, gradB: usize, gradX: usize, work: usize): void {
  sgemm(O, I, N, gradY, 1, O, x, I, 1, gradW, I, 1, work);
  if (gradB != 0) addColumnSums(N, O, gradY, O, gradB);
  if (gradX != 0) sgemm(N, I, O, gradY, O, 1, w, I, 1, gradX, I, 0, work);
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
