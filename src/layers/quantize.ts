// Per-row symmetric int8 quantization of weights, as quantizeDynamic stores them: each output row's
// scale is max|w| / 127, and w ≈ scale · q with q = round-half-to-even(w / scale) in [−127, 127]
// (PyTorch's rounding); an all-zero row gets scale 0. A quantized layer's state is its float twin's
// with every int8 weight replaced by its values and `<name>_scale`.

import { NumericError } from "../errors.js";
import { Tensor, type AnyTensor } from "../tensor.js";
import { firstNonFinite } from "../validate.js";

/** @internal The name of a quantized weight's row scales. */
export function scaleName(weight: string): string {
  return `${weight}_scale`;
}

/** x rounded to the nearest integer, ties to even (as torch.round and the kernels' quantization). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** @internal `rows` rows of `columns` float weights as int8 values and one scale per row. A NaN or
 *  ±Inf weight is a NumericError naming `what` and the index. */
export function quantizeRows(values: ArrayLike<number>, rows: number, columns: number, what: string): { values: Int8Array; scales: Float32Array } {
  const bad = firstNonFinite(values);
  if (bad >= 0) throw new NumericError(`${what} has a non-finite value (${values[bad]}) at index ${bad}; it cannot be quantized`);
  const q = new Int8Array(rows * columns), scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < columns; c++) max = Math.max(max, Math.abs(values[r * columns + c]));
    const scale = Math.fround(max / 127);
    scales[r] = scale;
    if (scale === 0) continue;
    for (let c = 0; c < columns; c++) q[r * columns + c] = Math.max(-127, Math.min(127, roundHalfEven(values[r * columns + c] / scale)));
  }
  return { values: q, scales };
}

/** @internal A quantized layer's or model's state from its float twin's: `shapes` is the quantized
 *  state's layout (what its stateDict() gives: int8 weights and their `_scale`, float32 the rest). */
export function quantizedState(float: Record<string, AnyTensor>, shapes: Record<string, AnyTensor>, owner: string): Record<string, AnyTensor> {
  const out: Record<string, AnyTensor> = {};
  for (const [name, target] of Object.entries(shapes)) {
    if (target.dtype !== "int8") {
      if (!(name in out)) out[name] = float[name];
      continue;
    }
    const rows = target.shape[0], size = target.data.length;
    const q = quantizeRows(float[name].data, rows, size / rows, `${owner}: ${name}`);
    out[name] = new Tensor(q.values, [...target.shape]);
    out[scaleName(name)] = new Tensor(q.scales, [rows]);
  }
  return out;
}
