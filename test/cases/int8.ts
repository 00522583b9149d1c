// The int8 case table (int8.json, one row per line): shapes of the quantized product y [R×N] (+)=
// x [R×K]·Wᵀ with W int8 [N×K] and its row scales, run by the int8 family's check
// (test/suites/kernels/int8.ts) with every inner product the build has, and the row's operands.
// Checks nothing itself.

import { Random } from "../../src/random.js";
import { readCaseTable, type KernelCase } from "./kernel-table.js";

export interface Int8Case extends KernelCase {
  R: number;
  N: number;
  K: number;
  /** Row stride of x in floats (≥ K). */
  ldx: number;
  /** What x holds beyond uniform values: row 1 all zeros, row 1 times 1e30, or row 0 zeros but for
   *  one 3.5 in the middle. */
  x?: "zero row" | "huge row" | "spike";
  /** A row of the thread-team test: a quantized dense layer's forward split by rows. */
  threads?: boolean;
}

export const INT8_CASES = readCaseTable<Int8Case>("int8");

/** Row stride of y in the checks: three floats between rows, which no product may write. */
export function int8OutputStride(row: Int8Case): number {
  return row.N + 3;
}

/** A row's operands: W [N×K] int8 in ±127 and its scales in [0.001, 0.011); x [R × ldx] uniform in
 *  (−1, 1) (then as `x` says); y [R × ldy] as an accumulating product finds it ((r − n)/4), and as an
 *  overwriting one does (−7 everywhere, the gaps between rows included); a bias [N]. */
export function int8Data(row: Int8Case) {
  const { R, N, K, ldx } = row, ldy = int8OutputStride(row);
  const random = new Random(row.seed);
  const weights = Int8Array.from({ length: N * K }, () => Math.round((random.uniform() * 2 - 1) * 127));
  const scales = Float32Array.from({ length: N }, () => 0.001 + random.uniform() * 0.01);
  const x = random.uniformArray(R * ldx, -1, 1);
  if (row.x === "zero row") x.fill(0, ldx, 2 * ldx);
  if (row.x === "huge row") for (let k = 0; k < K; k++) x[ldx + k] *= 1e30;
  if (row.x === "spike") x.fill(0, 0, K).fill(3.5, K >> 1, (K >> 1) + 1);
  const accumulated = Float32Array.from({ length: R * ldy }, (_, i) => (Math.floor(i / ldy) - (i % ldy)) * 0.25);
  return { weights, scales, x, accumulated, overwritten: new Float32Array(R * ldy).fill(-7), bias: random.uniformArray(N, -1, 1) };
}
