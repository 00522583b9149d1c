// quantizeDynamic on the models: a trained language model (sampling, log-probability, perplexity), a
// classifier and a tagger (token and feature inputs), a Seq2Seq with a bidirectional encoder, bridges
// and attention under every decoding strategy — each near its float32 original, which stays as it
// was; quantized state through safetensors and checkpoints, byte for byte, at under 30% of the size;
// and the refusals: training, quantizing twice, NaN weights, a missing, misshapen or negative scale —
// each leaving the model unchanged. All-zero weight rows and inputs, and huge inputs, stay finite.

import { beforeAll, describe, expect, it } from "vitest";
import {
  init, CharTokenizer, LanguageModel, SequenceClassifier, SequenceTagger, Seq2Seq, Dense, LSTM, Trainer, streamData, decode, quantizeDynamic,
  checkpointToBytes, checkpointFromBytes, readSafetensors, writeSafetensors, createModel, tensor, Tensor,
  FormatError, NumericError, UnsupportedError, type AnyTensor, type Model,
} from "../../src/index.js";
import { Random } from "../../src/random.js";

const TEXT = "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. ".repeat(6);

beforeAll(async () => {
  await init({ threads: 1 });
});

/** The state dict's tensors as plain arrays, for equality checks. */
function snapshot(model: { stateDict(): Record<string, AnyTensor> }): Record<string, number[]> {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, Array.from(t.data)]));
}

