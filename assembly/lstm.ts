// LSTM over a whole sequence: forward and backward-through-time side by side, one call each, the
// loop over steps inside wasm. Optional projection (PyTorch proj_size) and peepholes (ONNX P).
// Owns the LSTM equations and their derivatives; sizes and buffers come from the SequencePlan.
//
// Legend: T steps, B batch, I input, H hidden, P output (= H without projection); gates i f g o.
//   i = σ(x W_iiᵀ + h W_hiᵀ + b_i + p_i⊙c)      f = σ(… + p_f⊙c)      g = tanh(…)
//   c' = f⊙c + i⊙g      o = σ(… + p_o⊙c')      m = o⊙tanh(c')      h' = m (or W_hr m with projection)
// Per step the kernel adds h·W_hhᵀ to the precomputed input projection, then one fused pass applies
// the gate activations and the state update; backward mirrors it and leaves the weight gradients
// to single GEMMs over all steps (weights.ts, inputs.ts).

import { sigmoidV, tanhV } from "./activations";
import { ld, ldOpt, st, addTo } from "./lanes";
import { SequencePlan, planOf, floatBytes, sharedArea, afterGemmScratch, isInt8 } from "./plan";
import { weightBytes, prepareWeight, multiplyRows, hiddenSideGrads, prepareUnitBlocks, multiplyUnitBlocks, projectUnitBlocks } from "./weights";
import { projectInputs, inputGradients, tokenScratchBytes } from "./inputs";
import { rowStart, shareRow, shareUnit, stepBarrier, zeroUnits, copyShare, unitStart } from "./threads/split";
import { barrierWait } from "./threads/barrier";
import { isActive, carryInactiveRows, addVectors } from "./sequence";
import { CellActivations, inputForget } from "./cell-options";
import { gemmWorkspaceBytes } from "./gemm";

// ---- forward ------------------------------------------------------------------------------------

/** Bytes of the prepared weights: W_hh, then W_hr with projection, then (int8) W_ih; split by
 *  units, this part's unit blocks of W_hh (and of W_ih). */
export function lstmPreparedBytes(plan: usize): usize {
  let p = planOf(plan);
  let B = p.batch, H = p.hiddenSize, P = p.outputSize, q = isInt8(p);
  if (p.parts > 1) {
    let units = unitStart(H, p.part + 1, p.parts) - unitStart(H, p.part, p.parts);
    return 4 * weightBytes(1, units, P, q) + (q ? 4 * weightBytes(1, units, p.inputSize, q) : 0);
  }
  return weightBytes(B, 4 * H, P, q) + (P != H ? weightBytes(B, P, H, q) : 0) + (q ? weightBytes(B, 4 * H, p.inputSize, q) : 0);
}

/** Lays out W_hh (and W_hr; int8: and W_ih) at p.prepared for products with states of this batch size. */
export function lstmPrepare(plan: usize): void {
  let p = planOf(plan);
  let B = p.batch, H = p.hiddenSize, P = p.outputSize, I = p.inputSize, q = isInt8(p);
  if (p.parts > 1) {
    let u0 = unitStart(H, p.part, p.parts), u1 = unitStart(H, p.part + 1, p.parts);
    prepareUnitBlocks(4, H, P, u0, u1, p.wHh, p.prepared, p.wHhScale);
    if (q) prepareUnitBlocks(4, H, I, u0, u1, p.wIh, p.prepared + 4 * weightBytes(1, u1 - u0, P, q), p.wIhScale);
    return;
  }
  let at = p.prepared;
  prepareWeight(B, 4 * H, P, p.wHh, P, 1, at, p.wHhScale);
  at += weightBytes(B, 4 * H, P, q);
  if (P != H) {
    prepareWeight(B, P, H, p.wHr, H, 1, at, p.wHrScale);
    at += weightBytes(B, P, H, q);
  }
  if (q) prepareWeight(B, 4 * H, I, p.wIh, I, 1, at, p.wIhScale);
}

