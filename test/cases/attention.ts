// The attention case table (attention.json, one row per line): score kinds and shapes of the Attention
// layer, run by the attention family's check (test/suites/kernels/attention.ts), with the row's
// weights and inputs. Checks nothing itself.

import type { AttentionKind } from "../../src/index.js";
import { Random } from "../../src/random.js";
import { readCaseTable, type KernelCase } from "./kernel-table.js";

export interface AttentionCase extends KernelCase {
  kind: AttentionKind;
  /** Decoder state size (queries, and h̃). */
  querySize: number;
  /** Encoder output size. */
  valueSize: number;
  /** Additive attention's hidden size (default querySize). */
  attentionSize?: number;
  /** Decoder steps, source steps, batch. */
  Td: number;
  Ts: number;
  B: number;
  /** Source lengths (absent: every source has Ts steps). */
  lengths?: number[];
}

export const ATTENTION_CASES = readCaseTable<AttentionCase>("attention");

/** A row's weights (U(−1, 1) rather than the layer's ±1/√fan-in, so that the alignments are far from
 *  uniform; one array per parameter shape, in the layer's order) and inputs: decoder states [Td, B,
 *  querySize], encoder outputs [Ts, B, valueSize] and ∂h̃ [Td, B, querySize], all U(−1, 1). */
export function attentionData(row: AttentionCase, parameterShapes: Record<string, number[]>) {
  const random = new Random(row.seed);
  const uniform = (n: number) => random.uniformArray(n, -1, 1);
  const weights = Object.fromEntries(Object.entries(parameterShapes).map(([name, shape]) => [name, { shape, data: uniform(shape.reduce((a, b) => a * b, 1)) }]));
  const { Td, Ts, B, querySize, valueSize } = row;
  return { weights, dec: uniform(Td * B * querySize), enc: uniform(Ts * B * valueSize), gradOut: uniform(Td * B * querySize) };
}
