// Minimal Gated Unit (Zhou et al. 2016) over a whole sequence: forward and backward-through-time
// side by side. The test build's fourth cell, which checks that adding a cell is the short list in
// docs/ARCHITECTURE.md; sizes and buffers come from the SequencePlan, as for the shipped cells.
//
// Legend: T steps, B batch, I input, H hidden (P = H); gates f n (G = 2H).
//   f  = σ(x W_ifᵀ + b_if + h W_hfᵀ + b_hf)
//   n  = tanh(x W_inᵀ + b_in + (f⊙h) W_hnᵀ + b_hn)
//   h' = (1 − f)⊙h + f⊙n
// The GRU's reset-before step with one gate in both roles (reset r = f, update z = 1 − f), so a step
// needs all units of f⊙h before its second product: a batch splits over threads by rows, one
// sequence never by units (the engine's row says so; asked anyway, forward and backward trap).
// `extra` keeps, per step and row, f⊙h for ∂W_hn. No ONNX/Keras cell options (cellOptions unread).

import { gemmWorkspaceBytes } from "../gemm";
import { sigmoidV, tanhV } from "../activations";
import { ld, ldOpt, st } from "../lanes";
import { SequencePlan, planOf, floatBytes, sharedArea, afterGemmScratch, isInt8 } from "../plan";
import { weightBytes, prepareWeight, multiplyRows, hiddenSideGrads } from "../weights";
import { projectInputs, inputGradients, tokenScratchBytes } from "../inputs";
import { rowStart, copyShare } from "../threads/split";
import { isActive, carryInactiveRows } from "../sequence";

/** One sequence split by hidden units: a share of f⊙h is not enough for the step's second product. */
// @ts-ignore: decorator
@inline function refuseUnitSplit(p: SequencePlan): void {
  if (p.parts > 1 && p.batch == 1) unreachable();
}

// ---- forward ------------------------------------------------------------------------------------

/** Bytes of the prepared weights: W_hf, then W_hn, then (int8) W_ih. */
export function mguPreparedBytes(plan: usize): usize {
  let p = planOf(plan);
  let B = p.batch, H = p.hiddenSize, q = isInt8(p);
  return 2 * weightBytes(B, H, H, q) + (q ? weightBytes(B, 2 * H, p.inputSize, q) : 0);
}

/** Lays out W_hh's two blocks (int8: and W_ih) at p.prepared for products with states of this batch size. */
export function mguPrepare(plan: usize): void {
  let p = planOf(plan);
  let B = p.batch, H = p.hiddenSize, I = p.inputSize, q = isInt8(p);
  let block = weightBytes(B, H, H, q), nRows = <usize>(H * H);
  prepareWeight(B, H, H, p.wHh, H, 1, p.prepared, p.wHhScale);
  prepareWeight(B, H, H, p.wHh + (q ? nRows : nRows << 2), H, 1, p.prepared + block, q ? p.wHhScale + (<usize>H << 2) : 0);
  if (q) prepareWeight(B, 2 * H, I, p.wIh, I, 1, p.prepared + 2 * block, p.wIhScale);
}

/** Workspace bytes mguForward needs: the GEMM's, a step's hidden products [B, G], the token rows. */
export function mguForwardWorkspaceBytes(plan: usize): usize {
  let p = planOf(plan);
  return <usize>gemmWorkspaceBytes() + floatBytes(p.batch * 2 * p.hiddenSize) + tokenScratchBytes(p, 2 * p.hiddenSize);
}

/** First half of a step: f, and f⊙h for the candidate's hidden product. */
// @ts-ignore: decorator
@inline function forwardLanesGate(o: usize, wide: bool, gx: usize, gh: usize, bIh: usize, bHh: usize, hPrev: usize, fh: usize): void {
  let f = sigmoidV(f32x4.add(f32x4.add(ld(gx + o, wide), ldOpt(bIh, o, wide)), f32x4.add(ld(gh + o, wide), ldOpt(bHh, o, wide))));
  st(gx + o, f, wide);
  st(fh + o, f32x4.mul(f, ld(hPrev + o, wide)), wide);
}

/** Second half: n from (f⊙h) W_hnᵀ (in gh's n block), and the new state. */
// @ts-ignore: decorator
@inline function forwardLanesCandidate(o: usize, wide: bool, Hb: usize, gx: usize, gh: usize, bIh: usize, bHh: usize,
                                       hPrev: usize, hNew: usize): void {
  let f = ld(gx + o, wide);
  let n = tanhV(f32x4.add(f32x4.add(ld(gx + Hb + o, wide), ldOpt(bIh, Hb + o, wide)), f32x4.add(ld(gh + Hb + o, wide), ldOpt(bHh, Hb + o, wide))));
  st(gx + Hb + o, n, wide);
  st(hNew + o, f32x4.add(f32x4.mul(f32x4.sub(f32x4.splat(1), f), ld(hPrev + o, wide)), f32x4.mul(f, n)), wide);
}

