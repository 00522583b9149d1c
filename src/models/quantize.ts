// The int8 twin of a layer or of one of the library's models (what quantizeDynamic, io/quantize.ts,
// makes of them, as torch.ao.quantization.quantize_dynamic): a copy whose recurrent and dense weights
// are int8 with one scale per output row, the activations entering each product quantized at run
// time, and everything else (embeddings, attention, biases, gates, cell state) in float32. The
// original is left as it was; the copy runs inference only.

import { UnsupportedError } from "../errors.js";
import { Dense } from "../layers/dense.js";
import { GRU, type GRUOptions } from "../layers/gru.js";
import type { Layer } from "../layers/layer.js";
import { LSTM, type LSTMOptions } from "../layers/lstm.js";
import { quantizedState } from "../layers/quantize.js";
import type { Recurrent } from "../layers/recurrent.js";
import { RNN, type RNNOptions } from "../layers/rnn.js";
import { describe } from "../validate.js";
import { Model } from "./model.js";
import { createModel } from "./registry.js";

/** A layer or model quantizedTwin takes. */
export type QuantizableLayer = Recurrent | Dense | Model;

/** The same layer or model with int8 weights (per-row symmetric scales) for inference. Quantizes
 *  LSTM, GRU, RNN and Dense layers, and the recurrent layers, bridges and output layers of the models;
 *  a quantized target is refused, as is anything else, with an UnsupportedError. */
export function quantizedTwin<T extends QuantizableLayer>(target: T): T {
  const owner = `quantizeDynamic(${ownerName(target)})`;
  if (target.quantized) throw new UnsupportedError(`${owner}: it is quantized already`);
  const copy = emptyTwin(target, owner);
  try {
    copy.loadStateDict(quantizedState(target.stateDict(), copy.stateDict(), owner));
  } catch (e) {
    copy.dispose();
    throw e;
  }
  return copy as T;
}

/** A quantized layer or model shaped like `target` (its weights not yet loaded). */
function emptyTwin(target: QuantizableLayer, owner: string): Layer | Model {
  if (target instanceof Model) return createModel(target.modelType, { ...target.config(), quantized: true });
  if (target instanceof Dense) return new Dense({ inFeatures: target.inFeatures, outFeatures: target.outFeatures, bias: target.bias, quantized: true });
  if (target instanceof LSTM) return new LSTM({ ...(target.options as LSTMOptions), quantized: true });
  if (target instanceof GRU) return new GRU({ ...(target.options as GRUOptions), quantized: true });
  if (target instanceof RNN) return new RNN({ ...(target.options as RNNOptions), quantized: true });
  throw new UnsupportedError(`${owner}: quantizes LSTM, GRU, RNN and Dense layers, the library's models, ONNX InferenceSessions and Keras LayersModels; got ${describe(target)}`);
}

function ownerName(target: unknown): string {
  if (target instanceof Model) return target.modelType;
  return target !== null && typeof target === "object" ? target.constructor.name : describe(target);
}
