// Operators on shapes: Shape (with opset-15 start/end), Reshape (0 copies a dimension unless
// allowzero, −1 is inferred), Squeeze and Unsqueeze (axes as an attribute before opset 13, as an
// input from it), Expand, ConstantOfShape. Any element type.

import { FormatError, ShapeError } from "../../../errors.js";
import { elementCount, OnnxTensor } from "../tensor.js";
import { broadcastDims, broadcastIndex, reshaped, take } from "./elements.js";
import { pure, type BuildContext, type OpSpec } from "./kernel.js";
import { input, intValues, normalizeAxes, product } from "./values.js";

const Shape: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
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
  build: ({ where, attrs }) => {
    const allowZero = attrs.int("allowzero", 0) !== 0;
    return pure((inputs) => {
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
    build: (ctx) => {
      const attribute = ctx.opset < 13 ? ctx.attrs.ints("axes") : null;
      return pure((inputs) => {
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
  build: ({ where }) =>
    pure((inputs) => {
      const x = input(inputs, 0, where);
      const dims = broadcastDims(x.dims, intValues(input(inputs, 1, where), `${where}: shape`), where);
      return take(x, broadcastIndex(x.dims, dims, where), dims, where);
    }),
};

const ConstantOfShape: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
  build: ({ where, attrs }) => {
    const value = attrs.tensor("value") ?? new OnnxTensor("float32", [0], [1]);
    if (value.size !== 1) throw new FormatError(`ONNX: ${where}: attribute "value" must hold one element; got ${value.size}`);
    return pure((inputs) => {
      const dims = intValues(input(inputs, 0, where), `${where}: shape`);
      return take(value, new Int32Array(elementCount(dims, where)), dims, where);
    });
  },
};

export const SHAPE_OPS: Record<string, OpSpec> = { Shape, Reshape, Squeeze, Unsqueeze, Expand, ConstantOfShape };
