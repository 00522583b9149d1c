// ONNX recurrent weights as our layers' PyTorch-named parameters: W [D, G·H, I], R [D, G·H, H],
// B [D, 2·G·H] (Wb then Rb) and P [D, 3·H] per direction, with the gate blocks reordered — LSTM
// i, o, f, c → i, f, g, o; GRU z, r, h → r, z, n; peepholes i, o, f → i, f, o. Also a
// DynamicQuantizeLSTM's int8 weights as a quantized LSTM's (int8 rows and their scales).

import type { OnnxCellKind } from "./recurrent-attributes.js";
import { UnsupportedError } from "../../../errors.js";
import { Tensor, type AnyTensor } from "../../../tensor.js";
import type { OnnxTensor } from "../tensor.js";

/** For each of our gate blocks, the ONNX block it comes from. */
const GATES_FROM_ONNX: Record<OnnxCellKind, readonly number[]> = { lstm: [0, 2, 3, 1], gru: [1, 0, 2], rnn: [0] };
const PEEPHOLES_FROM_ONNX = [0, 2, 1];

export interface OnnxRecurrentWeights {
  W: OnnxTensor<"float32">;
  R: OnnxTensor<"float32">;
  B: OnnxTensor<"float32"> | null;
  P: OnnxTensor<"float32"> | null;
}

/** The blocks of `size` floats starting at `offset` of src, in the order `from`. */
function reorder(src: Float32Array, offset: number, from: readonly number[], size: number, shape: number[]): Tensor {
  const out = new Float32Array(from.length * size);
  from.forEach((block, k) => out.set(src.subarray(offset + block * size, offset + (block + 1) * size), k * size));
  return new Tensor(out, shape);
}

/** The state dict of a one-layer layer with `directions` directions (shapes already checked). */
export function stateDictFromOnnx(kind: OnnxCellKind, directions: number, hiddenSize: number, weights: OnnxRecurrentWeights): Record<string, Tensor> {
  const { W, R, B, P } = weights;
  const H = hiddenSize, order = GATES_FROM_ONNX[kind], G = order.length * H, I = W.dims[2];
  const record: Record<string, Tensor> = {};
  for (let d = 0; d < directions; d++) {
    const s = d === 0 ? "_l0" : "_l0_reverse";
    record[`weight_ih${s}`] = reorder(W.data, d * G * I, order, H * I, [G, I]);
    record[`weight_hh${s}`] = reorder(R.data, d * G * H, order, H * H, [G, H]);
    record[`bias_ih${s}`] = B ? reorder(B.data, d * 2 * G, order, H, [G]) : new Tensor(new Float32Array(G), [G]);
    record[`bias_hh${s}`] = B ? reorder(B.data, d * 2 * G + G, order, H, [G]) : new Tensor(new Float32Array(G), [G]);
    if (P) record[`weight_ph${s}`] = reorder(P.data, d * 3 * H, PEEPHOLES_FROM_ONNX, H, [3 * H]);
  }
  return record;
}

/** A DynamicQuantizeLSTM's weights (com.microsoft, what onnxruntime's quantize_dynamic writes): W
 *  [D, I, 4H] and R [D, H, 4H] int8 or uint8 — transposed against LSTM's — with scales and zero
 *  points of shape [D] (one per direction) or [D, 4H] (one per output channel); B and P as LSTM's. */
export interface OnnxQuantizedWeights {
  W: OnnxTensor<"int8" | "uint8">;
  R: OnnxTensor<"int8" | "uint8">;
  B: OnnxTensor<"float32"> | null;
  P: OnnxTensor<"float32"> | null;
  wScale: OnnxTensor<"float32">;
  wZeroPoint: OnnxTensor<"int8" | "uint8">;
  rScale: OnnxTensor<"float32">;
  rZeroPoint: OnnxTensor<"int8" | "uint8">;
}

/**
 * The int8 state dict of a one-layer quantized LSTM (weights q − zero point per output row, with the
 * row's scale) from a DynamicQuantizeLSTM's inputs, shapes already checked. A value that leaves
 * int8 once its zero point is taken away (uint8 weights with a zero point other than 128, say) is an
 * UnsupportedError naming the input.
 */
export function quantizedStateDictFromOnnx(directions: number, hiddenSize: number, weights: OnnxQuantizedWeights, where: string): Record<string, AnyTensor> {
  const { B, P } = weights;
  const H = hiddenSize, order = GATES_FROM_ONNX.lstm, G = 4 * H;
  const record: Record<string, AnyTensor> = {};
  for (let d = 0; d < directions; d++) {
    const s = d === 0 ? "_l0" : "_l0_reverse";
    for (const [name, q, scale, zeroPoint, label] of [
      [`weight_ih${s}`, weights.W, weights.wScale, weights.wZeroPoint, "W"],
      [`weight_hh${s}`, weights.R, weights.rScale, weights.rZeroPoint, "R"],
    ] as const) {
      const cols = q.dims[1], perChannel = scale.dims.length === 2;
      const values = new Int8Array(G * cols), scales = new Float32Array(G);
      order.forEach((block, k) => {
        for (let j = 0; j < H; j++) {
          const row = k * H + j, channel = block * H + j, at = perChannel ? d * G + channel : d;
          const z = zeroPoint.data[at];
          scales[row] = scale.data[at];
          for (let c = 0; c < cols; c++) {
            const v = q.data[(d * cols + c) * G + channel] - z;
            if (v < -128 || v > 127) {
              throw new UnsupportedError(`${where}: ${label} holds ${q.data[(d * cols + c) * G + channel]} with zero point ${z}, which is outside int8 once the zero point is taken away; wasm-rnn runs int8 weights (zero point 0) and uint8 weights with zero point 128`);
            }
            values[row * cols + c] = v;
          }
        }
      });
      record[name] = new Tensor(values, [G, cols]);
      record[`${name}_scale`] = new Tensor(scales, [G]);
    }
    record[`bias_ih${s}`] = B ? reorder(B.data, d * 2 * G, order, H, [G]) : new Tensor(new Float32Array(G), [G]);
    record[`bias_hh${s}`] = B ? reorder(B.data, d * 2 * G + G, order, H, [G]) : new Tensor(new Float32Array(G), [G]);
    if (P) record[`weight_ph${s}`] = reorder(P.data, d * 3 * H, PEEPHOLES_FROM_ONNX, H, [3 * H]);
  }
  return record;
}
