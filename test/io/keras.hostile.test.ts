// Damaged and unsupported layers models: every malformed model.json, weight file or input is a
// FormatError, UnsupportedError, NumericError or ShapeError naming what is wrong — never a TypeError,
// RangeError or SyntaxError — checked case by case and by fast-check garbling model.json and the
// weight bytes. Also quantized weights (uint8/uint16), which tfjs reads too.

import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { init, loadLayersModel, FormatError, UnsupportedError, NumericError, ResourceError, ShapeError, WasmRnnError, type LayersModelArtifacts } from "../../src/index.js";
import { initEngine } from "../../src/engine/init.js";
import { tf, randomize, save, compare, uniform, ours } from "../fixtures/keras/tfjs-models.js";

type Json = Record<string, unknown>;
type Spec = { name: string; shape: number[]; dtype: string; quantization?: Json };
type Layer = { class_name: string; name: string; config: Json; inbound_nodes: unknown[] };

let base: { modelJson: Json; weights: ArrayBuffer };
let reference: tf.LayersModel;

beforeAll(async () => {
  await init();
  // Two inputs: ids → Embedding(mask_zero) → Bidirectional LSTM, joined with features → Dense softmax.
  const ids = tf.input({ shape: [5], dtype: "int32", name: "ids" });
  const features = tf.input({ shape: [2], name: "features" });
  const embedded = tf.layers.embedding({ inputDim: 8, outputDim: 3, maskZero: true, name: "embed" }).apply(ids) as tf.SymbolicTensor;
  const encoded = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, name: "lstm" }) as tf.RNN, name: "bi" }).apply(embedded) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate({ name: "join" }).apply([encoded, features]) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 3, activation: "softmax", name: "out" }).apply(joined) as tf.SymbolicTensor;
  reference = tf.model({ inputs: [ids, features], outputs: output });
  randomize(reference, 5);
  base = await save(reference);
});

/** A deep copy of the base model.json, changed by `edit`. */
function edited(edit: (json: Json & { modelTopology: { config: { layers: Layer[] } }; weightsManifest: { paths: string[]; weights: Spec[] }[] }) => void): Json {
  const json = structuredClone(base.modelJson) as Parameters<typeof edit>[0];
  edit(json);
  return json;
}

const layer = (json: { modelTopology: { config: { layers: Layer[] } } }, name: string) => json.modelTopology.config.layers.find((l) => l.name === name)!;
const specs = (json: { weightsManifest: { weights: Spec[] }[] }) => json.weightsManifest[0].weights;

async function rejects(artifacts: LayersModelArtifacts, type: new (...args: never[]) => WasmRnnError, message: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    (await loadLayersModel(artifacts)).dispose();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "should throw").toBeInstanceOf(type);
  expect((thrown as Error).message).toMatch(message);
}

