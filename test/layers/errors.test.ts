// Bad input at the layer API: every case is a typed error naming the problem, and the layer is
// unchanged afterwards (same outputs, same parameters, backward still refers to the last good forward).

import { beforeAll, describe, expect, it } from "vitest";
import { init, LSTM, GRU, RNN, tensor, readSafetensors, writeSafetensors, ShapeError, NumericError, FormatError, ResourceError, type Recurrent } from "../../src/index.js";
import { expectError } from "../helpers/errors.js";

beforeAll(async () => {
  await init();
});

const T = 4, B = 3, I = 5, H = 6;
const x = tensor(Float32Array.from({ length: T * B * I }, (_, i) => Math.sin(i)), [T, B, I]);

describe("constructor options", () => {
  it.each([
    [() => new LSTM({ inputSize: 0, hiddenSize: 4 }), /inputSize must be a positive integer; got 0/],
    [() => new LSTM({ inputSize: 1.5, hiddenSize: 4 }), /inputSize must be a positive integer; got 1.5/],
    [() => new GRU({ inputSize: 3, hiddenSize: "4" as unknown as number }), /hiddenSize must be a positive integer; got "4"/],
    [() => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: -1 }), /numLayers must be a positive integer; got -1/],
    [() => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 4 }), /projSize must be an integer from 0 to hiddenSize − 1; got 4/],
    [() => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: "sigmoid" as "tanh" }), /nonlinearity must be "tanh" or "relu"; got "sigmoid"/],
    [() => new GRU({ inputSize: 3, hiddenSize: 4, resetAfter: 1 as unknown as boolean }), /resetAfter must be true or false; got 1/],
    [() => new LSTM({ inputSize: 3, hiddenSize: 4, bidirectional: "yes" as unknown as boolean }), /bidirectional must be true or false/],
    [() => new LSTM(null as unknown as { inputSize: number; hiddenSize: number }), /options must be an object/],
  ])("rejects %#", (make, message) => expectError(make, ShapeError, message));

  it("refuses absurd sizes with a ResourceError before allocating", () => {
    expectError(() => new LSTM({ inputSize: 100000, hiddenSize: 100000 }), ResourceError, /memory limit/);
  });
});