describe("quantizeDynamic on models", () => {
  let lm: LanguageModel;
  let int8: LanguageModel;

  beforeAll(async () => {
    const tokenizer = CharTokenizer.fit(TEXT);
    lm = new LanguageModel(tokenizer, { hiddenSize: 64, embeddingDim: 16, numLayers: 2, seed: 1 });
    await new Trainer(lm, { lr: 1e-2, epochs: 12, seed: 1 }).fit(streamData(lm, tokenizer.encode(TEXT, { bos: true }), { batchSize: 4, bptt: 32 }));
    int8 = quantizeDynamic(lm);
  }, 120_000);

  it("a trained language model: int8 weights, its config says so, perplexity within 1% of float32, samples", () => {
    expect(int8).toBeInstanceOf(LanguageModel);
    expect(int8.quantized && !lm.quantized).toBe(true);
    expect(int8.config().quantized).toBe(true);
    const state = int8.stateDict();
    for (const name of ["rnn.weight_ih_l0", "rnn.weight_hh_l1", "fc.weight"]) expect(state[name].dtype, name).toBe("int8");
    for (const name of ["embedding.weight", "rnn.bias_ih_l0", "fc.bias", "fc.weight_scale"]) expect(state[name].dtype, name).toBe("float32");
    const f32 = lm.perplexity(TEXT), q = int8.perplexity(TEXT);
    console.log(`perplexity: float32 ${f32}, int8 ${q}`);
    expect(f32).toBeLessThan(3); // it learned the text
    expect(Math.abs(q / f32 - 1)).toBeLessThan(0.01);
    expect(int8.logProb(TEXT)).toBeCloseTo(lm.logProb(TEXT), -1);
    const greedy = int8.sample({ length: 60, topK: 1, prime: "It is a " });
    expect(greedy).toBe(int8.sample({ length: 60, topK: 1, prime: "It is a " }));
    expect(greedy.slice(0, 20)).toBe(lm.sample({ length: 60, topK: 1, prime: "It is a " }).slice(0, 20));
    expect(int8.sample({ length: 40, seed: 3 })).toHaveLength(40);
  });

  it("leaves the original as it was, refuses training and a second quantization", () => {
    const before = snapshot(lm);
    const again = quantizeDynamic(lm);
    expect(snapshot(lm)).toEqual(before);
    expect(snapshot(again)).toEqual(snapshot(int8));
    again.dispose();
    expect(() => new Trainer(int8)).toThrow(UnsupportedError);
    expect(() => new Trainer(int8)).toThrow(/LSTM layer is quantized/);
    expect(() => quantizeDynamic(int8)).toThrow(/quantizeDynamic\(language-model\): it is quantized already/);
    expect(() => int8.windowLoss(new Int32Array(8), new Int32Array(8), 4, 2, true, false)).toThrow(UnsupportedError);
    expect(() => quantizeDynamic({} as never)).toThrow(UnsupportedError);
  });

  it("round-trips through checkpoints and safetensors bit for bit, at under 30% of the float32 size", () => {
    const { bytes } = checkpointToBytes(int8);
    const f32Bytes = checkpointToBytes(lm).bytes;
    console.log(`checkpoint: float32 ${f32Bytes.length} bytes, int8 ${bytes.length} bytes (${((100 * bytes.length) / f32Bytes.length).toFixed(1)}%)`);
    expect(bytes.length / f32Bytes.length).toBeLessThan(0.3);
    const loaded = checkpointFromBytes(bytes).model as LanguageModel;
    expect(loaded.quantized).toBe(true);
    expect(snapshot(loaded)).toEqual(snapshot(int8));
    expect(loaded.logProb(TEXT)).toBe(int8.logProb(TEXT));
    loaded.dispose();

    const file = readSafetensors(writeSafetensors(int8.stateDict()));
    expect(file["rnn.weight_hh_l0"].data).toBeInstanceOf(Int8Array);
    const rebuilt = createModel("language-model", int8.config());
    rebuilt.loadStateDict(file);
    expect((rebuilt as LanguageModel).logProb(TEXT)).toBe(int8.logProb(TEXT));
    rebuilt.dispose();
  });

  it("refuses a missing, misshapen or negative scale and an int8 weight for a float one, changing nothing", () => {
    const state = int8.stateDict();
    const before = snapshot(int8);
    const { "fc.weight_scale": _dropped, ...missing } = state;
    expect(() => int8.loadStateDict(missing)).toThrow(FormatError);
    expect(() => int8.loadStateDict(missing, { strict: false })).toThrow(/fc\.weight is given without fc\.weight_scale/);
    const rows = state["fc.weight_scale"].shape[0];
    const misshapen = { ...state, "fc.weight_scale": new Tensor(new Float32Array(rows + 1), [rows + 1]) };
    expect(() => int8.loadStateDict(misshapen)).toThrow(FormatError);
    expect(() => int8.loadStateDict(misshapen)).toThrow(/one scale per row of fc\.weight/);
    const negative = { ...state, "rnn.weight_hh_l0_scale": new Tensor(state["rnn.weight_hh_l0_scale"].data.map((v, i) => (i === 3 ? -v : v)), state["rnn.weight_hh_l0_scale"].shape) };
    expect(() => int8.loadStateDict(negative)).toThrow(/negative scale .* at row 3/);
    expect(() => lm.loadStateDict(state)).toThrow(FormatError);
    expect(snapshot(int8)).toEqual(before);
  });

  it("a classifier and a tagger, token and feature inputs: logits near float32", () => {
    const random = new Random(4);
    const sequences = Array.from({ length: 6 }, (_, i) => Array.from({ length: 5 + i }, () => random.below(20)));
    const classifier = new SequenceClassifier({ vocabSize: 20, embeddingDim: 8, hiddenSize: 24, numLayers: 2, bidirectional: true, numClasses: 3, pooling: "mean", seed: 5 });
    const features = sequences.map((s) => s.map((v) => [Math.sin(v), Math.cos(v), v / 20]));
    const tagger = new SequenceTagger({ inputSize: 3, cell: "gru", hiddenSize: 20, numTags: 4, seed: 6 });
    const qc = quantizeDynamic(classifier), qt = quantizeDynamic(tagger);
    const [a, b] = [classifier.forward(sequences).data, qc.forward(sequences).data];
    const scale = Math.max(...Array.from(a, Math.abs));
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(0.05 * scale);
    expect(qt.predict(features).map((tags) => tags.length)).toEqual(features.map((f) => f.length));
    const lossF32 = tagger.batchLoss(features.map((f, i) => ({ input: f, tags: f.map((_, t) => (i + t) % 4) })), false).loss;
    const lossInt8 = qt.batchLoss(features.map((f, i) => ({ input: f, tags: f.map((_, t) => (i + t) % 4) })), false).loss;
    expect(Math.abs(lossInt8 / lossF32 - 1)).toBeLessThan(0.01);
    for (const m of [classifier, tagger, qc, qt] as Model[]) m.dispose();
  });

  it("a Seq2Seq with a bidirectional LSTM encoder, bridges and attention: every decoding strategy", () => {
    const digits = CharTokenizer.fit("0123456789");
    const model = new Seq2Seq(digits, digits, { hiddenSize: 32, embeddingDim: 8, bidirectional: true, attention: "general", context: "every-step", seed: 7 });
    const q = quantizeDynamic(model);
    const state = q.stateDict();
    for (const name of ["encoder.rnn.weight_ih_l0_reverse", "decoder.rnn.weight_hh_l0", "bridge.h.weight", "bridge.c.weight", "fc.weight"]) expect(state[name].dtype, name).toBe("int8");
    expect(state["attention.weight"]?.dtype ?? "float32").toBe("float32");
    const pairs = [{ source: "12345", target: "54321" }, { source: "908", target: "809" }];
    const f32 = model.batchLoss(pairs, false).loss, int8Loss = q.batchLoss(pairs, false).loss;
    expect(Math.abs(int8Loss / f32 - 1)).toBeLessThan(0.01);
    for (const strategy of ["greedy", "beam", "sample"] as const) {
      const out = decode(q, ["1234", "98765"], { strategy, beamWidth: 3, maxLength: 8, seed: 1 });
      expect(out).toEqual(decode(q, ["1234", "98765"], { strategy, beamWidth: 3, maxLength: 8, seed: 1 }));
      for (const d of out) expect(d.text.length).toBeLessThanOrEqual(8);
    }
    expect(() => new Trainer(q)).toThrow(UnsupportedError);
    model.dispose();
    q.dispose();
  });
});

