// ONNX models of a stacked (optionally bidirectional) LSTM/GRU/RNN from a PyTorch state dict: one
// ONNX LSTM/GRU/RNN node per layer with weights as initializers, gates reordered to ONNX's order
// (LSTM i,o,f,c; GRU z,r,h with linear_before_reset=1), and Transpose+Reshape from Y [T,D,B,H] to [T,B,D·H].

import { node, tensorProto, valueInfo, modelBytes } from "./onnx-writer.js";
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

/** W [D, G·H, I], R [D, G·H, H], B [D, 2·G·H] of layer l in ONNX layout. */
function layerWeights(w, sd, l) {
  const D = directions(w), G = CELLS[w.cell].gates * w.H, I = layerInput(w, l), H = w.H;
  const W = new Float32Array(D * G * I), R = new Float32Array(D * G * H), B = new Float32Array(D * 2 * G);
  for (let d = 0; d < D; d++) {
    const s = suffix(l, d);
    reorderGates(sd[`weight_ih${s}`].data, w.cell, H, I, W, d * G * I);
    reorderGates(sd[`weight_hh${s}`].data, w.cell, H, H, R, d * G * H);
    reorderGates(sd[`bias_ih${s}`].data, w.cell, H, 1, B, d * 2 * G);
    reorderGates(sd[`bias_hh${s}`].data, w.cell, H, 1, B, d * 2 * G + G);
  }
  return [
    tensorProto(`W${l}`, [D, G, I], W),
    tensorProto(`R${l}`, [D, G, H], R),
    tensorProto(`B${l}`, [D, 2 * G], B),
  ];
}

/** Serialised ONNX model: input "x" [T, B, I] → output "output" [T, B, D·H], as torch.nn.{LSTM,GRU,RNN}. */
export function onnxModel(w, sd) {
  const D = directions(w);
  const nodes = [];
  const initializers = [tensorProto("shape_tbf", [3], BigInt64Array.from([w.T, w.B, D * w.H].map(BigInt)))];
  const attributes = { hidden_size: w.H, direction: D === 2 ? "bidirectional" : "forward" };
  if (w.cell === "gru") attributes.linear_before_reset = 1;
  let input = "x";
  for (let l = 0; l < w.layers; l++) {
    initializers.push(...layerWeights(w, sd, l));
    const y = `y${l}`;
    nodes.push(node(OP[w.cell], [input, `W${l}`, `R${l}`, `B${l}`], [y], attributes));
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
  });
}
