// Comparisons and logic on bool tensors: Equal (any type but float16, bools too), Less, Greater,
// LessOrEqual, GreaterOrEqual (numeric types) with numpy broadcasting, giving bool; Not, And, Or, Xor
// on bool; Where (a bool condition choosing between two tensors of one type, all three broadcast).

import { ShapeError, UnsupportedError } from "../../../errors.js";
import { allocate, type OnnxTensor } from "../tensor.js";
import { broadcastDims, broadcastIndex, mapBroadcast, sameDims } from "./elements.js";
import { pure, type OpSpec } from "./kernel.js";
import { input } from "./values.js";

type Comparison = (a: number | bigint, b: number | bigint) => boolean;

function sameType(a: OnnxTensor, b: OnnxTensor, where: string): void {
  if (a.type !== b.type) throw new ShapeError(`${where}: inputs have different types (${a.type} and ${b.type})`);
  if (a.type === "float16") throw new UnsupportedError(`${where}: inputs are float16; wasm-rnn compares float32, float64, integer and bool tensors`);
}

function comparison(test: Comparison, allowBool: boolean): OpSpec {
  return {
    inputs: [2, 2],
    outputs: 1,
    build: ({ where }) =>
      pure((inputs) => {
        const a = input(inputs, 0, where), b = input(inputs, 1, where);
        sameType(a, b, where);
        if (a.type === "bool" && !allowBool) throw new UnsupportedError(`${where}: inputs are bool; this comparison takes numbers`);
        return mapBroadcast(a, b, "bool", (x, y) => (test(x, y) ? 1 : 0), where);
      }),
  };
}

function boolInput(inputs: readonly (OnnxTensor | null)[], i: number, where: string): OnnxTensor<"bool"> {
  const t = input(inputs, i, where);
  if (t.type !== "bool") throw new ShapeError(`${where}: input ${i} must be bool; got ${t.type}`);
  return t as OnnxTensor<"bool">;
}

function logical(f: (a: number, b: number) => number): OpSpec {
  return {
    inputs: [2, 2],
    outputs: 1,
    build: ({ where }) => pure((inputs) => mapBroadcast(boolInput(inputs, 0, where), boolInput(inputs, 1, where), "bool", f, where)),
  };
}

const Not: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
  build: ({ where }) =>
    pure((inputs) => {
      const x = boolInput(inputs, 0, where);
      const out = allocate("bool", x.dims, where);
      for (let i = 0; i < x.size; i++) out.data[i] = x.data[i] ? 0 : 1;
      return out;
    }),
};

const Where: OpSpec = {
  inputs: [3, 3],
  outputs: 1,
  build: ({ where }) =>
    pure((inputs) => {
      const condition = boolInput(inputs, 0, where), x = input(inputs, 1, where), y = input(inputs, 2, where);
      if (x.type !== y.type) throw new ShapeError(`${where}: X is ${x.type} but Y is ${y.type}`);
      const dims = broadcastDims(broadcastDims(condition.dims, x.dims, where), y.dims, where);
      const index = (t: OnnxTensor) => (sameDims(t.dims, dims) ? null : broadcastIndex(t.dims, dims, where));
      const ic = index(condition), ix = index(x), iy = index(y);
      const out = allocate(x.type, dims, where);
      const to = out.data as unknown as { [i: number]: number | bigint }, xs = x.data as unknown as ArrayLike<number | bigint>, ys = y.data as unknown as ArrayLike<number | bigint>;
      for (let i = 0; i < out.size; i++) to[i] = condition.data[ic ? ic[i] : i] ? xs[ix ? ix[i] : i] : ys[iy ? iy[i] : i];
      return out;
    }),
};

export const LOGIC_OPS: Record<string, OpSpec> = {
  Equal: comparison((a, b) => a === b, true),
  Less: comparison((a, b) => a < b, false),
  Greater: comparison((a, b) => a > b, false),
  LessOrEqual: comparison((a, b) => a <= b, false),
  GreaterOrEqual: comparison((a, b) => a >= b, false),
  Not,
  And: logical((a, b) => (a && b ? 1 : 0)),
  Or: logical((a, b) => (a || b ? 1 : 0)),
  Xor: logical((a, b) => (!a !== !b ? 1 : 0)),
  Where,
};
