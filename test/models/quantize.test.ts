// quantizeDynamic on the models: a trained language model (sampling, log-probability, perplexity), a
// classifier and a tagger (token and feature inputs), a Seq2Seq with a bidirectional encoder, bridges
// and attention under every decoding strategy — each near its float32 original, which stays as it
// was; quantized state through safetensors and checkpoints, byte for byte, at under 30% of the size;
// and the refusals: training, quantizing twice, NaN weights, a missing, misshapen or negative scale —
// each leaving the model unchanged. All-zero weight rows and inputs, and huge inputs, stay finite.
// The `layers` option on every model type: the selected kinds int8, the rest float32 and bit for bit
// the float model's, through checkpoints and safetensors; every malformed option refused.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  init, CharTokenizer, LanguageModel, SequenceClassifier, SequenceTagger, Seq2Seq, Dense, LSTM, Trainer, streamData, quantizeDynamic,
  checkpointToBytes, checkpointFromBytes, saveCheckpoint, loadCheckpoint, readSafetensors, writeSafetensors, createModel, tensor, Tensor,
  FormatError, NumericError, ShapeError, UnsupportedError, type AnyTensor, type Model, type QuantizeOptions,
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

    const file = readSafetensors(writeSafetensors(int8.stateDict())).tensors;
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
      const out = q.decode(["1234", "98765"], { strategy, beamWidth: 3, maxLength: 8, seed: 1 });
      expect(out).toEqual(q.decode(["1234", "98765"], { strategy, beamWidth: 3, maxLength: 8, seed: 1 }));
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

