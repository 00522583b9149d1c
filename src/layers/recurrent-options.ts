// The options and call arguments of RNN, LSTM and GRU layers, and their checks: what the public
// recurrent layer validates before anything reaches wasm memory (shapes, lengths, states).

import type { CellOptions } from "./cell-options.js";
import { ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { checkFinite, checkShape, checkTensor, describe, type TensorLike } from "../validate.js";

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Bias vectors b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output as [B, T, F] instead of [T, B, F] (default false). States stay [L·D, B, H]. */
  batchFirst?: boolean;
  /** A reverse direction whose outputs are concatenated after the forward ones (default false). */
  bidirectional?: boolean;
  /** Seed for the initial weights (uniform ±1/√H, like PyTorch). */
  seed?: number;
  /** @internal ONNX/Keras cell options (activations, clip, coupled gates): with a clip, inference only. */
  cellOptions?: CellOptions;
  /** @internal int8 weights with row scales (what quantizeDynamic builds): inference only. */
  quantized?: boolean;
}

export interface ForwardOptions {
  /** Initial hidden state [L·D, B, P] (zeros when absent). */
  h0?: TensorLike;
  /** Initial cell state [L·D, B, H], LSTM only. */
  c0?: TensorLike;
  /** Valid steps per sequence, 1 ≤ L_b ≤ T, any order; outputs past L_b are zero. */
  lengths?: ArrayLike<number>;
  /** A float32 tensor shaped as the output ([T, B, D·P], [B, T, D·P] batch-first, [T, D·P] for one
   *  sequence) that the output is written into and returned as, instead of a new array: for loops
   *  that run many calls (a fresh array of megabytes costs its page faults on every call). */
  out?: Tensor;
}

export interface ForwardResult {
  output: Tensor;
  hN: Tensor;
  cN?: Tensor;
}

export interface BackwardOptions {
  gradHN?: TensorLike;
  gradCN?: TensorLike;
}

export interface BackwardResult {
  gradInput: Tensor;
  gradH0: Tensor;
  gradC0?: Tensor;
}

/** Checks per-sequence lengths: one integer in 1…T per sequence, any order. */
export function checkLengths(given: ArrayLike<number>, B: number, T: number, where: string, unbatched: boolean): Int32Array {
  if (typeof given !== "object" || typeof given.length !== "number") throw new ShapeError(`${where}: lengths must be an array of integers`);
  if (unbatched) throw new ShapeError(`${where}: lengths need a batched input`);
  if (given.length !== B) throw new ShapeError(`${where}: lengths must have one entry per sequence (${B}); got ${given.length}`);
  const lengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const n = given[b];
    if (!Number.isInteger(n) || n < 1 || n > T) {
      throw new ShapeError(`${where}: lengths[${b}] must be an integer from 1 to ${T} (the number of steps); got ${describe(n)}`);
    }
    lengths[b] = n;
  }
  return lengths;
}

/** Checks an optional tensor argument: exactly `shape` (when given) and finite. */
/** Checks forward's `out`: a float32 Tensor of exactly the output's shape. */
export function checkOut(out: unknown, shape: number[], what: string): void {
  if (out === undefined) return;
  if (!(out instanceof Tensor)) throw new ShapeError(`${what} must be a Tensor (made with tensor(data, shape)); got ${describe(out)}`);
  checkTensor(out, what);
  checkShape(out, shape, what, " (the output's shape)");
}

export function checkState(t: TensorLike | undefined, shape: number[], what: string, hint: string): void {
  if (t === undefined) return;
  checkTensor(t, what);
  checkShape(t, shape, what, hint);
  checkFinite(t.data, what);
}