describe("forward and backward inputs", () => {
  let layer: Recurrent;
  let reference: Float32Array;
  let referenceGrad: Float32Array;
  let params: Record<string, { data: Float32Array }>;

  beforeAll(() => {
    layer = new LSTM({ inputSize: I, hiddenSize: H, bidirectional: true, seed: 3 });
    reference = layer.forward(x).output.data;
    referenceGrad = layer.backward(tensor(new Float32Array(T * B * 2 * H).fill(1), [T, B, 2 * H])).gradInput.data;
    params = layer.stateDict();
  });

  /** After any rejected call, the layer still computes what it did before. */
  function expectUnchanged(): void {
    const state = layer.stateDict();
    for (const [k, v] of Object.entries(params)) expect(state[k].data).toEqual(v.data);
    expect(layer.forward(x).output.data).toEqual(reference);
  }

  const nan = Float32Array.from(x.data);
  nan[17] = NaN;
  const inf = Float32Array.from(x.data);
  inf[3] = -Infinity;

  it.each([
    ["rank 1", () => layer.forward(tensor(new Float32Array(5), [5])), ShapeError, /rank 3 \(\[T, B, I\]\) or 2 \(\[T, I\]\); got rank 1/],
    ["rank 4", () => layer.forward(tensor(new Float32Array(5), [1, 1, 1, 5])), ShapeError, /got rank 4/],
    ["feature size", () => layer.forward(tensor(new Float32Array(24), [2, 3, 4])), ShapeError, /must have 5 features in its last dimension \(\[T, B, I\]\); got shape \[2, 3, 4\]/],
    ["zero steps", () => layer.forward(tensor(new Float32Array(0), [0, 3, 5])), ShapeError, /at least one step/],
    ["not a tensor", () => layer.forward({ shape: [T, B, I], data: [1, 2] } as never), ShapeError, /must be a Tensor/],
    ["data shorter than shape", () => layer.forward({ shape: [T, B, I], data: new Float32Array(3) }), ShapeError, /needs 60 values but data has 3/],
    ["NaN in x", () => layer.forward(tensor(nan, [T, B, I])), NumericError, /x contains NaN at flat index 17/],
    ["Inf in x", () => layer.forward(tensor(inf, [T, B, I])), NumericError, /x contains -Infinity at flat index 3/],
    ["h0 shape", () => layer.forward(x, { h0: tensor(new Float32Array(2 * H), [2, 1, H]) }), ShapeError, /h0 must have shape \[2, 3, 6\]/],
    ["c0 shape", () => layer.forward(x, { c0: tensor(new Float32Array(H), [1, 1, H]) }), ShapeError, /c0 must have shape \[2, 3, 6\]/],
    ["NaN in h0", () => layer.forward(x, { h0: tensor(new Float32Array(2 * B * H).fill(NaN), [2, B, H]) }), NumericError, /h0 contains NaN/],
    ["length 0", () => layer.forward(x, { lengths: [4, 0, 2] }), ShapeError, /lengths\[1\] must be an integer from 1 to 4 \(the number of steps\); got 0/],
    ["length above T", () => layer.forward(x, { lengths: [4, 5, 2] }), ShapeError, /lengths\[1\] must be an integer from 1 to 4/],
    ["fractional length", () => layer.forward(x, { lengths: [4, 2.5, 2] }), ShapeError, /got 2.5/],
    ["lengths count", () => layer.forward(x, { lengths: [4, 2] }), ShapeError, /one entry per sequence \(3\); got 2/],
    ["gradOutput shape", () => layer.backward(tensor(new Float32Array(T * B * H), [T, B, H])), ShapeError, /gradOutput must have shape \[4, 3, 12\]/],
    ["NaN in gradOutput", () => layer.backward(tensor(new Float32Array(T * B * 2 * H).fill(NaN), [T, B, 2 * H])), NumericError, /gradOutput contains NaN/],
    ["gradHN shape", () => layer.backward(null, { gradHN: tensor(new Float32Array(H), [1, 1, H]) }), ShapeError, /gradHN must have shape \[2, 3, 6\]/],
    ["int8 x", () => layer.forward(tensor(new Int8Array(T * B * I), [T, B, I]) as never), ShapeError, /LSTM\.forward: x must be a float32 tensor; got an int8 tensor/],
    ["int8 h0", () => layer.forward(x, { h0: tensor(new Int8Array(2 * B * H), [2, B, H]) as never }), ShapeError, /h0 must be a float32 tensor; got an int8 tensor/],
    ["int8 gradOutput", () => layer.backward(tensor(new Int8Array(T * B * 2 * H), [T, B, 2 * H]) as never), ShapeError, /gradOutput must be a float32 tensor; got an int8 tensor/],
  ])("%s", (_label, call, type, message) => {
    expectError(call, type, message);
    expectUnchanged();
  });

  it("a rejected forward leaves the last good forward for backward", () => {
    layer.forward(x);
    expectError(() => layer.forward(tensor(nan, [T, B, I])), NumericError, /NaN/);
    const again = layer.backward(tensor(new Float32Array(T * B * 2 * H).fill(1), [T, B, 2 * H]));
    expect(again.gradInput.data).toEqual(referenceGrad);
  });

  it("unsorted lengths are valid", () => {
    expect(layer.forward(x, { lengths: [2, 4, 3] }).output.shape).toEqual([T, B, 2 * H]);
  });
});

