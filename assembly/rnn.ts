// Vanilla (Elman) RNN over a whole sequence: forward and backward-through-time side by side.
// Owns the equations and their derivatives; sizes and buffers come from the SequencePlan.
//
// Legend: T steps, B batch, I input, H hidden (P = H).
//   h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh),  act = tanh (default) or relu (FLAG_RELU)
// The pre-activation of step t is built in h[t+1] and activated in place, so no gate buffer is kept:
// the derivative needs only h' (tanh' = 1 − h'², relu' = [h' > 0]).

import { gemmWorkspaceBytes } from "./gemm";
import { tanhV, reluV } from "./activations";
import { ld, ldOpt, st } from "./lanes";
import { planOf, floatBytes, sharedArea, afterGemmScratch, FLAG_RELU, isInt8 } from "./plan";
import { weightBytes, prepareWeight, multiplyRows, hiddenSideGrads, prepareUnitBlocks, multiplyUnitBlocks, projectUnitBlocks } from "./weights";
import { projectInputs, inputGradients, tokenScratchBytes } from "./inputs";
import { rowStart, shareRow, shareUnit, stepBarrier, zeroUnits, copyShare, unitStart } from "./threads/split";
import { barrierWait } from "./threads/barrier";
import { isActive, carryInactiveRows } from "./sequence";
import { CellActivations } from "./cell-options";

// ---- forward ------------------------------------------------------------------------------------

/** Bytes of the prepared weights: W_hh, then (int8) W_ih; split by units, this part's rows of them. */
export function rnnPreparedBytes(plan: usize): usize {
  let p = planOf(plan);
  let H = p.hiddenSize, q = isInt8(p);
  let rows = p.parts > 1 ? unitStart(H, p.part + 1, p.parts) - unitStart(H, p.part, p.parts) : H;
  let batch = p.parts > 1 ? 1 : p.batch;
  return weightBytes(batch, rows, H, q) + (q ? weightBytes(batch, rows, p.inputSize, q) : 0);
}

/** Lays out W_hh (int8: and W_ih) at p.prepared for products with states of this batch size. */
export function rnnPrepare(plan: usize): void {
  let p = planOf(plan);
  let H = p.hiddenSize, I = p.inputSize, q = isInt8(p);
  if (p.parts > 1) {
    let u0 = unitStart(H, p.part, p.parts), u1 = unitStart(H, p.part + 1, p.parts);
    prepareUnitBlocks(1, H, H, u0, u1, p.wHh, p.prepared, p.wHhScale);
    if (q) prepareUnitBlocks(1, H, I, u0, u1, p.wIh, p.prepared + weightBytes(1, u1 - u0, H, q), p.wIhScale);
    return;
  }
  prepareWeight(p.batch, H, H, p.wHh, H, 1, p.prepared, p.wHhScale);
  if (q) prepareWeight(p.batch, H, I, p.wIh, I, 1, p.prepared + weightBytes(p.batch, H, H, q), p.wIhScale);
}

/** Workspace bytes rnnForward needs. */
export function rnnForwardWorkspaceBytes(plan: usize): usize {
  let p = planOf(plan);
  return <usize>gemmWorkspaceBytes() + tokenScratchBytes(p, p.hiddenSize);
}

/** The activation of four (wide) or one lane(s) of a step's pre-activations, in place: tanh, relu,
 *  or with `general` the layer's ONNX/Keras cell options (slot f, clipped inputs). */
// @ts-ignore: decorator
@inline function forwardLanes(o: usize, wide: bool, relu: bool, pre: usize, bIh: usize, bHh: usize, general: bool, options: usize): void {
  let v = f32x4.add(ld(pre + o, wide), f32x4.add(ldOpt(bIh, o, wide), ldOpt(bHh, o, wide)));
  st(pre + o, general ? CellActivations.apply(options, 0, v) : relu ? reluV(v) : tanhV(v), wide);
}

/** Runs the sequence: fills h[1..T]. h[0] is set by the caller, p.prepared by rnnPrepare. Split over
 *  threads, this thread's batch rows (threads/split.ts), or its hidden units of one sequence. */
