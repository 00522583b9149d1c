// A TypeScript application using the package's main API with explicit types: compiled by the
// consumer tests under nodenext, node16 and bundler resolution (lib ES2022 and Node's types only).
import {
  init, engineInfo, tensor, LSTM, GRU, RNN, Dense, Embedding, LanguageModel, SequenceClassifier, Seq2Seq, CharTokenizer, Trainer,
  WorkerPool, streamData, exampleData, stepDecay, saveCheckpoint, loadCheckpoint, checkpointToBytes,
  checkpointFromBytes, readSafetensors, writeSafetensors, loadLayersModel, onnx, WasmRnnError, ShapeError,
  type EngineInfo, type InitOptions, type Tensor, type ForwardResult, type BackwardResult, type TrainResult, type Decoded,
  type CheckpointContents, type WasmModule,
} from "wasm-rnn";

const options: InitOptions = { threads: 2, simd: "auto", memoryLimitBytes: 1 << 30 };
const info: EngineInfo = await init(options);
const { threads, sharedMemory, relaxedSimd, splitKernels }: EngineInfo = engineInfo();
console.log(info.threads === threads, sharedMemory, relaxedSimd, splitKernels);
declare const compiled: WasmModule;
export const withModule: InitOptions = { module: compiled };

const x: Tensor = tensor(new Float32Array(6 * 2 * 3), [6, 2, 3]);
const shape: readonly number[] = x.shape;
const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, seed: 1 });
const forward: ForwardResult = lstm.forward(x, { lengths: [6, 4] });
const backward: BackwardResult = lstm.backward(forward.output, { gradHN: forward.hN });
console.log(shape, backward.gradInput.shape, lstm.grads().weight_hh_l0.shape, new GRU({ inputSize: 3, hiddenSize: 2 }), new RNN({ inputSize: 3, hiddenSize: 2, nonlinearity: "relu" }));
console.log(new Dense({ inFeatures: 3, outFeatures: 2 }), new Embedding({ numEmbeddings: 5, embeddingDim: 2 }));

const text = "a small corpus of text for a small model";
const tokenizer = CharTokenizer.fit(text);
const lm = new LanguageModel(tokenizer, { hiddenSize: 16, embeddingDim: 8, seed: 1 });
const trained: TrainResult = await new Trainer(lm, { schedule: stepDecay(1e-2, 2), clipNorm: 5, maxSteps: 2 }).fit(streamData(lm, tokenizer.encode(text, { bos: true }), { batchSize: 2, bptt: 8 }));
const sample: string = lm.sample({ length: 10, temperature: 0.8, topK: 5 });
console.log(trained.stoppedBy, sample, lm.perplexity("a small"));

saveCheckpoint("checkpoint-dir", lm);
const contents: CheckpointContents = loadCheckpoint("checkpoint-dir", "language-model");
const { bytes } = checkpointToBytes(lm);
console.log(contents.trainer, contents.model, checkpointFromBytes(bytes).model, readSafetensors(writeSafetensors(lm.stateDict())).tensors);

const classifier = new SequenceClassifier({ vocabSize: 5, embeddingDim: 4, hiddenSize: 8, numClasses: 2 });
console.log(exampleData(classifier, [{ input: [1, 2, 3], label: 1 }], 1).batchesPerEpoch);
const s2s = new Seq2Seq(tokenizer, tokenizer, { hiddenSize: 8, embeddingDim: 4, attention: "dot" });
const decoded: Decoded[] = s2s.decode(["a small"], { strategy: "beam", beamWidth: 2 });
console.log(decoded[0].text);

const pool = await WorkerPool.create({ size: 2, maxQueue: 10 });
const pooled: ForwardResult = await pool.forward(lstm, x, { lengths: [6, 4] });
console.log(pooled.output.shape, await pool.run(lm, "sample", [{ length: 5, seed: 1 }]));
await pool.close();

const session = await onnx.InferenceSession.create("model.onnx");
const outputs = await session.run({ ids: new onnx.Tensor("int64", BigInt64Array.from([1n, 2n]), [1, 2]) });
console.log(session.inputNames, Object.keys(outputs));
const keras = await loadLayersModel("saved/model.json");
console.log(keras.inputNames);

try {
  lstm.forward(tensor([1, 2], [2]));
} catch (e) {
  if (e instanceof ShapeError) console.log(e.message);
  else if (e instanceof WasmRnnError) console.log(e.name);
}
lstm.dispose();
