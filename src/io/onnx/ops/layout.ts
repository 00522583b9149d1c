// Operators that rearrange a tensor of any type into a new shape: Pad (constant, reflect, edge and
// wrap; pads as an attribute before opset 11, as an input from it, with `axes` from opset 18;
// negative pads crop), Split (sizes as an attribute before opset 13, as an input from it, or equal
// parts: num_outputs from opset 18, the last part smaller), Tile (repeats per axis) and Flatten.

import { FormatError, ShapeError } from "../../../errors.js";
import { allocate, type OnnxTensor } from "../tensor.js";
import { copyElements, reshaped, stridedIndex, stridesOf } from "./elements.js";
import { padStep, splitStep, stridedStep } from "./copy-step.js";
import { view, type Kernel, type OpSpec, type Value } from "./kernel.js";
import { input, intValues, normalizeAxes, normalizeAxis, product } from "./values.js";

type PadMode = "constant" | "reflect" | "edge" | "wrap";

/** Index into an axis of size n for output position i shifted by the padding before (−1: the constant). */
function padIndex(i: number, n: number, mode: PadMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case "constant":
      return -1;
    case "edge":
      return i < 0 ? 0 : n - 1;
    case "wrap":
      return ((i % n) + n) % n;
    case "reflect": {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      const j = ((i % period) + period) % period;
      return j < n ? j : period - j;
    }
  }
}

/** x padded by before[k] and after[k] elements on axis k (negative: cropped). */
export function pad(x: OnnxTensor, before: readonly number[], after: readonly number[], mode: PadMode, value: number | bigint, where: string): OnnxTensor {
  const dims = x.dims.map((d, k) => d + before[k] + after[k]);
  if (dims.some((d) => d < 0)) throw new ShapeError(`${where}: pads [${before.join(", ")}, ${after.join(", ")}] crop more than [${x.dims.join(", ")}] holds`);
  x.dims.forEach((d, k) => {
    if (d === 0 && dims[k] > 0 && mode !== "constant") throw new ShapeError(`${where}: cannot ${mode}-pad axis ${k}, which is empty`);
  });
  const out = allocate(x.type, dims, where);
  const strides = stridesOf(x.dims);
  const perAxis = dims.map((d, k) => Int32Array.from({ length: d }, (_, i) => padIndex(i - before[k], x.dims[k], mode)));
  const to = out.data as unknown as { [i: number]: number | bigint }, from = x.data as unknown as ArrayLike<number | bigint>;
  const fill = x.type === "int64" ? BigInt(value) : Number(value);
  const counter = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < out.size; i++) {
    let at = 0;
    for (let k = 0; k < dims.length; k++) {
      const j = perAxis[k][counter[k]];
      if (j < 0) {
        at = -1;
        break;
      }
      at += j * strides[k];
    }
    to[i] = at < 0 ? fill : from[at];
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++counter[k] < dims[k]) break;
      counter[k] = 0;
    }
  }
  return out;
}

const Pad: OpSpec = {
  inputs: [1, 4],
  outputs: 1,
  shapeInputs: [1, 3],
  build: ({ where, attrs, opset }): Kernel => {
    const mode = attrs.string("mode", "constant") as PadMode;
    if (!["constant", "reflect", "edge", "wrap"].includes(mode) || (mode === "wrap" && opset < 19)) {
      throw new FormatError(`ONNX: ${where}: mode must be "constant", "reflect" or "edge"${opset >= 19 ? ' or "wrap"' : ""}; got "${mode}"`);
    }
    const attributePads = opset < 11 ? attrs.ints("pads") ?? attrs.ints("paddings") : null;
    const attributeValue = opset < 11 ? attrs.float("value", 0) : 0;
    if (opset < 11 && !attributePads) throw new FormatError(`ONNX: ${where} needs attribute "pads"`);
    /** The pads before and after each axis, and the constant, from the inputs (or the attributes). */
    const padsOf = (x: { type: string; dims: readonly number[] }, inputs: readonly Value[]) => {
      const rank = x.dims.length;
      const pads = attributePads ?? intValues(input(inputs, 1, where), `${where}: pads`);
      const axes = opset >= 18 && inputs[3] ? normalizeAxes(intValues(inputs[3], `${where}: axes`), rank, where) : x.dims.map((_, k) => k);
      if (pads.length !== 2 * axes.length) throw new ShapeError(`${where}: pads has ${pads.length} values; ${2 * axes.length} needed (begin and end for ${axes.length} axes)`);
      const before = new Array<number>(rank).fill(0), after = new Array<number>(rank).fill(0);
      axes.forEach((axis, i) => {
        before[axis] = pads[i];
        after[axis] = pads[i + axes.length];
      });
      let value: number | bigint = attributeValue;
      const given = opset >= 11 ? inputs[2] : null;
      if (given) {
        if (given.type !== x.type || given.size !== 1) throw new ShapeError(`${where}: constant_value must be one ${x.type}; got ${given.type} [${given.dims.join(", ")}]`);
        value = given.data[0] as number | bigint;
      }
      return { before, after, value };
    };
    return {
      run: (inputs) => {
        const x = input(inputs, 0, where);
        const { before, after, value } = padsOf(x, inputs);
        return [pad(x, before, after, mode, value, where)];
      },
      plan: (node) => {
        const constants = node.inputs.map((v) => v?.constant ?? null);
        if (node.inputs[2] && !constants[2]) return null; // a changing constant_value
        const { before, after, value } = padsOf(node.inputs[0]!, constants);
        return padStep(node, before, after, mode, Number(value));
      },
    };
  },
};

