// Keras / TensorFlow.js import against tfjs itself: models built with @tensorflow/tfjs (seeded
// weights), saved to model.json + weight bytes as tf.io writes them, loaded with loadLayersModel (in
// memory, from disk, over HTTP) or converted with fromTfjs, and predict compared with tfjs's predict
// on random inputs at ≤ 1e-4.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { init, loadLayersModel, fromTfjs, LayersModel, ResourceError } from "../../src/index.js";
import { initEngine } from "../../src/engine/init.js";
import { tf, randomize, save, compare, uniform, ours } from "../fixtures/keras/tfjs-models.js";

const TOLERANCE = 1e-4;
const B = 3, T = 6, I = 4;
const measured: [string, number][] = [];

beforeAll(async () => {
  await init();
});

afterAll(() => {
  console.log(measured.map(([name, d]) => `${d.toExponential(2)}  ${name}`).join("\n"));
});

function sequenceInput(seed: number, shape = [B, T, I]): tf.Tensor {
  return tf.tensor(uniform(seed, shape.reduce((a, b) => a * b, 1), 1), shape);
}

/** Seeds the tfjs model, saves it, loads it back and compares predict on `inputs`. */
async function roundTrip(name: string, model: tf.LayersModel, inputs: tf.Tensor[], seed = 1): Promise<LayersModel> {
  randomize(model, seed);
  const loaded = await loadLayersModel(await save(model));
  const d = compare(loaded, model, inputs);
  measured.push([name, d]);
  expect(d, name).toBeLessThanOrEqual(TOLERANCE);
  return loaded;
}

function sequential(...layers: tf.layers.Layer[]): tf.Sequential {
  return tf.sequential({ layers });
}

type RnnArgs = { units: number; returnSequences?: boolean; goBackwards?: boolean; useBias?: boolean; recurrentActivation?: string; activation?: string; inputShape?: number[] };
const CELLS = {
  LSTM: (args: RnnArgs) => tf.layers.lstm(args as Parameters<typeof tf.layers.lstm>[0]),
  GRU: (args: RnnArgs) => tf.layers.gru(args as Parameters<typeof tf.layers.gru>[0]),
  SimpleRNN: (args: RnnArgs) => tf.layers.simpleRNN(args as Parameters<typeof tf.layers.simpleRNN>[0]),
};

describe("recurrent layers against tfjs", () => {
  const variants: [string, Partial<RnnArgs>][] = [
    ["last output", {}],
    ["return_sequences", { returnSequences: true }],
    ["go_backwards", { returnSequences: true, goBackwards: true }],
    ["use_bias false", { useBias: false, returnSequences: true }],
  ];
  for (const cell of Object.keys(CELLS) as (keyof typeof CELLS)[]) {
    for (const [label, args] of variants) {
      it(`${cell}: ${label}`, async () => {
        const model = sequential(CELLS[cell]({ units: 5, inputShape: [T, I], ...args }));
        (await roundTrip(`${cell} ${label}`, model, [sequenceInput(2)])).dispose();
      });
    }
  }

  const activations: [keyof typeof CELLS, Partial<RnnArgs>][] = [
    ["LSTM", { recurrentActivation: "sigmoid" }],
    ["LSTM", { recurrentActivation: "hardSigmoid" }],
    ["GRU", { recurrentActivation: "sigmoid" }],
    ["GRU", { recurrentActivation: "hardSigmoid" }],
    ["LSTM", { activation: "relu", recurrentActivation: "sigmoid" }],
    ["GRU", { activation: "softsign" }],
    ["SimpleRNN", { activation: "relu" }],
    ["SimpleRNN", { activation: "sigmoid" }],
    ["LSTM", { activation: "elu", recurrentActivation: "hardSigmoid" }],
  ];
  for (const [cell, args] of activations) {
    const label = `${cell}: activation ${args.activation ?? "tanh"}, recurrent ${args.recurrentActivation ?? "-"}`;
    it(label, async () => {
      const model = sequential(CELLS[cell]({ units: 4, inputShape: [T, I], returnSequences: true, ...args }));
      (await roundTrip(label, model, [sequenceInput(3)], 7)).dispose();
    });
  }

  it("stacked LSTM → GRU → Dense softmax, batch 1", async () => {
    const model = sequential(
      tf.layers.lstm({ units: 6, inputShape: [T, I], returnSequences: true }),
      tf.layers.gru({ units: 5, returnSequences: true }),
      tf.layers.simpleRNN({ units: 4 }),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    );
    (await roundTrip("stacked LSTM/GRU/SimpleRNN + softmax, batch 1", model, [sequenceInput(4, [1, T, I])])).dispose();
  });

  it("return_state: outputs, h and c as extra model outputs", async () => {
    const x = tf.input({ shape: [T, I] });
    const [seq, h, c] = tf.layers.lstm({ units: 4, returnSequences: true, returnState: true }).apply(x) as tf.SymbolicTensor[];
    const [last, g] = tf.layers.gru({ units: 3, returnState: true, goBackwards: true }).apply(seq) as tf.SymbolicTensor[];
    const [r, rh] = tf.layers.simpleRNN({ units: 2, returnState: true }).apply(seq) as tf.SymbolicTensor[];
    const model = tf.model({ inputs: x, outputs: [seq, h, c, last, g, r, rh] });
    const loaded = await roundTrip("return_state LSTM/GRU/SimpleRNN", model, [sequenceInput(5)]);
    // One layer's several outputs are named as Keras names them: the layer name, then _1, _2.
    const lstm = loaded.outputNames[0];
    expect(loaded.outputNames.slice(0, 3)).toEqual([lstm, `${lstm}_1`, `${lstm}_2`]);
    loaded.dispose();
  });

  it("initial states given as model inputs", async () => {
    const x = tf.input({ shape: [T, I] });
    const h = tf.input({ shape: [3] });
    const c = tf.input({ shape: [3] });
    const y = tf.layers.lstm({ units: 3, returnSequences: true }).apply(x, { initialState: [h, c] }) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [x, h, c], outputs: y });
    (await roundTrip("LSTM with initial states", model, [sequenceInput(6), sequenceInput(7, [B, 3]), sequenceInput(8, [B, 3])])).dispose();
  });
});

