// Element-wise operators: Add, Sub, Mul, Div with numpy broadcasting (float32, int32, int64 — integer
// division truncates, as onnxruntime's), and Relu, Tanh, Sigmoid on float32.

import { NumericError, ShapeError, UnsupportedError } from "../../../errors.js";
import { allocate, isType, type OnnxDataTypes, type OnnxTensor, type OnnxType } from "../tensor.js";
import { broadcastDims, broadcastIndex, sameDims } from "./elements.js";
import { pure, type OpSpec } from "./kernel.js";
import { floatInput, input } from "./values.js";

type ElementOf<T extends OnnxType> = OnnxDataTypes[T][number];

interface Arithmetic {
  float32(a: number, b: number): number;
  int32(a: number, b: number): number;
  int64(a: bigint, b: bigint): bigint;
}

function divisionByZero(): never {
  throw new NumericError("Div: integer division by zero");
}

const ARITHMETIC: Record<"Add" | "Sub" | "Mul" | "Div", Arithmetic> = {
  Add: { float32: (a, b) => a + b, int32: (a, b) => (a + b) | 0, int64: (a, b) => BigInt.asIntN(64, a + b) },
  Sub: { float32: (a, b) => a - b, int32: (a, b) => (a - b) | 0, int64: (a, b) => BigInt.asIntN(64, a - b) },
  Mul: { float32: (a, b) => a * b, int32: Math.imul, int64: (a, b) => BigInt.asIntN(64, a * b) },
  Div: {
    float32: (a, b) => a / b,
    int32: (a, b) => (b === 0 ? divisionByZero() : Math.trunc(a / b) | 0),
    int64: (a, b) => (b === 0n ? divisionByZero() : BigInt.asIntN(64, a / b)),
  },
};

/** f applied element-wise to a and b broadcast together. */
function combine<T extends OnnxType>(a: OnnxTensor<T>, b: OnnxTensor<T>, f: (x: ElementOf<T>, y: ElementOf<T>) => ElementOf<T>, what: string): OnnxTensor<T> {
  const dims = broadcastDims(a.dims, b.dims, what);
  const out = allocate(a.type, dims, what);
  const ia = sameDims(a.dims, dims) ? null : broadcastIndex(a.dims, dims, what);
  const ib = sameDims(b.dims, dims) ? null : broadcastIndex(b.dims, dims, what);
  const x = a.data as unknown as ArrayLike<ElementOf<T>>, y = b.data as unknown as ArrayLike<ElementOf<T>>;
  const z = out.data as unknown as { [i: number]: ElementOf<T> };
  for (let i = 0; i < out.size; i++) z[i] = f(x[ia ? ia[i] : i], y[ib ? ib[i] : i]);
  return out;
}

function binary(op: Arithmetic): OpSpec {
  return {
    inputs: [2, 2],
    outputs: 1,
    build: ({ where }) =>
      pure((inputs) => {
        const a = input(inputs, 0, where), b = input(inputs, 1, where);
        if (isType(a, "float32") && isType(b, "float32")) return combine(a, b, op.float32, where);
        if (isType(a, "int32") && isType(b, "int32")) return combine(a, b, op.int32, where);
        if (isType(a, "int64") && isType(b, "int64")) return combine(a, b, op.int64, where);
        if (a.type === b.type) throw new UnsupportedError(`${where}: inputs are ${a.type}; wasm-rnn runs this operator on float32, int32 and int64`);
        throw new ShapeError(`${where}: inputs have different types (${a.type} and ${b.type})`);
      }),
  };
}

function unary(f: (x: number) => number): OpSpec {
  return {
    inputs: [1, 1],
    outputs: 1,
    build: ({ where }) =>
      pure((inputs) => {
        const x = floatInput(inputs, 0, where);
        const out = allocate("float32", x.dims, where);
        for (let i = 0; i < x.size; i++) out.data[i] = f(x.data[i]);
        return out;
      }),
  };
}

export const ELEMENTWISE_OPS: Record<string, OpSpec> = {
  Add: binary(ARITHMETIC.Add),
  Sub: binary(ARITHMETIC.Sub),
  Mul: binary(ARITHMETIC.Mul),
  Div: binary(ARITHMETIC.Div),
  Relu: unary((x) => (x < 0 ? 0 : x)),
  Tanh: unary(Math.tanh),
  Sigmoid: unary((x) => 1 / (1 + Math.exp(-x))),
};