export function rnnForward(plan: usize): void {
  let p = planOf(plan);
  if (p.parts > 1 && p.batch == 1) {
    rnnForwardPart(plan);
    return;
  }
  let T = p.steps, B = p.batch, H = p.hiddenSize, lengths = p.lengths;
  let b0 = rowStart(B, p.part, p.parts), b1 = rowStart(B, p.part + 1, p.parts);
  let relu = (p.flags & FLAG_RELU) != 0;
  let gemm = p.work, q = isInt8(p);
  let whh = p.prepared, wih = q ? p.prepared + weightBytes(B, H, H, q) : 0;
  let stateBytes = <usize>(B * H) << 2;

  // Input projections of every step, written where the states of steps 1..T will be.
  projectInputs(p, H, p.h + stateBytes, gemm, afterGemmScratch(gemm), wih);

  for (let t = 0; t < T; t++) {
    let hPrev = p.h + <usize>t * stateBytes, hNew = hPrev + stateBytes;
    multiplyRows(B, b0, b1, H, H, hPrev, H, whh, hNew, H, 1, gemm, q);
    for (let b = b0; b < b1; b++) {
      if (!isActive(lengths, b, t)) continue;
      let row = hNew + (<usize>(b * H) << 2);
      let j = 0, options = p.cellOptions;
      if (options != 0) {
        for (; j + 4 <= H; j += 4) forwardLanes(<usize>j << 2, true, false, row, p.bIh, p.bHh, true, options);
        for (; j < H; j++) forwardLanes(<usize>j << 2, false, false, row, p.bIh, p.bHh, true, options);
      } else if (relu) {
        for (; j + 4 <= H; j += 4) forwardLanes(<usize>j << 2, true, true, row, p.bIh, p.bHh, false, 0);
        for (; j < H; j++) forwardLanes(<usize>j << 2, false, true, row, p.bIh, p.bHh, false, 0);
      } else {
        for (; j + 4 <= H; j += 4) forwardLanes(<usize>j << 2, true, false, row, p.bIh, p.bHh, false, 0);
        for (; j < H; j++) forwardLanes(<usize>j << 2, false, false, row, p.bIh, p.bHh, false, 0);
      }
    }
    carryInactiveRows(b0, b1, H, lengths, t, hPrev, hNew);
  }
}

/** One thread's units [u0, u1) of a batch-1 sequence; a barrier after every step (see lstm.ts). */
function rnnForwardPart(plan: usize): void {
  let p = planOf(plan);
  let T = p.steps, I = p.inputSize, H = p.hiddenSize, Hb = <usize>H << 2;
  let u0 = unitStart(H, p.part, p.parts), u1 = unitStart(H, p.part + 1, p.parts);
  let relu = (p.flags & FLAG_RELU) != 0, gemm = p.work, q = isInt8(p);
  projectUnitBlocks(1, H, T, I, u0, u1, p.x, p.wIh, p.h + Hb, H, gemm, q ? p.prepared + weightBytes(1, u1 - u0, H, q) : 0);
  for (let t = 0; t < T; t++) {
    let hPrev = p.h + <usize>t * Hb, hNew = hPrev + Hb;
    if (isActive(p.lengths, 0, t)) {
      multiplyUnitBlocks(1, H, H, u0, u1, hPrev, p.prepared, hNew, 1, gemm, q);
      let j = u0;
      if (relu) {
        for (; j + 4 <= u1; j += 4) forwardLanes(<usize>j << 2, true, true, hNew, p.bIh, p.bHh, false, 0);
        for (; j < u1; j++) forwardLanes(<usize>j << 2, false, true, hNew, p.bIh, p.bHh, false, 0);
      } else {
        for (; j + 4 <= u1; j += 4) forwardLanes(<usize>j << 2, true, false, hNew, p.bIh, p.bHh, false, 0);
        for (; j < u1; j++) forwardLanes(<usize>j << 2, false, false, hNew, p.bIh, p.bHh, false, 0);
      }
    } else {
      memory.copy(hNew + (<usize>u0 << 2), hPrev + (<usize>u0 << 2), <usize>(u1 - u0) << 2);
    }
    barrierWait(p.barrier, (t + 1) * p.parts);
  }
}

// ---- backward -----------------------------------------------------------------------------------

/** Workspace bytes rnnBackward needs (its part's, when split: less the shared bytes). */
export function rnnBackwardWorkspaceBytes(plan: usize): usize {
  let p = planOf(plan);
  let B = p.batch, H = p.hiddenSize;
  let own = <usize>gemmWorkspaceBytes() + floatBytes(B * H) + weightBytes(B, H, H);
  return p.parts > 1 ? own : own + rnnBackwardSharedBytes(plan);
}

/** Bytes of the buffers all parts of a split rnnBackward share: the gate gradients (and token sums). */
export function rnnBackwardSharedBytes(plan: usize): usize {
  let p = planOf(plan);
  return floatBytes(p.steps * p.batch * p.hiddenSize) + tokenScratchBytes(p, p.hiddenSize);
}

