// The dense case table (dense.json, one row per line): shapes of C [M×N] (+)= A [M×K]·B [K×N], run by
// the dense family's check (test/suites/kernels/dense.ts) through sgemm with every transpose,
// sgemmPacked, the batch-1 GEMVs over W [N×K], and a dense layer's forward and backward (M rows, K
// input features, N output features), with the row's operands. Checks nothing itself.

import { readCaseTable, operandStream, type KernelCase } from "./kernel-table.js";

export interface DenseCase extends KernelCase {
  M: number;
  N: number;
  K: number;
  /** A row of the thread-team test: the dense layer's forward and backward split by rows. */
  threads?: boolean;
}

export const DENSE_CASES = readCaseTable<DenseCase>("dense");

/** A row's operands, uniform in (−0.5, 0.5): A [M×K]; B [K×N] (read transposed, W [N×K]); C [M×N]
 *  (what an accumulating product adds to); x [K] and y [N] for the GEMVs; the layer's bias [N], ∂y
 *  [M×N] and the gradients ∂W [N×K], ∂b [N] that backward adds to. */
export function denseData(row: DenseCase) {
  const { M, N, K } = row;
  const uniform = operandStream(row.seed);
  return {
    A: uniform(M * K), B: uniform(K * N), C: uniform(M * N), x: uniform(K), y: uniform(N),
    bias: uniform(N), gradY: uniform(M * N), gradW: uniform(N * K), gradB: uniform(N),
  };
}
