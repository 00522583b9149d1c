// GRU over a whole sequence: forward and backward-through-time side by side, both reset conventions.
// Owns the GRU equations and their derivatives; sizes and buffers come from the SequencePlan.
//
// Legend: T steps, B batch, I input, H hidden (P = H); gates r z n.
//   r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr)      z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)
//   reset after  (PyTorch, ONNX linear_before_reset=1):  n = tanh(x W_inᵀ + b_in + r⊙(h W_hnᵀ + b_hn))
//   reset before (Cho et al., ONNX default):            n = tanh(x W_inᵀ + b_in + (r⊙h) W_hnᵀ + b_hn)
//   h' = (1 − z)⊙n + z⊙h
// `extra` keeps, per step and row, what ∂W_hn needs: hn = h W_hnᵀ + b_hn (after) or r⊙h (before).

import { gemmWorkspaceBytes } from "./gemm";
import { sigmoidV, tanhV } from "./activations";
import { ld, ldOpt, st } from "./lanes";
import { planOf, floatBytes, sharedArea, afterGemmScratch, FLAG_RESET_AFTER, isInt8 } from "./plan";
import { weightBytes, prepareWeight, multiplyRows, hiddenSideGrads, prepareUnitBlocks, multiplyUnitBlocks, projectUnitBlocks } from "./weights";
import { projectInputs, inputGradients, tokenScratchBytes } from "./inputs";
import { rowStart, shareRow, shareUnit, stepBarrier, zeroUnits, copyShare, unitStart } from "./threads/split";
import { barrierWait } from "./threads/barrier";
import { isActive, carryInactiveRows } from "./sequence";
import { CellActivations } from "./cell-options";

// ---- forward ------------------------------------------------------------------------------------

/** Bytes of the prepared weights: W_hh whole (reset after), or its r,z rows then its n rows, then
 *  (int8) W_ih; split by units, this part's unit blocks of W_hh (and of W_ih). */
export function gruPreparedBytes(plan: usize): usize {
  let p = planOf(plan);
  let B = p.batch, H = p.hiddenSize, q = isInt8(p);
  let input = q ? weightBytes(B, 3 * H, p.inputSize, q) : 0;
  if (p.parts > 1) {
    let units = unitStart(H, p.part + 1, p.parts) - unitStart(H, p.part, p.parts);
    return 3 * weightBytes(1, units, H, q) + (q ? 3 * weightBytes(1, units, p.inputSize, q) : 0);
  }
  if ((p.flags & FLAG_RESET_AFTER) != 0) return weightBytes(B, 3 * H, H, q) + input;
  return weightBytes(B, 2 * H, H, q) + weightBytes(B, H, H, q) + input;
}

/** Lays out W_hh (int8: and W_ih) at p.prepared for products with states of this batch size. */
export function gruPrepare(plan: usize): void {
  let p = planOf(plan);
  let B = p.batch, H = p.hiddenSize, I = p.inputSize, q = isInt8(p);
  if (p.parts > 1) {
    let u0 = unitStart(H, p.part, p.parts), u1 = unitStart(H, p.part + 1, p.parts);
    prepareUnitBlocks(3, H, H, u0, u1, p.wHh, p.prepared, p.wHhScale);
    if (q) prepareUnitBlocks(3, H, I, u0, u1, p.wIh, p.prepared + 3 * weightBytes(1, u1 - u0, H, q), p.wIhScale);
    return;
  }
  let at = p.prepared;
  if ((p.flags & FLAG_RESET_AFTER) != 0) {
    prepareWeight(B, 3 * H, H, p.wHh, H, 1, at, p.wHhScale);
    at += weightBytes(B, 3 * H, H, q);
  } else {
    prepareWeight(B, 2 * H, H, p.wHh, H, 1, at, p.wHhScale);
    at += weightBytes(B, 2 * H, H, q);
    let nRows = <usize>(2 * H * H);
    prepareWeight(B, H, H, p.wHh + (q ? nRows : nRows << 2), H, 1, at, q ? p.wHhScale + (<usize>(2 * H) << 2) : 0);
    at += weightBytes(B, H, H, q);
  }
  if (q) prepareWeight(B, 3 * H, I, p.wIh, I, 1, at, p.wIhScale);
}

