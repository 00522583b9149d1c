// TensorFlow.js layers on the tfjs-backend-wasm backend as a benchmark peer: inference with
// model.predict, layer training with tf.variableGrads over the input and every weight, and the language
// model's training step with model.trainOnBatch. Models (with the workload's weights) come from
// tfjs-models.js; data are converted to batch-major [B, T, …]. The embedding's gradient needs a kernel
// the wasm backend lacks, which tfjs-segment-sum.js supplies.

import * as tf from "@tensorflow/tfjs-core";
import * as wasmBackend from "@tensorflow/tfjs-backend-wasm";
import { directions, isLanguageModel } from "../workloads.js";
import { swapLeadingAxes } from "./keras-layout.js";
import { registerSegmentSum } from "./tfjs-segment-sum.js";
import { languageModel, recurrentModel } from "./tfjs-models.js";

function inference(w, sd, input) {
  const model = recurrentModel(w, sd);
  const x = tf.tensor3d(swapLeadingAxes(input.x, w.T, w.B, w.I), [w.B, w.T, w.I]);
  const predict = () => {
    const y = model.predict(x);
    const values = y.dataSync();
    y.dispose();
    return values;
  };
  return {
    run: predict,
    // tfjs's GRU is the reset-before variant: same cost, different function, so no comparison.
    result: w.cell === "gru" ? null : () => ({ output: swapLeadingAxes(predict(), w.B, w.T, directions(w) * w.H) }),
    dispose: () => tf.dispose([model, x]),
  };
}

function gradients(w, sd, input) {
  const model = recurrentModel(w, sd);
  const F = directions(w) * w.H;
  const x = tf.variable(tf.tensor3d(swapLeadingAxes(input.x, w.T, w.B, w.I), [w.B, w.T, w.I]));
  const dy = tf.tensor3d(swapLeadingAxes(input.gradOutput, w.T, w.B, F), [w.B, w.T, F]);
  const weights = model.trainableWeights.map((v) => v.read());
  const compute = () => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x, { training: true }), dy)), [x, ...weights]);
    value.dispose();
    return grads;
  };
  return {
    run: () => tf.dispose(Object.values(compute())),
    result: () => {
      const grads = compute();
      // The first recurrent kernel [H, 4H], transposed to weight_hh_l0's [4H, H] (the training
      // workload is an LSTM, whose gate order Keras and PyTorch share).
      const recurrent = weights.find((v) => v.name.includes("recurrent_kernel"));
      const result = {
        gradInput: swapLeadingAxes(grads[x.name].dataSync(), w.B, w.T, w.I),
        gradWeightHh: swapLeadingAxes(grads[recurrent.name].dataSync(), w.H, 4 * w.H, 1),
      };
      tf.dispose(Object.values(grads));
      return result;
    },
    dispose: () => tf.dispose([model, x, dy]),
  };
}

/** One trainOnBatch per run; result() is the mean loss per token of the step it takes. */
function trainStep(w, sd, input) {
  const model = languageModel(w, sd);
  const x = tf.tensor2d(swapLeadingAxes(input.inputs, w.T, w.B, 1), [w.B, w.T]);
  const y = tf.tensor3d(swapLeadingAxes(input.targets, w.T, w.B, 1), [w.B, w.T, 1]); // tfjs wants the class axis
  const step = () => model.trainOnBatch(x, y);
  return {
    run: step,
    result: async () => ({ loss: Float32Array.of(await step()) }),
    dispose: () => tf.dispose([model, x, y]),
  };
}

export async function loadTfjs() {
  wasmBackend.setThreadsCount(1);
  await tf.setBackend("wasm");
  await tf.ready();
  registerSegmentSum();
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  return {
    name: "tfjs",
    settings:
      `tfjs-layers ${tf.version_core} on the ${tf.getBackend()} backend, ${simd ? "SIMD" : "no SIMD"}, ` +
      `setThreadsCount(1) → ${wasmBackend.getThreadsCount()} thread (multithread build ${threads ? "available" : "not used in Node"})`,
    supports: () => true,
    prepare: (w, sd, input) => (isLanguageModel(w) ? trainStep : w.training ? gradients : inference)(w, sd, input),
  };
}
