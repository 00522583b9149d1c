// Conversion of the workloads' PyTorch-layout arrays to the layouts TensorFlow.js (Keras) layers take:
// batch-major data, recurrent kernels [in, G·H] with gates in Keras order and one summed bias, and
// dense kernels [in, out].

import * as tf from "@tensorflow/tfjs-core";
import { suffix } from "../workloads.js";

/** Keras gate block k takes PyTorch gate block ORDER[cell][k] (LSTM i,f,c,o is PyTorch's order; GRU z,r,h). */
const ORDER = { lstm: [0, 1, 2, 3], gru: [1, 0, 2], rnn: [0] };

/** Swaps the first two axes of a row-major [a, b, f] array ([T,B,F] ↔ [B,T,F]; f = 1 transposes). */
export function swapLeadingAxes(src, a, b, f) {
  const out = new Float32Array(src.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out.set(src.subarray((i * b + j) * f, (i * b + j + 1) * f), (j * a + i) * f);
  return out;
}

/** PyTorch [G·H, cols] → Keras [cols, G·H] with gate blocks in Keras order. */
function kerasMatrix(src, cell, H, cols) {
  const order = ORDER[cell], G = order.length * H;
  const out = new Float32Array(cols * G);
  for (let k = 0; k < order.length; k++) {
    for (let r = 0; r < H; r++) {
      const row = (order[k] * H + r) * cols;
      for (let c = 0; c < cols; c++) out[c * G + k * H + r] = src[row + c];
    }
  }
  return out;
}

/** Keras [kernel, recurrentKernel, bias] of one recurrent layer and direction; bias = b_ih + b_hh.
 *  `prefix` is the recurrent module's state-dict prefix ("rnn." in a language model). */
export function kerasRecurrentWeights(w, sd, l, d, inputSize, prefix = "") {
  const s = suffix(l, d), H = w.H, order = ORDER[w.cell];
  const bias = new Float32Array(order.length * H);
  const bIh = sd[`${prefix}bias_ih${s}`].data, bHh = sd[`${prefix}bias_hh${s}`].data;
  order.forEach((from, k) => {
    for (let r = 0; r < H; r++) bias[k * H + r] = bIh[from * H + r] + bHh[from * H + r];
  });
  return [
    tf.tensor2d(kerasMatrix(sd[`${prefix}weight_ih${s}`].data, w.cell, H, inputSize), [inputSize, order.length * H]),
    tf.tensor2d(kerasMatrix(sd[`${prefix}weight_hh${s}`].data, w.cell, H, H), [H, order.length * H]),
    tf.tensor1d(bias),
  ];
}

/** Keras [kernel [in, out], bias] of a PyTorch Linear (weight [out, in]). */
export function kerasDenseWeights(weight, bias) {
  const [out, inp] = weight.shape;
  return [tf.tensor2d(swapLeadingAxes(weight.data, out, inp, 1), [inp, out]), tf.tensor1d(bias.data)];
}