/** Workspace bytes gruForward needs. */
export function gruForwardWorkspaceBytes(plan: usize): usize {
  let p = planOf(plan);
  return <usize>gemmWorkspaceBytes() + floatBytes(p.batch * 3 * p.hiddenSize) + tokenScratchBytes(p, 3 * p.hiddenSize);
}

/** Gate activation f (σ, or with `general` the cell options' slot 0) and candidate activation g (tanh,
 *  or slot 1): the lanes below take the layer's ONNX/Keras cell options (and their clip) this way. */
// @ts-ignore: decorator
@inline function gateActivation(x: v128, general: bool, options: usize): v128 {
  return general ? CellActivations.apply(options, 0, x) : sigmoidV(x);
}
// @ts-ignore: decorator
@inline function candidateActivation(x: v128, general: bool, options: usize): v128 {
  return general ? CellActivations.apply(options, 1, x) : tanhV(x);
}

/** Reset after: all three gates from one hidden product gh = h W_hhᵀ. */
// @ts-ignore: decorator
@inline function forwardLanesResetAfter(o: usize, wide: bool, Hb: usize, gx: usize, gh: usize, bIh: usize, bHh: usize,
                                        hPrev: usize, hNew: usize, hn: usize, general: bool, options: usize): void {
  let one = f32x4.splat(1);
  let r = gateActivation(f32x4.add(f32x4.add(ld(gx + o, wide), ldOpt(bIh, o, wide)), f32x4.add(ld(gh + o, wide), ldOpt(bHh, o, wide))), general, options);
  let z = gateActivation(f32x4.add(f32x4.add(ld(gx + Hb + o, wide), ldOpt(bIh, Hb + o, wide)), f32x4.add(ld(gh + Hb + o, wide), ldOpt(bHh, Hb + o, wide))), general, options);
  let hidden = f32x4.add(ld(gh + 2 * Hb + o, wide), ldOpt(bHh, 2 * Hb + o, wide));
  let n = candidateActivation(f32x4.add(f32x4.add(ld(gx + 2 * Hb + o, wide), ldOpt(bIh, 2 * Hb + o, wide)), f32x4.mul(r, hidden)), general, options);
  let h = ld(hPrev + o, wide);
  st(gx + o, r, wide); st(gx + Hb + o, z, wide); st(gx + 2 * Hb + o, n, wide);
  st(hn + o, hidden, wide);
  st(hNew + o, f32x4.add(f32x4.mul(f32x4.sub(one, z), n), f32x4.mul(z, h)), wide);
}

/** Reset before, first half: r and z, and r⊙h for the second hidden product. */
// @ts-ignore: decorator
@inline function forwardLanesResetGates(o: usize, wide: bool, Hb: usize, gx: usize, gh: usize, bIh: usize, bHh: usize,
                                        hPrev: usize, rh: usize, general: bool, options: usize): void {
  let r = gateActivation(f32x4.add(f32x4.add(ld(gx + o, wide), ldOpt(bIh, o, wide)), f32x4.add(ld(gh + o, wide), ldOpt(bHh, o, wide))), general, options);
  let z = gateActivation(f32x4.add(f32x4.add(ld(gx + Hb + o, wide), ldOpt(bIh, Hb + o, wide)), f32x4.add(ld(gh + Hb + o, wide), ldOpt(bHh, Hb + o, wide))), general, options);
  st(gx + o, r, wide); st(gx + Hb + o, z, wide);
  st(rh + o, f32x4.mul(r, ld(hPrev + o, wide)), wide);
}