describe("malformed model.json", () => {
  const cases: [string, () => LayersModelArtifacts, new (...args: never[]) => WasmRnnError, RegExp][] = [
    ["text that is not JSON", () => ({ modelJson: '{"modelTopology": {', weights: base.weights }), FormatError, /model.json is not valid JSON/],
    ["bytes that are not UTF-8", () => ({ modelJson: new Uint8Array([0x7b, 0xff, 0x7d]), weights: base.weights }), FormatError, /not UTF-8/],
    ["a JSON array", () => ({ modelJson: "[1, 2]", weights: base.weights }), FormatError, /model.json must be a JSON object/],
    ["no modelTopology", () => ({ modelJson: edited((j) => delete (j as Json).modelTopology), weights: base.weights }), FormatError, /modelTopology must be a JSON object/],
    ["a graph model", () => ({ modelJson: edited((j) => (j.format = "graph-model")), weights: base.weights }), UnsupportedError, /"graph-model"/],
    ["an unknown model class", () => ({ modelJson: edited((j) => ((j.modelTopology as unknown as Json).class_name = "Pipeline")), weights: base.weights }), UnsupportedError, /"Pipeline"/],
    ["a weightsManifest that is not a list", () => ({ modelJson: edited((j) => ((j as Json).weightsManifest = {})), weights: base.weights }), FormatError, /weightsManifest must be a list/],
    ["a weight without a shape", () => ({ modelJson: edited((j) => delete (specs(j)[0] as Partial<Spec>).shape), weights: base.weights }), FormatError, /weight "embed\/embeddings": shape must be a list/],
    ["a negative dimension", () => ({ modelJson: edited((j) => (specs(j)[0].shape = [-8, 3])), weights: base.weights }), FormatError, /shape must be a list of integers/],
    ["an int32 weight", () => ({ modelJson: edited((j) => (specs(j)[0].dtype = "int32")), weights: base.weights }), UnsupportedError, /weight "embed\/embeddings" has dtype "int32"/],
    ["float16 quantization", () => ({ modelJson: edited((j) => (specs(j)[0].quantization = { dtype: "float16" })), weights: base.weights }), UnsupportedError, /"embed\/embeddings" is quantized as "float16"/],
    ["a layer without a class", () => ({ modelJson: edited((j) => delete (layer(j, "join") as Partial<Layer>).class_name), weights: base.weights }), FormatError, /class_name must be a string/],
    ["an unknown layer class", () => ({ modelJson: edited((j) => (layer(j, "join").class_name = "Conv1D")), weights: base.weights }), UnsupportedError, /layer "join" is a Conv1D, which wasm-rnn does not import/],
    ["TimeDistributed(LSTM)", () => ({ modelJson: edited((j) => Object.assign(layer(j, "out"), { class_name: "TimeDistributed", config: { name: "out", layer: { class_name: "LSTM", config: {} } } })), weights: base.weights }), UnsupportedError, /layer "out" \(TimeDistributed\): TimeDistributed\(LSTM\) is not supported/],
    ["a stateful LSTM", () => ({ modelJson: edited((j) => ((layer(j, "bi").config.layer as Json).config as Json).stateful = true), weights: base.weights }), UnsupportedError, /stateful: true is not supported/],
    ["an activation we do not run", () => ({ modelJson: edited((j) => (((layer(j, "bi").config.layer as Json).config as Json).activation = "selu")), weights: base.weights }), UnsupportedError, /activation "selu" is not one wasm-rnn runs/],
    ["softmax inside a cell", () => ({ modelJson: edited((j) => (((layer(j, "bi").config.layer as Json).config as Json).recurrent_activation = "softmax")), weights: base.weights }), UnsupportedError, /recurrent_activation softmax inside a recurrent cell/],
    ["an unknown merge mode", () => ({ modelJson: edited((j) => (layer(j, "bi").config.merge_mode = "max")), weights: base.weights }), FormatError, /merge_mode must be "concat", "sum", "mul", "ave" or null/],
    ["units that disagree with the weights", () => ({ modelJson: edited((j) => (layer(j, "out").config.units = 4)), weights: base.weights }), FormatError, /weight "out\/kernel" has shape \[6, 3\] but layer "out" \(Dense\) needs \[\*, 4\]/],
    ["a reference to a missing layer", () => ({ modelJson: edited((j) => (layer(j, "out").inbound_nodes = [[["nowhere", 0, 0, {}]]])), weights: base.weights }), FormatError, /layer "nowhere", which the model does not have/],
    ["a cycle", () => ({ modelJson: edited((j) => (layer(j, "join").inbound_nodes = [[["out", 0, 0, {}], ["features", 0, 0, {}]]])), weights: base.weights }), FormatError, /depends on its own output/],
    ["a tensor index a layer does not have", () => ({ modelJson: edited((j) => (layer(j, "out").inbound_nodes = [[["join", 0, 3, {}]]])), weights: base.weights }), FormatError, /takes output 3 of layer "join"/],
    ["Keras 3 inbound nodes", () => ({ modelJson: edited((j) => (layer(j, "out").inbound_nodes = [{ args: [], kwargs: {} }])), weights: base.weights }), UnsupportedError, /Keras 3 format/],
    ["inputs that do not fit the weights", () => ({ modelJson: edited((j) => (layer(j, "features").config.batch_input_shape = [null, 3])), weights: base.weights }), FormatError, /layer "out" \(Dense\): its input has 7 features but the layer's weights are for 6/],
    ["a weight no layer takes", () => ({ modelJson: edited((j) => specs(j).push({ name: "extra/kernel", shape: [1], dtype: "float32" })), weights: new Uint8Array([...new Uint8Array(base.weights), 0, 0, 0, 0]) }), FormatError, /belong to no layer of the model: "extra\/kernel"/],
    ["a missing weight", () => ({ modelJson: edited((j) => (specs(j).at(-1)!.name = "out/bias_renamed")), weights: base.weights }), FormatError, /needs the weight "out\/bias"/],
  ];
  for (const [label, artifacts, type, message] of cases) {
    it(`rejects ${label}`, async () => {
      await rejects(artifacts(), type, message);
    });
  }
});

describe("memory", () => {
  it("a load that fails part-way frees the layers it had built", async () => {
    const engine = await initEngine();
    const missingLastWeight = edited((j) => (specs(j).at(-1)!.name = "out/bias_renamed"));
    const before = engine.arena.usedBytes;
    for (let i = 0; i < 5; i++) await rejects({ modelJson: missingLastWeight, weights: base.weights }, FormatError, /needs the weight "out\/bias"/);
    expect(engine.arena.usedBytes).toBe(before);
  });
});

describe("damaged weights", () => {
  it("rejects truncated weight data, naming the weight that runs past the end", async () => {
    await rejects({ modelJson: base.modelJson, weights: base.weights.slice(0, base.weights.byteLength - 5) }, FormatError, /weight "out\/bias" \[3\] needs bytes \d+–\d+ .* hold only \d+ bytes \(truncated/);
  });

  it("rejects trailing bytes", async () => {
    await rejects({ modelJson: base.modelJson, weights: [base.weights, new ArrayBuffer(8)] }, FormatError, /describes \d+ bytes of weights but the weights given hold \d+/);
  });

  it("rejects a NaN weight with a NumericError naming it", async () => {
    const bad = new Float32Array(base.weights.slice(0));
    bad[2] = NaN;
    await rejects({ modelJson: base.modelJson, weights: bad.buffer }, NumericError, /weight "embed\/embeddings" has a non-finite value/);
  });

  it("a missing shard on disk is a ResourceError, a truncated one a FormatError, each naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wasm-rnn-keras-bad-"));
    try {
      writeFileSync(join(dir, "model.json"), JSON.stringify(base.modelJson));
      await expect(loadLayersModel(join(dir, "model.json"))).rejects.toThrow(/cannot read weight file .*weights\.bin/);
      await expect(loadLayersModel(join(dir, "model.json"))).rejects.toThrow(ResourceError);
      writeFileSync(join(dir, "weights.bin"), new Uint8Array(base.weights).subarray(0, 100));
      await expect(loadLayersModel(join(dir, "model.json"))).rejects.toThrow(FormatError);
      await expect(loadLayersModel(join(dir, "model.json"))).rejects.toThrow(/but weights\.bin hold only 100 bytes/);
      await expect(loadLayersModel(join(dir, "absent.json"))).rejects.toThrow(/cannot read model.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [dtype, levels] of [["uint8", 255], ["uint16", 65535]] as const) {
    it(`reads ${dtype}-quantized weights as tfjs does`, async () => {
      const floats = new Float32Array(base.weights);
      const quantizedSpecs: Spec[] = [];
      const parts: number[] = [];
      let at = 0;
      for (const spec of specs(base.modelJson as Parameters<typeof specs>[0])) {
        const n = spec.shape.reduce((a, b) => a * b, 1);
        const values = floats.subarray(at, at + n);
        at += n;
        const min = Math.min(...values), scale = (Math.max(...values) - min) / levels || 1;
        quantizedSpecs.push({ ...spec, quantization: { dtype, min, scale } });
        for (const v of values) parts.push(Math.round((v - min) / scale));
      }
      const data = dtype === "uint8" ? Uint8Array.from(parts) : Uint16Array.from(parts);
      const modelJson = { ...base.modelJson, weightsManifest: [{ paths: ["q.bin"], weights: quantizedSpecs }] };
      const tfjsModel = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: base.modelJson.modelTopology as object, weightSpecs: quantizedSpecs as tf.io.WeightsManifestEntry[], weightData: data.buffer as ArrayBuffer }));
      const model = await loadLayersModel({ modelJson, weights: data.buffer as ArrayBuffer });
      const ids = tf.tensor2d([[1, 2, 0, 0, 0], [7, 6, 5, 4, 3]], [2, 5], "int32");
      expect(compare(model, tfjsModel, [ids, tf.tensor(uniform(1, 4), [2, 2])])).toBeLessThanOrEqual(1e-4);
      model.dispose();
    });
  }
});