/** Workspace bytes lstmForward needs. */
export function lstmForwardWorkspaceBytes(plan: usize): usize {
  let p = planOf(plan);
  return <usize>gemmWorkspaceBytes() + floatBytes(4 * p.hiddenSize) + tokenScratchBytes(p, 4 * p.hiddenSize);
}

/** Gate activations and state update for four (wide) or one lane(s) at byte offset o of a row: σ and
 *  tanh, or with `general` the layer's ONNX/Keras cell options — activations f (gates), g (cell
 *  candidate), h (cell output), clipped inputs, f = 1 − i when the gates are coupled. (`wide` and
 *  `general` are constants at each call site: each copy keeps one branch.) */
// @ts-ignore: decorator
@inline function forwardLanes(o: usize, wide: bool, Hb: usize, g: usize, bias: usize, peep: usize,
                              cPrev: usize, cNew: usize, m: usize, general: bool, options: usize): void {
  let cp = ld(cPrev + o, wide);
  let pi = f32x4.add(ld(g + o, wide), ld(bias + o, wide));
  let pf = f32x4.add(ld(g + Hb + o, wide), ld(bias + Hb + o, wide));
  let pg = f32x4.add(ld(g + 2 * Hb + o, wide), ld(bias + 2 * Hb + o, wide));
  let po = f32x4.add(ld(g + 3 * Hb + o, wide), ld(bias + 3 * Hb + o, wide));
  if (peep != 0) {
    pi = f32x4.add(pi, f32x4.mul(ld(peep + o, wide), cp));
    pf = f32x4.add(pf, f32x4.mul(ld(peep + Hb + o, wide), cp));
  }
  let i = general ? CellActivations.apply(options, 0, pi) : sigmoidV(pi);
  let f = !general ? sigmoidV(pf) : inputForget(options) ? f32x4.sub(f32x4.splat(1), i) : CellActivations.apply(options, 0, pf);
  let gg = general ? CellActivations.apply(options, 1, pg) : tanhV(pg);
  let cn = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, gg));
  if (peep != 0) po = f32x4.add(po, f32x4.mul(ld(peep + 2 * Hb + o, wide), cn));
  let og = general ? CellActivations.apply(options, 0, po) : sigmoidV(po);
  st(g + o, i, wide); st(g + Hb + o, f, wide); st(g + 2 * Hb + o, gg, wide); st(g + 3 * Hb + o, og, wide);
  st(cNew + o, cn, wide);
  st(m + o, f32x4.mul(og, general ? CellActivations.apply(options, 2, cn, false) : tanhV(cn)), wide);
}

/** Runs the sequence: fills gates, c[1..T], h[1..T] (and m with projection). c[0], h[0] set by the
 *  caller, p.prepared by lstmPrepare for this batch size and these weights. Split over threads, this
 *  thread's batch rows (threads/split.ts), or its hidden units of one sequence. */
