// Symmetric int8 weights as onnxruntime's quantize_dynamic writes them for an LSTM's W and R
// (DynamicQuantizeLSTM) and a MatMul's B (MatMulInteger), and the nodes it writes around a MatMul:
// shared by the benchmark's ONNX peers and the tests that check our import of such models against
// onnxruntime.

import { node } from "./onnx-writer.mjs";

/** Rounding half to even, as numpy's round (which quantize_dynamic uses). */
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** quantize_dynamic's default (one scale per direction), and per_channel=True. */
export const QUANTIZATIONS = ["per-tensor", "per-channel"];

/**
 * Symmetric int8 quantization of a float weight in ONNX layout [D, G, cols], as onnxruntime's
 * quantize_dynamic does for LSTM's W and R (weight_type QInt8, WeightSymmetric, reduce_range off):
 * one scale per direction ("per-tensor", quantize_dynamic's default) or per output row of G·H
 * ("per-channel"), scale = max|w| / 127 in float32, q = clamp(round_half_even(w / scale), −127, 127),
 * zero point 0. Returns q transposed to DynamicQuantizeLSTM's [D, cols, G], and the scales and zero
 * points, shaped [D] or [D, G].
 */
export function quantizeSymmetricInt8(src, D, G, cols, quantization) {
  if (!QUANTIZATIONS.includes(quantization)) throw new Error(`onnx-rnn: quantization must be one of ${QUANTIZATIONS.join(", ")}`);
  const perChannel = quantization === "per-channel";
  const groups = perChannel ? D * G : D, groupSize = perChannel ? cols : G * cols;
  const scale = new Float32Array(groups);
  for (let g = 0; g < groups; g++) {
    let absmax = 0;
    for (let k = g * groupSize; k < (g + 1) * groupSize; k++) absmax = Math.max(absmax, Math.abs(src[k]));
    const s = Math.fround((2 * absmax) / 254); // (rmax − rmin) / (qmax − qmin) in float64, stored as float32
    scale[g] = s < 1.1754943508222875e-38 ? 1 : s; // a (near-)zero group gets scale 1, as quantize_dynamic
  }
  const q = new Int8Array(D * G * cols);
  for (let d = 0; d < D; d++) {
    for (let row = 0; row < G; row++) {
      const s = scale[perChannel ? d * G + row : d];
      for (let c = 0; c < cols; c++) {
        const value = roundHalfEven(Math.fround(src[(d * G + row) * cols + c] / s));
        q[(d * cols + c) * G + row] = Math.max(-127, Math.min(127, value)); // [D, G, cols] → [D, cols, G]
      }
    }
  }
  const shape = perChannel ? [D, G] : [D];
  return { q, qShape: [D, cols, G], scale, zeroPoint: new Int8Array(groups), shape };
}

/**
 * A MatMul's constant B [K, N] (row-major Float32Array) as quantize_dynamic quantizes it for
 * MatMulInteger: symmetric int8, one scale for the tensor (dims []) or one per column ([N], its
 * per_channel); zero points likewise. `unsigned` gives uint8 with zero point 128 (weight_type QUInt8
 * with symmetric weights), the int8 values shifted.
 */
export function quantizeMatMulWeight(b, K, N, quantization, unsigned = false) {
  const transposed = new Float32Array(N * K);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) transposed[n * K + k] = b[k * N + n];
  const { q, scale } = quantizeSymmetricInt8(transposed, 1, N, K, quantization); // q is [1, K, N]
  const shape = quantization === "per-channel" ? [N] : [];
  const zeroPoint = unsigned ? new Uint8Array(scale.length).fill(128) : new Int8Array(scale.length);
  return { q: unsigned ? Uint8Array.from(q, (v) => v + 128) : q, scale, zeroPoint, shape };
}

/**
 * The nodes quantize_dynamic writes for y = x · B (B quantized, its initializers named `${B}_quantized`,
 * `${B}_scale`, `${B}_zero_point`): DynamicQuantizeLinear of x (left out when `quantized` says x was
 * already quantized by an earlier MatMul reading it), MatMulInteger, Cast to float, and the two Muls
 * that apply x's scale times B's.
 */
export function matMulIntegerNodes(x, B, y, quantized = false) {
  const xq = `${x}_quantized`, xs = `${x}_scale`, xz = `${x}_zero_point`;
  return [
    ...(quantized ? [] : [node("DynamicQuantizeLinear", [x], [xq, xs, xz])]),
    node("MatMulInteger", [xq, `${B}_quantized`, xz, `${B}_zero_point`], [`${y}_int32`]),
    node("Cast", [`${y}_int32`], [`${y}_cast`], { to: 1 }),
    node("Mul", [xs, `${B}_scale`], [`${y}_scales`]),
    node("Mul", [`${y}_cast`, `${y}_scales`], [y]),
  ];
}
