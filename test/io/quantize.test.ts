// quantizeDynamic on imported models: a Keras LayersModel (built and seeded in tfjs, saved as tf.io
// saves it) and an ONNX InferenceSession (written here, float LSTM, GRU, MatMul and Gemm nodes). The
// int8 twin runs on the int8 kernels — its outputs stay within quantization error of the float
// references (tfjs, onnxruntime-node) yet differ from the float ones — while the original is left
// as it was; the two are disposed independently; quantizing twice, or a released model, is refused.
// Every recurrent ONNX fixture — ONNX cell options (activations, clip, coupled gates, peepholes),
// layouts, lengths — runs quantized too: the int8 kernels take every option the float ones do.
// The `layers` option selects kinds in both: the unselected layers and nodes give the float model's
// outputs bit for bit; a selection of none of the model's kinds is refused, the model unchanged.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { init, loadLayersModel, onnx, quantizeDynamic, ResourceError, UnsupportedError, type QuantizableKind, type Tensor } from "../../src/index.js";
import { Random } from "../../src/random.js";
import { modelBytes, node, tensorProto, valueInfo } from "../../scripts/onnx-writer.mjs";
import { maxDiff, ours, randomize, save, tf } from "../fixtures/keras/tfjs-models.js";
import { readTensorProto } from "../../src/io/onnx/tensor-proto.js";
import { FIXTURES } from "../helpers/fixtures.js";

/** Largest |int8 − float| accepted (outputs of magnitude ~1). */
const TOLERANCE = 3e-2;

beforeAll(async () => {
  await init({ threads: 1 });
});

describe("a Keras LayersModel", () => {
  const B = 3, T = 7;
  const build = () => {
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 12, outputDim: 8, maskZero: true, inputLength: T, inputShape: [T] }),
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 16, returnSequences: true }) as tf.RNN }),
        tf.layers.gru({ units: 12, returnSequences: true }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 5 }) }),
      ],
    });
    randomize(model, 4);
    return model;
  };
  const ids = tf.tensor(Float32Array.from([1, 5, 3, 7, 2, 0, 0, 4, 4, 11, 9, 8, 6, 1, 2, 3, 10, 0, 0, 0, 0]), [B, T]);

  it("runs Dense and recurrent layers on int8 within quantization error of tfjs; the original is unchanged", async () => {
    const reference = build();
    const float = await loadLayersModel(await save(reference));
    const before = (float.predict(ours(ids)) as Tensor).data.slice();
    const int8 = quantizeDynamic(float);
    expect([int8.quantized, float.quantized]).toEqual([true, false]);
    const vsTfjs = maxDiff(int8.predict(ours(ids)), reference.predict(ids) as tf.Tensor);
    console.log(`Keras Embedding → Bidirectional LSTM → GRU → TimeDistributed(Dense), int8: max |Δ| vs tfjs ${vsTfjs.toExponential(2)}`);
    expect(vsTfjs).toBeLessThan(TOLERANCE);
    expect(vsTfjs).toBeGreaterThan(1e-5); // float against float differs by ~1e-7: the int8 kernels ran
    expect(Array.from((float.predict(ours(ids)) as Tensor).data)).toEqual(Array.from(before));
    // Disposed independently: each keeps its own weights (the embedding is copied).
    float.dispose();
    expect(maxDiff(int8.predict(ours(ids)), reference.predict(ids) as tf.Tensor)).toBe(vsTfjs);
    expect(() => quantizeDynamic(int8)).toThrow(UnsupportedError);
    expect(() => quantizeDynamic(int8)).toThrow(/quantizeDynamic\(LayersModel\): it is quantized already/);
    expect(() => quantizeDynamic(float)).toThrow(ResourceError);
    int8.dispose();
  });

  it("layers selects the kinds quantized (Bidirectional by its LSTM, SimpleRNN as RNN, TimeDistributed(Dense) as Dense); the others give the float outputs bit for bit", async () => {
    // Outputs after each stage: the bidirectional LSTM's, the SimpleRNN's and the dense one's.
    const input = tf.input({ shape: [T] });
    const embedded = tf.layers.embedding({ inputDim: 12, outputDim: 8, maskZero: true }).apply(input) as tf.SymbolicTensor;
    const lstm = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 16, returnSequences: true }) as tf.RNN }).apply(embedded) as tf.SymbolicTensor;
    const rnn = tf.layers.simpleRNN({ units: 12, returnSequences: true }).apply(lstm) as tf.SymbolicTensor;
    const dense = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 5 }) }).apply(rnn) as tf.SymbolicTensor;
    const reference = tf.model({ inputs: input, outputs: [lstm, rnn, dense] });
    randomize(reference, 6);
    const float = await loadLayersModel(await save(reference));
    const outputs = (model: typeof float) => (model.predict(ours(ids)) as Tensor[]).map((t) => Array.from(t.data));
    const f32 = outputs(float);
    const cases: [QuantizableKind[], boolean[]][] = [[["dense"], [false, false, true]], [["rnn"], [false, true, true]], [["lstm", "gru"], [true, true, true]]];
    for (const [layers, changed] of cases) {
      const int8 = quantizeDynamic(float, { layers });
      expect(int8.quantized).toBe(true);
      outputs(int8).forEach((got, k) => {
        const d = Math.max(...got.map((v, i) => Math.abs(v - f32[k][i])));
        if (!changed[k]) expect(d, `${layers}: output ${k}`).toBe(0);
        else expect([d > 1e-5, d < TOLERANCE], `${layers}: output ${k}, max |Δ| ${d}`).toEqual([true, true]);
      });
      int8.dispose();
    }
    expect(() => quantizeDynamic(float, { layers: ["gru"] })).toThrow(UnsupportedError);
    expect(() => quantizeDynamic(float, { layers: ["gru"] })).toThrow(/quantizeDynamic\(LayersModel\): layers \[gru\] selects none of its layers \(it has LSTM, RNN and Dense layers\)/);
    expect(float.quantized).toBe(false);
    expect(outputs(float)).toEqual(f32);
    float.dispose();
  });
});

