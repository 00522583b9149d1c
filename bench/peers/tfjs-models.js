// TensorFlow.js (Keras-style) models of the workloads, holding the workload's PyTorch weights converted
// by keras-layout.js: a tf.sequential of lstm / gru / simpleRNN layers (bidirectional, concat) for the
// layer workloads, and embedding → lstm → dense compiled with Adam and sparse categorical
// cross-entropy for the language model.

import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { directions, layerInput } from "../workloads.js";
import { kerasDenseWeights, kerasRecurrentWeights } from "./keras-layout.js";

// Zero initialisers: the weights are set afterwards (and tfjs's orthogonal initialiser fails here).
const COMMON = { returnSequences: true, kernelInitializer: "zeros", recurrentInitializer: "zeros" };
const LAYER = {
  lstm: (units) => tfl.layers.lstm({ ...COMMON, units, recurrentActivation: "sigmoid" }),
  // tfjs has no reset_after GRU: this is the reset-before (Cho et al.) variant, same shapes and FLOPs.
  gru: (units) => tfl.layers.gru({ ...COMMON, units, recurrentActivation: "sigmoid" }),
  rnn: (units) => tfl.layers.simpleRNN({ ...COMMON, units }),
};

/** Adds `layer` to `model`, then sets its weights (and frees the converted copies). */
function addWithWeights(model, layer, weights) {
  model.add(layer);
  layer.setWeights(weights);
  tf.dispose(weights);
}

/** The recurrent stack of w: input [B, T, I] → output [B, T, D·H]. */
export function recurrentModel(w, sd) {
  const model = tfl.sequential();
  model.add(tfl.layers.inputLayer({ inputShape: [w.T, w.I] }));
  for (let l = 0; l < w.layers; l++) {
    const cell = LAYER[w.cell](w.H);
    const layer = w.bidirectional ? tfl.layers.bidirectional({ layer: cell, mergeMode: "concat" }) : cell;
    const weights = [];
    for (let d = 0; d < directions(w); d++) weights.push(...kerasRecurrentWeights(w, sd, l, d, layerInput(w, l)));
    addWithWeights(model, layer, weights);
  }
  return model;
}

/** The language model of w (one recurrent layer), compiled for trainOnBatch: token ids [B, T] →
 *  probabilities [B, T, V] (the dense layer acts on the last axis; softmax, because tfjs's sparse
 *  categorical cross-entropy takes probabilities, not logits), loss = mean cross-entropy over B·T. */
export function languageModel(w, sd) {
  const model = tfl.sequential();
  addWithWeights(
    model,
    tfl.layers.embedding({ inputDim: w.V, outputDim: w.I, inputLength: w.T, embeddingsInitializer: "zeros" }),
    [tf.tensor2d(sd["embedding.weight"].data, sd["embedding.weight"].shape)],
  );
  addWithWeights(model, LAYER[w.cell](w.H), kerasRecurrentWeights(w, sd, 0, 0, w.I, "rnn."));
  addWithWeights(model, tfl.layers.dense({ units: w.V, activation: "softmax", kernelInitializer: "zeros" }), kerasDenseWeights(sd["fc.weight"], sd["fc.bias"]));
  model.compile({ optimizer: tf.train.adam(w.lr), loss: "sparseCategoricalCrossentropy" });
  return model;
}