const Split: OpSpec = {
  inputs: [1, 2],
  outputs: Infinity,
  shapeInputs: [1],
  build: ({ where, attrs, opset, outputs }): Kernel => {
    const axisAttr = attrs.int("axis", 0);
    const attributeSplit = opset < 13 ? attrs.ints("split") : null;
    const numOutputs = opset >= 18 && attrs.has("num_outputs") ? attrs.int("num_outputs", 0) : null;
    return {
      plan: (node) => splitStep(node, normalizeAxis(axisAttr, node.inputs[0]!.dims.length, where)),
      run: (inputs) => {
        const x = input(inputs, 0, where);
        const axis = normalizeAxis(axisAttr, x.dims.length, where);
        const n = x.dims[axis];
        const given = attributeSplit ?? (inputs[1] ? intValues(inputs[1], `${where}: split`) : null);
        let sizes: number[];
        if (given) {
          if (given.some((s) => s < 0) || given.reduce((a, b) => a + b, 0) !== n) throw new ShapeError(`${where}: split [${given.join(", ")}] does not add up to ${n} (axis ${axis} of [${x.dims.join(", ")}])`);
          sizes = given;
        } else {
          const parts = numOutputs ?? outputs;
          const size = numOutputs ? Math.ceil(n / parts) : n / parts;
          if (!Number.isInteger(size)) throw new ShapeError(`${where}: axis ${axis} of [${x.dims.join(", ")}] does not split into ${parts} equal parts`);
          sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(size, n - i * size)));
        }
        const outer = product(x.dims, 0, axis), inner = product(x.dims, axis + 1);
        let offset = 0;
        return sizes.map((s) => {
          const out = allocate(x.type, x.dims.map((d, k) => (k === axis ? s : d)), where);
          for (let o = 0; o < outer; o++) copyElements(x, (o * n + offset) * inner, out, o * s * inner, s * inner);
          offset += s;
          return out;
        });
      },
    };
  },
};

const Tile: OpSpec = {
  inputs: [2, 2],
  outputs: 1,
  shapeInputs: [1],
  build: ({ where }) => {
    // As a strided read: each axis k becomes two, (repeat, position), the repeat with stride 0. Its
    // row-major order (r0, d0, r1, d1, …) is the output's: element (r0·d0 + i0, r1·d1 + i1, …).
    const readOf = (shape: readonly number[], repeatsTensor: OnnxTensor) => {
      const repeats = intValues(repeatsTensor, `${where}: repeats`);
      if (repeats.length !== shape.length || repeats.some((r) => r < 0)) throw new ShapeError(`${where}: repeats [${repeats.join(", ")}] must give one non-negative count per axis of [${shape.join(", ")}]`);
      return { dims: shape.flatMap((d, k) => [repeats[k], d]), strides: stridesOf(shape).flatMap((s) => [0, s]), offset: 0, repeats };
    };
    return {
      plan: (node) => (node.inputs[0]!.dims.length > 4 ? null : stridedStep(node, readOf(node.inputs[0]!.dims, node.inputs[1]!.constant!))),
      run: (inputs) => {
        const x = input(inputs, 0, where);
        const { dims, strides, repeats } = readOf(x.dims, input(inputs, 1, where));
        const index = stridedIndex(dims, strides, 0, where);
        const out = allocate(x.type, x.dims.map((d, k) => d * repeats[k]), where);
        const to = out.data as unknown as { [i: number]: number | bigint }, from = x.data as unknown as ArrayLike<number | bigint>;
        for (let i = 0; i < index.length; i++) to[i] = from[index[i]];
        return [out];
      },
    };
  },
};

const Flatten: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
  build: ({ where, attrs }) => {
    const axisAttr = attrs.int("axis", 1);
    return view((inputs) => {
      const x = input(inputs, 0, where);
      const rank = x.dims.length;
      if (!Number.isInteger(axisAttr) || axisAttr < -rank || axisAttr > rank) throw new ShapeError(`${where}: axis ${axisAttr} is outside −${rank}…${rank}`);
      const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
      return reshaped(x, [product(x.dims, 0, axis), product(x.dims, axis)], where);
    });
  },
};

export const LAYOUT_OPS: Record<string, OpSpec> = { Pad, Split, Tile, Flatten };
