// The sequence plan: one block of memory, written by the TypeScript engine, that tells a cell kernel
// the sizes and where every buffer lives. Also the helpers every cell shares: the product of a state
// with a weight matrix (GEMM for a batch, dot products for batch 1), workspace carving, and the
// parameter-gradient GEMMs that follow every backward loop. Holds no static data.
//
// Field order is the ABI: src/engine/plan.ts writes the same fields in the same order (4 bytes each).
// Legend: T steps, B batch, I input size, H hidden size, P output size (LSTM projection, else H),
// G gates (LSTM 4, GRU 3, RNN 1). Buffers are time-major: row b of step t is at t·B + b.

import { sgemm, sgemmPacked, gemvPanels, packB, packRows, packedSize, rowPanelsSize, gemmWorkspaceBytes } from "./gemm";
import { addColumnSums } from "./sequence";
import { embeddingForward, denseBackwardPart, rowStart } from "./dense";
export { rowStart };
import { addInto } from "./simd";

export const FLAG_RELU: i32 = 1;        // RNN: relu instead of tanh
export const FLAG_RESET_AFTER: i32 = 2; // GRU: r applied after the hidden product (PyTorch); else before (Cho)

@unmanaged
export class SequencePlan {
  steps: i32;          // T
  batch: i32;          // B
  inputSize: i32;      // I
  hiddenSize: i32;     // H
  outputSize: i32;     // P
  flags: i32;
  lengths: usize;      // i32 [B], or 0 when every sequence has T steps
  // Parameters, PyTorch layout; 0 when absent.
  wIh: usize;          // [G·H, I]
  wHh: usize;          // [G·H, P]
  bIh: usize;          // [G·H]
  bHh: usize;          // [G·H]
  wHr: usize;          // [P, H]  LSTM projection
  peepholes: usize;    // [3, H]  LSTM peepholes p_i, p_f, p_o
  prepared: usize;     // the cell's hidden-side weights laid out for this batch size by its *Prepare
                       // (kept by the engine between calls while the weights do not change)
  // Forward buffers, kept for backward.
  x: usize;            // [T, B, I]
  gates: usize;        // [T, B, G·H]  activated gates
  c: usize;            // [T+1, B, H]  LSTM cell state; c[0] = c0
  h: usize;            // [T+1, B, P]  hidden state; h[0] = h0; carried unchanged past a sequence's end
  extra: usize;        // LSTM [T, B, H] o⊙tanh(c) before projection; GRU [T, B, H] W_hn·h + b_hn or r⊙h
  // Backward inputs and outputs.
  gradOutput: usize;   // [T, B, P] or 0
  gradH: usize;        // [B, P] in: ∂L/∂h_T, out: ∂L/∂h0
  gradC: usize;        // [B, H] in: ∂L/∂c_T, out: ∂L/∂c0 (LSTM)
  gradX: usize;        // [T, B, I] out (overwritten)
  gradWIh: usize;      // accumulated (+=) like PyTorch's .grad
  gradWHh: usize;
  gradBIh: usize;
  gradBHh: usize;
  gradWHr: usize;
  gradPeepholes: usize;
  work: usize;         // scratch, at least the kernel's *WorkspaceBytes(plan)
  // Splitting a sequence over threads (threads builds only), `parts` threads each running the kernel
  // with their own plan and workspace and meeting at `barrier` (an i32 counter in shared memory, 0
  // at the start). A batch is split by rows: this thread runs rows [rowStart(part), rowStart(part + 1))
  // through every step, after one barrier once the input projection is shared out. One sequence
  // (batch 1) is split by hidden units: units [unitStart(part), unitStart(part + 1)), a barrier after
  // every step. parts = 1: no split. Backward splits a batch by rows through the steps, then (after
  // a barrier) the parameter-gradient GEMMs by their output rows; its step-by-step gate gradients
  // go to `shared` instead of the part's own workspace.
  part: i32;
  parts: i32;
  barrier: usize;
  shared: usize;       // split backward: the buffers every part writes and the gradient GEMMs read
                       // (gate gradients …, the cell's *BackwardSharedBytes), else 0
  cellOptions: usize;  // ONNX/Keras activations, clip, coupled gates (cell-options.ts), or 0 for the
                       // defaults; the cells then take their general (scalar, forward-only) path
  // Token inputs (an embedding feeding this layer): x is 0 and row r of the input is table[tokens[r]].
  // The input side then works on the V table rows instead of the T·B input rows (see projectInputs).
  tokens: usize;       // i32 [T, B] ids in 0…V−1, or 0 for the dense input x
  vocab: i32;          // V
  table: usize;        // [V, I] embedding weights
  gradTable: usize;    // [V, I] accumulated (+=) embedding gradient, or 0
  paddingIdx: i32;     // table row that gets no gradient, −1 for none
}

