// The embedding case table (embedding.json, one row per line): a table [V×E] looked up at N ids, run by
// the embedding family's check (test/suites/kernels/embedding.ts), with the row's operands. Checks
// nothing itself.

import { Random } from "../../src/random.js";
import { readCaseTable, type KernelCase } from "./kernel-table.js";

export interface EmbeddingCase extends KernelCase {
  /** Rows of the table (the vocabulary). */
  V: number;
  /** Floats per row. */
  E: number;
  /** Ids looked up. */
  N: number;
  /** The id whose rows get no gradient (absent: none, the kernel's −1). */
  paddingIdx?: number;
}

export const EMBEDDING_CASES = readCaseTable<EmbeddingCase>("embedding");

/** A row's operands: the table and the gradient it accumulates into [V×E] uniform in (−1, 1); ids
 *  uniform in [0, V), every fifth one from the second the paddingIdx when there is one; ∂y [N×E]. */
export function embeddingData(row: EmbeddingCase) {
  const { V, E, N } = row;
  const random = new Random(row.seed);
  const table = random.uniformArray(V * E, -1, 1), gradTable = random.uniformArray(V * E, -1, 1);
  const ids = Int32Array.from({ length: N }, (_, n) => (row.paddingIdx !== undefined && n % 5 === 1 ? row.paddingIdx : random.below(V)));
  return { table, gradTable, ids, gradY: random.uniformArray(N * E, -1, 1) };
}
