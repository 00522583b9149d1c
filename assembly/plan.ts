// The sequence plan: one block of memory, written by the TypeScript engine, that tells a cell kernel
// the sizes and where every buffer lives, and how workspace is carved from it. Holds no static data.
//
// Field order is the ABI: src/engine/abi.ts lists the same fields in the same order (4 bytes each),
// and test/engine/abi.test.ts checks that it does.
// Legend: T steps, B batch, I input size, H hidden size, P output size (LSTM projection, else H),
// G gates (LSTM 4, GRU 3, RNN 1). Buffers are time-major: row b of step t is at t·B + b.

import { gemmWorkspaceBytes } from "./gemm";

export const FLAG_RELU: i32 = 1;        // RNN: relu instead of tanh
export const FLAG_RESET_AFTER: i32 = 2; // GRU: r applied after the hidden product (PyTorch); else before (Cho)
export const FLAG_INT8: i32 = 4;        // quantized inference: wIh, wHh, wHr are int8 with row scales (int8.ts)

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
  // Int8 weights (FLAG_INT8): one f32 scale per row of wIh, wHh, wHr (which then hold bytes).
  wIhScale: usize;     // [G·H]
  wHhScale: usize;     // [G·H]
  wHrScale: usize;     // [P]
}

// @ts-ignore: decorator
@inline export function planOf(ptr: usize): SequencePlan {
  return changetype<SequencePlan>(ptr);
}

/** Whether the plan's weights are int8 (quantized inference: forward only). */
// @ts-ignore: decorator
@inline export function isInt8(p: SequencePlan): bool {
  return (p.flags & FLAG_INT8) != 0;
}

/** Byte size of `n` floats rounded up to 64 bytes, so carved buffers stay cache-line aligned. */
// @ts-ignore: decorator
@inline export function floatBytes(n: i32): usize {
  return (<usize>n * 4 + 63) & ~(<usize>63);
}

// Kernels use no managed objects (`new`): memory belongs to the TypeScript engine, and the stub
// runtime's heap would grow into it. Workspace is carved with plain pointer arithmetic.

/** First free byte of a plan's workspace after the GEMM scratch. */
// @ts-ignore: decorator
@inline export function afterGemmScratch(work: usize): usize {
  return work + <usize>gemmWorkspaceBytes();
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
