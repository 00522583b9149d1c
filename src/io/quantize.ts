// quantizeDynamic, as torch.ao.quantization.quantize_dynamic(model, qconfig_spec, dtype): a new layer
// or model — one of the library's, an ONNX InferenceSession or a Keras LayersModel — whose LSTM, GRU,
// RNN and Dense (ONNX: MatMul and Gemm with a constant B) weights, or those of the kinds `layers`
// selects, are int8 with one scale per output row, the activations entering each product quantized at
// run time, and everything else in float32. The options are checked here; the original is left as it
// was; the copy runs inference only.

import { ShapeError, UnsupportedError } from "../errors.js";
import { quantizedTwin, type QuantizableLayer } from "../models/quantize.js";
import { QUANTIZABLE_KINDS, readKinds, type QuantizableKind } from "../models/quantized-kinds.js";
import { describe, optionsObject } from "../validate.js";
import { LayersModel } from "./keras/model.js";
import { InferenceSession } from "./onnx/session.js";

/** What quantizeDynamic takes: LSTM, GRU, RNN and Dense layers, the library's models, and imported ONNX and Keras models. */
export type Quantizable = QuantizableLayer | InferenceSession | LayersModel;

/** quantizeDynamic's options, as quantize_dynamic's qconfig_spec (a set of module types) and dtype. */
export interface QuantizeOptions {
  /** The kinds of layer to quantize (default: all four: "lstm", "gru", "rnn", "dense"); the others
   *  stay float32. For ONNX, "dense" is MatMul and Gemm with a constant B; for Keras, "rnn" is
   *  SimpleRNN, "dense" includes TimeDistributed(Dense), and Bidirectional is the kind of the layer it
   *  wraps. */
  layers?: readonly QuantizableKind[];
  /** The weights' type: int8, the only one there is (default). */
  dtype?: "int8";
}

/** The same layer or model with int8 weights (per-row symmetric scales) for inference, in the layers
 *  `options.layers` selects; malformed options are a ShapeError, another dtype an UnsupportedError, and
 *  a quantized target, a released or disposed one, one with none of the selected kinds and anything
 *  else are refused with an error naming it. */
export function quantizeDynamic<T extends Quantizable>(target: T, options?: QuantizeOptions): T {
  const selection = readOptions(options);
  if (target instanceof InferenceSession) return target.quantizedTwin(selection) as T;
  if (target instanceof LayersModel) return target.quantizedTwin(selection) as T;
  return quantizedTwin(target as QuantizableLayer, selection) as T;
}

/** The kinds the options select. */
function readOptions(options: QuantizeOptions | undefined): ReadonlySet<QuantizableKind> {
  const { layers, dtype, ...unknown } = optionsObject(options, "quantizeDynamic: options");
  const extra = Object.keys(unknown);
  if (extra.length > 0) throw new ShapeError(`quantizeDynamic: options has no ${extra.map((k) => JSON.stringify(k)).join(", ")}; it takes layers and dtype`);
  if (dtype !== undefined && typeof dtype !== "string") throw new ShapeError(`quantizeDynamic: options.dtype must be "int8"; got ${describe(dtype)}`);
  if (dtype !== undefined && dtype !== "int8") throw new UnsupportedError(`quantizeDynamic: dtype ${JSON.stringify(dtype)} is not supported; int8 is the only quantized type wasm-rnn has`);
  return layers === undefined ? new Set(QUANTIZABLE_KINDS) : readKinds(layers, "quantizeDynamic: options.layers");
}
