// Binary arithmetic with numpy broadcasting: Add, Sub, Mul, Div (float32, float64, int32, int64 —
// integer division truncates, as onnxruntime's), Pow (a float or integer base, any numeric exponent;
// the result has the base's type) and PRelu (slope broadcast to x). A plan runs float32 through the
// wasm core's `binary` kernel (strides of 0 on broadcast axes; a constant operand copied in once),
// Pow by a constant scalar through `unary`, and a PRelu after a convolution fuses into its epilogue.

import { NumericError, ShapeError, UnsupportedError } from "../../../errors.js";
import { isType, type OnnxTensor } from "../tensor.js";
import { unaryStep, UNARY } from "./activations.js";
import { broadcastDims, mapBroadcast, sameDims, stridesOf } from "./elements.js";
import type { FusedActivation, OpSpec, PlanNode, PlannedStep, Value } from "./kernel.js";
import { OwnedMemory } from "./owned-memory.js";
import { input } from "./values.js";

type Numeric = "float32" | "float64" | "int32" | "int64";

interface Arithmetic {
  float(a: number, b: number): number;
  int32(a: number, b: number): number;
  int64(a: bigint, b: bigint): bigint;
  /** The wasm core's `binary` op code. */
  code: number;
}

function divisionByZero(): never {
  throw new NumericError("Div: integer division by zero");
}

const ARITHMETIC: Record<"Add" | "Sub" | "Mul" | "Div", Arithmetic> = {
  Add: { float: (a, b) => a + b, int32: (a, b) => (a + b) | 0, int64: (a, b) => BigInt.asIntN(64, a + b), code: 0 },
  Sub: { float: (a, b) => a - b, int32: (a, b) => (a - b) | 0, int64: (a, b) => BigInt.asIntN(64, a - b), code: 1 },
  Mul: { float: (a, b) => a * b, int32: Math.imul, int64: (a, b) => BigInt.asIntN(64, a * b), code: 2 },
  Div: {
    float: (a, b) => a / b,
    int32: (a, b) => (b === 0 ? divisionByZero() : Math.trunc(a / b) | 0),
    int64: (a, b) => (b === 0n ? divisionByZero() : BigInt.asIntN(64, a / b)),
    code: 3,
  },
};

const POW_CODE = 4, PRELU_CODE = 7;

function isNumeric(t: OnnxTensor): t is OnnxTensor<Numeric> {
  return t.type === "float32" || t.type === "float64" || t.type === "int32" || t.type === "int64";
}

/** A float32 plan step y = a op b with broadcasting, from changing or constant operands. */
function binaryStep(node: PlanNode, op: number, activation?: FusedActivation): PlannedStep | null {
  const [a, b] = node.inputs, y = node.outputs[0];
  if (!a || !b || !y || a.type !== "float32" || b.type !== "float32" || y.dims.length > 6) return null;
  const dims = y.dims.length ? y.dims : [1];
  /** Strides of an operand broadcast to y's dims: 0 on its missing and size-1 axes. */
  const stridesIn = (d: readonly number[]) => {
    const own = stridesOf(d);
    return dims.map((_, k) => {
      const j = k - (dims.length - d.length);
      return j < 0 || d[j] === 1 ? 0 : own[j];
    });
  };
  const memory = new OwnedMemory(node.engine);
  const core = node.engine.core;
  return {
    activation,
    make: (at) => {
      const desc = memory.intsOf([dims.length, ...dims, ...stridesIn(a.dims), ...stridesIn(b.dims)]);
      const pa = a.constant ? memory.floatsOf(a.constant.data as Float32Array) : at.input(0);
      const pb = b.constant ? memory.floatsOf(b.constant.data as Float32Array) : at.input(1);
      const to = at.output(0);
      return () => core.binary(op, desc, pa, pb, to);
    },
    dispose: () => memory.dispose(),
  };
}

function binary(op: Arithmetic): OpSpec {
  return {
    inputs: [2, 2],
    outputs: 1,
    build: ({ where }) => ({
      plan: (node) => binaryStep(node, op.code),
      run: (inputs) => {
        const a = input(inputs, 0, where), b = input(inputs, 1, where);
        if (a.type !== b.type) throw new ShapeError(`${where}: inputs have different types (${a.type} and ${b.type})`);
        if (!isNumeric(a)) throw new UnsupportedError(`${where}: inputs are ${a.type}; wasm-rnn runs this operator on float32, float64, int32 and int64`);
        if (isType(a, "int64")) return [mapBroadcast(a, b as OnnxTensor<"int64">, "int64", op.int64, where)];
        if (isType(a, "int32")) return [mapBroadcast(a, b as OnnxTensor<"int32">, "int32", op.int32, where)];
        return [mapBroadcast(a as OnnxTensor<"float32">, b as OnnxTensor<"float32">, a.type as "float32", op.float, where)];
      },
    }),
  };
}

