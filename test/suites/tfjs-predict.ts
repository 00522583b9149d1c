// wasm-rnn/tfjs inference against tfjs itself, on one tfjs backend (the tfjs.predict.*.test.ts files
// run it on cpu and wasm): each model is run by tfjs's own layers (the bridge off) and on wasm-rnn
// (on), and the outputs compared (≤ 1e-5) — every layer option the bridge runs: LSTM, GRU, SimpleRNN
// with tfjs's default and other activations, stacked, Bidirectional in every merge mode,
// returnSequences, returnState, initial states from other layers, stateful layers across calls, masks
// from Embedding(maskZero) and Masking in any pattern (with goBackwards), dropout at inference, no
// bias. Each model's calls must have run on wasm-rnn (the bridge counts them) with no notice, predict
// and evaluate must leave tf.memory().numTensors as they found it, and a model saved by tfjs and
// loaded with tf.loadLayersModel runs on wasm-rnn too.

import { beforeAll, describe, expect, it } from "vitest";
import type { TfjsBridge } from "../../src/adapters/tfjs/index.js";
import { randomize, save } from "../fixtures/keras/tfjs-models.js";
import { bothWays, bridge, maxDiff, notices, seeded, tf } from "../helpers/tfjs-bridge.js";

const PREDICT_TOLERANCE = 1e-5;
const [B, T, I] = [3, 7, 4];

let b: TfjsBridge;

const sequential = (...layers: tf.layers.Layer[]) => tf.sequential({ layers });
const input = () => tf.input({ shape: [T, I] });

/** Token ids [B, T] with zeros (masked by Embedding maskZero): right padding, a gap, leading zeros. */
const tokens = () => tf.tensor2d([[3, 5, 2, 7, 1, 0, 0], [4, 0, 0, 6, 2, 8, 9], [0, 0, 5, 5, 1, 3, 0]], [B, T], "int32");

/** x [B, T, I] with zero rows (masked by Masking) at steps scattered through the sequences. */
function maskedSteps(): tf.Tensor {
  const values = seeded(11, [B, T, I]).arraySync() as number[][][];
  for (const [s, t] of [[0, 5], [0, 6], [1, 0], [1, 3], [2, 2], [2, 4], [2, 6]]) values[s][t].fill(0);
  return tf.tensor3d(values);
}

interface Case {
  name: string;
  model: () => tf.LayersModel;
  inputs: () => tf.Tensor | tf.Tensor[];
  /** Layer calls per predict that run on wasm-rnn: tfjs's executor calls a layer once for each of
   *  its outputs the model uses (a Bidirectional: each of its two layers). */
  calls: number;
}