describe("predict on bad input", () => {
  it("names the input, the expected shape and the value", async () => {
    const model = await loadLayersModel(base);
    const ids = tf.tensor2d([[1, 2, 3, 0, 0]], [1, 5]);
    const features = tf.tensor2d([[0.5, -0.5]], [1, 2]);
    expect(() => model.predict(ours(ids))).toThrow(/takes 2 input\(s\) \(ids, features\); got 1/);
    expect(() => model.predict([ours(features), ours(ids)])).toThrow(/input "ids" must have shape \[null, 5\]/);
    expect(() => model.predict([ours(ids), ours(tf.tensor2d([[1, 2], [3, 4]]))])).toThrow(/input "features" has batch size 2 but an earlier input has 1/);
    expect(() => model.predict([ours(ids), { shape: [1, 2], data: new Float32Array([NaN, 0]) }])).toThrow(NumericError);
    expect(() => model.predict([ours(tf.tensor2d([[1, 2, 9, 0, 0]])), ours(features)])).toThrow(ShapeError);
    expect(() => model.predict([ours(tf.tensor2d([[1, 2, 9, 0, 0]])), ours(features)])).toThrow(/layer "embed" \(Embedding\): input: ids\[2\] must be an integer from 0 to 7; got 9/);
    expect(() => model.predict([ours(tf.tensor2d([[1, 2.5, 1, 0, 0]])), ours(features)])).toThrow(/ids\[1\] must be an integer/);
    expect(() => model.predict([{ shape: [1, 5] } as never, ours(features)])).toThrow(/input "ids" must be a Tensor/);
    model.dispose();
  });

  it("rejects a source that is neither a path, a URL nor artifacts", async () => {
    await expect(loadLayersModel(42 as never)).rejects.toThrow(ShapeError);
    await expect(loadLayersModel({ modelJson: base.modelJson, weights: "bytes" } as never)).rejects.toThrow(/weights\[0\] must be an ArrayBuffer or Uint8Array/);
  });
});