/** ∂L/∂(pre-activation) of four (wide) or one lane(s): the activation's slope from its output h' (with
 *  `general`, the cell options' slope, no clip) times ∂L/∂h'. */
// @ts-ignore: decorator
@inline function backwardLanes(o: usize, wide: bool, relu: bool, h: usize, dh: usize, dOut: usize, dG: usize, general: bool, options: usize): void {
  let hv = ld(h + o, wide);
  let d = f32x4.add(ld(dh + o, wide), ldOpt(dOut, o, wide));
  let slope = general ? CellActivations.slope(options, 0, hv) : relu ? v128.and(f32x4.gt(hv, f32x4.splat(0)), f32x4.splat(1)) : f32x4.sub(f32x4.splat(1), f32x4.mul(hv, hv));
  st(dG + o, f32x4.mul(d, slope), wide);
}

/** Backpropagation through time; gradH holds ∂L/∂h_T on entry and ∂L/∂h0 on return. Split over
 *  threads, this thread's share of the steps (a batch's rows, or one sequence's units), then its
 *  share of the gradient GEMMs (weights.ts, inputs.ts). */
export function rnnBackward(plan: usize): void {
  let p = planOf(plan);
  let T = p.steps, B = p.batch, H = p.hiddenSize, lengths = p.lengths, dOutAll = p.gradOutput;
  let b0 = shareRow(p, p.part), b1 = shareRow(p, p.part + 1);
  let u0 = shareUnit(p, H, p.part), u1 = shareUnit(p, H, p.part + 1);
  let relu = (p.flags & FLAG_RELU) != 0;
  let gemm = p.work;
  let cursor = afterGemmScratch(gemm);
  let area = sharedArea(p, cursor);
  let dG = area; area += floatBytes(T * B * H);
  let tokenSums = area;
  if (p.parts == 1) cursor = area + tokenScratchBytes(p, H);
  let dhNext = cursor; cursor += floatBytes(B * H);
  let whhT = prepareWeight(B, u1 - u0, H, p.wHh + (<usize>u0 << 2), 1, H, cursor); cursor += weightBytes(B, H, H);
  let dh = p.gradH, stateBytes = <usize>(B * H) << 2;

  for (let t = T - 1; t >= 0; t--) {
    let dGt = dG + <usize>t * stateBytes;
    let hNew = p.h + <usize>(t + 1) * stateBytes;
    for (let b = b0; b < b1; b++) {
      let bo = <usize>(b * H) << 2;
      if (!isActive(lengths, b, t)) { zeroUnits(dGt + bo, 1, H, u0, u1); continue; }
      let dOut: usize = dOutAll != 0 ? dOutAll + <usize>t * stateBytes + bo : 0;
      let j = u0, options = p.cellOptions;
      if (options != 0) {
        for (; j + 4 <= u1; j += 4) backwardLanes(<usize>j << 2, true, false, hNew + bo, dh + bo, dOut, dGt + bo, true, options);
        for (; j < u1; j++) backwardLanes(<usize>j << 2, false, false, hNew + bo, dh + bo, dOut, dGt + bo, true, options);
      } else if (relu) {
        for (; j + 4 <= u1; j += 4) backwardLanes(<usize>j << 2, true, true, hNew + bo, dh + bo, dOut, dGt + bo, false, 0);
        for (; j < u1; j++) backwardLanes(<usize>j << 2, false, true, hNew + bo, dh + bo, dOut, dGt + bo, false, 0);
      } else {
        for (; j + 4 <= u1; j += 4) backwardLanes(<usize>j << 2, true, false, hNew + bo, dh + bo, dOut, dGt + bo, false, 0);
        for (; j < u1; j++) backwardLanes(<usize>j << 2, false, false, hNew + bo, dh + bo, dOut, dGt + bo, false, 0);
      }
    }
    stepBarrier(p, t);
    multiplyRows(B, b0, b1, u1 - u0, H, dGt, H, whhT, dhNext + (<usize>u0 << 2), H, 0, gemm);
    carryInactiveRows(b0, b1, H, lengths, t, dh, dhNext);
    copyShare(b0, b1, u0, u1, H, dhNext, dh);
  }

  let rows = T * B;
  inputGradients(p, H, dG, gemm, tokenSums);
  hiddenSideGrads(rows, H, H, dG, H, p.h, H, p.gradWHh, H, p.gradBHh, gemm, p.part, p.parts);
}
