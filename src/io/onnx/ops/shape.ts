// Operators on shapes: Shape (with opset-15 start/end) and Size, Reshape (0 copies a dimension
// unless allowzero, −1 is inferred), Squeeze and Unsqueeze (axes as an attribute before opset 13, as
// an input from it), Expand, ConstantOfShape, and Range (float32, float64, int32 and int64). Any
// element type.

import { FormatError, ShapeError, UnsupportedError } from "../../../errors.js";
import { allocate, elementCount, OnnxTensor } from "../tensor.js";
import { broadcastDims, broadcastIndex, reshaped, stridesOf, take } from "./elements.js";
import { stridedStep } from "./copy-step.js";
import { pure, view, type BuildContext, type OpSpec } from "./kernel.js";
import { input, intValues, normalizeAxes, product } from "./values.js";

const Shape: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
  shapeOnly: true,
  build: ({ where, attrs }) => {
    const start = attrs.int("start", 0);
    const end = attrs.has("end") ? attrs.int("end", 0) : null;
    return pure((inputs) => {
      const dims = input(inputs, 0, where).dims;
      const clamp = (i: number) => Math.min(dims.length, Math.max(0, i < 0 ? i + dims.length : i));
      const picked = dims.slice(clamp(start), end === null ? dims.length : clamp(end));
      return new OnnxTensor("int64", BigInt64Array.from(picked, BigInt), [picked.length]);
    });
  },
};

const Reshape: OpSpec = {
  inputs: [2, 2],
  outputs: 1,
  shapeInputs: [1],
  build: ({ where, attrs }) => {
    const allowZero = attrs.int("allowzero", 0) !== 0;
    return view((inputs) => {
      const x = input(inputs, 0, where);
      const shape = intValues(input(inputs, 1, where), `${where}: shape`);
      const dims = shape.map((d, i) => {
        if (d === 0 && !allowZero) {
          if (i >= x.dims.length) throw new ShapeError(`${where}: shape [${shape.join(", ")}] copies dimension ${i} (0) of [${x.dims.join(", ")}], which has none`);
          return x.dims[i];
        }
        if (d < -1) throw new ShapeError(`${where}: shape [${shape.join(", ")}] has a negative size ${d}`);
        return d;
      });
      const unknown = dims.indexOf(-1);
      if (unknown >= 0) {
        if (dims.lastIndexOf(-1) !== unknown) throw new ShapeError(`${where}: shape [${shape.join(", ")}] has more than one −1`);
        const known = product(dims.filter((d) => d !== -1));
        if (known === 0 || x.size % known !== 0) throw new ShapeError(`${where}: cannot reshape [${x.dims.join(", ")}] (${x.size} elements) to [${shape.join(", ")}]`);
        dims[unknown] = x.size / known;
      }
      return reshaped(x, dims, where);
    });
  },
};

/** Squeeze or Unsqueeze: the input with dims computed from its dims and the axes (the attribute before opset 13, the optional second input from it). */
function reshapeByAxes(dimsFor: (dims: readonly number[], axes: number[] | null, ctx: BuildContext) => number[]): OpSpec {
  return {
    inputs: [1, 2],
    outputs: 1,
    shapeInputs: [1],
    build: (ctx) => {
      const attribute = ctx.opset < 13 ? ctx.attrs.ints("axes") : null;
      return view((inputs) => {
        const x = input(inputs, 0, ctx.where);
        const axes = ctx.opset < 13 ? attribute : inputs[1] ? intValues(inputs[1], `${ctx.where}: axes`) : null;
        return reshaped(x, dimsFor(x.dims, axes, ctx), ctx.where);
      });
    },
  };
}

const Squeeze = reshapeByAxes((dims, given, { where }) => {
  const axes = given ? normalizeAxes(given, dims.length, where) : dims.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of axes) if (dims[a] !== 1) throw new ShapeError(`${where}: cannot squeeze axis ${a} of [${dims.join(", ")}] (size ${dims[a]}, not 1)`);
  return dims.filter((_, i) => !axes.includes(i));
});

const Unsqueeze = reshapeByAxes((dims, given, { where, opset }) => {
  if (!given) throw new FormatError(`ONNX: ${where} needs axes (${opset < 13 ? "the attribute" : "its second input"})`);
  const rank = dims.length + given.length;
  const axes = normalizeAxes(given, rank, where);
  const out: number[] = [];
  for (let i = 0, k = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : dims[k++]);
  return out;
});

const Expand: OpSpec = {
  inputs: [2, 2],
  outputs: 1,
  shapeInputs: [1],
  build: ({ where }) => {
    const dimsOf = (x: readonly number[], shape: OnnxTensor) => broadcastDims(x, intValues(shape, `${where}: shape`), where);
    return {
      run: (inputs) => {
        const x = input(inputs, 0, where);
        const dims = dimsOf(x.dims, input(inputs, 1, where));
        return [take(x, broadcastIndex(x.dims, dims, where), dims, where)];
      },
      plan: (node) => {
        const [x, shape] = node.inputs;
        const dims = dimsOf(x!.dims, shape!.constant!), strides = stridesOf(x!.dims);
        // Broadcast axes (new or of size 1) read with stride 0.
        return stridedStep(node, { dims, strides: dims.map((_, k) => { const j = k - (dims.length - x!.dims.length); return j < 0 || x!.dims[j] === 1 ? 0 : strides[j]; }), offset: 0 });
      },
    };
  },
};

const ConstantOfShape: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
  shapeInputs: [0],
  build: ({ where, attrs }) => {
    const value = attrs.tensor("value") ?? new OnnxTensor("float32", [0], [1]);
    if (value.size !== 1) throw new FormatError(`ONNX: ${where}: attribute "value" must hold one element; got ${value.size}`);
    return pure((inputs) => {
      const dims = intValues(input(inputs, 0, where), `${where}: shape`);
      return take(value, new Int32Array(elementCount(dims, where)), dims, where);
    });
  },
};

const Size: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
  shapeOnly: true,
  build: ({ where }) => pure((inputs) => new OnnxTensor("int64", [input(inputs, 0, where).size], [])),
};

const Range: OpSpec = {
  inputs: [3, 3],
  outputs: 1,
  shapeInputs: [0, 1, 2],
  build: ({ where }) =>
    pure((inputs) => {
      const [start, limit, delta] = [0, 1, 2].map((i) => input(inputs, i, where));
      for (const [t, name] of [[start, "start"], [limit, "limit"], [delta, "delta"]] as const) {
        if (t.size !== 1) throw new ShapeError(`${where}: ${name} must be a scalar; got [${t.dims.join(", ")}]`);
        if (t.type !== start.type) throw new ShapeError(`${where}: ${name} is ${t.type} but start is ${start.type}`);
      }
      if (!["float32", "float64", "int32", "int64"].includes(start.type)) throw new UnsupportedError(`${where}: inputs are ${start.type}; wasm-rnn runs Range on float32, float64, int32 and int64`);
      const [s, l, d] = [start, limit, delta].map((t) => Number(t.data[0]));
      if (d === 0) throw new ShapeError(`${where}: delta is 0`);
      const n = Math.max(Math.ceil((l - s) / d), 0);
      const out = allocate(start.type, [n], where);
      for (let i = 0; i < n; i++) {
        if (start.type === "int64") (out.data as BigInt64Array)[i] = BigInt(s + i * d);
        else (out.data as Float32Array)[i] = s + i * d;
      }
      return out;
    }),
};

export const SHAPE_OPS: Record<string, OpSpec> = { Shape, Size, Reshape, Squeeze, Unsqueeze, Expand, ConstantOfShape, Range };
