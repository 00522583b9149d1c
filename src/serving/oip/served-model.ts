// A model as the inference server serves it: its inputs and outputs as Open Inference Protocol
// tensors, and infer (through a Batcher, so concurrent requests share batches) — and, for a language
// model, text generation. One adapter per model type:
//   language model   text BYTES [B]               → log_prob, perplexity FP32 [B] (batched); generation;
//                    sequences: parameters sequence_id, sequence_start, sequence_end (one text a request)
//   classifier       input_ids INT64 [B, T] (or input FP32 [B, T, I]), lengths [B] optional
//                                                 → probabilities FP32 [B, C], label INT32 [B]
//   tagger           the classifier's inputs      → tags INT32 [B, T] (−1 past each length)
//                    both: sequences (one row a request): a classifier answers for the sequence so
//                    far, a tagger with the chunk's tags
//   seq2seq          text BYTES [B]               → text_output BYTES [B] (parameters beam_width, max_tokens);
//                    generation (greedy, or sampled with temperature/top_k/top_p/seed) of text_input
//   ONNX, Keras      their own inputs and outputs, by name, as the model declares them (one run per
//                    request, on a worker of the pool when there is one); an ONNX model with state
//                    inputs (found by name, or --state) keeps each stream's state by sequence_id and
//                    batches concurrent streams' frames

import { SequenceClassifier, type Classified, type ClassifierState } from "../../models/classifier.js";
import type { EncoderState, SequenceInput } from "../../models/encoder.js";
import { LanguageModel, type ScoreState } from "../../models/language-model.js";
import type { Model } from "../../models/model.js";
import { Seq2Seq } from "../../models/seq2seq/seq2seq.js";
import { SequenceTagger } from "../../models/tagger.js";
import { LayersModel } from "../../io/keras/model.js";
import { InferenceSession } from "../../io/onnx/session.js";
import { OnnxTensor, type OnnxType } from "../../io/onnx/tensor.js";
import { Tensor } from "../../tensor.js";
import { isModelType, type ModelOf, type ModelType } from "../../models/registry.js";
import { Batcher, type BatcherOptions, type BatchTarget } from "../batcher.js";
import type { WorkerPool } from "../pool.js";
import { SessionStore } from "../session-store.js";
import { batchAxes, initialState, statePairs, StreamBatcher, type BatchAxes } from "../stream-batcher.js";
import { WasmRnnError } from "../../errors.js";
import { output, RequestError, rowsOf, type Datatype, type InputTensor, type OutputTensor, type TensorSpec } from "./tensors.js";

