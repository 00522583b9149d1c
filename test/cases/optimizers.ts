// The optimizers case table (optimizers.json, one row per line): SGD, Adam and AdamW steps — through the
// optimizer classes over two layers, or the step kernels over a flat array of a row's size — and the
// clipping helpers (sums of squares, counting non-finite values, scaling, clamping, the scaled adds of
// gradient shards), run by the optimizers family's check (test/suites/kernels/optimizers.ts), with the
// row's operands. Checks nothing itself.

import type { AdamOptions, SGDOptions } from "../../src/index.js";
import { Random } from "../../src/random.js";
import type { AdamSpec, SgdSpec } from "../reference/optimizers.js";
import { readCaseTable, type KernelCase } from "./kernel-table.js";

/** Steps of each optimizer row. */
export const OPTIMIZER_STEPS = 4;

/** An optimizer's steps: over a Dense and an LSTM's parameter arrays (padding between tensors), their
 *  gradients from real backward passes; or, with `floats`, the step kernel over that many floats. */
export type StepCase = KernelCase & { floats?: number } & ({ step: "sgd"; options: SGDOptions } | { step: "adam" | "adamw"; options: AdamOptions });

/** The clipping helpers over `floats` floats, with NaN and ±Infinity among them when `nonFinite`. */
export interface ClippingCase extends KernelCase {
  step: "clipping";
  floats: number;
  nonFinite?: boolean;
}

export type OptimizerCase = StepCase | ClippingCase;

export const OPTIMIZER_CASES = readCaseTable<OptimizerCase>("optimizers");

/** torch.optim's defaults for what an SGD row leaves out. */
export function sgdSpec(o: SGDOptions): SgdSpec {
  return { lr: o.lr, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0, weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ?? false };
}

/** torch.optim's defaults for what an Adam or AdamW row leaves out. */
export function adamSpec(o: AdamOptions, decoupled: boolean): AdamSpec {
  const [beta1, beta2] = o.betas ?? [0.9, 0.999];
  return { lr: o.lr ?? 1e-3, beta1, beta2, eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? (decoupled ? 0.01 : 0), decoupled };
}

/** A flat row's parameters uniform in (−1, 1), and a gradient per step uniform in (−1, 1). */
export function flatStepData(row: StepCase & { floats: number }): { params: Float32Array; grads: Float32Array[] } {
  const random = new Random(row.seed);
  const params = random.uniformArray(row.floats, -1, 1);
  return { params, grads: Array.from({ length: OPTIMIZER_STEPS }, () => random.uniformArray(row.floats, -1, 1)) };
}

/** A clipping row's values uniform in (−2, 2) — with NaN, +Infinity and −Infinity at three places when
 *  `nonFinite` — and a second array (the shard added to them) uniform in (−1, 1). */
export function clippingData(row: ClippingCase): { values: Float32Array; shard: Float32Array } {
  const random = new Random(row.seed);
  const values = random.uniformArray(row.floats, -2, 2);
  if (row.nonFinite) [NaN, Infinity, -Infinity].forEach((v, i) => (values[Math.floor(((i + 1) * row.floats) / 4)] = v));
  return { values, shard: random.uniformArray(row.floats, -1, 1) };
}