export function lstmForward(plan: usize): void {
  let p = planOf(plan);
  if (p.parts > 1 && p.batch == 1) {
    lstmForwardPart(plan);
    return;
  }
  let T = p.steps, B = p.batch, H = p.hiddenSize, P = p.outputSize;
  let b0 = rowStart(B, p.part, p.parts), b1 = rowStart(B, p.part + 1, p.parts);
  let G = 4 * H, Hb = <usize>H << 2;
  let lengths = p.lengths, peep = p.peepholes, projected = P != H;
  let gemm = p.work;
  let cursor = afterGemmScratch(gemm);
  let bias = cursor;
  addVectors(G, p.bIh, p.bHh, bias);
  let q = isInt8(p);
  let whh = p.prepared, whr = p.prepared + weightBytes(B, G, P, q);
  let wih = q ? whr + (projected ? weightBytes(B, P, H, q) : 0) : 0;

  // Input projection for every step at once: gates[T·B, 4H] = X · W_ihᵀ.
  projectInputs(p, G, p.gates, gemm, bias + floatBytes(G), wih);

  for (let t = 0; t < T; t++) {
    let hPrev = p.h + (<usize>(t * B * P) << 2), hNew = hPrev + (<usize>(B * P) << 2);
    let gates = p.gates + (<usize>(t * B * G) << 2);
    multiplyRows(B, b0, b1, G, P, hPrev, P, whh, gates, G, 1, gemm, q);
    for (let b = b0; b < b1; b++) {
      let cPrev = p.c + (<usize>((t * B + b) * H) << 2), cNew = cPrev + (<usize>(B * H) << 2);
      let m = projected ? p.extra + (<usize>((t * B + b) * H) << 2) : hNew + (<usize>(b * P) << 2);
      if (!isActive(lengths, b, t)) {
        memory.copy(cNew, cPrev, Hb);
        if (projected) memory.fill(m, 0, Hb); // keeps ∂W_hr = Σ dhᵀ m free of stale values
        else memory.copy(m, hPrev + (<usize>(b * P) << 2), Hb);
        continue;
      }
      let g = gates + (<usize>(b * G) << 2);
      let j = 0, options = p.cellOptions;
      if (options != 0) {
        for (; j + 4 <= H; j += 4) forwardLanes(<usize>j << 2, true, Hb, g, bias, peep, cPrev, cNew, m, true, options);
        for (; j < H; j++) forwardLanes(<usize>j << 2, false, Hb, g, bias, peep, cPrev, cNew, m, true, options);
        continue;
      }
      for (; j + 4 <= H; j += 4) forwardLanes(<usize>j << 2, true, Hb, g, bias, peep, cPrev, cNew, m, false, 0);
      for (; j < H; j++) forwardLanes(<usize>j << 2, false, Hb, g, bias, peep, cPrev, cNew, m, false, 0);
    }
    if (projected) {
      multiplyRows(B, b0, b1, P, H, p.extra + (<usize>(t * B * H) << 2), H, whr, hNew, P, 0, gemm, q);
      carryInactiveRows(b0, b1, P, lengths, t, hPrev, hNew);
    }
  }
}

/**
 * One thread's share of a batch-1 sequence without projection: the gate rows and state entries of
 * units [u0, u1), meeting the other threads at the barrier after every step (they need all of h).
 */
function lstmForwardPart(plan: usize): void {
  let p = planOf(plan);
  let T = p.steps, I = p.inputSize, H = p.hiddenSize;
  let G = 4 * H, Hb = <usize>H << 2;
  let u0 = unitStart(H, p.part, p.parts), u1 = unitStart(H, p.part + 1, p.parts);
  let gemm = p.work, bias = afterGemmScratch(gemm), peep = p.peepholes, lengths = p.lengths;
  addVectors(G, p.bIh, p.bHh, bias);
  let q = isInt8(p);
  projectUnitBlocks(4, H, T, I, u0, u1, p.x, p.wIh, p.gates, G, gemm, q ? p.prepared + 4 * weightBytes(1, u1 - u0, H, q) : 0);
  for (let t = 0; t < T; t++) {
    let hPrev = p.h + (<usize>(t * H) << 2), hNew = hPrev + Hb;
    let cPrev = p.c + (<usize>(t * H) << 2), cNew = cPrev + Hb;
    let g = p.gates + (<usize>(t * G) << 2);
    let o0 = <usize>u0 << 2, width = <usize>(u1 - u0) << 2;
    if (isActive(lengths, 0, t)) {
      multiplyUnitBlocks(4, H, H, u0, u1, hPrev, p.prepared, g, 1, gemm, q);
      let j = u0;
      for (; j + 4 <= u1; j += 4) forwardLanes(<usize>j << 2, true, Hb, g, bias, peep, cPrev, cNew, hNew, false, 0);
      for (; j < u1; j++) forwardLanes(<usize>j << 2, false, Hb, g, bias, peep, cPrev, cNew, hNew, false, 0);
    } else {
      memory.copy(cNew + o0, cPrev + o0, width);
      memory.copy(hNew + o0, hPrev + o0, width);
    }
    barrierWait(p.barrier, (t + 1) * p.parts);
  }
}