/** Runs the sequence: fills gates (f n), extra (f⊙h; zero on a row's steps past its length) and
 *  h[1..T]. h[0] is set by the caller, p.prepared by mguPrepare for this batch size and these
 *  weights. Split over threads, this thread's batch rows (threads/split.ts). */
export function mguForward(plan: usize): void {
  let p = planOf(plan);
  refuseUnitSplit(p);
  let T = p.steps, B = p.batch, H = p.hiddenSize;
  let b0 = rowStart(B, p.part, p.parts), b1 = rowStart(B, p.part + 1, p.parts);
  let G = 2 * H, Hb = <usize>H << 2, lengths = p.lengths;
  let gemm = p.work, gh = afterGemmScratch(gemm), q = isInt8(p);
  let whf = p.prepared, whn = whf + weightBytes(B, H, H, q), wih = q ? whn + weightBytes(B, H, H, q) : 0;

  projectInputs(p, G, p.gates, gemm, gh + floatBytes(B * G), wih);

  for (let t = 0; t < T; t++) {
    let hPrevAll = p.h + (<usize>(t * B * H) << 2), hNewAll = hPrevAll + (<usize>(B * H) << 2);
    let gxAll = p.gates + (<usize>(t * B * G) << 2), fhAll = p.extra + (<usize>(t * B * H) << 2);
    multiplyRows(B, b0, b1, H, H, hPrevAll, H, whf, gh, G, 0, gemm, q);
    for (let b = b0; b < b1; b++) {
      let fh = fhAll + (<usize>(b * H) << 2);
      if (!isActive(lengths, b, t)) { memory.fill(fh, 0, Hb); continue; }
      let gx = gxAll + (<usize>(b * G) << 2), ghRow = gh + (<usize>(b * G) << 2), hPrev = hPrevAll + (<usize>(b * H) << 2);
      let j = 0;
      for (; j + 4 <= H; j += 4) forwardLanesGate(<usize>j << 2, true, gx, ghRow, p.bIh, p.bHh, hPrev, fh);
      for (; j < H; j++) forwardLanesGate(<usize>j << 2, false, gx, ghRow, p.bIh, p.bHh, hPrev, fh);
    }
    multiplyRows(B, b0, b1, H, H, fhAll, H, whn, gh + Hb, G, 0, gemm, q);
    for (let b = b0; b < b1; b++) {
      if (!isActive(lengths, b, t)) continue;
      let gx = gxAll + (<usize>(b * G) << 2), ghRow = gh + (<usize>(b * G) << 2);
      let hPrev = hPrevAll + (<usize>(b * H) << 2), hNew = hNewAll + (<usize>(b * H) << 2);
      let j = 0;
      for (; j + 4 <= H; j += 4) forwardLanesCandidate(<usize>j << 2, true, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, hNew);
      for (; j < H; j++) forwardLanesCandidate(<usize>j << 2, false, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, hNew);
    }
    carryInactiveRows(b0, b1, H, lengths, t, hPrevAll, hNewAll);
  }
}

// ---- backward -----------------------------------------------------------------------------------

/** Workspace bytes mguBackward needs (its part's, when split: less the shared bytes). */
export function mguBackwardWorkspaceBytes(plan: usize): usize {
  let p = planOf(plan);
  let B = p.batch, H = p.hiddenSize;
  let own = <usize>gemmWorkspaceBytes() + 2 * floatBytes(B * H) + 2 * weightBytes(B, H, H);
  return p.parts > 1 ? own : own + mguBackwardSharedBytes(plan);
}

/** Bytes of the buffers all parts of a split mguBackward share: the gate gradients (one set: the x
 *  and h sides of each gate have the same pre-activation gradient) and the token sums. */
export function mguBackwardSharedBytes(plan: usize): usize {
  let p = planOf(plan);
  return floatBytes(p.steps * p.batch * 2 * p.hiddenSize) + tokenScratchBytes(p, 2 * p.hiddenSize);
}

/** First half of a step: n's pre-activation gradient, f's gradient through h' alone (completed by
 *  backwardLanesGate), and the (1 − f) path into ∂h; ∂(f⊙h) comes next by GEMM. */
// @ts-ignore: decorator
@inline function backwardLanesCandidate(o: usize, wide: bool, Hb: usize, g: usize, hPrev: usize,
                                        dh: usize, dOut: usize, dG: usize, dhNext: usize): void {
  let one = f32x4.splat(1);
  let f = ld(g + o, wide), n = ld(g + Hb + o, wide);
  let dht = f32x4.add(ld(dh + o, wide), ldOpt(dOut, o, wide));
  st(dG + Hb + o, f32x4.mul(f32x4.mul(dht, f), f32x4.sub(one, f32x4.mul(n, n))), wide);
  st(dG + o, f32x4.mul(dht, f32x4.sub(n, ld(hPrev + o, wide))), wide);
  st(dhNext + o, f32x4.mul(dht, f32x4.sub(one, f)), wide);
}

