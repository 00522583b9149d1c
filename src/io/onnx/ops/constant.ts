// Constant (value, value_float(s), value_int(s)), Identity, and Cast between float32, int32 and
// int64 (floats truncate toward zero, int64 → int32 wraps, as onnxruntime's casts do).

import { FormatError, NumericError, UnsupportedError } from "../../../errors.js";
import { dataTypeName, READ_TYPES } from "../tensor-proto.js";
import { allocate, isType, OnnxTensor, type OnnxType } from "../tensor.js";
import { reshaped } from "./elements.js";
import { pure, type OpSpec } from "./kernel.js";
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
    pure((inputs) => {
      const x = input(inputs, 0, where);
      return reshaped(x, x.dims, where);
    }),
};

function truncated(v: number, where: string): number {
  if (!Number.isFinite(v)) throw new NumericError(`${where}: cannot cast ${v} to an integer`);
  return Math.trunc(v);
}

function cast(x: OnnxTensor, to: OnnxType, where: string): OnnxTensor {
  const out = allocate(to, x.dims, where);
  for (let i = 0; i < x.size; i++) {
    const v = x.data[i];
    if (isType(out, "float32")) out.data[i] = Number(v);
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
    if (!to) throw new UnsupportedError(`ONNX: ${where} casts to ${dataTypeName(code)}; wasm-rnn casts to FLOAT, INT32, INT64, INT8 and UINT8`);
    attrs.int("saturate", 1); // only affects float8 targets
    return pure((inputs) => cast(input(inputs, 0, where), to, where));
  },
};

export const CONSTANT_OPS: Record<string, OpSpec> = { Constant, Identity, Cast };
