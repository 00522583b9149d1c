// Constant (value, value_float(s), value_int(s)), Identity, and Cast between every type read (floats
// truncate toward zero, wider integers wrap, as onnxruntime's casts do; to float16 rounds to nearest
// even; to bool is "not zero").

import { FormatError, NumericError, UnsupportedError } from "../../../errors.js";
import { dataTypeName, READ_TYPES } from "../tensor-proto.js";
import { allocate, isType, OnnxTensor, type OnnxType } from "../tensor.js";
import { float16Bits, float16ToFloat32 } from "../float16.js";
import { reshaped } from "./elements.js";
import { pure, view, type OpSpec } from "./kernel.js";
import { input } from "./values.js";

const Constant: OpSpec = {
  inputs: [0, 0],
  outputs: 1,
  build: ({ where, attrs }) => {
    const candidates: OnnxTensor[] = [];
    const tensor = attrs.tensor("value"), floats = attrs.floats("value_floats"), ints = attrs.ints("value_ints");
    if (tensor) candidates.push(tensor);
    if (attrs.has("value_float")) candidates.push(new OnnxTensor("float32", [attrs.float("value_float", 0)], []));
    if (attrs.has("value_int")) candidates.push(new OnnxTensor("int64", [attrs.int("value_int", 0)], []));
    if (floats) candidates.push(new OnnxTensor("float32", floats, [floats.length]));
    if (ints) candidates.push(new OnnxTensor("int64", ints, [ints.length]));
    if (candidates.length !== 1) throw new FormatError(`ONNX: ${where} needs exactly one value attribute (value, value_float(s), value_int(s)); got ${candidates.length}`);
    const value = candidates[0];
    return pure(() => reshaped(value, value.dims, where));
  },
};

const Identity: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
  build: ({ where }) =>
    view((inputs) => {
      const x = input(inputs, 0, where);
      return reshaped(x, x.dims, where);
    }),
};

function truncated(v: number, where: string): number {
  if (!Number.isFinite(v)) throw new NumericError(`${where}: cannot cast ${v} to an integer`);
  return Math.trunc(v);
}

/** The elements of x as numbers or bigints (float16 bits decoded). */
function valuesOf(x: OnnxTensor): ArrayLike<number | bigint> {
  return isType(x, "float16") ? float16ToFloat32(x.data) : x.data;
}

export function cast(x: OnnxTensor, to: OnnxType, where: string): OnnxTensor {
  const out = allocate(to, x.dims, where);
  const values = valuesOf(x);
  for (let i = 0; i < x.size; i++) {
    const v = values[i];
    if (isType(out, "float32") || isType(out, "float64")) out.data[i] = Number(v);
    else if (isType(out, "float16")) out.data[i] = float16Bits(Number(v));
    else if (isType(out, "bool")) out.data[i] = v ? 1 : 0;
    else if (isType(out, "int32")) out.data[i] = typeof v === "bigint" ? Number(BigInt.asIntN(32, v)) : truncated(v, where) | 0;
    else if (isType(out, "int64")) out.data[i] = typeof v === "bigint" ? v : BigInt(truncated(v, where));
    else out.data[i] = typeof v === "bigint" ? Number(BigInt.asIntN(32, v)) : truncated(v, where) | 0; // int8, uint8: the low byte, as numpy's astype
  }
  return out;
}

const Cast: OpSpec = {
  inputs: [1, 1],
  outputs: 1,
  build: ({ where, attrs }) => {
    const code = attrs.requiredInt("to");
    const to = READ_TYPES.get(code);
    if (!to) throw new UnsupportedError(`ONNX: ${where} casts to ${dataTypeName(code)}; wasm-rnn casts to FLOAT, DOUBLE, FLOAT16, INT32, INT64, INT8, UINT8 and BOOL`);
    attrs.int("saturate", 1); // only affects float8 targets
    return {
      run: (inputs) => [cast(input(inputs, 0, where), to, where)],
      plan: (node) => (node.inputs[0]?.type === to ? { alias: 0 } : null),
    };
  },
};

export const CONSTANT_OPS: Record<string, OpSpec> = { Constant, Identity, Cast };
