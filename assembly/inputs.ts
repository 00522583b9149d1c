// The input side of every cell: the projection of all steps' inputs before the recurrence (one GEMM,
// or the embedding table's rows for token inputs) and, after backward, the input-side gradients
// (∂W_ih, ∂b_ih, ∂X or ∂table) from the per-step gate gradients, split over threads by rows.

import { gemvRows, sgemm } from "./gemm";
import { embeddingForward, denseBackwardPart } from "./dense";
import { addInto } from "./simd";
import { SequencePlan, floatBytes } from "./plan";
import { rowStart, stepBarriers } from "./threads/split";
import { barrierWait } from "./threads/barrier";
import { int8Product } from "./int8";

/** Scratch bytes projectInputs and inputGradients need at their `scratch` argument: the table's
 *  rows times the N gate columns with token inputs, nothing with a dense input. */
export function tokenScratchBytes(p: SequencePlan, N: i32): usize {
  return p.tokens != 0 ? floatBytes(p.vocab * N) : 0;
}

/**
 * The input projection of every step, out[T·B, N] (row stride N) = X · W_ihᵀ. With token inputs
 * X = table[tokens], so the V table rows are projected once and their rows gathered: V·I·N
 * multiply-adds instead of T·B·I·N (a character model: 65 rows instead of thousands). The products
 * are the same ones in the same order, so the result is identical. Split over threads by rows (a
 * batch split: rowStart), each thread projects its share of the T·B rows and all meet at the
 * barrier, since a thread's steps need rows another projected. Int8 weights (quantized inference)
 * come packed at `packed` (prepareWeight); f32 ones (packed = 0) are used as they are.
 */
export function projectInputs(p: SequencePlan, N: i32, out: usize, gemm: usize, scratch: usize, packed: usize = 0): void {
  let I = p.inputSize, rows = p.steps * p.batch;
  let r0 = rowStart(rows, p.part, p.parts), r1 = rowStart(rows, p.part + 1, p.parts);
  let at = out + (<usize>(r0 * N) << 2);
  if (p.tokens == 0) {
    let x = p.x + (<usize>(r0 * I) << 2);
    if (packed != 0) int8Product(r1 - r0, N, I, x, I, packed, at, N, 0, gemm);
    else if (r1 - r0 == 1) gemvRows(N, I, p.wIh, x, at, 0); // one row: packing W_ih would cost more than the product
    else sgemm(r1 - r0, N, I, x, I, 1, p.wIh, 1, I, at, N, 0, gemm);
  } else {
    if (packed != 0) int8Product(p.vocab, N, I, p.table, I, packed, scratch, N, 0, gemm);
    else sgemm(p.vocab, N, I, p.table, I, 1, p.wIh, 1, I, scratch, N, 0, gemm);
    embeddingForward(r1 - r0, N, scratch, p.tokens + (<usize>r0 << 2), at);
  }
  if (p.parts > 1) barrierWait(p.barrier, p.parts);
}

/**
 * The input side of backward-through-time from the per-step gate gradients dG [T·B, N], once every
 * part's steps are done (split: after a barrier): ∂W_ih += dGᵀ · X, ∂b_ih += Σ dG, and ∂X = dG · W_ih
 * (gradX ≠ 0) — a dense layer's backward (dense.ts), this part's rows of each output. With token
 * inputs the rows of dG are first summed per token, S[v] = Σ_{tokens[r] = v} dG[r], and then
 * ∂W_ih += Sᵀ · table, ∂b_ih += Σ S, ∂table += S · W_ih (no row for paddingIdx): products over V
 * rows, not T·B. Split, each part sums and multiplies its own tokens' rows of S (shared scratch),
 * and the ∂W_ih and ∂b_ih products need a second barrier.
 */
export function inputGradients(p: SequencePlan, N: i32, dG: usize, gemm: usize, scratch: usize): void {
  let rows = p.steps * p.batch, I = p.inputSize, V = p.vocab, part = p.part, parts = p.parts;
  let met = stepBarriers(p) * parts; // arrivals the step loop already counted
  if (parts > 1) barrierWait(p.barrier, met + parts);
  if (p.tokens == 0) {
    denseBackwardPart(rows, I, N, p.x, p.wIh, dG, p.gradWIh, p.gradBIh, p.gradX, gemm, part, parts);
    return;
  }
  let v0 = rowStart(V, part, parts), v1 = rowStart(V, part + 1, parts);
  let mine = scratch + (<usize>(v0 * N) << 2);
  memory.fill(mine, 0, <usize>((v1 - v0) * N) << 2);
  for (let r = 0; r < rows; r++) {
    let v = load<i32>(p.tokens + (<usize>r << 2));
    if (v >= v0 && v < v1) addInto(scratch + (<usize>(v * N) << 2), dG + (<usize>(r * N) << 2), N);
  }
  if (p.gradTable != 0) {
    // ∂table rows v0…v1 from this part's rows of S, around the padding row (whose S is left as it
    // is: ∂W_ih still takes it).
    let pad = p.paddingIdx >= v0 && p.paddingIdx < v1 ? p.paddingIdx : v1;
    tableGradRows(p, N, scratch, v0, pad, gemm);
    tableGradRows(p, N, scratch, min(pad + 1, v1), v1, gemm);
  }
  if (parts > 1) barrierWait(p.barrier, met + 2 * parts);
  denseBackwardPart(V, I, N, p.table, p.wIh, scratch, p.gradWIh, p.gradBIh, 0, gemm, part, parts);
}

/** ∂table[v0…v1) += S[v0…v1) · W_ih (token inputs; S [V, N] per-token sums of the gate gradients). */
function tableGradRows(p: SequencePlan, N: i32, S: usize, v0: i32, v1: i32, gemm: usize): void {
  let I = p.inputSize;
  sgemm(v1 - v0, I, N, S + (<usize>(v0 * N) << 2), N, 1, p.wIh, I, 1, p.gradTable + (<usize>(v0 * I) << 2), I, 1, gemm);
}