/** Reset before, second half: n from (r⊙h) W_hnᵀ (in gh's n block) and the new state. */
// @ts-ignore: decorator
@inline function forwardLanesResetBefore(o: usize, wide: bool, Hb: usize, gx: usize, gh: usize, bIh: usize, bHh: usize,
                                         hPrev: usize, hNew: usize, general: bool, options: usize): void {
  let one = f32x4.splat(1);
  let z = ld(gx + Hb + o, wide);
  let pre = f32x4.add(f32x4.add(ld(gx + 2 * Hb + o, wide), ldOpt(bIh, 2 * Hb + o, wide)), f32x4.add(ld(gh + 2 * Hb + o, wide), ldOpt(bHh, 2 * Hb + o, wide)));
  let n = candidateActivation(pre, general, options);
  st(gx + 2 * Hb + o, n, wide);
  st(hNew + o, f32x4.add(f32x4.mul(f32x4.sub(one, z), n), f32x4.mul(z, ld(hPrev + o, wide))), wide);
}

/** Runs the sequence: fills gates (r z n), extra and h[1..T]. h[0] is set by the caller, p.prepared
 *  by gruPrepare for this batch size and these weights. Split over threads, this thread's batch
 *  rows (threads/split.ts), or its hidden units of one sequence. */
export function gruForward(plan: usize): void {
  let p = planOf(plan);
  if (p.parts > 1 && p.batch == 1) {
    gruForwardPart(plan);
    return;
  }
  let T = p.steps, B = p.batch, H = p.hiddenSize;
  let b0 = rowStart(B, p.part, p.parts), b1 = rowStart(B, p.part + 1, p.parts);
  let G = 3 * H, Hb = <usize>H << 2, lengths = p.lengths;
  let resetAfter = (p.flags & FLAG_RESET_AFTER) != 0, options = p.cellOptions;
  let gemm = p.work;
  let cursor = afterGemmScratch(gemm);
  let gh = cursor;
  // Reset after: one operand W_hh. Reset before: W_h{r,z} then W_hn. Then (int8) W_ih.
  let q = isInt8(p);
  let whh = p.prepared, whhRZ = p.prepared, whhN = p.prepared + weightBytes(B, 2 * H, H, q);
  let wih = q ? p.prepared + (resetAfter ? weightBytes(B, 3 * H, H, q) : weightBytes(B, 2 * H, H, q) + weightBytes(B, H, H, q)) : 0;

  projectInputs(p, G, p.gates, gemm, gh + floatBytes(B * G), wih);

  for (let t = 0; t < T; t++) {
    let hPrevAll = p.h + (<usize>(t * B * H) << 2), hNewAll = hPrevAll + (<usize>(B * H) << 2);
    let gxAll = p.gates + (<usize>(t * B * G) << 2), extraAll = p.extra + (<usize>(t * B * H) << 2);
    if (resetAfter) {
      multiplyRows(B, b0, b1, G, H, hPrevAll, H, whh, gh, G, 0, gemm, q);
    } else {
      multiplyRows(B, b0, b1, 2 * H, H, hPrevAll, H, whhRZ, gh, G, 0, gemm, q);
      for (let b = b0; b < b1; b++) {
        let rh = extraAll + (<usize>(b * H) << 2);
        if (!isActive(lengths, b, t)) { memory.fill(rh, 0, Hb); continue; }
        let gx = gxAll + (<usize>(b * G) << 2), ghRow = gh + (<usize>(b * G) << 2), hPrev = hPrevAll + (<usize>(b * H) << 2);
        let j = 0;
        if (options != 0) {
          for (; j + 4 <= H; j += 4) forwardLanesResetGates(<usize>j << 2, true, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, rh, true, options);
          for (; j < H; j++) forwardLanesResetGates(<usize>j << 2, false, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, rh, true, options);
          continue;
        }
        for (; j + 4 <= H; j += 4) forwardLanesResetGates(<usize>j << 2, true, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, rh, false, 0);
        for (; j < H; j++) forwardLanesResetGates(<usize>j << 2, false, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, rh, false, 0);
      }
      multiplyRows(B, b0, b1, H, H, extraAll, H, whhN, gh + 2 * Hb, G, 0, gemm, q);
    }
    for (let b = b0; b < b1; b++) {
      let hPrev = hPrevAll + (<usize>(b * H) << 2), hNew = hNewAll + (<usize>(b * H) << 2);
      if (!isActive(lengths, b, t)) {
        memory.copy(hNew, hPrev, Hb);
        if (resetAfter) memory.fill(extraAll + (<usize>(b * H) << 2), 0, Hb);
        continue;
      }
      let gx = gxAll + (<usize>(b * G) << 2), ghRow = gh + (<usize>(b * G) << 2), hn = extraAll + (<usize>(b * H) << 2);
      let j = 0;
      if (resetAfter && options != 0) {
        for (; j + 4 <= H; j += 4) forwardLanesResetAfter(<usize>j << 2, true, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, hNew, hn, true, options);
        for (; j < H; j++) forwardLanesResetAfter(<usize>j << 2, false, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, hNew, hn, true, options);
      } else if (resetAfter) {
        for (; j + 4 <= H; j += 4) forwardLanesResetAfter(<usize>j << 2, true, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, hNew, hn, false, 0);
        for (; j < H; j++) forwardLanesResetAfter(<usize>j << 2, false, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, hNew, hn, false, 0);
      } else if (options != 0) {
        for (; j + 4 <= H; j += 4) forwardLanesResetBefore(<usize>j << 2, true, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, hNew, true, options);
        for (; j < H; j++) forwardLanesResetBefore(<usize>j << 2, false, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, hNew, true, options);
      } else {
        for (; j + 4 <= H; j += 4) forwardLanesResetBefore(<usize>j << 2, true, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, hNew, false, 0);
        for (; j < H; j++) forwardLanesResetBefore(<usize>j << 2, false, Hb, gx, ghRow, p.bIh, p.bHh, hPrev, hNew, false, 0);
      }
    }
  }
}

