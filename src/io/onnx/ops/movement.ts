// Operators that move elements without computing on them, for any element type: Transpose (perm),
// Concat, Slice (attributes before opset 10, inputs starts/ends/axes/steps from it, with ONNX's
// clamping) and Gather (negative indices count from the end).

import { FormatError, ShapeError } from "../../../errors.js";
import { allocate, elementCount, isType, type OnnxTensor } from "../tensor.js";
import { concatStep, gatherStep, stridedStep, type StridedRead } from "./copy-step.js";
import { copyElements, stridedIndex, stridesOf, take, transpose } from "./elements.js";
import { type Kernel, type OpSpec, type Value } from "./kernel.js";
import { input, intValues, normalizeAxes, normalizeAxis, product } from "./values.js";

const Transpose: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
  build: ({ where, attrs }) => {
    const perm = attrs.ints("perm");
    if (perm && [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) throw new FormatError(`ONNX: ${where}: perm [${perm.join(", ")}] is not a permutation`);
    const orderOf = (dims: readonly number[]) => {
      const order = perm ?? dims.map((_, i) => dims.length - 1 - i);
      if (order.length !== dims.length) throw new ShapeError(`${where}: perm [${order.join(", ")}] does not match the rank of [${dims.join(", ")}]`);
      return order;
    };
    return {
      run: (inputs) => {
        const x = input(inputs, 0, where);
        return [transpose(x, orderOf(x.dims), where)];
      },
      plan: (node) => {
        const dims = node.inputs[0]!.dims, order = orderOf(dims), strides = stridesOf(dims);
        return stridedStep(node, { dims: order.map((p) => dims[p]), strides: order.map((p) => strides[p]), offset: 0 });
      },
    };
  },
};

const Concat: OpSpec = {
  inputs: [1, Infinity],
  outputs: 1,
  build: ({ where, attrs }) => {
    const axisAttr = attrs.requiredInt("axis");
    return {
      plan: (node) => concatStep(node, normalizeAxis(axisAttr, node.outputs[0]!.dims.length, where)),
      run: (inputs) => [concat(inputs)],
    };
    function concat(inputs: readonly Value[]): OnnxTensor {
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
    }
  },
};

/** Slice bounds as numbers: int64 extremes (INT64_MAX for "to the end") become huge floats, which clamping handles. */
function bounds(t: OnnxTensor, what: string): number[] {
  if (isType(t, "float32")) throw new ShapeError(`${what} must be int64 or int32; got float32`);
  return Array.from(t.data, Number);
}

/** The elements a Slice takes from a tensor of `shape`, as a strided read. */
function sliceRead(shape: readonly number[], starts: number[], ends: number[], axesGiven: number[] | null, steps: number[] | null, where: string): StridedRead {
  const rank = shape.length;
  const axes = normalizeAxes(axesGiven ?? starts.map((_, i) => i), rank, where);
  const step = steps ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || step.length !== starts.length) {
    throw new ShapeError(`${where}: starts, ends, axes and steps must have the same length (${starts.length}, ${ends.length}, ${axes.length}, ${step.length})`);
  }
  const strides = stridesOf(shape);
  const dims = [...shape], outStrides = [...strides];
  let offset = 0;
  axes.forEach((axis, i) => {
    const dim = shape[axis], st = step[i];
    if (st === 0 || !Number.isFinite(st)) throw new ShapeError(`${where}: step ${st} on axis ${axis} is not allowed`);
    const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v < 0 ? v + dim : v));
    const s = st > 0 ? clamp(starts[i], 0, dim) : clamp(starts[i], 0, dim - 1);
    const e = st > 0 ? clamp(ends[i], 0, dim) : clamp(ends[i], -1, dim - 1);
    dims[axis] = Math.max(0, Math.ceil((e - s) / st));
    outStrides[axis] = strides[axis] * st;
    offset += dims[axis] > 0 ? s * strides[axis] : 0;
  });
  return { dims, strides: outStrides, offset };
}

/** x read through `read` into a new tensor. */
function readStrided(x: OnnxTensor, read: StridedRead, where: string): OnnxTensor {
  return take(x, stridedIndex(read.dims, read.strides, read.offset, where), read.dims, where);
}