const CASES: Case[] = [
  { name: "LSTM, tfjs's defaults (hard_sigmoid gates), sequences", model: () => sequential(tf.layers.lstm({ units: 6, inputShape: [T, I], returnSequences: true })), inputs: () => seeded(1, [B, T, I]), calls: 1 },
  { name: "LSTM, sigmoid gates, last output, no bias", model: () => sequential(tf.layers.lstm({ units: 5, inputShape: [T, I], recurrentActivation: "sigmoid", useBias: false })), inputs: () => seeded(2, [B, T, I]), calls: 1 },
  { name: "LSTM, unitForgetBias, relu activation, goBackwards", model: () => sequential(tf.layers.lstm({ units: 5, inputShape: [T, I], activation: "relu", unitForgetBias: true, goBackwards: true, returnSequences: true })), inputs: () => seeded(3, [B, T, I]), calls: 1 },
  { name: "GRU (tfjs's reset-before), defaults, sequences, goBackwards", model: () => sequential(tf.layers.gru({ units: 6, inputShape: [T, I], returnSequences: true, goBackwards: true })), inputs: () => seeded(4, [B, T, I]), calls: 1 },
  { name: "GRU, sigmoid gates, softsign candidate, last output", model: () => sequential(tf.layers.gru({ units: 5, inputShape: [T, I], recurrentActivation: "sigmoid", activation: "softsign" })), inputs: () => seeded(5, [B, T, I]), calls: 1 },
  { name: "SimpleRNN tanh, sequences", model: () => sequential(tf.layers.simpleRNN({ units: 6, inputShape: [T, I], returnSequences: true })), inputs: () => seeded(6, [B, T, I]), calls: 1 },
  { name: "SimpleRNN relu, elu, softplus, linear (stacked)", model: () => sequential(
    tf.layers.simpleRNN({ units: 5, inputShape: [T, I], activation: "relu", returnSequences: true }),
    tf.layers.simpleRNN({ units: 4, activation: "elu", returnSequences: true }),
    tf.layers.simpleRNN({ units: 4, activation: "softplus", returnSequences: true }),
    tf.layers.simpleRNN({ units: 3, activation: "linear" }),
  ), inputs: () => seeded(7, [B, T, I]), calls: 4 },
  { name: "stacked LSTM → GRU → Dense", model: () => sequential(
    tf.layers.lstm({ units: 6, inputShape: [T, I], returnSequences: true }),
    tf.layers.gru({ units: 5 }),
    tf.layers.dense({ units: 2 }),
  ), inputs: () => seeded(8, [B, T, I]), calls: 2 },
  ...(["concat", "sum", "mul", "ave"] as const).map((mergeMode, k): Case => ({
    name: `Bidirectional LSTM, merge ${mergeMode}, sequences`,
    model: () => sequential(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true }) as tf.RNN, mergeMode, inputShape: [T, I] })),
    inputs: () => seeded(20 + k, [B, T, I]),
    calls: 2,
  })),
  { name: "2-layer Bidirectional GRU, last output", model: () => sequential(
    tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, returnSequences: true }) as tf.RNN, inputShape: [T, I] }),
    tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3 }) as tf.RNN }),
  ), inputs: () => seeded(9, [B, T, I]), calls: 4 },
  { name: "Bidirectional SimpleRNN, merge null (two outputs)", model: () => {
    const x = input();
    const outputs = tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 4, returnSequences: true }) as tf.RNN, mergeMode: null as unknown as "concat" }).apply(x) as tf.SymbolicTensor[];
    return tf.model({ inputs: x, outputs });
  }, inputs: () => seeded(10, [B, T, I]), calls: 4 },
  { name: "LSTM returnState: sequences, h, c", model: () => {
    const x = input();
    const outputs = tf.layers.lstm({ units: 5, returnSequences: true, returnState: true }).apply(x) as tf.SymbolicTensor[];
    return tf.model({ inputs: x, outputs });
  }, inputs: () => seeded(12, [B, T, I]), calls: 3 },
  { name: "GRU returnState, last output", model: () => {
    const x = input();
    const outputs = tf.layers.gru({ units: 5, returnState: true }).apply(x) as tf.SymbolicTensor[];
    return tf.model({ inputs: x, outputs });
  }, inputs: () => seeded(13, [B, T, I]), calls: 2 },
  { name: "Bidirectional LSTM returnState (forward h, c, then backward h, c)", model: () => {
    const x = input();
    const outputs = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnState: true }) as tf.RNN }).apply(x) as tf.SymbolicTensor[];
    return tf.model({ inputs: x, outputs });
  }, inputs: () => seeded(14, [B, T, I]), calls: 10 },
  { name: "encoder's states as a decoder's initialState (LSTM → LSTM)", model: () => {
    const source = input(), target = tf.input({ shape: [5, 3] });
    const [, h, c] = tf.layers.lstm({ units: 4, returnState: true }).apply(source) as tf.SymbolicTensor[];
    const decoded = tf.layers.lstm({ units: 4, returnSequences: true }).apply(target, { initialState: [h, c] }) as tf.SymbolicTensor;
    return tf.model({ inputs: [source, target], outputs: decoded });
  }, inputs: () => [seeded(15, [B, T, I]), seeded(16, [B, 5, 3])], calls: 3 },
  { name: "Embedding(maskZero) → LSTM, sequences (padding, gaps, leading zeros)", model: () => sequential(
    tf.layers.embedding({ inputDim: 10, outputDim: I, maskZero: true, inputLength: T }),
    tf.layers.lstm({ units: 5, returnSequences: true }),
  ), inputs: tokens, calls: 1 },
  { name: "Embedding(maskZero) → Bidirectional GRU, last output", model: () => sequential(
    tf.layers.embedding({ inputDim: 10, outputDim: I, maskZero: true, inputLength: T }),
    tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4 }) as tf.RNN }),
  ), inputs: tokens, calls: 2 },
  { name: "Masking → GRU goBackwards → SimpleRNN, sequences", model: () => sequential(
    tf.layers.masking({ maskValue: 0, inputShape: [T, I] }),
    tf.layers.gru({ units: 5, returnSequences: true, goBackwards: true }),
    tf.layers.simpleRNN({ units: 4, returnSequences: true }),
  ), inputs: maskedSteps, calls: 2 },
  { name: "Masking → LSTM returnState", model: () => {
    const x = input();
    const outputs = tf.layers.lstm({ units: 4, returnState: true }).apply(tf.layers.masking({ maskValue: 0 }).apply(x)) as tf.SymbolicTensor[];
    return tf.model({ inputs: x, outputs });
  }, inputs: maskedSteps, calls: 3 },
  { name: "dropout and recurrentDropout (the identity at inference)", model: () => sequential(
    tf.layers.lstm({ units: 5, inputShape: [T, I], dropout: 0.4, recurrentDropout: 0.3, returnSequences: true }),
    tf.layers.gru({ units: 4, dropout: 0.2, recurrentDropout: 0.5 }),
  ), inputs: () => seeded(17, [B, T, I]), calls: 2 },
];