// @ts-ignore: decorator
@inline export function planOf(ptr: usize): SequencePlan {
  return changetype<SequencePlan>(ptr);
}

/** Byte size of `n` floats rounded up to 64 bytes, so carved buffers stay cache-line aligned. */
// @ts-ignore: decorator
@inline export function floatBytes(n: i32): usize {
  return (<usize>n * 4 + 63) & ~(<usize>63);
}

// Kernels use no managed objects (`new`): memory belongs to the TypeScript engine, and the stub
// runtime's heap would grow into it. Workspace is carved with plain pointer arithmetic.

/** Bytes `prepareWeight` writes for a weight of N×K used with states of `batch` rows. */
export function weightBytes(batch: i32, N: i32, K: i32): usize {
  return floatBytes(batch == 1 ? rowPanelsSize(N, K) : packedSize(K, N));
}

/**
 * Lays out W [N×K] (W(n, k) = src[n·rs + k·cs]) at `dst` for products y[B, N] (+)= s[B, K] · Wᵀ:
 * row panels for batch 1 (gemvPanels), panels of Wᵀ otherwise (sgemmPacked). Returns dst.
 */
export function prepareWeight(batch: i32, N: i32, K: i32, src: usize, rs: i32, cs: i32, dst: usize): usize {
  if (batch == 1) packRows(N, K, src, rs, cs, dst);
  else packB(K, N, src, cs, rs, dst);
  return dst;
}

/** out[b, N] (row stride ldo) (+)= s[b, K] (row stride lds) · Wᵀ for the batch rows b0 ≤ b < b1 (all
 *  of them, or one thread's), W prepared by prepareWeight for `batch` rows. */
export function multiplyRows(batch: i32, b0: i32, b1: i32, N: i32, K: i32, s: usize, lds: i32, w: usize, out: usize, ldo: i32,
                             accumulate: i32, gemmWork: usize): void {
  if (batch == 1) gemvPanels(N, K, w, s, out, accumulate);
  else sgemmPacked(b1 - b0, N, K, s + (<usize>(b0 * lds) << 2), lds, 1, w, out + (<usize>(b0 * ldo) << 2), ldo, accumulate, gemmWork);
}

/** First free byte of a plan's workspace after the GEMM scratch. */
// @ts-ignore: decorator
@inline export function afterGemmScratch(work: usize): usize {
  return work + <usize>gemmWorkspaceBytes();
}

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
 * barrier, since a thread's steps need rows another projected.
 */