export interface ServedModel {
  /** What the metadata calls the platform: "wasm-rnn <model type>". */
  readonly platform: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Inputs a request must give (the others are optional). */
  readonly required: readonly string[];
  /** The batcher concurrent requests share, when the model batches. */
  readonly batcher: Batcher | null;
  /** The sequences the model keeps between requests (`sequence_id`), when it keeps any. */
  readonly sequences: SessionStore<unknown> | null;
  /** Whether every input's first dimension is the batch (all but ONNX models, whose layouts vary). */
  readonly batchFirst: boolean;
  infer(inputs: ReadonlyMap<string, InputTensor>, parameters: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<OutputTensor[]>;
  /** Text generation, token by token (language models). */
  generate?(prompt: string, parameters: Readonly<Record<string, unknown>>, signal: AbortSignal): AsyncGenerator<string, void, undefined>;
  dispose(): void;
}

/** The adapter of each of the library's model types (models/registry.ts), given its batcher. */
const ADAPTERS: { [T in ModelType]: (model: ModelOf<T>, batcher: Batcher) => ServedModel } = {
  "language-model": languageModel,
  "sequence-classifier": encoderModel,
  "sequence-tagger": encoderModel,
  seq2seq,
};

/** The adapter of `model`, its batches up to `options`; `states`: an ONNX model's state pairs
 *  ("INPUT=OUTPUT"), when they are not found by name. */
export function servedModel(model: Model | InferenceSession | LayersModel, options: BatcherOptions, states: readonly string[] = []): ServedModel {
  if (model instanceof InferenceSession) return onnxModel(model, options, states);
  if (model instanceof LayersModel) return kerasModel(model, options.pool);
  if (!isModelType(model.modelType)) throw new RequestError(`wasm-rnn serve: a ${model.modelType} cannot be served`, 500);
  const adapter = ADAPTERS[model.modelType] as (model: Model, batcher: Batcher) => ServedModel;
  return adapter(model, new Batcher(model as BatchTarget, options));
}

/** An integer parameter in [min, max] (or the fallback when absent). */
function intParameter(parameters: Readonly<Record<string, unknown>>, name: string, fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = parameters[name];
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new RequestError(`parameters.${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(v)}`);
  return v as number;
}

function numberParameter(parameters: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const v = parameters[name];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new RequestError(`parameters.${name} must be a number; got ${JSON.stringify(v)}`);
  return v;
}

/** The generate extension's parameters, by the library's names (undefined where not given). */
function generationParameters(parameters: Readonly<Record<string, unknown>>) {
  return {
    maxTokens: intParameter(parameters, "max_tokens", undefined, 1, 100_000),
    temperature: numberParameter(parameters, "temperature"),
    topK: intParameter(parameters, "top_k", undefined, 0),
    topP: numberParameter(parameters, "top_p"),
    seed: intParameter(parameters, "seed", undefined, 0),
  };
}

/** A request's sequence parameters (Triton's sequence batcher names), or null without sequence_id. */
function sequenceParameters(parameters: Readonly<Record<string, unknown>>): { id: string; start: boolean; end: boolean } | null {
  const { sequence_id: id, sequence_start: start = false, sequence_end: end = false } = parameters;
  if (id === undefined) return null;
  if (!(typeof id === "string" && id.length > 0) && !(Number.isSafeInteger(id) && (id as number) >= 0)) throw new RequestError(`parameters.sequence_id must be a non-empty string or an integer ≥ 0; got ${JSON.stringify(id)}`);
  if (typeof start !== "boolean" || typeof end !== "boolean") throw new RequestError("parameters.sequence_start and sequence_end must be booleans");
  return { id: String(id), start, end };
}

/** One request of a sequence: `run` goes on from the state the sequence's earlier requests left (null
 *  at its start); the state it reaches is kept unless the sequence ends. */
function continueSequence<State, Result>(store: SessionStore<State>, sequence: { id: string; start: boolean; end: boolean }, run: (from: State | null) => { result: Result; next: State }): Result {
  const from = sequence.start ? null : store.get(sequence.id);
  if (from === undefined) throw new RequestError(`sequence ${JSON.stringify(sequence.id)} is not open: its first request needs sequence_start: true`);
  if (sequence.start) store.checkRoom(sequence.id, "wasm-rnn serve");
  const { result, next } = run(from);
  if (sequence.end) store.end(sequence.id);
  else store.set(sequence.id, next);
  return result;
}

function languageModel(lm: LanguageModel, batcher: Batcher): ServedModel {
  const sequences = new SessionStore<ScoreState>({}, "wasm-rnn serve");
  /** One chunk of a sequence, scored after the chunks before it. */
  const scoreChunk = (texts: string[], sequence: { id: string; start: boolean; end: boolean }) => {
    if (texts.length !== 1) throw new RequestError(`a request of a sequence (sequence_id) takes one text; got ${texts.length}`);
    return continueSequence(sequences, sequence, (from) => {
      const { sum, count, next } = lm.scoreFrom(texts[0], from, `sequence ${JSON.stringify(sequence.id)}`);
      return { result: [output("log_prob", "FP32", [1], [-sum]), output("perplexity", "FP32", [1], [Math.exp(sum / count)])], next };
    });
  };
  return {
    platform: "wasm-rnn language-model",
    inputs: [{ name: "text", datatype: "BYTES", shape: [-1] }],
    outputs: [{ name: "log_prob", datatype: "FP32", shape: [-1] }, { name: "perplexity", datatype: "FP32", shape: [-1] }],
    required: ["text"],
    batcher,
    sequences,
    batchFirst: true,
    async infer(inputs, parameters, signal) {
      const texts = inputs.get("text")!.data as string[];
      const sequence = sequenceParameters(parameters);
      if (sequence) return scoreChunk(texts, sequence);
      const scores = await Promise.all(texts.map((text) => batcher.score(text, { signal })));
      return [output("log_prob", "FP32", [texts.length], scores.map((s) => s.logProb)), output("perplexity", "FP32", [texts.length], scores.map((s) => s.perplexity))];
    },
    generate(prompt, parameters, signal) {
      const { maxTokens, ...sampling } = generationParameters(parameters);
      return lm.generate({ prime: prompt, length: maxTokens ?? 64, ...sampling, signal });
    },
    dispose() {
      sequences.clear();
      batcher.close();
      lm.dispose();
    },
  };
}

/** Classifier and tagger: token ids (or feature vectors) per row, each row cut to its length. */
function encoderModel(model: SequenceClassifier | SequenceTagger, batcher: Batcher): ServedModel {
  const tokens = model.encoder.embedding !== null;
  const input: TensorSpec = tokens ? { name: "input_ids", datatype: "INT64", shape: [-1, -1] } : { name: "input", datatype: "FP32", shape: [-1, -1, model.encoder.rnn.inputSize] };
  const classifier = model instanceof SequenceClassifier;
  const classes = model.head.outFeatures;
  // A bidirectional encoder needs each sequence whole: such a model keeps no sequences.
  const sequences = model.encoder.rnn.bidirectional ? null : new SessionStore<unknown>({}, "wasm-rnn serve");
  const answer = (classified: Classified[]) => [
    output("probabilities", "FP32", [classified.length, classes], classified.flatMap((r) => Array.from(r.probabilities))),
    output("label", "INT32", [classified.length], classified.map((r) => r.label)),
  ];
  const tagsAnswer = (tags: number[][], T: number) => [output("tags", "INT32", [tags.length, T], tags.flatMap((row) => [...row, ...new Array<number>(T - row.length).fill(-1)]))];
  /** One chunk of a sequence, going on from the chunks before it. */
  const chunk = (rows: SequenceInput[], T: number, sequence: { id: string; start: boolean; end: boolean }) => {
    if (rows.length !== 1) throw new RequestError(`a request of a sequence (sequence_id) takes one row; got ${rows.length}`);
    const where = `sequence ${JSON.stringify(sequence.id)}`;
    return continueSequence(sequences!, sequence, (from) => {
      if (model instanceof SequenceClassifier) {
        const { classified, next } = model.classifyFrom(rows[0], from as ClassifierState | null, where);
        return { result: answer([classified]), next };
      }
      const { tags, next } = model.tagFrom(rows[0], from as EncoderState | null, where);
      return { result: tagsAnswer([tags], T), next };
    });
  };
  return {
    platform: `wasm-rnn ${model.modelType}`,
    inputs: [input, { name: "lengths", datatype: "INT64", shape: [-1] }],
    outputs: classifier
      ? [{ name: "probabilities", datatype: "FP32", shape: [-1, classes] }, { name: "label", datatype: "INT32", shape: [-1] }]
      : [{ name: "tags", datatype: "INT32", shape: [-1, -1] }],
    required: [input.name],
    batcher,
    sequences,
    batchFirst: true,
    async infer(inputs, parameters, signal) {
      const x = inputs.get(input.name)!;
      const [B, T] = x.shape;
      const lengths = inputs.get("lengths");
      if (lengths && lengths.shape[0] !== B) throw new RequestError(`input "lengths" must have ${B} values, one per row of "${input.name}"; got ${lengths.shape[0]}`);
      const rows = rowsOf(x).map((row, b) => {
        const L = lengths ? (lengths.data[b] as number) : T;
        if (L < 1 || L > T) throw new RequestError(`input "lengths": lengths[${b}] = ${L} is outside 1…${T}`);
        const steps = row.slice(0, L * (tokens ? 1 : input.shape[2])) as number[];
        return (tokens ? steps : Array.from({ length: L }, (_, t) => steps.slice(t * input.shape[2], (t + 1) * input.shape[2]))) as SequenceInput;
      });
      const sequence = sequenceParameters(parameters);
      if (sequence) return chunk(rows, T, sequence);
      if (classifier) return answer(await Promise.all(rows.map((s) => batcher.classify(s, { signal }))));
      return tagsAnswer(await Promise.all(rows.map((s) => batcher.tag(s, { signal }))), T);
    },
    dispose() {
      sequences?.clear();
      batcher.close();
      model.dispose();
    },
  };
}

function seq2seq(model: Seq2Seq, batcher: Batcher): ServedModel {
  return {
    platform: "wasm-rnn seq2seq",
    inputs: [{ name: "text", datatype: "BYTES", shape: [-1] }],
    outputs: [{ name: "text_output", datatype: "BYTES", shape: [-1] }],
    required: ["text"],
    batcher,
    sequences: null,
    batchFirst: true,
    async infer(inputs, parameters, signal) {
      const texts = inputs.get("text")!.data as string[];
      const beamWidth = intParameter(parameters, "beam_width", 1, 1, model.sizes.V);
      const maxLength = intParameter(parameters, "max_tokens", undefined, 1, 100_000);
      const options = beamWidth! > 1 ? { strategy: "beam" as const, beamWidth, maxLength } : { maxLength };
      const decoded = await Promise.all(texts.map((text) => batcher.decode(text, { ...options, signal })));
      return [output("text_output", "BYTES", [texts.length], decoded.map((d) => d.text))];
    },
    generate(source, parameters, signal) {
      const { maxTokens, ...sampling } = generationParameters(parameters);
      const sampled = Object.values(sampling).some((v) => v !== undefined);
      return model.decodeStream(source, { strategy: sampled ? "sample" : "greedy", maxLength: maxTokens, ...sampling, signal });
    },
    dispose() {
      batcher.close();
      model.dispose();
    },
  };
}

const DATATYPE_OF: Record<OnnxType, Datatype> = { float32: "FP32", float64: "FP64", float16: "FP16", int32: "INT32", int64: "INT64", int8: "INT8", uint8: "UINT8", bool: "BOOL" };

/** An ONNX model's own inputs and outputs; sizes it does not declare are −1 (any). Runs on the pool's
 *  workers when given. With state pairs (Silero's state → stateN, found by name or given), the server
 *  keeps each stream's state by sequence_id — its requests send only the other inputs, and get the
 *  other outputs back — and the frames of concurrent streams run together (stream-batcher.ts). */
function onnxModel(session: InferenceSession, options: BatcherOptions, states: readonly string[]): ServedModel {
  const { inputs, outputs } = session.signature;
  const { pool } = options;
  const spec = (v: { name: string; type: OnnxType | null; dims: (number | null)[] | null }): TensorSpec =>
    ({ name: v.name, datatype: DATATYPE_OF[v.type ?? "float32"], shape: v.dims ? v.dims.map((d) => d ?? -1) : [], anyShape: v.dims === null });
  const pairs = statePairs(session, states);
  const stateInputs = new Set(pairs.map(([input]) => input)), stateOutputs = new Set(pairs.map(([, output]) => output));
  const run = (feeds: Record<string, OnnxTensor>, signal?: AbortSignal) =>
    pool ? pool.run<Record<string, OnnxTensor>>(session, "run", [feeds], { signal }) : session.run(feeds);
  const streamAxes = pairs.length ? batchAxes(session, pairs) : null;
  const streams = streamAxes
    ? new StreamBatcher(run, streamAxes, options.maxBatchSize ?? 32, (frames, seconds) => {
        options.onBatch?.(frames);
        options.onBatchEnd?.(frames, seconds);
      })
    : null;
  const sequences = streams ? new SessionStore<Record<string, OnnxTensor>>({}, "wasm-rnn serve") : null;
  const answer = (results: Record<string, OnnxTensor>, names: readonly string[]) =>
    names.map((name) => {
      const r = results[name];
      return output(name, DATATYPE_OF[r.type], [...r.dims], Array.from(r.data as ArrayLike<number | bigint>, Number));
    });
  return {
    platform: "wasm-rnn onnx",
    inputs: inputs.map(spec),
    outputs: outputs.map(spec),
    required: session.inputNames.filter((name) => !stateInputs.has(name)),
    batcher: null,
    sequences: sequences as SessionStore<unknown> | null,
    batchFirst: false,
    async infer(given, parameters, signal) {
      const feeds: Record<string, OnnxTensor> = {};
      for (const [name, t] of given) {
        const type = inputs.find((i) => i.name === name)!.type ?? (t.datatype === "FP32" ? "float32" : "int64");
        const data = type === "int64" ? BigInt64Array.from(t.data as number[], BigInt) : type === "int32" ? Int32Array.from(t.data as number[]) : Float32Array.from(t.data as number[]);
        feeds[name] = new OnnxTensor(type, data, t.shape);
      }
      const sequence = sequences ? sequenceParameters(parameters) : null;
      if (!sequence || !sequences || !streams) {
        const missing = [...stateInputs].filter((name) => !given.has(name));
        if (missing.length) throw new RequestError(`input "${missing[0]}" is missing (or send parameters.sequence_id, sequence_start and sequence_end: the server then keeps the state)`);
        return answer(await run(feeds, signal), session.outputNames);
      }
      const sent = [...stateInputs].find((name) => given.has(name));
      if (sent) throw new RequestError(`input "${sent}" is the stream's state, which the server keeps for sequence ${JSON.stringify(sequence.id)}: leave it out`);
      const from = sequence.start ? null : sequences.get(sequence.id);
      if (from === undefined) throw new RequestError(`sequence ${JSON.stringify(sequence.id)} is not open: its first request needs sequence_start: true`);
      if (sequence.start) sequences.checkRoom(sequence.id, "wasm-rnn serve");
      for (const name of stateInputs) feeds[name] = from ? from[name] : initialState(inputs.find((i) => i.name === name)!, "wasm-rnn serve");
      checkFrame(feeds, streamAxes!, stateInputs);
      // A refused frame leaves the stream's state as it was.
      let results: Record<string, OnnxTensor>;
      try {
        results = await streams.submit(feeds);
      } catch (e) {
        if (!(e instanceof WasmRnnError)) throw e;
        const shapes = Object.entries(feeds).filter(([name]) => !stateInputs.has(name)).map(([name, t]) => `input "${name}" [${t.dims.join(", ")}]`);
        throw new RequestError(`sequence ${JSON.stringify(sequence.id)}: the frame (${shapes.join(", ")}) was refused, the stream's state kept: ${e.message}`);
      }
      if (sequence.end) sequences.end(sequence.id);
      else sequences.set(sequence.id, Object.fromEntries(pairs.map(([input, out]) => [input, results[out]])));
      return answer(results, session.outputNames.filter((name) => !stateOutputs.has(name)));
    },
    dispose: () => void session.release(),
  };
}

/** A stream's frame must have the batch its state has on every batched input (one stream, one row):
 *  a 400 naming the input otherwise. */
function checkFrame(feeds: Readonly<Record<string, OnnxTensor>>, axes: BatchAxes, states: ReadonlySet<string>): void {
  const stateBatch = [...states].map((name) => {
    const axis = axes.inputs.get(name);
    return axis === null || axis === undefined ? null : feeds[name].dims[axis];
  }).find((b) => b !== null) ?? 1;
  for (const [name, t] of Object.entries(feeds)) {
    const axis = axes.inputs.get(name);
    if (states.has(name) || axis === null || axis === undefined) continue;
    if (t.dims[axis] !== stateBatch) throw new RequestError(`input "${name}": a stream's frame has ${stateBatch} on its batch axis ${axis}, as the stream's state; got [${t.dims.join(", ")}]`);
  }
}

/** A Keras model's own inputs (FP32, batch first) and outputs. Runs on `pool`'s workers when given. */
function kerasModel(model: LayersModel, pool: WorkerPool | undefined): ServedModel {
  const shapeOf = (dims: readonly (number | null)[]) => dims.map((d) => d ?? -1);
  return {
    platform: "wasm-rnn keras",
    inputs: model.inputNames.map((name, i) => ({ name, datatype: "FP32", shape: shapeOf(model.inputShapes[i]) })),
    outputs: model.outputNames.map((name, i) => ({ name, datatype: "FP32", shape: shapeOf(model.outputShapes[i]) })),
    required: [...model.inputNames],
    batcher: null,
    sequences: null,
    batchFirst: true,
    async infer(given, _parameters, signal) {
      const tensors = model.inputNames.map((name) => new Tensor(Float32Array.from(given.get(name)!.data as number[]), given.get(name)!.shape));
      const input = tensors.length === 1 ? tensors[0] : tensors;
      const result = pool ? await pool.run<Tensor | Tensor[]>(model, "predict", [input], { signal }) : model.predict(input);
      const results = Array.isArray(result) ? result : [result];
      return results.map((t, i) => output(model.outputNames[i], "FP32", [...t.shape], t.data));
    },
    dispose: () => model.dispose(),
  };
}