/** One thread's units [u0, u1) of a batch-1 sequence, reset-after convention (the split runs only
 *  when every gate of a unit depends on that unit's rows alone); a barrier after every step. */
function gruForwardPart(plan: usize): void {
  let p = planOf(plan);
  let T = p.steps, I = p.inputSize, H = p.hiddenSize;
  let G = 3 * H, Hb = <usize>H << 2;
  let u0 = unitStart(H, p.part, p.parts), u1 = unitStart(H, p.part + 1, p.parts);
  let gemm = p.work, gh = afterGemmScratch(gemm), q = isInt8(p);
  projectUnitBlocks(3, H, T, I, u0, u1, p.x, p.wIh, p.gates, G, gemm, q ? p.prepared + 3 * weightBytes(1, u1 - u0, H, q) : 0);
  for (let t = 0; t < T; t++) {
    let hPrev = p.h + <usize>t * Hb, hNew = hPrev + Hb;
    let gx = p.gates + (<usize>(t * G) << 2), hn = p.extra + <usize>t * Hb;
    if (isActive(p.lengths, 0, t)) {
      multiplyUnitBlocks(3, H, H, u0, u1, hPrev, p.prepared, gh, 0, gemm, q);
      let j = u0;
      for (; j + 4 <= u1; j += 4) forwardLanesResetAfter(<usize>j << 2, true, Hb, gx, gh, p.bIh, p.bHh, hPrev, hNew, hn, false, 0);
      for (; j < u1; j++) forwardLanesResetAfter(<usize>j << 2, false, Hb, gx, gh, p.bIh, p.bHh, hPrev, hNew, hn, false, 0);
    } else {
      memory.copy(hNew + (<usize>u0 << 2), hPrev + (<usize>u0 << 2), <usize>(u1 - u0) << 2);
    }
    barrierWait(p.barrier, (t + 1) * p.parts);
  }
}

// ---- backward -----------------------------------------------------------------------------------

/** Workspace bytes gruBackward needs (its part's, when split: less the shared bytes). */
export function gruBackwardWorkspaceBytes(plan: usize): usize {
  let p = planOf(plan);
  let B = p.batch, H = p.hiddenSize;
  let own = <usize>gemmWorkspaceBytes() + 2 * floatBytes(B * H) + weightBytes(B, H, 3 * H) + weightBytes(B, H, 2 * H) + weightBytes(B, H, H);
  return p.parts > 1 ? own : own + gruBackwardSharedBytes(plan);
}

