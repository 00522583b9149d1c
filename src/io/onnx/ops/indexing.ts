// Reading and writing elements at computed positions, for any element type: GatherElements (an index
// per output element along one axis; negative indices count from the end) and ScatterND (a copy of
// the data with slices at index tuples replaced — or combined by reduction add, mul, max or min —
// the way streaming models update their caches; in a plan, with constant indices, a copy and a map of
// places fixed at plan time).

import { FormatError, ShapeError, UnsupportedError } from "../../../errors.js";
import { allocate, type OnnxTensor } from "../tensor.js";
import { reshaped, stridesOf } from "./elements.js";
import { scatterStep } from "./copy-step.js";
import { pure, type OpSpec, type Value } from "./kernel.js";
import { input, intValues, normalizeAxis, product } from "./values.js";

type Elements = { [i: number]: number | bigint; readonly length: number };

const GatherElements: OpSpec = {
  inputs: [2, 2],
  outputs: 1,
  build: ({ where, attrs }) => {
    const axisAttr = attrs.int("axis", 0);
    return pure((inputs) => {
      const data = input(inputs, 0, where), indices = input(inputs, 1, where);
      const rank = data.dims.length;
      const axis = normalizeAxis(axisAttr, rank, where);
      if (indices.dims.length !== rank) throw new ShapeError(`${where}: indices [${indices.dims.join(", ")}] must have data's rank ${rank}`);
      const idx = intValues(indices, `${where}: indices`);
      const out = allocate(data.type, indices.dims, where);
      const strides = stridesOf(data.dims), n = data.dims[axis];
      const counter = new Array<number>(rank).fill(0);
      const from = data.data as unknown as Elements, to = out.data as unknown as Elements;
      for (let i = 0; i < out.size; i++) {
        let j = idx[i];
        if (j < -n || j >= n) throw new ShapeError(`${where}: index ${j} is outside −${n}…${n - 1} (axis ${axis} of [${data.dims.join(", ")}])`);
        if (j < 0) j += n;
        let at = 0;
        for (let k = 0; k < rank; k++) {
          if (k !== axis && counter[k] >= data.dims[k]) throw new ShapeError(`${where}: indices [${indices.dims.join(", ")}] exceed data [${data.dims.join(", ")}] on axis ${k}`);
          at += (k === axis ? j : counter[k]) * strides[k];
        }
        to[i] = from[at];
        for (let k = rank - 1; k >= 0; k--) {
          if (++counter[k] < indices.dims[k]) break;
          counter[k] = 0;
        }
      }
      return out;
    });
  },
};

type Reduction = "none" | "add" | "mul" | "max" | "min";

const ScatterND: OpSpec = {
  inputs: [3, 3],
  outputs: 1,
  build: ({ where, attrs, opset }) => {
    const reduction = (opset >= 16 ? attrs.string("reduction", "none") : "none") as Reduction;
    if (!["none", "add", "mul", "max", "min"].includes(reduction) || (opset < 18 && (reduction === "max" || reduction === "min"))) {
      throw new FormatError(`ONNX: ${where}: reduction must be ${opset >= 18 ? '"none", "add", "mul", "max" or "min"' : '"none", "add" or "mul"'}; got "${reduction}"`);
    }
    /** Where each update element goes in the data (flat indices), checked against the shapes. */
    const targets = (data: { dims: readonly number[] }, indices: OnnxTensor, updates: { dims: readonly number[] }): Int32Array => {
      const q = indices.dims.length, k = indices.dims[q - 1] ?? 0;
      if (q < 1 || k > data.dims.length) throw new ShapeError(`${where}: indices [${indices.dims.join(", ")}] must end in a size ≤ data's rank ${data.dims.length}`);
      const expected = [...indices.dims.slice(0, -1), ...data.dims.slice(k)];
      if (expected.length !== updates.dims.length || expected.some((d, i) => d !== updates.dims[i])) {
        throw new ShapeError(`${where}: updates must have shape [${expected.join(", ")}]; got [${updates.dims.join(", ")}]`);
      }
      const idx = intValues(indices, `${where}: indices`);
      const strides = stridesOf(data.dims), slice = product(data.dims, k), tuples = product(indices.dims, 0, q - 1);
      const to = new Int32Array(tuples * slice);
      for (let t = 0; t < tuples; t++) {
        let at = 0;
        for (let j = 0; j < k; j++) {
          const n = data.dims[j];
          let i = idx[t * k + j];
          if (i < -n || i >= n) throw new ShapeError(`${where}: index ${i} is outside −${n}…${n - 1} (axis ${j} of [${data.dims.join(", ")}])`);
          if (i < 0) i += n;
          at += i * strides[j];
        }
        for (let e = 0; e < slice; e++) to[t * slice + e] = at + e;
      }
      return to;
    };
    return {
      // Constant indices without a reduction: a copy, then the updates into their places.
      plan: (node) => {
        const [data, indices, updates] = node.inputs;
        if (reduction !== "none" || !data || !indices?.constant || !updates) return null;
        return scatterStep(node, 2, targets(data, indices.constant, updates));
      },
      run: (inputs) => [scatter(inputs)],
    };
    function scatter(inputs: readonly Value[]): OnnxTensor {
      const data = input(inputs, 0, where), indices = input(inputs, 1, where), updates = input(inputs, 2, where);
      if (updates.type !== data.type) throw new ShapeError(`${where}: updates are ${updates.type} but data is ${data.type}`);
      if ((reduction === "mul" || reduction === "max" || reduction === "min") && data.type === "bool") throw new UnsupportedError(`${where}: reduction ${reduction} on bool`);
      const places = targets(data, indices, updates);
      const out = reshaped(data, data.dims, where);
      const to = out.data as unknown as Elements, from = updates.data as unknown as Elements;
      const combine = (a: number | bigint, b: number | bigint): number | bigint => {
        switch (reduction) {
          case "none": return b;
          case "add": return typeof a === "bigint" ? BigInt.asIntN(64, a + (b as bigint)) : a + (b as number);
          case "mul": return typeof a === "bigint" ? BigInt.asIntN(64, a * (b as bigint)) : a * (b as number);
          case "max": return a > b ? a : b;
          case "min": return a < b ? a : b;
        }
      };
      for (let e = 0; e < places.length; e++) to[places[e]] = combine(to[places[e]], from[e]);
      return out;
    }
  },
};

export const INDEXING_OPS: Record<string, OpSpec> = { GatherElements, ScatterND };
