// The public API of wasm-rnn: the same in every runtime. The browser and edge bundles are built from
// this file; the Node entry (node.ts) re-exports it after initialising, and `require("wasm-rnn")`
// loads it as it is (then `await init()`).
import "./layers/team-warm-up.js"; // a new thread team warms its kernels and measures which splits pay
export { init, type InitOptions } from "./engine/init.js";
export { engineInfo, type EngineInfo } from "./engine/engine.js";
export type { SimdFlavor, WasmModule } from "./engine/load.js";
export type { IntegerDot } from "./engine/integer-dot.js";
export { Tensor, tensor, zeros, type AnyTensor, type TensorData, type DType } from "./tensor.js";
export { WasmRnnError, ShapeError, FormatError, UnsupportedError, NumericError, ResourceError, WorkerError, CancelledError } from "./errors.js";
export type { Layer } from "./layers/layer.js";
export { Recurrent, type RecurrentOptions, type ForwardOptions, type ForwardResult, type BackwardOptions, type BackwardResult } from "./layers/recurrent.js";
export { LSTM, type LSTMOptions } from "./layers/lstm.js";
export { GRU, type GRUOptions } from "./layers/gru.js";
export { RNN, type RNNOptions } from "./layers/rnn.js";
export { Random } from "./random.js";
export { readSafetensors, writeSafetensors, type SafetensorsFile } from "./io/safetensors.js";
export { Dense, type DenseOptions } from "./layers/dense.js";
export { Embedding, type EmbeddingOptions } from "./layers/embedding.js";
export { crossEntropy, binaryCrossEntropy, type CrossEntropyOptions, type LossResult, type Reduction } from "./layers/losses.js";
export { SGD, Adam, AdamW, Optimizer, type SGDOptions, type AdamOptions } from "./train/optimizers.js";
export { clipGradNorm, clipGradValue, gradNorm } from "./train/clip.js";
export { constantSchedule, stepDecay, exponentialDecay, inverseTimeDecay, cosineDecay, withWarmup, type Schedule } from "./train/schedules.js";
export { initializeWeights, orthogonal, type InitScheme } from "./train/init.js";
export { checkpointToBytes, checkpointFromBytes, type CheckpointContents, type CheckpointParts, type CheckpointInfo, type CheckpointReadOptions } from "./train/checkpoint-format.js";
export { saveCheckpoint, loadCheckpoint } from "./train/checkpoint.js";
export { Trainer, evaluateLoss, type TrainerOptions, type TrainProgress, type TrainResult } from "./train/trainer.js";
export { streamData, exampleData, type TrainingData, type StreamOptions } from "./train/data.js";
export { Model, renamePrefixes, type BatchLoss } from "./models/model.js";
export { SequenceClassifier, type SequenceClassifierConfig, type LabelledSequence, type Classified, type ClassifierState } from "./models/classifier.js";
export { SequenceTagger, type SequenceTaggerConfig, type TaggedSequence } from "./models/tagger.js";
export { LanguageModel, type LanguageModelConfig, type SampleOptions, type GenerateOptions } from "./models/language-model.js";
export { createModel, type ModelType } from "./models/registry.js";
export { quantizeDynamic, type QuantizeOptions } from "./io/quantize.js";
export type { QuantizableKind, QuantizedConfig } from "./models/quantized-kinds.js";
export type { RecurrentConfig } from "./models/recurrent-config.js";
export type { CellKind } from "./engine/cells.js";
export type { SequenceInput, EncoderConfig, EncoderState } from "./models/encoder.js";
export { CharTokenizer, WordTokenizer, tokenizerFromJSON, SPECIAL_TOKENS, type Tokenizer } from "./text/index.js";
export { Seq2Seq, type Seq2SeqConfig, type SequencePair } from "./models/seq2seq/seq2seq.js";
export type { DecodeOptions, DecodeStreamOptions, Decoded } from "./models/seq2seq/decoding.js";
export { Attention, type AttentionKind, type AttentionOptions } from "./layers/attention.js";
export { WorkerPool, type PoolOptions, type RunOptions } from "./serving/pool.js";
export type { SplitDecision } from "./engine/threads/split-choice.js";
export { StatefulSessions, type SessionChunk, type StatefulSessionsOptions, type SessionOutput, type SessionTarget } from "./serving/sessions.js";
export { Batcher, type BatcherOptions, type BatchCallOptions, type BatchTarget, type Scored } from "./serving/batcher.js";
export { loadLayersModel, fromTfjs, type LayersModelSource, type LayersModelArtifacts, type TfjsLayersModel, type TfjsLayerVariable } from "./io/keras/load.js";
export { LayersModel } from "./io/keras/model.js";
// Run-time exports named internal… are the adapters' (src/adapters/) access to what the public API
// does not offer, through this entry so a browser bundle has one engine; they are not typed for users.
/** @internal For wasm-rnn/tfjs (src/adapters/tfjs): one direction of a Keras recurrent layer on our kernels, forward and backward. */
export { RecurrentDirection as internalKerasRecurrentDirection, type KerasRecurrentWeights, type DirectionGradients, type DirectionResult } from "./io/keras/recurrent.js";
/** @internal For wasm-rnn/brain (src/adapters/brain): the engine (its arena and core), to run brain.js's nets on assembly/brain.ts. */
export { engine as internalEngine } from "./engine/engine.js";
export * as onnx from "./io/onnx/ort.js";