describe("an ONNX InferenceSession", () => {
  const T = 9, Bt = 4, I = 10, H = 24, N = 7, K = 20;

  /** X [T, B, I] → LSTM (bidirectional) and GRU; LSTM's Y_h [2, B, H] · M [H, N]; Gemm(z [B, K], Wg [N, K]ᵀ, c). */
  function model(): Uint8Array {
    const random = new Random(21);
    const u = (n: number, k = 0.3) => random.uniformArray(n, -k, k);
    return modelBytes({
      nodes: [
        node("LSTM", ["X", "W", "R", "B"], ["Y", "Y_h"], { hidden_size: H, direction: "bidirectional" }),
        node("GRU", ["X", "Wg_", "Rg_"], ["G"], { hidden_size: H }),
        node("MatMul", ["Y_h", "M"], ["P"]),
        node("Gemm", ["z", "Wz", "c"], ["Q"], { transB: 1 }),
      ],
      initializers: [
        tensorProto("W", [2, 4 * H, I], u(2 * 4 * H * I)), tensorProto("R", [2, 4 * H, H], u(2 * 4 * H * H)), tensorProto("B", [2, 8 * H], u(16 * H)),
        tensorProto("Wg_", [1, 3 * H, I], u(3 * H * I)), tensorProto("Rg_", [1, 3 * H, H], u(3 * H * H)),
        tensorProto("M", [H, N], u(H * N)), tensorProto("Wz", [N, K], u(N * K)), tensorProto("c", [N], u(N)),
      ],
      inputs: [valueInfo("X", [T, Bt, I]), valueInfo("z", [Bt, K])],
      outputs: [valueInfo("Y", [T, 2, Bt, H]), valueInfo("G", [T, 1, Bt, H]), valueInfo("P", [2, Bt, N]), valueInfo("Q", [Bt, N])],
    });
  }

  it("runs LSTM, GRU, MatMul and Gemm on int8 within quantization error of onnxruntime's float results; the original is unchanged", async () => {
    const bytes = model();
    const random = new Random(5);
    const feeds = { X: new onnx.Tensor("float32", random.uniformArray(T * Bt * I, -1, 1), [T, Bt, I]), z: new onnx.Tensor("float32", random.uniformArray(Bt * K, -1, 1), [Bt, K]) };
    const reference = await ort.InferenceSession.create(bytes);
    const expected = await reference.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor("float32", t.data as Float32Array, [...t.dims])])));
    const float = await onnx.InferenceSession.create(bytes);
    const before = await float.run(feeds);
    const int8 = quantizeDynamic(float);
    expect([int8.quantized, float.quantized]).toEqual([true, false]);
    const got = await int8.run(feeds);
    for (const name of ["Y", "G", "P", "Q"]) {
      const d = Math.max(...Array.from(got[name].data as Float32Array, (v, i) => Math.abs(v - (expected[name].data as Float32Array)[i])));
      console.log(`ONNX ${name} int8: max |Δ| vs onnxruntime float ${d.toExponential(2)}`);
      expect(got[name].dims).toEqual(expected[name].dims);
      expect(d, name).toBeLessThan(TOLERANCE);
      expect(d, name).toBeGreaterThan(1e-5); // the int8 kernels ran
    }
    const after = await float.run(feeds);
    for (const name of Object.keys(before)) expect(Array.from(after[name].data as Float32Array)).toEqual(Array.from(before[name].data as Float32Array));
    await float.release();
    expect(Array.from((await int8.run(feeds)).Q.data as Float32Array)).toEqual(Array.from(got.Q.data as Float32Array));
    expect(() => quantizeDynamic(int8)).toThrow(/quantizeDynamic\(InferenceSession\): it is quantized already/);
    expect(() => quantizeDynamic(float)).toThrow(ResourceError);
    await int8.release();
    await reference.release();
  });

  it("layers selects the nodes quantized (Dense: MatMul and Gemm); the others give the float session's outputs bit for bit", async () => {
    const random = new Random(6);
    const feeds = { X: new onnx.Tensor("float32", random.uniformArray(T * Bt * I, -1, 1), [T, Bt, I]), z: new onnx.Tensor("float32", random.uniformArray(Bt * K, -1, 1), [Bt, K]) };
    const float = await onnx.InferenceSession.create(model());
    const f32 = await float.run(feeds);
    // Y: the LSTM's, G: the GRU's, P: the MatMul of the LSTM's Y_h, Q: the Gemm's.
    const cases: [QuantizableKind[], string[]][] = [[["gru"], ["G"]], [["dense"], ["P", "Q"]], [["lstm", "rnn"], ["Y", "P"]]];
    for (const [layers, changed] of cases) {
      const int8 = quantizeDynamic(float, { layers });
      expect(int8.quantized).toBe(true);
      const got = await int8.run(feeds);
      for (const name of ["Y", "G", "P", "Q"]) {
        const expected = f32[name].data as Float32Array;
        const d = Math.max(...Array.from(got[name].data as Float32Array, (v, i) => Math.abs(v - expected[i])));
        if (!changed.includes(name)) expect(d, `${layers}: ${name}`).toBe(0);
        else expect([d > 1e-5, d < TOLERANCE], `${layers}: ${name}, max |Δ| ${d}`).toEqual([true, true]);
      }
      await int8.release();
    }
    expect(() => quantizeDynamic(float, { layers: ["rnn"] })).toThrow(UnsupportedError);
    expect(() => quantizeDynamic(float, { layers: ["rnn"] })).toThrow(/quantizeDynamic\(InferenceSession\): layers \[rnn\] selects none of its layers \(it has LSTM, GRU and Dense layers\)/);
    expect(float.quantized).toBe(false);
    const after = await float.run(feeds);
    for (const name of Object.keys(f32)) expect(Array.from(after[name].data as Float32Array)).toEqual(Array.from(f32[name].data as Float32Array));
    await float.release();
  });
});