/** Second half: from dfh = ∂L/∂(f⊙h), the rest of f's gradient, its pre-activation gradient, and
 *  f⊙dfh into ∂h. */
// @ts-ignore: decorator
@inline function backwardLanesGate(o: usize, wide: bool, g: usize, hPrev: usize, dfh: usize, dG: usize, dhNext: usize): void {
  let f = ld(g + o, wide), d = ld(dfh + o, wide);
  let df = f32x4.add(ld(dG + o, wide), f32x4.mul(d, ld(hPrev + o, wide)));
  st(dG + o, f32x4.mul(df, f32x4.mul(f, f32x4.sub(f32x4.splat(1), f))), wide);
  st(dhNext + o, f32x4.add(ld(dhNext + o, wide), f32x4.mul(d, f)), wide);
}

/** Backpropagation through time; gradH holds ∂L/∂h_T on entry and ∂L/∂h0 on return. Split over
 *  threads, this thread's batch rows through the steps, then its share of the gradient GEMMs
 *  (weights.ts, inputs.ts). */
export function mguBackward(plan: usize): void {
  let p = planOf(plan);
  refuseUnitSplit(p);
  let T = p.steps, B = p.batch, H = p.hiddenSize;
  let G = 2 * H, Hb = <usize>H << 2, lengths = p.lengths, dOutAll = p.gradOutput;
  let b0 = rowStart(B, p.part, p.parts), b1 = rowStart(B, p.part + 1, p.parts);
  let gemm = p.work;
  let cursor = afterGemmScratch(gemm);
  let area = sharedArea(p, cursor);
  let dG = area; area += floatBytes(T * B * G);
  let tokenSums = area;
  if (p.parts == 1) cursor = area + tokenScratchBytes(p, G);
  let dhNext = cursor; cursor += floatBytes(B * H);
  let dfh = cursor; cursor += floatBytes(B * H);
  let whfT = prepareWeight(B, H, H, p.wHh, 1, H, cursor); cursor += weightBytes(B, H, H);
  let whnT = prepareWeight(B, H, H, p.wHh + (<usize>(H * H) << 2), 1, H, cursor);
  let dh = p.gradH;

  for (let t = T - 1; t >= 0; t--) {
    let dOutStep: usize = dOutAll != 0 ? dOutAll + (<usize>(t * B * H) << 2) : 0;
    let dGt = dG + (<usize>(t * B * G) << 2), hPrevAll = p.h + (<usize>(t * B * H) << 2);
    for (let b = b0; b < b1; b++) {
      let bo = <usize>(b * H) << 2, dGRow = dGt + (<usize>(b * G) << 2);
      if (!isActive(lengths, b, t)) { memory.fill(dGRow, 0, Hb << 1); continue; }
      let g = p.gates + (<usize>((t * B + b) * G) << 2);
      let dOut: usize = dOutStep != 0 ? dOutStep + bo : 0;
      let j = 0;
      for (; j + 4 <= H; j += 4) backwardLanesCandidate(<usize>j << 2, true, Hb, g, hPrevAll + bo, dh + bo, dOut, dGRow, dhNext + bo);
      for (; j < H; j++) backwardLanesCandidate(<usize>j << 2, false, Hb, g, hPrevAll + bo, dh + bo, dOut, dGRow, dhNext + bo);
    }
    // ∂L/∂(f⊙h) = dn · W_hn, then the rest of f and the f⊙ path into ∂h, then df · W_hf.
    multiplyRows(B, b0, b1, H, H, dGt + Hb, G, whnT, dfh, H, 0, gemm);
    for (let b = b0; b < b1; b++) {
      if (!isActive(lengths, b, t)) continue;
      let bo = <usize>(b * H) << 2, dGRow = dGt + (<usize>(b * G) << 2);
      let g = p.gates + (<usize>((t * B + b) * G) << 2);
      let j = 0;
      for (; j + 4 <= H; j += 4) backwardLanesGate(<usize>j << 2, true, g, hPrevAll + bo, dfh + bo, dGRow, dhNext + bo);
      for (; j < H; j++) backwardLanesGate(<usize>j << 2, false, g, hPrevAll + bo, dfh + bo, dGRow, dhNext + bo);
    }
    multiplyRows(B, b0, b1, H, H, dGt, G, whfT, dhNext, H, 1, gemm);
    carryInactiveRows(b0, b1, H, lengths, t, dh, dhNext);
    copyShare(b0, b1, 0, H, H, dhNext, dh);
  }

  let rows = T * B, part = p.part, parts = p.parts;
  inputGradients(p, G, dG, gemm, tokenSums);
  hiddenSideGrads(rows, H, H, dG, G, p.h, H, p.gradWHh, H, p.gradBHh, gemm, part, parts);
  hiddenSideGrads(rows, H, H, dG + Hb, G, p.extra, H, p.gradWHh + (<usize>(H * H) << 2), H,
                  p.gradBHh != 0 ? p.gradBHh + Hb : 0, gemm, part, parts);
}
