// Products of a state with a weight matrix, shared by the cells: laying a weight out once per
// parameter change (row panels for batch 1, GEMM panels for a batch; for int8 weights, int8.ts's
// packed layout whatever the batch), the per-step product for all rows or one thread's rows or
// hidden units, and the hidden-side parameter gradients after backward. Every function taking `q`
// runs the f32 path when it is false and the int8 path (quantized inference) when it is true.
// Legend as in plan.ts: T steps, B batch, I input, H hidden, K the product's inner size, N its rows.

import { sgemm, sgemmPacked, gemvPanels, packB, packRows, packedSize, rowPanelsSize } from "./gemm";
import { addColumnSums } from "./sequence";
import { floatBytes } from "./plan";
import { rowStart } from "./threads/split";
import { int8PackedBytes, int8Product, packInt8 } from "./int8";

/** Bytes `prepareWeight` writes for a weight of N×K used with states of `batch` rows (int8: `q`). */
export function weightBytes(batch: i32, N: i32, K: i32, q: bool = false): usize {
  if (q) return (int8PackedBytes(N, K) + 63) & ~(<usize>63);
  return floatBytes(batch == 1 ? rowPanelsSize(N, K) : packedSize(K, N));
}

/**
 * Lays out W [N×K] (W(n, k) = src[n·rs + k·cs]) at `dst` for products y[B, N] (+)= s[B, K] · Wᵀ:
 * row panels for batch 1 (gemvPanels), panels of Wᵀ otherwise (sgemmPacked); int8 weights (scales
 * ≠ 0: their row scales, src then holds bytes) in int8.ts's packed layout. Returns dst.
 */
export function prepareWeight(batch: i32, N: i32, K: i32, src: usize, rs: i32, cs: i32, dst: usize, scales: usize = 0): usize {
  if (scales != 0) packInt8(N, K, src, rs, cs, scales, dst);
  else if (batch == 1) packRows(N, K, src, rs, cs, dst);
  else packB(K, N, src, cs, rs, dst);
  return dst;
}

/** out[b, N] (row stride ldo) (+)= s[b, K] (row stride lds) · Wᵀ for the batch rows b0 ≤ b < b1 (all
 *  of them, or one thread's), W prepared by prepareWeight for `batch` rows (int8: `q`). */
export function multiplyRows(batch: i32, b0: i32, b1: i32, N: i32, K: i32, s: usize, lds: i32, w: usize, out: usize, ldo: i32,
                             accumulate: i32, gemmWork: usize, q: bool = false): void {
  if (q) int8Product(b1 - b0, N, K, s + (<usize>(b0 * lds) << 2), lds, w, out + (<usize>(b0 * ldo) << 2), ldo, accumulate, gemmWork);
  else if (batch == 1) gemvPanels(N, K, w, s, out, accumulate);
  else sgemmPacked(b1 - b0, N, K, s + (<usize>(b0 * lds) << 2), lds, 1, w, out + (<usize>(b0 * ldo) << 2), ldo, accumulate, gemmWork);
}

/** ∂W [N×K] (row stride ldw) += dGᵀ · S over `rows` rows (dG row stride ldg, S row stride lds); ∂b += Σ dG.
 *  Part `part` of `parts` computes the rows rowStart(N, part) … of ∂W and ∂b. */
export function hiddenSideGrads(rows: i32, N: i32, K: i32, dG: usize, ldg: i32, s: usize, lds: i32,
                                gradW: usize, ldw: i32, gradB: usize, gemmWork: usize, part: i32, parts: i32): void {
  let n0 = rowStart(N, part, parts), n1 = rowStart(N, part + 1, parts);
  sgemm(n1 - n0, K, rows, dG + (<usize>n0 << 2), 1, ldg, s, lds, 1, gradW + (<usize>(n0 * ldw) << 2), ldw, 1, gemmWork);
  if (gradB != 0) addColumnSums(rows, n1 - n0, dG + (<usize>n0 << 2), ldg, gradB + (<usize>n0 << 2));
}

/**
 * The hidden-side weight of one thread's units as `blocks` gate blocks, each the rows
 * [g·H + u0, g·H + u1) of W [blocks·H, K] laid out for batch 1 (int8 W: its row scales `scales`);
 * writes them one after another at dst.
 */
export function prepareUnitBlocks(blocks: i32, H: i32, K: i32, u0: i32, u1: i32, W: usize, dst: usize, scales: usize = 0): void {
  let q = scales != 0, block = weightBytes(1, u1 - u0, K, q);
  for (let g = 0; g < blocks; g++) {
    let row = g * H + u0;
    let src = q ? W + <usize>(row * K) : W + (<usize>(row * K) << 2);
    prepareWeight(1, u1 - u0, K, src, K, 1, dst + <usize>g * block, q ? scales + (<usize>row << 2) : 0);
  }
}

/** y[g·H + u0 .. g·H + u1) (+)= W-block g · h for every gate block (batch 1, one thread's units). */
export function multiplyUnitBlocks(blocks: i32, H: i32, K: i32, u0: i32, u1: i32, h: usize, prepared: usize, y: usize, accumulate: i32, gemmWork: usize,
                                   q: bool = false): void {
  let block = weightBytes(1, u1 - u0, K, q);
  for (let g = 0; g < blocks; g++) {
    multiplyRows(1, 0, 1, u1 - u0, K, h, K, prepared + <usize>g * block, y + (<usize>(g * H + u0) << 2), blocks * H, accumulate, gemmWork, q);
  }
}

/** Input projection of one thread's units: out[T, g·H + u] = X · W_ih[g·H + u]ᵀ for each gate block
 *  (int8: `packed` holds W_ih's unit blocks, prepared by prepareUnitBlocks; else W_ih is used as is). */
export function projectUnitBlocks(blocks: i32, H: i32, T: i32, I: i32, u0: i32, u1: i32, x: usize, wIh: usize, out: usize, ldo: i32, gemmWork: usize,
                                  packed: usize = 0): void {
  let block = weightBytes(1, u1 - u0, I, true);
  for (let g = 0; g < blocks; g++) {
    let y = out + (<usize>(g * H + u0) << 2);
    if (packed != 0) int8Product(T, u1 - u0, I, x, I, packed + <usize>g * block, y, ldo, 0, gemmWork);
    else sgemm(T, u1 - u0, I, x, I, 1, wIh + (<usize>((g * H + u0) * I) << 2), 1, I, y, ldo, 0, gemmWork);
  }
}