describe("Bidirectional against tfjs", () => {
  for (const mergeMode of ["concat", "sum", "mul", "ave"] as const) {
    it(`merge_mode ${mergeMode}`, async () => {
      const model = sequential(
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true }) as tf.RNN, mergeMode, inputShape: [T, I] }),
        tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3 }) as tf.RNN, mergeMode }),
      );
      (await roundTrip(`Bidirectional ${mergeMode} (LSTM seq, GRU last)`, model, [sequenceInput(9)])).dispose();
    });
  }

  it("merge_mode null gives two outputs; return_state gives forward then backward states", async () => {
    const x = tf.input({ shape: [T, I] });
    const [fw, bw] = tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3, returnSequences: true }) as tf.RNN, mergeMode: null as unknown as "concat" }).apply(x) as tf.SymbolicTensor[];
    const [merged, h1, c1, h2, c2] = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, returnState: true }) as tf.RNN, mergeMode: "concat" }).apply(x) as tf.SymbolicTensor[];
    const model = tf.model({ inputs: x, outputs: [fw, bw, merged, h1, c1, h2, c2] });
    const loaded = await roundTrip("Bidirectional merge null + return_state", model, [sequenceInput(10)]);
    expect((loaded.predict(ours(sequenceInput(10))) as unknown[]).length).toBe(7);
    loaded.dispose();
  });
});

describe("masking against tfjs", () => {
  // Padding at the end (a prefix mask), at the start, holes in the middle, and a fully padded row.
  const ids = tf.tensor2d([
    [3, 1, 4, 1, 5, 0],
    [0, 0, 2, 6, 5, 3],
    [5, 0, 8, 0, 0, 9],
    [0, 0, 0, 0, 0, 0],
  ], [4, T], "int32");

  function embedded(recurrent: tf.layers.Layer, after: tf.layers.Layer[] = []): tf.Sequential {
    return sequential(tf.layers.embedding({ inputDim: 10, outputDim: I, maskZero: true, inputLength: T, inputShape: [T] }), recurrent, ...after);
  }

  for (const cell of Object.keys(CELLS) as (keyof typeof CELLS)[]) {
    it(`Embedding(mask_zero) → ${cell}, sequences and last output`, async () => {
      (await roundTrip(`mask_zero → ${cell} sequences`, embedded(CELLS[cell]({ units: 4, returnSequences: true })), [ids])).dispose();
      (await roundTrip(`mask_zero → ${cell} last`, embedded(CELLS[cell]({ units: 4 })), [ids])).dispose();
      (await roundTrip(`mask_zero → ${cell} go_backwards`, embedded(CELLS[cell]({ units: 4, returnSequences: true, goBackwards: true })), [ids])).dispose();
    });
  }

  it("Embedding(mask_zero) → Bidirectional LSTM → TimeDistributed(Dense): the mask reaches every recurrent layer", async () => {
    const model = embedded(
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as tf.RNN }),
      [tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4, activation: "relu" }) }), tf.layers.gru({ units: 3, returnSequences: true })],
    );
    (await roundTrip("mask_zero → Bidirectional → TimeDistributed → GRU", model, [ids])).dispose();
  });

  it("Masking layer on padded float batches (mask_value 0 and −1)", async () => {
    for (const maskValue of [0, -1]) {
      const x = uniform(11, B * T * I, 1);
      // sample 0: last two steps padded; sample 1: first step padded; sample 2: step 3 padded.
      for (const [b, t] of [[0, 4], [0, 5], [1, 0], [2, 3]]) x.fill(maskValue, (b * T + t) * I, (b * T + t + 1) * I);
      const model = sequential(
        tf.layers.masking({ maskValue, inputShape: [T, I] }),
        tf.layers.lstm({ units: 4, returnSequences: true }),
        tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3 }) as tf.RNN, mergeMode: "ave" }),
      );
      (await roundTrip(`Masking(${maskValue}) → LSTM → Bidirectional GRU`, model, [tf.tensor(x, [B, T, I])])).dispose();
    }
  });
});