// ---- backward -----------------------------------------------------------------------------------

/** Workspace bytes lstmBackward needs (its part's, when split: less the shared bytes). */
export function lstmBackwardWorkspaceBytes(plan: usize): usize {
  let p = planOf(plan);
  let B = p.batch, H = p.hiddenSize, P = p.outputSize;
  let own = <usize>gemmWorkspaceBytes() + floatBytes(B * P) + weightBytes(B, P, 4 * H);
  if (P != H) own += floatBytes(B * H) + weightBytes(B, H, P);
  return p.parts > 1 ? own : own + lstmBackwardSharedBytes(plan);
}

/** Bytes of the buffers all parts of a split lstmBackward share: the gate gradients, ∂L/∂h' with
 *  projection, and the token sums. */
export function lstmBackwardSharedBytes(plan: usize): usize {
  let p = planOf(plan);
  let T = p.steps, B = p.batch, H = p.hiddenSize, P = p.outputSize;
  return floatBytes(T * B * 4 * H) + (P != H ? floatBytes(T * B * P) : 0) + tokenScratchBytes(p, 4 * H);
}

/** Gradients through one step's gates for four (wide) or one lane(s) at byte offset o of a row.
 *  dm: ∂L/∂m (plus dOut when dOut ≠ 0); dc: ∂L/∂c' in, ∂L/∂c out; dG: pre-activation gradients out.
 *  With `general`, the cell options' activations, their slopes taken from their outputs (no clip),
 *  and with coupled gates (f = 1 − i) the forget path into i. */
// @ts-ignore: decorator
@inline function backwardLanes(o: usize, wide: bool, Hb: usize, g: usize, cPrev: usize, cNew: usize,
                               dmRow: usize, dOut: usize, dc: usize, dG: usize, peep: usize, general: bool, options: usize): void {
  let one = f32x4.splat(1);
  let i = ld(g + o, wide), f = ld(g + Hb + o, wide), gg = ld(g + 2 * Hb + o, wide), og = ld(g + 3 * Hb + o, wide);
  let cp = ld(cPrev + o, wide), cn = ld(cNew + o, wide);
  let tc = general ? CellActivations.apply(options, 2, cn, false) : tanhV(cn);
  let dm = f32x4.add(ld(dmRow + o, wide), ldOpt(dOut, o, wide));
  let dpo = f32x4.mul(f32x4.mul(dm, tc), general ? CellActivations.slope(options, 0, og) : f32x4.mul(og, f32x4.sub(one, og)));
  let dcn = f32x4.add(ld(dc + o, wide), f32x4.mul(f32x4.mul(dm, og), general ? CellActivations.slope(options, 2, tc) : f32x4.sub(one, f32x4.mul(tc, tc))));
  if (peep != 0) dcn = f32x4.add(dcn, f32x4.mul(dpo, ld(peep + 2 * Hb + o, wide)));
  let coupled = general && inputForget(options);
  let dpi = f32x4.mul(f32x4.mul(dcn, coupled ? f32x4.sub(gg, cp) : gg), general ? CellActivations.slope(options, 0, i) : f32x4.mul(i, f32x4.sub(one, i)));
  let dpf = coupled ? f32x4.splat(0) : f32x4.mul(f32x4.mul(dcn, cp), general ? CellActivations.slope(options, 0, f) : f32x4.mul(f, f32x4.sub(one, f)));
  let dpg = f32x4.mul(f32x4.mul(dcn, i), general ? CellActivations.slope(options, 1, gg) : f32x4.sub(one, f32x4.mul(gg, gg)));
  let dcp = f32x4.mul(dcn, f);
  if (peep != 0) dcp = f32x4.add(dcp, f32x4.add(f32x4.mul(dpi, ld(peep + o, wide)), f32x4.mul(dpf, ld(peep + Hb + o, wide))));
  st(dG + o, dpi, wide); st(dG + Hb + o, dpf, wide); st(dG + 2 * Hb + o, dpg, wide); st(dG + 3 * Hb + o, dpo, wide);
  st(dc + o, dcp, wide);
}

