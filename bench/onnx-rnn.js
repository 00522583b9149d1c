// ONNX models of a stacked (optionally bidirectional) LSTM/GRU/RNN from a PyTorch state dict: one
// ONNX LSTM/GRU/RNN node per layer with weights as initializers, gates reordered to ONNX's order
// (LSTM i,o,f,c; GRU z,r,h with linear_before_reset=1), and Transpose+Reshape from Y [T,D,B,H] to [T,B,D·H].
// With `quantization`, an LSTM becomes what onnxruntime's quantize_dynamic makes of it: one
// com.microsoft DynamicQuantizeLSTM node per layer, W and R as int8 (symmetric, zero point 0, one
// scale per direction or per output channel) transposed to [D, I, 4H] and [D, H, 4H], B still float.
// onnxruntime has no dynamic-quantized GRU or RNN operator (quantize_dynamic leaves those in float).

import { node, tensorProto, valueInfo, modelBytes } from "../scripts/onnx-writer.mjs";
import { quantizeSymmetricInt8 } from "../scripts/onnx-quantize.mjs";
import { CELLS } from "../dist/engine/cells.js";
import { directions, layerInput, suffix } from "./workloads.js";

/** ONNX gate block k takes PyTorch gate block ORDER[cell][k]. */
const ORDER = {
  lstm: [0, 3, 1, 2], // PyTorch i,f,g,o → ONNX i,o,f,c
  gru: [1, 0, 2], // PyTorch r,z,n → ONNX z,r,h
  rnn: [0],
};

const OP = { lstm: "LSTM", gru: "GRU", rnn: "RNN" };

/** Rows of a [G·H, cols] PyTorch matrix (or a [G·H] vector) with the gate blocks in ONNX order, written at `dst[offset]`. */
function reorderGates(src, cell, H, cols, dst, offset) {
  const block = H * cols;
  ORDER[cell].forEach((from, to) => dst.set(src.subarray(from * block, (from + 1) * block), offset + to * block));
}

/** W [D, G·H, I], R [D, G·H, H], B [D, 2·G·H] of layer l in ONNX layout (Float32Arrays). */
function onnxLayerArrays(w, sd, l) {
  const D = directions(w), G = CELLS[w.cell].gates * w.H, I = layerInput(w, l), H = w.H;
  const W = new Float32Array(D * G * I), R = new Float32Array(D * G * H), B = new Float32Array(D * 2 * G);
  for (let d = 0; d < D; d++) {
    const s = suffix(l, d);
    reorderGates(sd[`weight_ih${s}`].data, w.cell, H, I, W, d * G * I);
    reorderGates(sd[`weight_hh${s}`].data, w.cell, H, H, R, d * G * H);
    reorderGates(sd[`bias_ih${s}`].data, w.cell, H, 1, B, d * 2 * G);
    reorderGates(sd[`bias_hh${s}`].data, w.cell, H, 1, B, d * 2 * G + G);
  }
  return { W, R, B, D, G, I, H };
}

/** The initializers W{l}, R{l}, B{l} of layer l in ONNX layout (float). */
export function layerWeights(w, sd, l) {
  const { W, R, B, D, G, I, H } = onnxLayerArrays(w, sd, l);
  return [
    tensorProto(`W${l}`, [D, G, I], W),
    tensorProto(`R${l}`, [D, G, H], R),
    tensorProto(`B${l}`, [D, 2 * G], B),
  ];
}

/** The initializers of layer l's DynamicQuantizeLSTM: W{l}, R{l} int8 [D, I|H, 4H], B{l} float, and
 *  W{l}_scale, W{l}_zero_point, R{l}_scale, R{l}_zero_point. */
function quantizedLayerWeights(w, sd, l, quantization) {
  const { W, R, B, D, G, I, H } = onnxLayerArrays(w, sd, l);
  const out = [tensorProto(`B${l}`, [D, 2 * G], B)];
  for (const [name, src, cols] of [[`W${l}`, W, I], [`R${l}`, R, H]]) {
    const { q, qShape, scale, zeroPoint, shape } = quantizeSymmetricInt8(src, D, G, cols, quantization);
    out.push(tensorProto(name, qShape, q), tensorProto(`${name}_scale`, shape, scale), tensorProto(`${name}_zero_point`, shape, zeroPoint));
  }
  return out;
}

/** Whether onnxModel can quantize this workload: onnxruntime dynamic-quantizes LSTM only. */
export function quantizable(w) {
  return w.cell === "lstm";
}

/** Serialised ONNX model: input "x" [T, B, I] → output "output" [T, B, D·H], as torch.nn.{LSTM,GRU,RNN};
 *  with `quantization` ("per-tensor" | "per-channel"), an LSTM's nodes are com.microsoft
 *  DynamicQuantizeLSTM with int8 weights, as quantize_dynamic writes them. */
export function onnxModel(w, sd, { quantization = null } = {}) {
  if (quantization && !quantizable(w)) throw new Error(`onnx-rnn: onnxruntime has no dynamic-quantized ${OP[w.cell]} operator`);
  const D = directions(w);
  const nodes = [];
  const initializers = [tensorProto("shape_tbf", [3], BigInt64Array.from([w.T, w.B, D * w.H].map(BigInt)))];
  const attributes = { hidden_size: w.H, direction: D === 2 ? "bidirectional" : "forward" };
  if (w.cell === "gru") attributes.linear_before_reset = 1;
  let input = "x";
  for (let l = 0; l < w.layers; l++) {
    const y = `y${l}`;
    if (quantization) {
      initializers.push(...quantizedLayerWeights(w, sd, l, quantization));
      // X, W, R, B, sequence_lens, initial_h, initial_c, P, W_scale, W_zero_point, R_scale, R_zero_point
      const inputs = [input, `W${l}`, `R${l}`, `B${l}`, "", "", "", "", `W${l}_scale`, `W${l}_zero_point`, `R${l}_scale`, `R${l}_zero_point`];
      nodes.push(node("DynamicQuantizeLSTM", inputs, [y], attributes, "com.microsoft"));
    } else {
      initializers.push(...layerWeights(w, sd, l));
      nodes.push(node(OP[w.cell], [input, `W${l}`, `R${l}`, `B${l}`], [y], attributes));
    }
    let tbdh = y;
    if (D === 2) {
      tbdh = `${y}_tbdh`;
      nodes.push(node("Transpose", [y], [tbdh], { perm: [0, 2, 1, 3] }));
    }
    input = l === w.layers - 1 ? "output" : `h${l}`;
    nodes.push(node("Reshape", [tbdh, "shape_tbf"], [input]));
  }
  return modelBytes({
    nodes,
    initializers,
    inputs: [valueInfo("x", [w.T, w.B, w.I])],
    outputs: [valueInfo("output", [w.T, w.B, D * w.H])],
    opsets: quantization ? { "com.microsoft": 1 } : {},
  });
}
