// Reading operator inputs at run time: a required tensor, a float32 one, integer lists (from int32 or
// int64 tensors), and axes normalised against a rank — each failure a ShapeError or UnsupportedError
// that names the node and the input.

import { ShapeError, UnsupportedError } from "../../../errors.js";
import { isType, type OnnxTensor } from "../tensor.js";
import type { Value } from "./kernel.js";

/** Input i, which the node's arity check already guaranteed to be present. */
export function input(inputs: readonly Value[], i: number, where: string): OnnxTensor {
  const t = inputs[i];
  if (!t) throw new ShapeError(`${where}: input ${i} is missing`);
  return t;
}

/** Input i as float32; other types are an UnsupportedError (ONNX allows them, we run float32). */
export function floatInput(inputs: readonly Value[], i: number, where: string): OnnxTensor<"float32"> {
  const t = input(inputs, i, where);
  if (!isType(t, "float32")) throw new UnsupportedError(`${where}: input ${i} is ${t.type}; wasm-rnn runs this operator on float32`);
  return t;
}

/** The values of an int32 or int64 tensor as numbers (ShapeError for floats or values beyond ±2^53). */
export function intValues(t: OnnxTensor, what: string): number[] {
  if (isType(t, "float32")) throw new ShapeError(`${what} must be int64 or int32; got float32`);
  const out: number[] = [];
  for (const v of t.data) {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new ShapeError(`${what}: ${v} is out of range`);
    out.push(n);
  }
  return out;
}

/** An axis in −rank…rank−1 as 0…rank−1. */
export function normalizeAxis(axis: number, rank: number, what: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw new ShapeError(`${what}: axis ${axis} is outside −${rank}…${rank - 1} for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Distinct axes, normalised. */
export function normalizeAxes(axes: readonly number[], rank: number, what: string): number[] {
  const out = axes.map((a) => normalizeAxis(a, rank, what));
  if (new Set(out).size !== out.length) throw new ShapeError(`${what}: axes [${axes.join(", ")}] repeat an axis`);
  return out;
}

/** Product of dims[from, to). */
export function product(dims: readonly number[], from = 0, to = dims.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= dims[i];
  return n;
}