describe("functional models against tfjs", () => {
  it("two inputs, two outputs, Concatenate, TimeDistributed(Dense), a shared layer", async () => {
    const seq = tf.input({ shape: [T, I], name: "sequence" });
    const vec = tf.input({ shape: [3], name: "features" });
    const lstm = tf.layers.lstm({ units: 4, returnSequences: true });
    const states = tf.layers.gru({ units: 3 });
    const out = lstm.apply(seq) as tf.SymbolicTensor;
    const summary = states.apply(out) as tf.SymbolicTensor;
    const again = states.apply(tf.layers.dense({ units: 4, activation: "tanh" }).apply(out) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([summary, vec, again]) as tf.SymbolicTensor;
    const label = tf.layers.dense({ units: 2, activation: "softmax", name: "label" }).apply(joined) as tf.SymbolicTensor;
    const tags = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: "sigmoid" }), name: "tags" }).apply(out) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [seq, vec], outputs: [label, tags] });
    const loaded = await roundTrip("functional: 2 inputs, 2 outputs, concat, shared GRU", model, [sequenceInput(12), sequenceInput(13, [B, 3])]);
    expect(loaded.inputNames).toEqual(["sequence", "features"]);
    expect(loaded.outputNames).toEqual(["label", "tags"]);
    loaded.dispose();
  });

  it("Concatenate along features of a masked and an unmasked sequence, and along time", async () => {
    // Two models: tfjs's executor hands the last mask it saw to every later layer (its kwargs object
    // is reused), so an unmasked branch run after a masked one would be masked in tfjs but not in Keras.
    const a = tf.input({ shape: [T], dtype: "int32" });
    const b = tf.input({ shape: [T, I] });
    const ea = tf.layers.embedding({ inputDim: 10, outputDim: I, maskZero: true }).apply(a) as tf.SymbolicTensor;
    const features = tf.layers.concatenate({ axis: -1 }).apply([ea, b]) as tf.SymbolicTensor;
    const masked = tf.layers.lstm({ units: 3, returnSequences: true }).apply(features) as tf.SymbolicTensor;
    const ids = tf.tensor2d([[1, 2, 3, 0, 0, 0], [4, 0, 5, 6, 7, 8], [9, 9, 9, 9, 9, 9]], [B, T], "int32");
    (await roundTrip("Concatenate features (one input masked)", tf.model({ inputs: [a, b], outputs: masked }), [ids, sequenceInput(14)])).dispose();

    const x = tf.input({ shape: [T, I] });
    const rnn = tf.layers.simpleRNN({ units: I, returnSequences: true }).apply(x) as tf.SymbolicTensor;
    const time = tf.layers.concatenate({ axis: 1 }).apply([rnn, x]) as tf.SymbolicTensor;
    (await roundTrip("Concatenate along time", tf.model({ inputs: x, outputs: time }), [sequenceInput(16)])).dispose();
  });

  it("Dense activations and an Activation layer", async () => {
    const x = tf.input({ shape: [5] });
    const outputs = (["linear", "relu", "tanh", "sigmoid", "softmax", "hardSigmoid", "elu", "softsign", "softplus"] as const).map((activation) => tf.layers.dense({ units: 4, activation }).apply(x) as tf.SymbolicTensor);
    outputs.push(tf.layers.activation({ activation: "softmax" }).apply(tf.layers.dropout({ rate: 0.5 }).apply(outputs[0]) as tf.SymbolicTensor) as tf.SymbolicTensor);
    (await roundTrip("Dense linear/relu/tanh/sigmoid/softmax/hard_sigmoid/elu/softsign/softplus, Dropout, Activation", tf.model({ inputs: x, outputs }), [sequenceInput(15, [B, 5])])).dispose();
  });
});

