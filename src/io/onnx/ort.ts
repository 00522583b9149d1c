// The `onnx` namespace of the package: the same names as onnxruntime's, so that
// `import * as ort from "onnxruntime-web"` can become `import { onnx as ort } from "wasm-rnn"`.

export { InferenceSession, type SessionOptions, type Fetches, type ValueSignature } from "./session.js";
export { OnnxTensor as Tensor, type OnnxType as Type } from "./tensor.js";