/** ∂p_i, ∂p_f, ∂p_o += Σ dG_i⊙c_{t−1}, dG_f⊙c_{t−1}, dG_o⊙c_t over the active rows, last step first,
 *  for this part's units (all of them unsplit): after the loop, since every row adds to them, and
 *  in the order the loop visits the rows, so split and unsplit sums are the same. */
function peepholeGradients(p: SequencePlan, dGates: usize): void {
  let T = p.steps, B = p.batch, H = p.hiddenSize, G = 4 * H, Hb = <usize>H << 2, gp = p.gradPeepholes;
  let u0 = unitStart(H, p.part, p.parts), u1 = unitStart(H, p.part + 1, p.parts);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = 0; b < B; b++) {
      if (!isActive(p.lengths, b, t)) continue;
      let dG = dGates + (<usize>((t * B + b) * G) << 2);
      let cPrev = p.c + (<usize>((t * B + b) * H) << 2), cNew = cPrev + (<usize>(B * H) << 2);
      let j = u0;
      for (; j + 4 <= u1; j += 4) peepholeLanes(<usize>j << 2, true, Hb, dG, cPrev, cNew, gp);
      for (; j < u1; j++) peepholeLanes(<usize>j << 2, false, Hb, dG, cPrev, cNew, gp);
    }
  }
}

// @ts-ignore: decorator
@inline function peepholeLanes(o: usize, wide: bool, Hb: usize, dG: usize, cPrev: usize, cNew: usize, gp: usize): void {
  let cp = ld(cPrev + o, wide);
  addTo(gp + o, f32x4.mul(ld(dG + o, wide), cp), wide);
  addTo(gp + Hb + o, f32x4.mul(ld(dG + Hb + o, wide), cp), wide);
  addTo(gp + 2 * Hb + o, f32x4.mul(ld(dG + 3 * Hb + o, wide), ld(cNew + o, wide)), wide);
}

/** Backpropagation through time. gradH/gradC hold ∂L/∂h_T, ∂L/∂c_T on entry and ∂L/∂h0, ∂L/∂c0 on
 *  return; parameter gradients are accumulated; gradX is overwritten. Needs lstmForward's buffers.
 *  Split over threads, this thread's share of the steps (a batch's rows, or one sequence's units:
 *  not with projection), then its share of the gradient GEMMs (weights.ts, inputs.ts) and of the peephole units. */
