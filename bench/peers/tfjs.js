// TensorFlow.js layers (lstm / gru / simpleRNN, bidirectional) on the tfjs-backend-wasm backend as a
// benchmark peer: inference with model.predict, training with tf.variableGrads over the input and
// every weight. Weights come from the workload's PyTorch state dict (Keras layout, gates reordered).

import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as wasmBackend from "@tensorflow/tfjs-backend-wasm";
import { directions, layerInput, suffix } from "../workloads.js";

/** Keras gate block k takes PyTorch gate block ORDER[cell][k] (LSTM i,f,c,o is PyTorch's order; GRU z,r,h). */
const ORDER = { lstm: [0, 1, 2, 3], gru: [1, 0, 2], rnn: [0] };

// Zero initialisers: the weights are set afterwards (and tfjs's orthogonal initialiser fails here).
const COMMON = { returnSequences: true, kernelInitializer: "zeros", recurrentInitializer: "zeros" };
const LAYER = {
  lstm: (units) => tfl.layers.lstm({ ...COMMON, units, recurrentActivation: "sigmoid" }),
  // tfjs has no reset_after GRU: this is the reset-before (Cho et al.) variant, same shapes and FLOPs.
  gru: (units) => tfl.layers.gru({ ...COMMON, units, recurrentActivation: "sigmoid" }),
  rnn: (units) => tfl.layers.simpleRNN({ ...COMMON, units }),
};

/** Swaps the first two axes of a row-major [a, b, f] array ([T,B,F] ↔ [B,T,F]). */
function swapLeadingAxes(src, a, b, f) {
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

/** Keras [kernel, recurrentKernel, bias] of one layer and direction; bias = b_ih + b_hh. */
function kerasWeights(w, sd, l, d, inputSize) {
  const s = suffix(l, d), H = w.H, order = ORDER[w.cell];
  const bias = new Float32Array(order.length * H);
  const bIh = sd[`bias_ih${s}`].data, bHh = sd[`bias_hh${s}`].data;
  order.forEach((from, k) => {
    for (let r = 0; r < H; r++) bias[k * H + r] = bIh[from * H + r] + bHh[from * H + r];
  });
  return [
    tf.tensor2d(kerasMatrix(sd[`weight_ih${s}`].data, w.cell, H, inputSize), [inputSize, order.length * H]),
    tf.tensor2d(kerasMatrix(sd[`weight_hh${s}`].data, w.cell, H, H), [H, order.length * H]),
    tf.tensor1d(bias),
  ];
}

function buildModel(w, sd) {
  const model = tfl.sequential();
  for (let l = 0; l < w.layers; l++) {
    const inputSize = layerInput(w, l);
    const cell = LAYER[w.cell](w.H);
    const layer = w.bidirectional ? tfl.layers.bidirectional({ layer: cell, mergeMode: "concat" }) : cell;
    if (l === 0) model.add(tfl.layers.inputLayer({ inputShape: [w.T, w.I] }));
    model.add(layer);
    const weights = [];
    for (let d = 0; d < directions(w); d++) weights.push(...kerasWeights(w, sd, l, d, inputSize));
    layer.setWeights(weights);
    tf.dispose(weights);
  }
  return model;
}

export async function loadTfjs() {
  wasmBackend.setThreadsCount(1);
  await tf.setBackend("wasm");
  await tf.ready();
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  return {
    name: "tfjs",
    settings:
      `tfjs-layers ${tf.version_core} on the ${tf.getBackend()} backend, ${simd ? "SIMD" : "no SIMD"}, ` +
      `setThreadsCount(1) → ${wasmBackend.getThreadsCount()} thread (multithread build ${threads ? "available" : "not used in Node"})`,
    supports: () => true,
    async prepare(w, sd, input) {
      const model = buildModel(w, sd);
      const F = directions(w) * w.H;
      const x = tf.tensor3d(swapLeadingAxes(input.x, w.T, w.B, w.I), [w.B, w.T, w.I]);
      if (!w.training) {
        const predict = () => {
          const y = model.predict(x);
          const values = y.dataSync();
          y.dispose();
          return values;
        };
        return {
          run: predict,
          // tfjs's GRU is the reset-before variant: same cost, different function, so no comparison.
          result: w.cell === "gru" ? null : () => ({ output: swapLeadingAxes(predict(), w.B, w.T, F) }),
          dispose: () => tf.dispose([model, x]),
        };
      }
      const xVar = tf.variable(x);
      const dy = tf.tensor3d(swapLeadingAxes(input.gradOutput, w.T, w.B, F), [w.B, w.T, F]);
      const weights = model.trainableWeights.map((v) => v.read());
      const gradients = () => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(xVar, { training: true }), dy)), [xVar, ...weights]);
        value.dispose();
        return grads;
      };
      return {
        run: () => tf.dispose(Object.values(gradients())),
        result: () => {
          const grads = gradients();
          // The first recurrent kernel [H, 4H], transposed to weight_hh_l0's [4H, H] (the training
          // workload is an LSTM, whose gate order Keras and PyTorch share).
          const recurrent = weights.find((v) => v.name.includes("recurrent_kernel"));
          const result = {
            gradInput: swapLeadingAxes(grads[xVar.name].dataSync(), w.B, w.T, w.I),
            gradWeightHh: swapLeadingAxes(grads[recurrent.name].dataSync(), w.H, 4 * w.H, 1),
          };
          tf.dispose(Object.values(grads));
          return result;
        },
        dispose: () => tf.dispose([model, x, xVar, dy]),
      };
    },
  };
}