/** Bytes of the buffers all parts of a split gruBackward share: the x- and h-side gate gradients
 *  and the token sums. */
export function gruBackwardSharedBytes(plan: usize): usize {
  let p = planOf(plan);
  return 2 * floatBytes(p.steps * p.batch * 3 * p.hiddenSize) + tokenScratchBytes(p, 3 * p.hiddenSize);
}

/** The slopes of the gate activation (σ: y(1 − y)) and the candidate activation (tanh: 1 − y²) where
 *  they gave y; with `general`, the cell options' (no clip). */
// @ts-ignore: decorator
@inline function gateSlope(y: v128, general: bool, options: usize): v128 {
  return general ? CellActivations.slope(options, 0, y) : f32x4.mul(y, f32x4.sub(f32x4.splat(1), y));
}
// @ts-ignore: decorator
@inline function candidateSlope(y: v128, general: bool, options: usize): v128 {
  return general ? CellActivations.slope(options, 1, y) : f32x4.sub(f32x4.splat(1), f32x4.mul(y, y));
}

/** Reset after: all pre-activation gradients of a step at once.
 *  dGx gets ∂/∂(x-side pre-activations), dGh ∂/∂(h-side), dhNext the direct path z⊙∂h'. */
// @ts-ignore: decorator
@inline function backwardLanesResetAfter(o: usize, wide: bool, Hb: usize, g: usize, hn: usize, hPrev: usize,
                                         dh: usize, dOut: usize, dGx: usize, dGh: usize, dhNext: usize, general: bool, options: usize): void {
  let one = f32x4.splat(1);
  let r = ld(g + o, wide), z = ld(g + Hb + o, wide), n = ld(g + 2 * Hb + o, wide);
  let dht = f32x4.add(ld(dh + o, wide), ldOpt(dOut, o, wide));
  let dnp = f32x4.mul(f32x4.mul(dht, f32x4.sub(one, z)), candidateSlope(n, general, options));
  let dzp = f32x4.mul(f32x4.mul(dht, f32x4.sub(ld(hPrev + o, wide), n)), gateSlope(z, general, options));
  let drp = f32x4.mul(f32x4.mul(dnp, ld(hn + o, wide)), gateSlope(r, general, options));
  st(dGx + o, drp, wide); st(dGx + Hb + o, dzp, wide); st(dGx + 2 * Hb + o, dnp, wide);
  st(dGh + o, drp, wide); st(dGh + Hb + o, dzp, wide); st(dGh + 2 * Hb + o, f32x4.mul(dnp, r), wide);
  st(dhNext + o, f32x4.mul(dht, z), wide);
}

/** Reset before, first half: z and n gradients, and the direct path; ∂(r⊙h) comes next by GEMM. */
// @ts-ignore: decorator
@inline function backwardLanesUpdateGates(o: usize, wide: bool, Hb: usize, g: usize, hPrev: usize,
                                          dh: usize, dOut: usize, dG: usize, dhNext: usize, general: bool, options: usize): void {
  let one = f32x4.splat(1);
  let z = ld(g + Hb + o, wide), n = ld(g + 2 * Hb + o, wide);
  let dht = f32x4.add(ld(dh + o, wide), ldOpt(dOut, o, wide));
  st(dG + 2 * Hb + o, f32x4.mul(f32x4.mul(dht, f32x4.sub(one, z)), candidateSlope(n, general, options)), wide);
  st(dG + Hb + o, f32x4.mul(f32x4.mul(dht, f32x4.sub(ld(hPrev + o, wide), n)), gateSlope(z, general, options)), wide);
  st(dhNext + o, f32x4.mul(dht, z), wide);
}

