// ONNX recurrent weights as our layers' PyTorch-named parameters: W [D, G·H, I], R [D, G·H, H],
// B [D, 2·G·H] (Wb then Rb) and P [D, 3·H] per direction, with the gate blocks reordered — LSTM
// i, o, f, c → i, f, g, o; GRU z, r, h → r, z, n; peepholes i, o, f → i, f, o.

import type { CellKind } from "../../../engine/cells.js";
import { Tensor } from "../../../tensor.js";
import type { OnnxTensor } from "../tensor.js";

/** For each of our gate blocks, the ONNX block it comes from. */
const GATES_FROM_ONNX: Record<CellKind, readonly number[]> = { lstm: [0, 2, 3, 1], gru: [1, 0, 2], rnn: [0] };
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
export function stateDictFromOnnx(kind: CellKind, directions: number, hiddenSize: number, weights: OnnxRecurrentWeights): Record<string, Tensor> {
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
