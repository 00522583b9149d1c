// quantizeDynamic, as torch.ao.quantization.quantize_dynamic: a new layer or model — one of the
// library's, an ONNX InferenceSession or a Keras LayersModel — whose LSTM, GRU, RNN and Dense (ONNX:
// MatMul and Gemm with a constant B) weights are int8 with one scale per output row, the activations
// entering each product quantized at run time, and everything else in float32. The original is left
// as it was; the copy runs inference only.

import { quantizedTwin, type QuantizableLayer } from "../models/quantize.js";
import { LayersModel } from "./keras/model.js";
import { InferenceSession } from "./onnx/session.js";

/** What quantizeDynamic takes: LSTM, GRU, RNN and Dense layers, the library's models, and imported ONNX and Keras models. */
export type Quantizable = QuantizableLayer | InferenceSession | LayersModel;

/** The same layer or model with int8 weights (per-row symmetric scales) for inference; a quantized
 *  target, a released or disposed one, and anything else are refused with an error naming it. */
export function quantizeDynamic<T extends Quantizable>(target: T): T {
  if (target instanceof InferenceSession) return target.quantizedTwin() as T;
  if (target instanceof LayersModel) return target.quantizedTwin() as T;
  return quantizedTwin(target as QuantizableLayer) as T;
}