export function lstmBackward(plan: usize): void {
  let p = planOf(plan);
  let T = p.steps, B = p.batch, H = p.hiddenSize, P = p.outputSize;
  let G = 4 * H, Hb = <usize>H << 2, Pb = <usize>P << 2;
  let b0 = shareRow(p, p.part), b1 = shareRow(p, p.part + 1);
  let u0 = shareUnit(p, H, p.part), u1 = shareUnit(p, H, p.part + 1);
  let v0 = shareUnit(p, P, p.part), v1 = shareUnit(p, P, p.part + 1); // (= u0, u1 when split by units: no projection)
  let lengths = p.lengths, peep = p.peepholes, projected = P != H, dOutAll = p.gradOutput;
  let gemm = p.work;
  let cursor = afterGemmScratch(gemm);
  let area = sharedArea(p, cursor);
  let dGates = area; area += floatBytes(T * B * G);
  let dHs: usize = 0;
  if (projected) { dHs = area; area += floatBytes(T * B * P); }
  let tokenSums = area;
  if (p.parts == 1) cursor = area + tokenScratchBytes(p, G);
  let dhNext = cursor; cursor += floatBytes(B * P);
  let whhT = prepareWeight(B, v1 - v0, G, p.wHh + (<usize>v0 << 2), 1, P, cursor); cursor += weightBytes(B, P, G);
  let dm: usize = 0, whrT: usize = 0;
  if (projected) {
    dm = cursor; cursor += floatBytes(B * H);
    whrT = prepareWeight(B, H, P, p.wHr, 1, H, cursor); cursor += weightBytes(B, H, P);
  }
  let dh = p.gradH, dc = p.gradC;

  for (let t = T - 1; t >= 0; t--) {
    let dOutStep: usize = dOutAll != 0 ? dOutAll + (<usize>(t * B * P) << 2) : 0;
    if (projected) {
      // ∂L/∂h'_t (recurrent + output) per row, kept for ∂W_hr; then ∂L/∂m = (∂L/∂h') · W_hr.
      let dHt = dHs + (<usize>(t * B * P) << 2);
      for (let b = b0; b < b1; b++) {
        let row = dHt + (<usize>(b * P) << 2), o = <usize>(b * P) << 2;
        if (!isActive(lengths, b, t)) { memory.fill(row, 0, Pb); continue; }
        for (let j = 0; j < P; j++) {
          let jo = <usize>j << 2;
          store<f32>(row + jo, load<f32>(dh + o + jo) + (dOutStep != 0 ? load<f32>(dOutStep + o + jo) : 0));
        }
      }
      multiplyRows(B, b0, b1, H, P, dHt, P, whrT, dm, H, 0, gemm);
    }
    let dGt = dGates + (<usize>(t * B * G) << 2);
    for (let b = b0; b < b1; b++) {
      let dGrow = dGt + (<usize>(b * G) << 2);
      if (!isActive(lengths, b, t)) { zeroUnits(dGrow, 4, H, u0, u1); continue; }
      let g = p.gates + (<usize>((t * B + b) * G) << 2);
      let cPrev = p.c + (<usize>((t * B + b) * H) << 2), cNew = cPrev + (<usize>(B * H) << 2);
      let dmRow = projected ? dm + (<usize>(b * H) << 2) : dh + (<usize>(b * P) << 2);
      let dOut: usize = !projected && dOutStep != 0 ? dOutStep + (<usize>(b * P) << 2) : 0;
      let dcRow = dc + (<usize>(b * H) << 2);
      let j = u0, options = p.cellOptions;
      if (options != 0) {
        for (; j + 4 <= u1; j += 4) backwardLanes(<usize>j << 2, true, Hb, g, cPrev, cNew, dmRow, dOut, dcRow, dGrow, peep, true, options);
        for (; j < u1; j++) backwardLanes(<usize>j << 2, false, Hb, g, cPrev, cNew, dmRow, dOut, dcRow, dGrow, peep, true, options);
        continue;
      }
      for (; j + 4 <= u1; j += 4) backwardLanes(<usize>j << 2, true, Hb, g, cPrev, cNew, dmRow, dOut, dcRow, dGrow, peep, false, 0);
      for (; j < u1; j++) backwardLanes(<usize>j << 2, false, Hb, g, cPrev, cNew, dmRow, dOut, dcRow, dGrow, peep, false, 0);
    }
    // ∂L/∂h_{t−1} = dG_t · W_hh for active rows; rows past their end carry ∂L/∂h unchanged.
    stepBarrier(p, t);
    multiplyRows(B, b0, b1, v1 - v0, G, dGt, G, whhT, dhNext + (<usize>v0 << 2), P, 0, gemm);
    carryInactiveRows(b0, b1, P, lengths, t, dh, dhNext);
    copyShare(b0, b1, v0, v1, P, dhNext, dh);
  }

  let rows = T * B;
  inputGradients(p, G, dGates, gemm, tokenSums); // (split: meets the other parts first)
  if (peep != 0) peepholeGradients(p, dGates);
  hiddenSideGrads(rows, G, P, dGates, G, p.h, P, p.gradWHh, P, p.gradBHh, gemm, p.part, p.parts);
  if (projected) hiddenSideGrads(rows, P, H, dHs, P, p.extra, H, p.gradWHr, H, 0, gemm, p.part, p.parts);
}
