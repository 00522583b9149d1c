// DynamicQuantizeLinear (float32 → uint8 with a scale and zero point from the tensor's range) and
// MatMulInteger (int8/uint8 operands less their zero points, exact int32 products), as the ONNX
// specification and onnxruntime compute them — the reference semantics of the pattern
// quantize_dynamic writes around a MatMul. That pattern is normally fused (fusion.ts) and run on the
// int8 kernels; these kernels run whatever of it is left unfused, in plain JavaScript.

import { NumericError, ShapeError, UnsupportedError } from "../../../errors.js";
import { allocate, isType, OnnxTensor } from "../tensor.js";
import type { OpSpec } from "./kernel.js";
import { matmulShape } from "./matmul.js";
import { floatInput, input } from "./values.js";

/** x rounded to the nearest integer, ties to even (the rounding of ONNX's quantizing operators). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** y = saturate(round(x / scale) + zeroPoint) to uint8, with scale = (max(0, x) − min(0, x)) / 255 in float32 (1 for an all-zero x). */
export function dynamicQuantizeLinear(x: OnnxTensor<"float32">, where: string): [OnnxTensor<"uint8">, OnnxTensor<"float32">, OnnxTensor<"uint8">] {
  let min = 0, max = 0;
  for (const v of x.data) {
    if (!Number.isFinite(v)) throw new NumericError(`${where}: x holds ${v}, which has no quantized value`);
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const scale = max === min ? 1 : Math.fround(Math.fround(max - min) / 255);
  const zeroPoint = roundHalfEven(Math.max(0, Math.min(255, Math.fround(0 - Math.fround(min / scale)))));
  const y = allocate("uint8", x.dims, where);
  for (let i = 0; i < x.size; i++) y.data[i] = Math.max(0, Math.min(255, roundHalfEven(Math.fround(x.data[i] / scale)) + zeroPoint));
  return [y, new OnnxTensor("float32", [scale], []), new OnnxTensor("uint8", [zeroPoint], [])];
}

/** An 8-bit operand of MatMulInteger (int8 or uint8). */
function eightBit(t: OnnxTensor, what: string): OnnxTensor<"int8" | "uint8"> {
  if (!isType(t, "int8") && !isType(t, "uint8")) throw new ShapeError(`${what} must be int8 or uint8; got ${t.type}`);
  return t;
}

/**
 * A zero point of `of` as one value per index along the axis it may vary on (`count` of them): a
 * scalar (or one element) repeats; a 1-D tensor of `count` is per row of A / per column of B.
 */
function zeroPoints(t: OnnxTensor | null, of: OnnxTensor, count: number, what: string): Int32Array {
  const out = new Int32Array(count);
  if (!t) return out;
  const z = eightBit(t, what);
  if (z.type !== of.type) throw new ShapeError(`${what} is ${z.type} but its operand is ${of.type}`);
  if (z.size === 1) return out.fill(z.data[0]);
  if (z.dims.length !== 1 || z.size !== count) throw new UnsupportedError(`${what} has shape [${z.dims.join(", ")}]; wasm-rnn takes a scalar or one value per ${count} (a 1-D tensor)`);
  out.set(z.data);
  return out;
}

/** Y = (A − a_zero_point) · (B − b_zero_point) in int32, MatMul's shapes; a_zero_point per row of A, b_zero_point per column of B. */
export function matMulInteger(inputs: readonly (OnnxTensor | null)[], where: string): OnnxTensor<"int32"> {
  const a = eightBit(input(inputs, 0, where), `${where}: A`), b = eightBit(input(inputs, 1, where), `${where}: B`);
  const { M, N, K, ia, ib, dims } = matmulShape(a.dims, b.dims, where);
  const za = zeroPoints(inputs[2] ?? null, a, M, `${where}: a_zero_point`), zb = zeroPoints(inputs[3] ?? null, b, N, `${where}: b_zero_point`);
  const out = allocate("int32", dims, where);
  const column = new Float64Array(K);
  for (let batch = 0; batch < ia.length; batch++) {
    const aStart = ia[batch] * M * K, bStart = ib[batch] * K * N, yStart = batch * M * N;
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) column[k] = b.data[bStart + k * N + n] - zb[n];
      for (let m = 0; m < M; m++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += (a.data[aStart + m * K + k] - za[m]) * column[k];
        out.data[yStart + m * N + n] = sum | 0;
      }
    }
  }
  return out;
}

const DynamicQuantizeLinear: OpSpec = {
  inputs: [1, 1],
  outputs: 3,
  build: ({ where }) => ({ run: (inputs) => dynamicQuantizeLinear(floatInput(inputs, 0, where), where) }),
};

const MatMulInteger: OpSpec = {
  inputs: [2, 4],
  outputs: 1,
  build: ({ where }) => ({ run: (inputs) => [matMulInteger(inputs, where)] }),
};

export const INTEGER_OPS: Record<string, OpSpec> = { DynamicQuantizeLinear, MatMulInteger };
