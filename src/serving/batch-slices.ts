// Cutting a recurrent call into batch slices and joining the results: rows of a rank-3 tensor, the
// options that go with them (initial states, lengths), and results given back their class after
// structured cloning. The pool's forward without shared memory runs slices on several workers.

import type { ForwardOptions, ForwardResult } from "../layers/recurrent.js";
import { Tensor } from "../tensor.js";
import type { TensorLike } from "../validate.js";

/** Structured cloning drops the Tensor class: give results their class back. */
export function asResult(r: ForwardResult): ForwardResult {
  return { output: new Tensor(r.output.data, r.output.shape), hN: new Tensor(r.hN.data, r.hN.shape), ...(r.cN ? { cN: new Tensor(r.cN.data, r.cN.shape) } : {}) };
}

/** Rows [a, b) of dimension `axis` (0 or 1) of a rank-3 tensor. */
export function sliceBatch(t: TensorLike, a: number, b: number, axis: number): Tensor {
  const [d0, d1, d2] = t.shape;
  if (axis === 0) return new Tensor(t.data.slice(a * d1 * d2, b * d1 * d2), [b - a, d1, d2]);
  const out = new Float32Array(d0 * (b - a) * d2);
  for (let i = 0; i < d0; i++) out.set(t.data.subarray((i * d1 + a) * d2, (i * d1 + b) * d2), i * (b - a) * d2);
  return new Tensor(out, [d0, b - a, d2]);
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
  const [d0, , d2] = parts[0].shape;
  const total = parts.reduce((n, p) => n + p.shape[axis], 0);
  if (axis === 0) {
    const out = new Float32Array(total * parts[0].shape[1] * d2);
    let at = 0;
    for (const p of parts) {
      out.set(p.data, at);
      at += p.data.length;
    }
    return new Tensor(out, [total, parts[0].shape[1], d2]);
  }
  const out = new Float32Array(d0 * total * d2);
  for (let i = 0; i < d0; i++) {
    let column = 0;
    for (const p of parts) {
      const rows = p.shape[1];
      out.set(p.data.subarray(i * rows * d2, (i + 1) * rows * d2), (i * total + column) * d2);
      column += rows;
    }
  }
  return new Tensor(out, [d0, total, d2]);
}