const Slice: OpSpec = {
  inputs: [1, 5],
  outputs: 1,
  shapeInputs: [1, 2, 3, 4],
  build: ({ where, attrs, opset, known }): Kernel => {
    let readOf: (shape: readonly number[], inputs: readonly Value[]) => StridedRead;
    if (opset < 10) {
      const starts = attrs.ints("starts"), ends = attrs.ints("ends"), axes = attrs.ints("axes");
      if (!starts || !ends) throw new FormatError(`ONNX: ${where} needs attributes "starts" and "ends"`);
      readOf = (shape) => sliceRead(shape, starts, ends, axes, null, where);
    } else {
      if (known(1) === null || known(2) === null) throw new FormatError(`ONNX: ${where} needs inputs starts and ends`);
      const optional = (inputs: readonly Value[], i: number, name: string) => {
        const t = inputs[i];
        return t ? bounds(t, `${where}: ${name}`) : null;
      };
      readOf = (shape, inputs) => {
        const starts = bounds(input(inputs, 1, where), `${where}: starts`), ends = bounds(input(inputs, 2, where), `${where}: ends`);
        return sliceRead(shape, starts, ends, optional(inputs, 3, "axes"), optional(inputs, 4, "steps"), where);
      };
    }
    return {
      run: (inputs) => {
        const x = input(inputs, 0, where);
        return [readStrided(x, readOf(x.dims, inputs), where)];
      },
      plan: (node) => stridedStep(node, readOf(node.inputs[0]!.dims, node.inputs.map((v) => v?.constant ?? null))),
    };
  },
};

const Gather: OpSpec = {
  inputs: [2, 2],
  outputs: 1,
  build: ({ where, attrs }) => {
    const axisAttr = attrs.int("axis", 0);
    /** The indices along the axis, from −n…n−1 to 0…n−1. */
    const positions = (shape: readonly number[], indices: OnnxTensor, axis: number) => {
      const n = shape[axis];
      return intValues(indices, `${where}: indices`).map((i) => {
        if (i < -n || i >= n) throw new ShapeError(`${where}: index ${i} is outside −${n}…${n - 1} (axis ${axis} of [${shape.join(", ")}])`);
        return i < 0 ? i + n : i;
      });
    };
    return {
      run: (inputs) => [gather(inputs)],
      // Constant indices: one (Silero picks its state's halves so) is a strided read of that slice;
      // several, a map of elements.
      plan: (node) => {
        const [data, indices] = node.inputs;
        if (!data || !indices?.constant) return null;
        const axis = normalizeAxis(axisAttr, data.dims.length, where);
        const idx = positions(data.dims, indices.constant, axis);
        if (idx.length !== 1) return gatherStep(node, gatherIndex(data.dims, idx, axis));
        const strides = stridesOf(data.dims);
        const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
        return stridedStep(node, { dims, strides: [...strides.slice(0, axis), ...indices.dims.map(() => 0), ...strides.slice(axis + 1)], offset: idx[0] * strides[axis] });
      },
    };
    /** For every output element, the data element it takes. */
    function gatherIndex(dims: readonly number[], idx: readonly number[], axis: number): Int32Array {
      const n = dims[axis], inner = product(dims, axis + 1), outer = product(dims, 0, axis);
      const index = new Int32Array(elementCount([outer, idx.length, inner], where));
      let k = 0;
      for (let o = 0; o < outer; o++) for (const j of idx) for (let i = 0; i < inner; i++) index[k++] = (o * n + j) * inner + i;
      return index;
    }
    function gather(inputs: readonly Value[]): OnnxTensor {
      const data = input(inputs, 0, where), indices = input(inputs, 1, where);
      const axis = normalizeAxis(axisAttr, data.dims.length, where);
      const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
      return take(data, gatherIndex(data.dims, positions(data.dims, indices, axis), axis), dims, where);
    }
  },
};

export const MOVEMENT_OPS: Record<string, OpSpec> = { Transpose, Concat, Slice, Gather };