describe("sources", () => {
  function model(): tf.Sequential {
    const m = sequential(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, returnSequences: true }) as tf.RNN, inputShape: [T, I] }), tf.layers.dense({ units: 2 }));
    randomize(m, 21);
    return m;
  }

  /** Writes model.json and its weights split over two files, as tfjs shards them. */
  async function writeToDisk(m: tf.LayersModel): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "wasm-rnn-keras-"));
    const { modelJson, weights } = await save(m);
    const manifest = modelJson.weightsManifest as { paths: string[] }[];
    manifest[0].paths = ["group1-shard1of2.bin", "group1-shard2of2.bin"];
    const bytes = new Uint8Array(weights);
    const cut = 100;
    writeFileSync(join(dir, "model.json"), JSON.stringify(modelJson));
    writeFileSync(join(dir, "group1-shard1of2.bin"), bytes.subarray(0, cut));
    writeFileSync(join(dir, "group1-shard2of2.bin"), bytes.subarray(cut));
    return dir;
  }

  it("a path to model.json, weight shards beside it", async () => {
    const m = model();
    const dir = await writeToDisk(m);
    try {
      const loaded = await loadLayersModel(join(dir, "model.json"));
      const d = compare(loaded, m, [sequenceInput(22)]);
      measured.push(["from a path (two shards)", d]);
      expect(d).toBeLessThanOrEqual(TOLERANCE);
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a URL (fetched over HTTP)", async () => {
    const m = model();
    const dir = await writeToDisk(m);
    const server: Server = createServer((request, response) => {
      readFile(join(dir, new URL(request.url!, "http://x").pathname)).then(
        (body) => response.end(body),
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const loaded = await loadLayersModel(`http://127.0.0.1:${port}/model.json`);
      const d = compare(loaded, m, [sequenceInput(23)]);
      measured.push(["from a URL", d]);
      expect(d).toBeLessThanOrEqual(TOLERANCE);
      loaded.dispose();
      await expect(loadLayersModel(`http://127.0.0.1:${port}/missing/model.json`)).rejects.toThrow(/HTTP 404/);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fromTfjs: a live tf.LayersModel, same predictions", async () => {
    const x = tf.input({ shape: [T], dtype: "int32" });
    const e = tf.layers.embedding({ inputDim: 10, outputDim: I, maskZero: true }).apply(x) as tf.SymbolicTensor;
    const y = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3 }) as tf.RNN, mergeMode: "sum" }).apply(e) as tf.SymbolicTensor;
    const m = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2, activation: "softmax" }).apply(y) as tf.SymbolicTensor });
    randomize(m, 24);
    const converted = fromTfjs(m);
    const ids = tf.tensor2d([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9], [0, 0, 1, 2, 0, 0]], [B, T], "int32");
    const d = compare(converted, m, [ids]);
    measured.push(["fromTfjs (Embedding mask_zero → Bidirectional LSTM sum → softmax)", d]);
    expect(d).toBeLessThanOrEqual(TOLERANCE);
    converted.dispose();
    expect(converted.isDisposed).toBe(true);
    expect(() => converted.predict(ours(ids))).toThrow(ResourceError);
  });

  it("predict reuses the layers' buffers and dispose returns every byte", async () => {
    const engine = await initEngine();
    const m = model();
    const artifacts = await save(m);
    const before = engine.arena.usedBytes;
    for (let i = 0; i < 5; i++) {
      const loaded = await loadLayersModel(artifacts);
      loaded.predict(ours(sequenceInput(26)));
      const used = engine.arena.usedBytes;
      for (let k = 0; k < 5; k++) loaded.predict(ours(sequenceInput(27 + k)));
      expect(engine.arena.usedBytes).toBe(used);
      loaded.dispose();
      loaded.dispose(); // idempotent
    }
    expect(engine.arena.usedBytes).toBe(before);
  });

  it("weights given as one buffer per shard", async () => {
    const m = model();
    const { modelJson, weights } = await save(m);
    const loaded = await loadLayersModel({ modelJson: JSON.stringify(modelJson), weights: [weights.slice(0, 40), weights.slice(40)] });
    expect(compare(loaded, m, [sequenceInput(25)])).toBeLessThanOrEqual(TOLERANCE);
    loaded.dispose();
  });
});