describe("the ONNX attribute fixtures, quantized", () => {
  const DIR = join(FIXTURES, "onnx");
  const cases = readdirSync(DIR).filter((n) => n.startsWith("attr_")).sort();
  it.each(cases)("%s: within quantization error of the float session", async (name) => {
    const folder = join(DIR, name);
    const feeds = Object.fromEntries(readdirSync(folder).filter((f) => /^input_\d+\.pb$/.test(f)).sort().map((f) => {
      const { name: input, tensor } = readTensorProto(readFileSync(join(folder, f)));
      return [input, tensor];
    }));
    const float = await onnx.InferenceSession.create(join(folder, "model.onnx"));
    const int8 = quantizeDynamic(float);
    const [expected, got] = [await float.run(feeds), await int8.run(feeds)];
    let worst = 0, scale = 1;
    for (const output of Object.keys(expected)) {
      const e = expected[output].data as Float32Array, g = got[output].data as Float32Array;
      e.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - g[i]))));
      e.forEach((v) => (scale = Math.max(scale, Math.abs(v))));
    }
    console.log(`${name} int8: max |Δ| vs float ${worst.toExponential(2)} (outputs up to ${scale.toFixed(2)})`);
    worst /= scale; // unbounded activations (ReLU, affine) give outputs beyond 1
    expect(worst, name).toBeLessThan(TOLERANCE);
    // Weights that are graph inputs go on the int8 kernels too (quantized at their first run).
    expect(worst, name).toBeGreaterThan(1e-6);
    await int8.release();
    await float.release();
  });
});
