// Operators that move elements without computing on them, for any element type: Transpose (perm),
// Concat, Slice (attributes before opset 10, inputs starts/ends/axes/steps from it, with ONNX's
// clamping) and Gather (negative indices count from the end).

import { FormatError, ShapeError } from "../../../errors.js";
import { allocate, elementCount, isType, type OnnxTensor } from "../tensor.js";
import { copyElements, stridedIndex, stridesOf, take, transpose } from "./elements.js";
import { pure, type Kernel, type OpSpec, type Value } from "./kernel.js";
import { input, intValues, normalizeAxes, normalizeAxis, product } from "./values.js";

const Transpose: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
  build: ({ where, attrs }) => {
    const perm = attrs.ints("perm");
    if (perm && [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) throw new FormatError(`ONNX: ${where}: perm [${perm.join(", ")}] is not a permutation`);
    return pure((inputs) => {
      const x = input(inputs, 0, where);
      const rank = x.dims.length;
      const order = perm ?? x.dims.map((_, i) => rank - 1 - i);
      if (order.length !== rank) throw new ShapeError(`${where}: perm [${order.join(", ")}] does not match the rank of [${x.dims.join(", ")}]`);
      return transpose(x, order, where);
    });
  },
};

const Concat: OpSpec = {
  inputs: [1, Infinity],
  outputs: 1,
  build: ({ where, attrs }) => {
    const axisAttr = attrs.requiredInt("axis");
    return pure((inputs) => {
      const parts = inputs.map((_, i) => input(inputs, i, where));
      const first = parts[0];
      const axis = normalizeAxis(axisAttr, first.dims.length, where);
      let total = 0;
      for (const p of parts) {
        const fits = p.type === first.type && p.dims.length === first.dims.length && p.dims.every((d, k) => k === axis || d === first.dims[k]);
        if (!fits) throw new ShapeError(`${where}: cannot concatenate ${p.type} [${p.dims.join(", ")}] with ${first.type} [${first.dims.join(", ")}] on axis ${axis}`);
        total += p.dims[axis];
      }
      const dims = first.dims.map((d, k) => (k === axis ? total : d));
      const out = allocate(first.type, dims, where);
      const outer = product(dims, 0, axis), inner = product(dims, axis + 1);
      let at = 0;
      for (let o = 0; o < outer; o++) {
        for (const p of parts) {
          const block = p.dims[axis] * inner;
          copyElements(p, o * block, out, at, block);
          at += block;
        }
      }
      return out;
    });
  },
};

/** Slice bounds as numbers: int64 extremes (INT64_MAX for "to the end") become huge floats, which clamping handles. */
function bounds(t: OnnxTensor, what: string): number[] {
  if (isType(t, "float32")) throw new ShapeError(`${what} must be int64 or int32; got float32`);
  return Array.from(t.data, Number);
}

function slice(x: OnnxTensor, starts: number[], ends: number[], axesGiven: number[] | null, steps: number[] | null, where: string): OnnxTensor {
  const rank = x.dims.length;
  const axes = normalizeAxes(axesGiven ?? starts.map((_, i) => i), rank, where);
  const step = steps ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || step.length !== starts.length) {
    throw new ShapeError(`${where}: starts, ends, axes and steps must have the same length (${starts.length}, ${ends.length}, ${axes.length}, ${step.length})`);
  }
  const strides = stridesOf(x.dims);
  const dims = [...x.dims], outStrides = [...strides];
  let offset = 0;
  axes.forEach((axis, i) => {
    const dim = x.dims[axis], st = step[i];
    if (st === 0 || !Number.isFinite(st)) throw new ShapeError(`${where}: step ${st} on axis ${axis} is not allowed`);
    const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v < 0 ? v + dim : v));
    const s = st > 0 ? clamp(starts[i], 0, dim) : clamp(starts[i], 0, dim - 1);
    const e = st > 0 ? clamp(ends[i], 0, dim) : clamp(ends[i], -1, dim - 1);
    dims[axis] = Math.max(0, Math.ceil((e - s) / st));
    outStrides[axis] = strides[axis] * st;
    offset += dims[axis] > 0 ? s * strides[axis] : 0;
  });
  return take(x, stridedIndex(dims, outStrides, offset, where), dims, where);
}

const Slice: OpSpec = {
  inputs: [1, 5],
  outputs: 1,
  build: ({ where, attrs, opset, known }): Kernel => {
    if (opset < 10) {
      const starts = attrs.ints("starts"), ends = attrs.ints("ends"), axes = attrs.ints("axes");
      if (!starts || !ends) throw new FormatError(`ONNX: ${where} needs attributes "starts" and "ends"`);
      return pure((inputs) => slice(input(inputs, 0, where), starts, ends, axes, null, where));
    }
    if (known(1) === null || known(2) === null) throw new FormatError(`ONNX: ${where} needs inputs starts and ends`);
    const optional = (inputs: readonly Value[], i: number, name: string) => {
      const t = inputs[i];
      return t ? bounds(t, `${where}: ${name}`) : null;
    };
    return pure((inputs) => {
      const starts = bounds(input(inputs, 1, where), `${where}: starts`), ends = bounds(input(inputs, 2, where), `${where}: ends`);
      return slice(input(inputs, 0, where), starts, ends, optional(inputs, 3, "axes"), optional(inputs, 4, "steps"), where);
    });
  },
};

const Gather: OpSpec = {
  inputs: [2, 2],
  outputs: 1,
  build: ({ where, attrs }) => {
    const axisAttr = attrs.int("axis", 0);
    return pure((inputs) => {
      const data = input(inputs, 0, where), indices = input(inputs, 1, where);
      const axis = normalizeAxis(axisAttr, data.dims.length, where);
      const n = data.dims[axis], inner = product(data.dims, axis + 1), outer = product(data.dims, 0, axis);
      const idx = intValues(indices, `${where}: indices`).map((i) => {
        if (i < -n || i >= n) throw new ShapeError(`${where}: index ${i} is outside −${n}…${n - 1} (axis ${axis} of [${data.dims.join(", ")}])`);
        return i < 0 ? i + n : i;
      });
      const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
      const index = new Int32Array(elementCount(dims, where));
      let k = 0;
      for (let o = 0; o < outer; o++) for (const j of idx) for (let i = 0; i < inner; i++) index[k++] = (o * n + j) * inner + i;
      return take(data, index, dims, where);
    });
  },
};

export const MOVEMENT_OPS: Record<string, OpSpec> = { Transpose, Concat, Slice, Gather };