describe("quantizeDynamic's layers option", () => {
  const random = new Random(9);
  const uniform = (shape: number[]) => tensor(random.uniformArray(shape.reduce((a, b) => a * b, 1), -1, 1), shape);
  const values = (t: Tensor) => Array.from(t.data);
  const maxDiff = (a: Tensor, b: Tensor) => Math.max(...Array.from(a.data, (v, i) => Math.abs(v - b.data[i])));

  /** The weights named by `int8` are int8 with their row scales; every other tensor is float32 and the float model's, bit for bit. */
  function expectPartial(q: Model, float: Model, int8: RegExp): void {
    const state = q.stateDict(), floatState = float.stateDict();
    const names = Object.keys(state).filter((name) => !name.endsWith("_scale"));
    const quantized = names.filter((name) => int8.test(name));
    expect(quantized.length).toBeGreaterThan(0);
    expect(Object.keys(state).filter((name) => name.endsWith("_scale"))).toEqual(quantized.map((name) => `${name}_scale`));
    for (const name of names) {
      expect(state[name].dtype, name).toBe(quantized.includes(name) ? "int8" : "float32");
      if (!quantized.includes(name)) expect(values(state[name] as Tensor), name).toEqual(values(floatState[name] as Tensor));
    }
  }

  it("a language model: Dense only or LSTM only — the rest float32 and bit-identical, its config lists the kinds; checkpoints and safetensors round-trip it", () => {
    const lm = new LanguageModel(CharTokenizer.fit(TEXT), { hiddenSize: 32, embeddingDim: 8, numLayers: 2, seed: 3 });
    const head = quantizeDynamic(lm, { layers: ["dense"] }), recurrent = quantizeDynamic(lm, { layers: ["lstm", "gru"] }), all = quantizeDynamic(lm, { layers: ["dense", "lstm"] });
    expect([head.quantized, recurrent.quantized, all.quantized, lm.quantized]).toEqual([true, true, true, false]);
    expect([head.config().quantized, recurrent.config().quantized, all.config().quantized]).toEqual([["dense"], ["lstm"], true]);
    expectPartial(head, lm, /^fc\.weight$/);
    expectPartial(recurrent, lm, /^rnn\.weight_/);
    const x = uniform([6, 2, 8]);
    expect(values(head.rnn.forward(x).output)).toEqual(values(lm.rnn.forward(x).output));
    const d = maxDiff(recurrent.rnn.forward(x).output, lm.rnn.forward(x).output);
    expect(d).toBeGreaterThan(1e-6); // the int8 kernels ran
    expect(d).toBeLessThan(0.03);
    for (const q of [head, recurrent]) expect(Math.abs(q.logProb(TEXT) / lm.logProb(TEXT) - 1)).toBeLessThan(0.01);

    const loaded = checkpointFromBytes(checkpointToBytes(recurrent).bytes).model as LanguageModel;
    expect(loaded.config().quantized).toEqual(["lstm"]);
    expect(snapshot(loaded)).toEqual(snapshot(recurrent));
    expect(loaded.logProb(TEXT)).toBe(recurrent.logProb(TEXT));
    const file = readSafetensors(writeSafetensors(head.stateDict())).tensors;
    expect(file["fc.weight"].data).toBeInstanceOf(Int8Array);
    expect(file["rnn.weight_ih_l0"].data).toBeInstanceOf(Float32Array);
    const rebuilt = createModel("language-model", head.config()) as LanguageModel;
    rebuilt.loadStateDict(file);
    expect(rebuilt.logProb(TEXT)).toBe(head.logProb(TEXT));
    for (const m of [lm, head, recurrent, all, loaded, rebuilt]) m.dispose();
  });

  it.each([
    ["a classifier (bidirectional GRU, token inputs)", "gru", () => new SequenceClassifier({ vocabSize: 20, embeddingDim: 8, cell: "gru", hiddenSize: 24, numLayers: 2, bidirectional: true, numClasses: 3, seed: 5 })],
    ["a tagger (RNN, feature inputs)", "rnn", () => new SequenceTagger({ inputSize: 3, cell: "rnn", hiddenSize: 20, numTags: 4, seed: 6 })],
  ] as const)("%s: the head only, or the encoder only; the other part float32 and bit-identical; a checkpoint round trip", (_label, kind, make) => {
    const float = make();
    const head = quantizeDynamic(float, { layers: ["dense"] }), recurrent = quantizeDynamic(float, { layers: [kind] });
    expect([head.config().quantized, recurrent.config().quantized]).toEqual([["dense"], [kind]]);
    expectPartial(head, float, /^fc\.weight$/);
    expectPartial(recurrent, float, /^rnn\.weight_/);
    const x = uniform([5, 3, float.encoder.rnn.inputSize]), features = uniform([4, float.head.inFeatures]);
    expect(values(head.encoder.rnn.forward(x).output)).toEqual(values(float.encoder.rnn.forward(x).output));
    expect(maxDiff(head.head.forward(features), float.head.forward(features))).toBeGreaterThan(1e-6);
    expect(values(recurrent.head.forward(features))).toEqual(values(float.head.forward(features)));
    expect(maxDiff(recurrent.encoder.rnn.forward(x).output, float.encoder.rnn.forward(x).output)).toBeGreaterThan(1e-6);
    const loaded = checkpointFromBytes(checkpointToBytes(recurrent).bytes).model as typeof float;
    expect(loaded.config().quantized).toEqual([kind]);
    expect(snapshot(loaded)).toEqual(snapshot(recurrent));
    expect(values(loaded.encoder.rnn.forward(x).output)).toEqual(values(recurrent.encoder.rnn.forward(x).output));
    for (const m of [float, head, recurrent, loaded]) m.dispose();
  });

  it("a Seq2Seq with a bidirectional LSTM encoder, bridges and attention: Dense only or LSTM only; saved and loaded, it decodes the same", () => {
    const digits = CharTokenizer.fit("0123456789");
    const model = new Seq2Seq(digits, digits, { hiddenSize: 16, embeddingDim: 8, bidirectional: true, attention: "general", context: "every-step", seed: 8 });
    const dense = quantizeDynamic(model, { layers: ["dense"] }), recurrent = quantizeDynamic(model, { layers: ["lstm"] });
    expectPartial(dense, model, /^(fc|bridge\.[hc])\.weight$/);
    expectPartial(recurrent, model, /^(encoder|decoder)\.rnn\.weight_/);
    const x = uniform([4, 2, 8]);
    expect(values(dense.encoder.forward(x).output)).toEqual(values(model.encoder.forward(x).output));
    const h = uniform([2, model.head.inFeatures]);
    expect(values(recurrent.head.forward(h))).toEqual(values(model.head.forward(h)));
    const dir = mkdtempSync(join(tmpdir(), "wasm-rnn-partial-"));
    saveCheckpoint(dir, recurrent);
    const loaded = loadCheckpoint(dir).model as Seq2Seq;
    expect(loaded.config().quantized).toEqual(["lstm"]);
    expect(snapshot(loaded)).toEqual(snapshot(recurrent));
    const sources = ["1234", "98765"];
    for (const strategy of ["greedy", "beam"] as const) {
      expect(loaded.decode(sources, { strategy, beamWidth: 3, maxLength: 8 })).toEqual(recurrent.decode(sources, { strategy, beamWidth: 3, maxLength: 8 }));
    }
    const pairs = [{ source: "12345", target: "54321" }, { source: "908", target: "809" }];
    for (const q of [dense, recurrent]) {
      const ratio = q.batchLoss(pairs, false).loss / model.batchLoss(pairs, false).loss;
      expect(ratio).not.toBe(1); // the int8 kernels ran
      expect(Math.abs(ratio - 1)).toBeLessThan(0.01);
    }
    for (const m of [model, dense, recurrent, loaded]) m.dispose();
  });

  it("refuses malformed options, another dtype, a selection of none of the target's layers and a partly quantized target — each leaving the target unchanged", () => {
    const lm = new LanguageModel(CharTokenizer.fit(TEXT), { hiddenSize: 16, embeddingDim: 8, seed: 4 });
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
    const before = snapshot(lm), lstmBefore = snapshot(lstm);
    const refusals: [unknown, typeof ShapeError, RegExp][] = [
      [5, ShapeError, /quantizeDynamic: options must be an object; got 5/],
      [null, ShapeError, /quantizeDynamic: options must be an object; got null/],
      [{ layers: "dense" }, ShapeError, /options\.layers must be a non-empty array of distinct kinds from "lstm", "gru", "rnn", "dense"; got "dense"/],
      [{ layers: [] }, ShapeError, /options\.layers must be a non-empty array/],
      [{ layers: ["Conv1D"] }, ShapeError, /options\.layers\[0\] must be one of "lstm", "gru", "rnn", "dense"; got "Conv1D"/],
      [{ layers: ["lstm", "LSTM"] }, ShapeError, /options\.layers\[1\] must be one of "lstm", "gru", "rnn", "dense"; got "LSTM"/],
      [{ layers: ["dense", "lstm", "dense"] }, ShapeError, /options\.layers names dense twice/],
      [{ layer: ["Dense"] }, ShapeError, /quantizeDynamic: options has no "layer"; it takes layers and dtype/],
      [{ dtype: 8 }, ShapeError, /options\.dtype must be "int8"; got 8/],
      [{ dtype: "float16" }, UnsupportedError, /dtype "float16" is not supported; int8 is the only quantized type/],
      [{ layers: ["gru", "rnn"] }, UnsupportedError, /quantizeDynamic\(language-model\): layers \[gru, rnn\] selects none of its layers \(it has LSTM and Dense layers\)/],
    ];
    for (const [options, Kind, message] of refusals) {
      expect(() => quantizeDynamic(lm, options as QuantizeOptions), message.source).toThrow(Kind);
      expect(() => quantizeDynamic(lm, options as QuantizeOptions)).toThrow(message);
    }
    expect(() => quantizeDynamic(lstm, { layers: ["dense"] })).toThrow(UnsupportedError);
    expect(() => quantizeDynamic(lstm, { layers: ["dense"] })).toThrow(/quantizeDynamic\(LSTM\): layers \[dense\] selects none of its layers \(it has LSTM layers\)/);
    const partly = quantizeDynamic(lm, { layers: ["dense"] });
    const partlyBefore = snapshot(partly);
    expect(() => quantizeDynamic(partly, { layers: ["lstm"] })).toThrow(/quantizeDynamic\(language-model\): it is quantized already/);
    expect(snapshot(partly)).toEqual(partlyBefore);
    expect([snapshot(lm), snapshot(lstm), lm.quantized, lstm.quantized]).toEqual([before, lstmBefore, false, false]);
    const int8 = quantizeDynamic(lstm, { layers: ["lstm", "dense"], dtype: "int8" });
    expect(int8.quantized).toBe(true);
    // A config's `quantized` is checked when a model is built from it (a checkpoint's, say).
    expect(() => createModel("language-model", { ...lm.config(), quantized: ["Conv1D"] })).toThrow(/quantized\[0\] must be one of "lstm", "gru", "rnn", "dense"/);
    // A config saved by 0.1 names the kinds by layer class; it still builds, and is written back in kinds.
    const legacy = createModel("language-model", { ...lm.config(), quantized: ["LSTM"] }) as LanguageModel;
    expect([legacy.config().quantized, legacy.rnn.quantized, legacy.fc.quantized]).toEqual([["lstm"], true, false]);
    legacy.dispose();
    expect(() => createModel("language-model", { ...lm.config(), quantized: "yes" })).toThrow(ShapeError);
    expect(() => createModel("language-model", { ...lm.config(), quantized: "yes" })).toThrow(/quantized must be true, false or an array of kinds \(lstm, gru, rnn, dense\); got "yes"/);
    for (const m of [lm, partly]) m.dispose();
    for (const l of [lstm, int8]) l.dispose();
  });
});
