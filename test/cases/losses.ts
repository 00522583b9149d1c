// The losses case table (losses.json, one row per line): softmax cross-entropy, binary cross-entropy
// with logits, and the softmax forms used for sampling, run by the losses family's check
// (test/suites/kernels/losses.ts), with the row's logits and targets. Checks nothing itself.

import { Random } from "../../src/random.js";
import type { Reduction } from "../reference/losses.js";
import { readCaseTable, type KernelCase } from "./kernel-table.js";

interface LossRow extends KernelCase {
  /** Logits are uniform in (−scale, scale). */
  scale: number;
}

/** Cross-entropy of logits [N, V] against a class per row. */
export interface CrossEntropyCase extends LossRow {
  loss: "crossEntropy";
  N: number;
  V: number;
  /** A class or the ignoreIndex per row (absent: drawn uniformly). */
  targets?: number[];
  reduction?: Reduction;
  ignoreIndex?: number;
}

/** Binary cross-entropy of logits of any shape against targets of the same shape. */
export interface BinaryCrossEntropyCase extends LossRow {
  loss: "binaryCrossEntropy";
  shape: number[];
  /** Targets 0 or 1 (else uniform in [0, 1]). */
  hard: boolean;
  reduction?: Reduction;
}

/** softmax and log-softmax of logits [N, V] / temperature. */
export interface SoftmaxCase extends LossRow {
  loss: "softmax";
  N: number;
  V: number;
  temperature: number;
}

export type LossCase = CrossEntropyCase | BinaryCrossEntropyCase | SoftmaxCase;

export const LOSS_CASES = readCaseTable<LossCase>("losses");

/** Values of the row's logits. */
export function logitCount(row: LossCase): number {
  return row.loss === "binaryCrossEntropy" ? row.shape.reduce((a, b) => a * b, 1) : row.N * row.V;
}

/** A row's logits, and its targets: the row's classes (or uniform ones), or BCE targets (0 or 1 when
 *  hard, else uniform in [0, 1]). */
export function lossData(row: LossCase): { logits: Float32Array; classes: number[]; targets: Float32Array } {
  const random = new Random(row.seed);
  const n = logitCount(row);
  const logits = random.uniformArray(n, -row.scale, row.scale);
  if (row.loss === "binaryCrossEntropy") {
    return { logits, classes: [], targets: Float32Array.from({ length: n }, () => (row.hard ? Math.round(random.uniform()) : random.uniform())) };
  }
  const classes = row.loss === "crossEntropy" ? row.targets ?? Array.from({ length: row.N }, () => random.below(row.V)) : [];
  return { logits, classes, targets: new Float32Array(0) };
}