describe("quantized layers at the edges", () => {
  it("NaN or infinite weights: a NumericError naming the weight, nothing built", () => {
    const layer = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
    const values = layer.stateDict().weight_hh_l0.data as Float32Array;
    values[5] = Number.NaN;
    layer.params.set("weight_hh_l0", values); // what a diverged training leaves behind
    expect(() => quantizeDynamic(layer)).toThrow(NumericError);
    expect(() => quantizeDynamic(layer)).toThrow(/weight_hh_l0 has a non-finite value \(NaN\) at index 5/);
    values[5] = Infinity;
    layer.params.set("weight_hh_l0", values);
    expect(() => quantizeDynamic(layer)).toThrow(/Infinity/);
    layer.dispose();
  });

  it("all-zero weight rows and all-zero inputs give the bias; huge inputs stay finite", () => {
    const dense = new Dense({ inFeatures: 6, outFeatures: 5, seed: 2 });
    const state = dense.stateDict();
    const w = Float32Array.from(state.weight.data);
    w.fill(0, 6, 12); // row 1
    dense.loadStateDict({ weight: tensor(w, [5, 6]), bias: state.bias });
    const q = quantizeDynamic(dense);
    expect(q.stateDict().weight_scale.data[1]).toBe(0);
    const y = q.forward(tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [2, 6])).data;
    expect(y[1]).toBe(state.bias.data[1]);
    expect(y[6]).toBe(state.bias.data[1]);
    expect(Array.from(q.forward(tensor(new Float32Array(6), [1, 6])).data)).toEqual(Array.from(state.bias.data));
    const huge = q.forward(tensor(Float32Array.from({ length: 6 }, (_, i) => (i % 2 ? 1e30 : -3e29)), [1, 6])).data;
    expect(huge.every(Number.isFinite)).toBe(true);
    const f32Huge = dense.forward(tensor(Float32Array.from({ length: 6 }, (_, i) => (i % 2 ? 1e30 : -3e29)), [1, 6])).data;
    for (let o = 0; o < 5; o++) expect(Math.abs(huge[o] - f32Huge[o])).toBeLessThanOrEqual(0.03 * Math.max(...Array.from(f32Huge, Math.abs)));
    const lstm = quantizeDynamic(new LSTM({ inputSize: 4, hiddenSize: 8, seed: 3 }));
    const out = lstm.forward(tensor(Float32Array.from({ length: 5 * 4 }, (_, i) => (i % 3 ? 1e30 : -1e30)), [5, 1, 4]));
    expect(out.output.data.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)).toBe(true);
    for (const l of [dense, q, lstm]) l.dispose();
  });
});
