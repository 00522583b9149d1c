// The public API of wasm-rnn (browser entry; the Node entry re-exports this after initialising).
export { init, type InitOptions } from "./engine/engine.js";
export { Tensor, tensor, zeros } from "./tensor.js";
export { WasmRnnError, ShapeError, FormatError, UnsupportedError, NumericError, ResourceError } from "./errors.js";
export { Recurrent, type RecurrentOptions, type ForwardOptions, type ForwardResult, type BackwardOptions, type BackwardResult } from "./layers/recurrent.js";
export { LSTM, type LSTMOptions } from "./layers/lstm.js";
export { GRU, type GRUOptions } from "./layers/gru.js";
export { RNN, type RNNOptions } from "./layers/rnn.js";
export { Random } from "./random.js";
export { readSafetensors, writeSafetensors, parseSafetensors, type SafetensorsFile } from "./io/safetensors.js";