export function tfjsPredictSuite(backend: "cpu" | "wasm"): void {
  beforeAll(async () => {
    await tf.setBackend(backend);
    expect(tf.getBackend()).toBe(backend);
    b = await bridge();
  });

  describe(`wasm-rnn/tfjs: predict equals tfjs's own layers (${backend} backend)`, () => {
    let worst = 0;
    for (const c of CASES) {
      it(c.name, () => {
        const model = c.model();
        randomize(model, CASES.indexOf(c) + 1, 0.6);
        const x = c.inputs();
        const noticed = notices.length;
        const { tfjs, ours, calls } = bothWays(b, () => model.predict(x) as tf.Tensor | tf.Tensor[]);
        const d = maxDiff(ours, tfjs);
        worst = Math.max(worst, d);
        expect(calls, "layer calls on wasm-rnn").toBe(c.calls);
        expect(notices.slice(noticed)).toEqual([]);
        expect(d).toBeLessThanOrEqual(PREDICT_TOLERANCE);
        tf.dispose([tfjs, ours, x].flat());
        model.dispose();
      });
    }
    it("(largest difference over the models above)", () => {
      console.log(`wasm-rnn/tfjs predict vs tfjs (${backend} backend): max |diff| ${worst.toExponential(2)}`);
      expect(worst).toBeGreaterThan(0); // the runs did differ: tfjs's own path really ran
    });
  });

  describe("wasm-rnn/tfjs: stateful layers keep their states across calls, as tfjs's do", () => {
    it("three predicts, resetStates, a fourth: the same outputs as tfjs's, call by call", () => {
      const make = () => {
        const model = sequential(tf.layers.lstm({ units: 5, batchInputShape: [B, T, I], stateful: true, returnSequences: true }), tf.layers.gru({ units: 4, stateful: true }));
        randomize(model, 30, 0.6);
        return model;
      };
      const chunks = [1, 2, 3, 4].map((k) => seeded(30 + k, [B, T, I]));
      const run = (model: tf.LayersModel) => {
        const outputs = chunks.slice(0, 3).map((x) => model.predict(x) as tf.Tensor);
        model.resetStates();
        outputs.push(model.predict(chunks[3]) as tf.Tensor);
        return outputs;
      };
      const reference = make(), bridged = make();
      b.enabled = false;
      const tfjs = run(reference);
      b.enabled = true;
      const before = b.calls;
      const ours = run(bridged);
      expect(b.calls - before).toBe(8);
      expect(maxDiff(ours, tfjs)).toBeLessThanOrEqual(PREDICT_TOLERANCE);
      // The states did carry: the first and second chunks' outputs differ from a fresh model's.
      expect(maxDiff(ours[1], make().predict(chunks[1]) as tf.Tensor)).toBeGreaterThan(1e-3);
      tf.dispose([...tfjs, ...ours, ...chunks]);
    });
  });

  describe("wasm-rnn/tfjs: evaluate, memory, saved models", () => {
    it("evaluate gives tfjs's loss and metric", () => {
      const model = sequential(tf.layers.masking({ inputShape: [T, I] }), tf.layers.lstm({ units: 6 }), tf.layers.dense({ units: 3, activation: "softmax" }));
      randomize(model, 40, 0.6);
      model.compile({ optimizer: "sgd", loss: "categoricalCrossentropy", metrics: ["accuracy"] });
      const x = maskedSteps(), y = tf.oneHot(tf.tensor1d([0, 2, 1], "int32"), 3);
      const { tfjs, ours, calls } = bothWays(b, () => model.evaluate(x, y) as tf.Scalar[]);
      expect(calls).toBe(1);
      expect(maxDiff(ours, tfjs)).toBeLessThanOrEqual(PREDICT_TOLERANCE);
      tf.dispose([...tfjs, ...ours, x, y]);
    });

    it("predict and evaluate leave tf.memory().numTensors as they found it", () => {
      const model = sequential(
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 5, returnSequences: true }) as tf.RNN, inputShape: [T, I] }),
        tf.layers.gru({ units: 4, stateful: false, returnState: false }),
        tf.layers.dense({ units: 2 }),
      );
      randomize(model, 41, 0.6);
      model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
      const x = seeded(42, [B, T, I]), y = seeded(43, [B, 2]);
      tf.dispose(model.predict(x) as tf.Tensor); // twins built, weights copied
      const before = tf.memory().numTensors;
      const calls = b.calls;
      for (let i = 0; i < 3; i++) {
        tf.dispose(model.predict(x) as tf.Tensor);
        tf.dispose(model.evaluate(x, y) as tf.Scalar);
      }
      expect(b.calls - calls).toBe(18);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y]);
    });

    it("a model saved by tfjs and loaded with tf.loadLayersModel runs on wasm-rnn", async () => {
      const original = sequential(
        tf.layers.embedding({ inputDim: 10, outputDim: I, maskZero: true, inputLength: T }),
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true }) as tf.RNN }),
        tf.layers.gru({ units: 5, goBackwards: true }),
        tf.layers.dense({ units: 2 }),
      );
      randomize(original, 44, 0.6);
      const { modelJson, weights } = await save(original);
      const loaded = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: modelJson.modelTopology as object,
        weightSpecs: (modelJson.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[])[0].weights,
        weightData: weights,
      }));
      const x = tokens();
      const { tfjs, ours, calls } = bothWays(b, () => loaded.predict(x) as tf.Tensor);
      expect(calls).toBe(3);
      expect(maxDiff(ours, tfjs)).toBeLessThanOrEqual(PREDICT_TOLERANCE);
      expect(maxDiff(ours, original.predict(x) as tf.Tensor)).toBeLessThanOrEqual(PREDICT_TOLERANCE);
      tf.dispose([tfjs, ours, x]);
      original.dispose();
      loaded.dispose();
    });
  });
}
