// Symmetric int8 weights as onnxruntime's quantize_dynamic writes them for an LSTM's W and R
// (DynamicQuantizeLSTM): shared by the benchmark's ONNX peers and the tests that check our import of
// such models against onnxruntime.

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
