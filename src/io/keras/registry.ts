// The Keras layer classes wasm-rnn imports, by class name; any other class is an UnsupportedError
// naming the class and the layer, raised when the model is loaded.

import { UnsupportedError } from "../../errors.js";
import { buildBidirectional } from "./bidirectional.js";
import { buildConcatenate } from "./concatenate.js";
import { buildDense, buildTimeDistributed } from "./dense.js";
import { buildActivation, buildDropout } from "./elementwise.js";
import { buildEmbedding } from "./embedding.js";
import type { KerasLayer, LayerBuilder } from "./layer.js";
import { buildMasking } from "./masking.js";
import { buildRecurrent } from "./recurrent.js";
import type { LayerEntry } from "./topology.js";
import type { WeightStore } from "./weights.js";

const BUILDERS: ReadonlyMap<string, LayerBuilder> = new Map<string, LayerBuilder>([
  ["LSTM", buildRecurrent],
  ["GRU", buildRecurrent],
  ["SimpleRNN", buildRecurrent],
  ["Bidirectional", buildBidirectional],
  ["Dense", buildDense],
  ["TimeDistributed", buildTimeDistributed],
  ["Embedding", buildEmbedding],
  ["Masking", buildMasking],
  ["Concatenate", buildConcatenate],
  ["Activation", buildActivation],
  ["Dropout", buildDropout],
]);

/** Builds a layer (not an InputLayer) from its config and weights. */
export function buildLayer(entry: LayerEntry, weights: WeightStore): KerasLayer {
  const build = BUILDERS.get(entry.className);
  if (!build) {
    throw new UnsupportedError(`model.json: layer "${entry.name}" is a ${entry.className}, which wasm-rnn does not import (it imports InputLayer, ${[...BUILDERS.keys()].join(", ")})`);
  }
  return build(entry, weights);
}