/** Reset before, second half: from drh = ∂L/∂(r⊙h), the r gradient and r⊙drh into ∂h. */
// @ts-ignore: decorator
@inline function backwardLanesResetGate(o: usize, wide: bool, g: usize, hPrev: usize, drh: usize, dG: usize, dhNext: usize, general: bool, options: usize): void {
  let r = ld(g + o, wide), d = ld(drh + o, wide);
  st(dG + o, f32x4.mul(f32x4.mul(d, ld(hPrev + o, wide)), gateSlope(r, general, options)), wide);
  st(dhNext + o, f32x4.add(ld(dhNext + o, wide), f32x4.mul(d, r)), wide);
}

/** Backpropagation through time; gradH holds ∂L/∂h_T on entry and ∂L/∂h0 on return. Split over
 *  threads, this thread's share of the steps (a batch's rows, or one sequence's units: reset after
 *  only, as reset before needs all units mid-step), then its share of the gradient GEMMs (weights.ts, inputs.ts). */
export function gruBackward(plan: usize): void {
  let p = planOf(plan);
  let T = p.steps, B = p.batch, H = p.hiddenSize;
  let G = 3 * H, Hb = <usize>H << 2, lengths = p.lengths, dOutAll = p.gradOutput;
  let b0 = shareRow(p, p.part), b1 = shareRow(p, p.part + 1);
  let u0 = shareUnit(p, H, p.part), u1 = shareUnit(p, H, p.part + 1);
  let resetAfter = (p.flags & FLAG_RESET_AFTER) != 0, options = p.cellOptions;
  let gemm = p.work;
  let cursor = afterGemmScratch(gemm);
  let area = sharedArea(p, cursor);
  let dGx = area; area += floatBytes(T * B * G);
  let dGh = resetAfter ? area : dGx; area += floatBytes(T * B * G);
  let tokenSums = area;
  if (p.parts == 1) cursor = area + tokenScratchBytes(p, G);
  let dhNext = cursor; cursor += floatBytes(B * H);
  let drh = cursor; cursor += floatBytes(B * H);
  let whhT: usize = 0, whrzT: usize = 0, whnT: usize = 0;
  if (resetAfter) {
    whhT = prepareWeight(B, u1 - u0, G, p.wHh + (<usize>u0 << 2), 1, H, cursor); cursor += weightBytes(B, H, G);
  } else {
    whrzT = prepareWeight(B, H, 2 * H, p.wHh, 1, H, cursor); cursor += weightBytes(B, H, 2 * H);
    whnT = prepareWeight(B, H, H, p.wHh + (<usize>(2 * H * H) << 2), 1, H, cursor); cursor += weightBytes(B, H, H);
  }
  let dh = p.gradH;

  for (let t = T - 1; t >= 0; t--) {
    let dOutStep: usize = dOutAll != 0 ? dOutAll + (<usize>(t * B * H) << 2) : 0;
    let dGxT = dGx + (<usize>(t * B * G) << 2), dGhT = dGh + (<usize>(t * B * G) << 2);
    for (let b = b0; b < b1; b++) {
      let bo = <usize>(b * H) << 2;
      let dGxRow = dGxT + (<usize>(b * G) << 2), dGhRow = dGhT + (<usize>(b * G) << 2);
      if (!isActive(lengths, b, t)) {
        zeroUnits(dGxRow, 3, H, u0, u1);
        if (resetAfter) zeroUnits(dGhRow, 3, H, u0, u1);
        continue;
      }
      let g = p.gates + (<usize>((t * B + b) * G) << 2);
      let hPrev = p.h + (<usize>(t * B * H) << 2) + bo;
      let dOut: usize = dOutStep != 0 ? dOutStep + bo : 0;
      let j = u0;
      if (resetAfter) {
        let hn = p.extra + (<usize>(t * B * H) << 2) + bo;
        if (options != 0) {
          for (; j + 4 <= u1; j += 4) backwardLanesResetAfter(<usize>j << 2, true, Hb, g, hn, hPrev, dh + bo, dOut, dGxRow, dGhRow, dhNext + bo, true, options);
          for (; j < u1; j++) backwardLanesResetAfter(<usize>j << 2, false, Hb, g, hn, hPrev, dh + bo, dOut, dGxRow, dGhRow, dhNext + bo, true, options);
        } else {
          for (; j + 4 <= u1; j += 4) backwardLanesResetAfter(<usize>j << 2, true, Hb, g, hn, hPrev, dh + bo, dOut, dGxRow, dGhRow, dhNext + bo, false, 0);
          for (; j < u1; j++) backwardLanesResetAfter(<usize>j << 2, false, Hb, g, hn, hPrev, dh + bo, dOut, dGxRow, dGhRow, dhNext + bo, false, 0);
        }
      } else if (options != 0) {
        for (; j + 4 <= u1; j += 4) backwardLanesUpdateGates(<usize>j << 2, true, Hb, g, hPrev, dh + bo, dOut, dGxRow, dhNext + bo, true, options);
        for (; j < u1; j++) backwardLanesUpdateGates(<usize>j << 2, false, Hb, g, hPrev, dh + bo, dOut, dGxRow, dhNext + bo, true, options);
      } else {
        for (; j + 4 <= u1; j += 4) backwardLanesUpdateGates(<usize>j << 2, true, Hb, g, hPrev, dh + bo, dOut, dGxRow, dhNext + bo, false, 0);
        for (; j < u1; j++) backwardLanesUpdateGates(<usize>j << 2, false, Hb, g, hPrev, dh + bo, dOut, dGxRow, dhNext + bo, false, 0);
      }
    }
    if (resetAfter) {
      stepBarrier(p, t);
      multiplyRows(B, b0, b1, u1 - u0, G, dGhT, G, whhT, dhNext + (<usize>u0 << 2), H, 1, gemm);
    } else {
      // ∂L/∂(r⊙h) = dn · W_hn, then the reset gate and the r⊙ path into ∂h, then dG_rz · W_h{r,z}.
      multiplyRows(B, b0, b1, H, H, dGxT + 2 * Hb, G, whnT, drh, H, 0, gemm);
      for (let b = b0; b < b1; b++) {
        if (!isActive(lengths, b, t)) continue;
        let bo = <usize>(b * H) << 2;
        let g = p.gates + (<usize>((t * B + b) * G) << 2);
        let hPrev = p.h + (<usize>(t * B * H) << 2) + bo;
        let dGxRow = dGxT + (<usize>(b * G) << 2);
        let j = 0;
        if (options != 0) {
          for (; j + 4 <= H; j += 4) backwardLanesResetGate(<usize>j << 2, true, g, hPrev, drh + bo, dGxRow, dhNext + bo, true, options);
          for (; j < H; j++) backwardLanesResetGate(<usize>j << 2, false, g, hPrev, drh + bo, dGxRow, dhNext + bo, true, options);
          continue;
        }
        for (; j + 4 <= H; j += 4) backwardLanesResetGate(<usize>j << 2, true, g, hPrev, drh + bo, dGxRow, dhNext + bo, false, 0);
        for (; j < H; j++) backwardLanesResetGate(<usize>j << 2, false, g, hPrev, drh + bo, dGxRow, dhNext + bo, false, 0);
      }
      multiplyRows(B, b0, b1, H, 2 * H, dGxT, G, whrzT, dhNext, H, 1, gemm);
    }
    carryInactiveRows(b0, b1, H, lengths, t, dh, dhNext);
    copyShare(b0, b1, u0, u1, H, dhNext, dh);
  }

  let rows = T * B, part = p.part, parts = p.parts;
  inputGradients(p, G, dGx, gemm, tokenSums);
  if (resetAfter) {
    hiddenSideGrads(rows, G, H, dGh, G, p.h, H, p.gradWHh, H, p.gradBHh, gemm, part, parts);
  } else {
    hiddenSideGrads(rows, 2 * H, H, dGx, G, p.h, H, p.gradWHh, H, p.gradBHh, gemm, part, parts);
    hiddenSideGrads(rows, H, H, dGx + 2 * Hb, G, p.extra, H, p.gradWHh + (<usize>(2 * H * H) << 2), H,
                    p.gradBHh != 0 ? p.gradBHh + 2 * Hb : 0, gemm, part, parts);
  }
}