describe("state dicts", () => {
  it("rejects missing, unexpected, misshapen and non-finite tensors and keeps the old values", () => {
    const layer = new GRU({ inputSize: 3, hiddenSize: 4, seed: 1 });
    const good = layer.stateDict();
    const { weight_hh_l0: _dropped, ...missing } = good;
    expectError(() => layer.loadStateDict(missing), FormatError, /missing weight_hh_l0/);
    expectError(() => layer.loadStateDict({ ...good, "fc.weight": good.bias_ih_l0 }), FormatError, /unexpected fc\.weight/);
    expectError(() => layer.loadStateDict({ ...good, weight_ih_l0: tensor(new Float32Array(12), [3, 4]) }), ShapeError, /weight_ih_l0 must have shape \[12, 3\]; got \[3, 4\]/);
    const bad = tensor(Float32Array.from(good.bias_hh_l0.data), [12]);
    bad.data[5] = Infinity;
    expectError(() => layer.loadStateDict({ ...good, bias_hh_l0: bad, weight_hh_l0: tensor(new Float32Array(48), [12, 4]) }), NumericError, /bias_hh_l0 has a non-finite value \(Infinity\) at index 5/);
    expectError(() => layer.loadStateDict({ ...good, bias_ih_l0: { shape: [12] } as never }), FormatError, /bias_ih_l0 is not a tensor/);
    const after = layer.stateDict();
    for (const k of Object.keys(good)) expect(after[k].data).toEqual(good[k].data);
    layer.dispose();
  });

  it("refuses an int8 tensor for a float32 parameter, naming it, before writing any entry", () => {
    const layer = new GRU({ inputSize: 3, hiddenSize: 4, seed: 1 });
    const good = layer.stateDict();
    const source = new GRU({ inputSize: 3, hiddenSize: 4, seed: 2 });
    const other = source.stateDict();
    source.dispose();
    // weight_ih_l0 comes first and is valid: it must not be written when weight_hh_l0 is refused.
    const quantized = { ...other, weight_hh_l0: tensor(new Int8Array(48), [12, 4]) };
    expectError(() => layer.loadStateDict(quantized), FormatError, /GRU\.loadStateDict: weight_hh_l0 has dtype int8; expected float32/);
    expectError(() => layer.loadStateDict(readSafetensors(writeSafetensors(quantized)).tensors), FormatError, /weight_hh_l0 has dtype int8; expected float32/);
    expectError(() => layer.loadStateDict({ "rnn.weight_hh_l0": quantized.weight_hh_l0 }, { prefix: "rnn.", strict: false }), FormatError, /rnn\.weight_hh_l0 has dtype int8/);
    const after = layer.stateDict();
    for (const k of Object.keys(good)) expect(after[k].data).toEqual(good[k].data);
    layer.loadStateDict(readSafetensors(writeSafetensors(other)).tensors);
    expect(layer.stateDict().weight_ih_l0.data).toEqual(other.weight_ih_l0.data);
    layer.dispose();
  });

  it("loads a submodule's entries by prefix, as from a whole PyTorch model's state_dict", () => {
    const source = new GRU({ inputSize: 3, hiddenSize: 4, seed: 2 });
    const model = Object.fromEntries(Object.entries(source.stateDict()).map(([k, v]) => [`encoder.rnn.${k}`, v]));
    model["decoder.weight"] = tensor([1, 2], [2]);
    const layer = new GRU({ inputSize: 3, hiddenSize: 4, seed: 1 });
    layer.loadStateDict(model, { prefix: "encoder.rnn." });
    expect(layer.stateDict().weight_hh_l0.data).toEqual(source.stateDict().weight_hh_l0.data);
    expectError(() => layer.loadStateDict(model, { prefix: "encoder." }), FormatError, /missing encoder\.weight_ih_l0/);
    source.dispose();
    layer.dispose();
  });

  it("loads a partial record with strict: false", () => {
    const layer = new RNN({ inputSize: 2, hiddenSize: 3, seed: 1 });
    const zeros = tensor(new Float32Array(3), [3]);
    layer.loadStateDict({ bias_ih_l0: zeros }, { strict: false });
    expect(layer.stateDict().bias_ih_l0.data).toEqual(new Float32Array(3));
    layer.dispose();
  });
});

describe("lifecycle", () => {
  it("backward before any forward is a clear error", () => {
    const layer = new RNN({ inputSize: 2, hiddenSize: 3 });
    expectError(() => layer.backward(null), ShapeError, /call forward first/);
    layer.dispose();
  });

  it("a disposed layer refuses every call; dispose is idempotent", () => {
    const layer = new LSTM({ inputSize: 2, hiddenSize: 3 });
    layer.dispose();
    layer.dispose();
    expectError(() => layer.forward(tensor(new Float32Array(2), [1, 2])), ResourceError, /LSTM\.forward: the layer was disposed/);
    expectError(() => layer.stateDict(), ResourceError, /disposed/);
  });
});

describe("disposed models", () => {
  it("refuse every call with a ResourceError", async () => {
    const { LanguageModel, CharTokenizer, SequenceClassifier } = await import("../../src/index.js");
    const lm = new LanguageModel(CharTokenizer.fit("abcabc"), { hiddenSize: 4, embeddingDim: 2 });
    lm.dispose();
    lm.dispose();
    expectError(() => lm.sample(), ResourceError, /language-model\.sample: the model was disposed/);
    expectError(() => lm.perplexity("abc"), ResourceError, /disposed/);
    const classifier = new SequenceClassifier({ inputSize: 2, hiddenSize: 3, numClasses: 2 });
    classifier.dispose();
    expectError(() => classifier.predict([[[1, 2]]]), ResourceError, /sequence-classifier\.predict: the model was disposed/);
    expectError(() => classifier.stateDict(), ResourceError, /disposed/);
  });
});
