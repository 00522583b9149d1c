// Cutting a recurrent call into batch slices and joining the results: rows of a rank-3 tensor, the
// options that go with them (initial states, lengths), and results given back their class after
// structured cloning. The pool's forward without shared memory runs slices on several workers.

import type { ForwardOptions, ForwardResult } from "../layers/recurrent.js";
import { Tensor } from "../tensor.js";
import type { TensorLike } from "../validate.js";
import { joinAlong, sliceAlong } from "./along-axis.js";

/** Structured cloning drops the Tensor class: give results their class back. */
export function asResult(r: ForwardResult): ForwardResult {
  return { output: new Tensor(r.output.data, r.output.shape), hN: new Tensor(r.hN.data, r.hN.shape), ...(r.cN ? { cN: new Tensor(r.cN.data, r.cN.shape) } : {}) };
}

/** Rows [a, b) of dimension `axis` (0 or 1) of a rank-3 tensor. */
export function sliceBatch(t: TensorLike, a: number, b: number, axis: number): Tensor {
  const dims = t.shape.map((d, k) => (k === axis ? b - a : d));
  const out = new Float32Array(dims[0] * dims[1] * dims[2]);
  sliceAlong(t.data, t.shape, axis, a, b - a, out);
  return new Tensor(out, dims);
}

/** The options of rows [a, b): their initial states and lengths. */
export function sliceOptions(o: ForwardOptions, a: number, b: number): ForwardOptions {
  return {
    ...(o.h0 ? { h0: sliceBatch(o.h0, a, b, 1) } : {}),
    ...(o.c0 ? { c0: sliceBatch(o.c0, a, b, 1) } : {}),
    ...(o.lengths ? { lengths: Array.from(o.lengths).slice(a, b) } : {}),
  };
}

/** Concatenates rank-3 tensors along `axis` (0 or 1). */
export function concatBatch(parts: TensorLike[], axis: number): Tensor {
  const dims = parts[0].shape.map((d, k) => (k === axis ? parts.reduce((n, p) => n + p.shape[axis], 0) : d));
  const out = new Float32Array(dims[0] * dims[1] * dims[2]);
  joinAlong(parts.map((p) => ({ data: p.data, dims: p.shape })), axis, out);
  return new Tensor(out, dims);
}