/** Integer power as numpy's: exact by repeated squaring; negative exponents give 0 (or ±1 for a base of ±1). */
function integerPower(base: bigint, exponent: bigint): bigint {
  if (exponent < 0n) return base === 1n ? 1n : base === -1n ? (exponent % 2n === 0n ? 1n : -1n) : 0n;
  let result = 1n;
  for (let b = base, e = exponent; e > 0n; e >>= 1n, b = BigInt.asIntN(64, b * b)) if (e & 1n) result = BigInt.asIntN(64, result * b);
  return result;
}

function power(inputs: readonly Value[], where: string): OnnxTensor {
  const x = input(inputs, 0, where), y = input(inputs, 1, where);
  if (!isNumeric(x) || !isNumeric(y)) throw new UnsupportedError(`${where}: Pow of ${x.type} by ${y.type}; wasm-rnn runs float32, float64, int32 and int64`);
  if (isType(x, "float32") || isType(x, "float64")) {
    return mapBroadcast(x as OnnxTensor<"float32">, y as OnnxTensor<"float32">, x.type as "float32", (a, b) => Math.pow(a, Number(b)), where);
  }
  const isFloat = y.type === "float32" || y.type === "float64";
  const raise = (a: number | bigint, b: number | bigint): bigint => (isFloat ? BigInt(Math.trunc(Math.pow(Number(a), Number(b)))) : integerPower(BigInt(a), BigInt(b)));
  if (isType(x, "int64")) return mapBroadcast(x, y as OnnxTensor<"int64">, "int64", (a, b) => BigInt.asIntN(64, raise(a, b)), where);
  return mapBroadcast(x as OnnxTensor<"int32">, y as OnnxTensor<"int32">, "int32", (a, b) => Number(BigInt.asIntN(32, raise(a, b))), where);
}

const Pow: OpSpec = {
  inputs: [2, 2],
  outputs: 1,
  build: ({ where }) => ({
    run: (inputs) => [power(inputs, where)],
    plan: (node) => {
      const exponent = node.inputs[1]?.constant;
      // A constant scalar exponent (Silero squares its spectrum): the unary kernel's pow, exact for 2.
      if (exponent && exponent.size === 1 && (exponent.type === "float32" || exponent.type === "int64" || exponent.type === "int32")) {
        if (node.outputs[0]?.dims.length !== node.inputs[0]?.dims.length) return null;
        return unaryStep(node, UNARY.pow, Number(exponent.data[0]), 0);
      }
      return binaryStep(node, POW_CODE);
    },
  }),
};

/** PReLU's slope as one value per channel (axis 1) of x, or null when it varies along another axis. */
function channelSlopes(x: readonly number[], slope: OnnxTensor<"float32">): Float32Array | null {
  if (x.length < 2) return null;
  const C = x[1], rank = x.length;
  const d = [...new Array<number>(rank - slope.dims.length).fill(1), ...slope.dims];
  if (d.some((size, k) => k !== 1 && size !== 1)) return null;
  return d[1] === 1 ? new Float32Array(C).fill(slope.data[0]) : Float32Array.from(slope.data);
}

const PRelu: OpSpec = {
  inputs: [2, 2],
  outputs: 1,
  build: ({ where }) => ({
    run: (inputs) => {
      const x = input(inputs, 0, where), slope = input(inputs, 1, where);
      if (x.type !== slope.type) throw new ShapeError(`${where}: X is ${x.type} but slope is ${slope.type}`);
      if (!isNumeric(x)) throw new UnsupportedError(`${where}: inputs are ${x.type}; wasm-rnn runs PRelu on float32, float64, int32 and int64`);
      // The slope broadcasts to X (unidirectionally): the output has X's dims.
      if (!sameDims(broadcastDims(x.dims, slope.dims, where), x.dims)) throw new ShapeError(`${where}: slope [${slope.dims.join(", ")}] does not broadcast to X [${x.dims.join(", ")}]`);
      if (isType(x, "int64")) return [mapBroadcast(x, slope as OnnxTensor<"int64">, "int64", (a, s) => (a < 0n ? BigInt.asIntN(64, a * s) : a), where)];
      return [mapBroadcast(x as OnnxTensor<"float32">, slope as OnnxTensor<"float32">, x.type as "float32", (a, s) => (a < 0 ? (x.type === "int32" ? Math.imul(a, s) : a * s) : a), where)];
    },
    plan: (node) => {
      const [x, slope] = node.inputs;
      const slopes = x && slope?.constant && slope.type === "float32" ? channelSlopes(x.dims, slope.constant as OnnxTensor<"float32">) : null;
      return binaryStep(node, PRELU_CODE, slopes ? { code: 4, alpha: 0, slopes } : undefined);
    },
  }),
};

export const ARITHMETIC_OPS: Record<string, OpSpec> = {
  Add: binary(ARITHMETIC.Add),
  Sub: binary(ARITHMETIC.Sub),
  Mul: binary(ARITHMETIC.Mul),
  Div: binary(ARITHMETIC.Div),
  Pow,
  PRelu,
};
