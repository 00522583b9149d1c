// How a kernel's work is shared out over threads: a batch by rows (rowStart), one sequence by hidden
// units (unitStart, edges on multiples of 4 so SIMD lanes never straddle threads), and a backward
// part's share of rows and units, with the per-step meeting a unit split needs.

import { SequencePlan } from "../plan";
import { barrierWait } from "./barrier";

/** First row of part k of `parts` when `rows` rows are shared out (k = parts gives rows). */
export function rowStart(rows: i32, k: i32, parts: i32): i32 {
  return <i32>((<i64>rows * k) / parts);
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