export function projectInputs(p: SequencePlan, N: i32, out: usize, gemm: usize, scratch: usize): void {
  let I = p.inputSize, rows = p.steps * p.batch;
  let r0 = rowStart(rows, p.part, p.parts), r1 = rowStart(rows, p.part + 1, p.parts);
  let at = out + (<usize>(r0 * N) << 2);
  if (p.tokens == 0) {
    sgemm(r1 - r0, N, I, p.x + (<usize>(r0 * I) << 2), I, 1, p.wIh, 1, I, at, N, 0, gemm);
  } else {
    sgemm(p.vocab, N, I, p.table, I, 1, p.wIh, 1, I, scratch, N, 0, gemm);
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

/** ∂W [N×K] (row stride ldw) += dGᵀ · S over `rows` rows (dG row stride ldg, S row stride lds); ∂b += Σ dG.
 *  Part `part` of `parts` computes the rows rowStart(N, part) … of ∂W and ∂b. */
export function hiddenSideGrads(rows: i32, N: i32, K: i32, dG: usize, ldg: i32, s: usize, lds: i32,
                                gradW: usize, ldw: i32, gradB: usize, gemmWork: usize, part: i32, parts: i32): void {
  let n0 = rowStart(N, part, parts), n1 = rowStart(N, part + 1, parts);
  sgemm(n1 - n0, K, rows, dG + (<usize>n0 << 2), 1, ldg, s, lds, 1, gradW + (<usize>(n0 * ldw) << 2), ldw, 1, gemmWork);
  if (gradB != 0) addColumnSums(rows, n1 - n0, dG + (<usize>n0 << 2), ldg, gradB + (<usize>n0 << 2));
}

/** Where a backward kernel's shared buffers start: plan.shared when split, else `cursor` in its own
 *  workspace (the caller then carves its own scratch after them). */
// @ts-ignore: decorator
@inline export function sharedArea(p: SequencePlan, cursor: usize): usize {
  return p.parts > 1 ? p.shared : cursor;
}

/** Size of SequencePlan in bytes: the engine checks it against its own field list at start-up. */
export function planBytes(): i32 {
  return <i32>offsetof<SequencePlan>();
}

/** The features this build was compiled with: bit 0 relaxed SIMD, bit 1 shared memory (threads).
 *  The engine reads them from a module the host compiled (init({ module })). */
export function buildFeatures(): i32 {
  return (ASC_FEATURE_RELAXED_SIMD ? 1 : 0) | (ASC_FEATURE_THREADS ? 2 : 0);
}

/** First byte after the module's static data (Math's lookup tables): the engine allocates above it. */
export function heapBase(): usize {
  return __heap_base;
}

/** First hidden unit of part k of `parts` (k = parts gives H); part edges are multiples of 4, so
 *  SIMD lanes never straddle two threads. */
export function unitStart(H: i32, k: i32, parts: i32): i32 {
  if (k >= parts) return H;
  return min(H, ((<i32>((<i64>H * k) / parts)) + 3) & ~3);
}

// ---- a backward part's share --------------------------------------------------------------------
// Split over threads, backward gives each part rows [shareRow(p, part), shareRow(p, part + 1)) and, of
// each, the units [shareUnit(p, H, part), shareUnit(p, H, part + 1)): a batch by rows (all units of
// them), one sequence by hidden units (of its one row). Split by units, a step's product with W_hh
// needs every part's gate gradients of that step, so the parts meet before it (stepBarrier).

// @ts-ignore: decorator
@inline function splitByUnits(p: SequencePlan): bool {
  return p.parts > 1 && p.batch == 1;
}

/** First row of part k's share (k = parts gives the batch). */
export function shareRow(p: SequencePlan, k: i32): i32 {
  return splitByUnits(p) ? (k > p.part ? 1 : 0) : rowStart(p.batch, k, p.parts);
}

/** First unit of part k's share of a row of H units. */
export function shareUnit(p: SequencePlan, H: i32, k: i32): i32 {
  return splitByUnits(p) ? unitStart(H, k, p.parts) : (k > p.part ? H : 0);
}

/** The meeting before step t's product with W_hh when split by units (one per step, from the last
 *  step down); nothing otherwise. */
export function stepBarrier(p: SequencePlan, t: i32): void {
  if (splitByUnits(p)) barrierWait(p.barrier, (p.steps - t) * p.parts);
}

/** Barriers the step loop meets (what later barriers of the same job count on from). */
export function stepBarriers(p: SequencePlan): i32 {
  return splitByUnits(p) ? p.steps : 0;
}

/** Zeroes units [u0, u1) of each of the `blocks` gate blocks of a row (blocks·H floats). */
export function zeroUnits(row: usize, blocks: i32, H: i32, u0: i32, u1: i32): void {
  for (let g = 0; g < blocks; g++) memory.fill(row + (<usize>(g * H + u0) << 2), 0, <usize>(u1 - u0) << 2);
}

/** dst ← src over rows [b0, b1), units [u0, u1) of a [B, F] state. */
export function copyShare(b0: i32, b1: i32, u0: i32, u1: i32, F: i32, src: usize, dst: usize): void {
  for (let b = b0; b < b1; b++) {
    let o = <usize>(b * F + u0) << 2;
    memory.copy(dst + o, src + o, <usize>(u1 - u0) << 2);
  }
}

/** Spins before sleeping at a barrier: a step's work is tens of microseconds, so a peer that is
 *  running arrives within a spin; one that was descheduled (a busy machine) is waited for asleep. */
const BARRIER_SPINS: i32 = 1 << 16;
/** Sleeps of 1 ms without progress before failing a barrier: a peer that died must not hang this
 *  thread forever, and one that is only slow (an oversubscribed machine) must not fail the call. */
const BARRIER_SLEEPS: i32 = 10_000;
/** Spins before failing a barrier where sleeping is not allowed (about as long as the sleeps). */
const BARRIER_SPIN_LIMIT: i64 = 20_000_000_000;

/** Whether this instance may sleep in atomic.wait: not on a browser's main thread, which may only spin. */
let blockingWaits = true;

/** Sets whether barriers of this instance may sleep (the engine clears it on a browser's main thread). */
export function setBlockingWaits(on: i32): void {
  blockingWaits = on != 0;
}

/**
 * Arrives at the barrier and waits until `target` arrivals were counted (threads builds; no-op
 * else): the last to arrive wakes the sleepers.
 */
export function barrierWait(barrier: usize, target: i32): void {
  if (ASC_FEATURE_THREADS) {
    if (atomic.add<i32>(barrier, 1) + 1 >= target) {
      atomic.notify(barrier, i32.MAX_VALUE);
      return;
    }
    let spins: i64 = 0, sleeps = 0;
    for (let seen = atomic.load<i32>(barrier); seen < target; seen = atomic.load<i32>(barrier)) {
      if (++spins <= BARRIER_SPINS) continue;
      if (!blockingWaits) {
        if (spins > BARRIER_SPIN_LIMIT) unreachable(); // a peer is gone: fail the call
        continue;
      }
      if (atomic.wait<i32>(barrier, seen, 1_000_000) == AtomicWaitResult.TIMED_OUT && ++sleeps > BARRIER_SLEEPS) unreachable();
    }
  }
}

/**
 * The hidden-side weight of one thread's units as `blocks` gate blocks, each the rows
 * [g·H + u0, g·H + u1) of W [blocks·H, K] laid out for batch 1; writes them one after another at dst.
 */
export function prepareUnitBlocks(blocks: i32, H: i32, K: i32, u0: i32, u1: i32, W: usize, dst: usize): void {
  let block = weightBytes(1, u1 - u0, K);
  for (let g = 0; g < blocks; g++) prepareWeight(1, u1 - u0, K, W + (<usize>((g * H + u0) * K) << 2), K, 1, dst + <usize>g * block);
}

/** y[g·H + u0 .. g·H + u1) (+)= W-block g · h for every gate block (batch 1, one thread's units). */
export function multiplyUnitBlocks(blocks: i32, H: i32, K: i32, u0: i32, u1: i32, h: usize, prepared: usize, y: usize, accumulate: i32, gemmWork: usize): void {
  let block = weightBytes(1, u1 - u0, K);
  for (let g = 0; g < blocks; g++) {
    multiplyRows(1, 0, 1, u1 - u0, K, h, K, prepared + <usize>g * block, y + (<usize>(g * H + u0) << 2), blocks * H, accumulate, gemmWork);
  }
}

/** Input projection of one thread's units: out[T, g·H + u] = X · W_ih[g·H + u]ᵀ for each gate block. */
export function projectUnitBlocks(blocks: i32, H: i32, T: i32, I: i32, u0: i32, u1: i32, x: usize, wIh: usize, out: usize, ldo: i32, gemmWork: usize): void {
  for (let g = 0; g < blocks; g++) {
    sgemm(T, u1 - u0, I, x, I, 1, wIh + (<usize>((g * H + u0) * I) << 2), 1, I, out + (<usize>(g * H + u0) << 2), ldo, 0, gemmWork);
  }
}