describe("garbled files (fast-check)", () => {
  /** Loads and disposes, or throws only our error classes. */
  async function loadsOrRejectsCleanly(artifacts: LayersModelArtifacts): Promise<boolean> {
    try {
      (await loadLayersModel(artifacts)).dispose();
    } catch (e) {
      if (!(e instanceof WasmRnnError)) throw e;
    }
    return true;
  }

  it("edits of the model.json text", async () => {
    const text = JSON.stringify(base.modelJson);
    const edit = fc.record({ at: fc.nat({ max: text.length }), remove: fc.nat({ max: 8 }), insert: fc.string({ maxLength: 6 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
        let garbled = text;
        for (const { at, remove, insert } of edits) garbled = garbled.slice(0, at) + insert + garbled.slice(at + remove);
        return loadsOrRejectsCleanly({ modelJson: garbled, weights: base.weights });
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it("a value anywhere in model.json replaced by arbitrary JSON", async () => {
    const paths: (string | number)[][] = [];
    const walk = (value: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, [...path, Array.isArray(value) ? Number(k) : k]);
    };
    walk(base.modelJson, []);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: paths.length - 1 }), fc.jsonValue({ maxDepth: 2 }), async (which, replacement) => {
        const json = structuredClone(base.modelJson) as Record<string | number, unknown>;
        const path = paths[which];
        if (path.length === 0) return loadsOrRejectsCleanly({ modelJson: replacement as Json, weights: base.weights });
        let parent = json;
        for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
        parent[path[path.length - 1]] = replacement;
        return loadsOrRejectsCleanly({ modelJson: json, weights: base.weights });
      }),
      { numRuns: 1500, seed: 12 },
    );
  });

  it("weight bytes flipped, cut or extended", async () => {
    const bytes = new Uint8Array(base.weights);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.nat({ max: 255 })), { maxLength: 6 }), fc.integer({ min: -16, max: 16 }), async (flips, resize) => {
        const garbled = new Uint8Array(Math.max(0, bytes.length + resize));
        garbled.set(bytes.subarray(0, garbled.length));
        for (const [at, value] of flips) if (at < garbled.length) garbled[at] = value;
        return loadsOrRejectsCleanly({ modelJson: base.modelJson, weights: garbled });
      }),
      { numRuns: 500, seed: 13 },
    );
  });
});
