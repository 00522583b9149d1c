// wasm-rnn/tfjs training against tfjs itself, on one tfjs backend (the tfjs.fit.*.test.ts files run
// it on cpu and wasm): gradients (tf.variableGrads of every weight, tf.grads of the inputs and so of
// initial states) through the bridge's backward equal tfjs's autodiff through its own layers, and one
// epoch of model.fit from the same weights, data and optimizer ends within 1e-4 of tfjs's weights —
// tfjs's optimizers updating the layers' variables, every backward pass on wasm-rnn (the bridge
// counts them). Covers tfjs's default hard_sigmoid gates, masks in any pattern, Bidirectional,
// stacked layers, initial states from another layer, a layer called twice in one model, stateful
// layers, input dropout while training (tfjs's dropoutFunc, so both draw the same masks), and
// tf.memory().numTensors across fit.

import { beforeAll, describe, expect, it } from "vitest";
import type { TfjsBridge } from "../../src/adapters/tfjs/index.js";
import { randomize } from "../fixtures/keras/tfjs-models.js";
import { bothWays, bridge, fitBothWays, maxDiff, notices, seeded, tf, weightDiff } from "../helpers/tfjs-bridge.js";

const GRADIENT_TOLERANCE = 1e-5;
const FIT_TOLERANCE = 1e-4;
const [B, T, I] = [4, 6, 3];

let b: TfjsBridge;

const sequential = (...layers: tf.layers.Layer[]) => tf.sequential({ layers });

/** x [B, T, I] with zero rows (masked by Masking) scattered through the sequences. */
function maskedSteps(seed: number, batch = B): tf.Tensor {
  const values = seeded(seed, [batch, T, I]).arraySync() as number[][][];
  values.forEach((sequence, s) => sequence.forEach((row, t) => ((s + 2 * t) % 5 === 1 || t >= T - s % 3) && row.fill(0)));
  return tf.tensor3d(values);
}

/** L = Σ output ⊙ R over every output, R seeded: its gradients of the weights and (unless the model
 *  starts with Masking, whose tf.any tfjs cannot differentiate) of the inputs. */
function gradients(model: tf.LayersModel, x: tf.Tensor[], R: tf.Tensor[], ofInputs: boolean) {
  return tf.tidy(() => {
    const loss = (...inputs: tf.Tensor[]) => {
      const outputs = [model.apply(inputs.length === 1 ? inputs[0] : inputs, { training: true }) as tf.Tensor | tf.Tensor[]].flat();
      return outputs.reduce((sum, y, k) => tf.add(sum, tf.sum(tf.mul(y, R[k]))), tf.scalar(0)) as tf.Scalar;
    };
    const weights = tf.variableGrads(() => loss(...x)).grads;
    const inputs = ofInputs ? tf.grads(loss)(x) : [];
    return [...Object.keys(weights).sort().map((name) => tf.keep(weights[name])), ...inputs.map((g) => tf.keep(g))];
  });
}

interface GradientCase {
  name: string;
  model: () => tf.LayersModel;
  inputs: () => tf.Tensor[];
}

const GRADIENT_CASES: GradientCase[] = [
  { name: "LSTM, tfjs's defaults (hard_sigmoid), sequences", model: () => sequential(tf.layers.lstm({ units: 5, inputShape: [T, I], returnSequences: true })), inputs: () => [seeded(1, [B, T, I])] },
  { name: "GRU reset-before, goBackwards, last output", model: () => sequential(tf.layers.gru({ units: 5, inputShape: [T, I], goBackwards: true })), inputs: () => [seeded(2, [B, T, I])] },
  { name: "SimpleRNN elu, no bias, sequences", model: () => sequential(tf.layers.simpleRNN({ units: 4, inputShape: [T, I], activation: "elu", useBias: false, returnSequences: true })), inputs: () => [seeded(3, [B, T, I])] },
  { name: "Masking → Bidirectional LSTM (concat) → GRU goBackwards", model: () => sequential(
    tf.layers.masking({ inputShape: [T, I] }),
    tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: "sigmoid" }) as tf.RNN }),
    tf.layers.gru({ units: 3, goBackwards: true, returnSequences: true }),
  ), inputs: () => [maskedSteps(4)] },
  { name: "LSTM returnState (sequences, h, c all in the loss), masked", model: () => {
    const x = tf.input({ shape: [T, I] });
    const outputs = tf.layers.lstm({ units: 4, returnSequences: true, returnState: true }).apply(tf.layers.masking().apply(x)) as tf.SymbolicTensor[];
    return tf.model({ inputs: x, outputs });
  }, inputs: () => [maskedSteps(5)] },
  { name: "an encoder's states as a decoder's initialState: gradients reach the encoder", model: () => {
    const source = tf.input({ shape: [T, I] }), target = tf.input({ shape: [4, 2] });
    const [, h] = tf.layers.gru({ units: 4, returnState: true }).apply(source) as tf.SymbolicTensor[];
    const decoded = tf.layers.gru({ units: 4, returnSequences: true }).apply(target, { initialState: [h] }) as tf.SymbolicTensor;
    return tf.model({ inputs: [source, target], outputs: decoded });
  }, inputs: () => [seeded(6, [B, T, I]), seeded(7, [B, 4, 2])] },
  { name: "one LSTM called on two inputs (its second run comes before the first's backward)", model: () => {
    const a = tf.input({ shape: [T, I] }), c = tf.input({ shape: [T, I] });
    const shared = tf.layers.lstm({ units: 4 });
    const joined = tf.layers.concatenate().apply([shared.apply(a) as tf.SymbolicTensor, shared.apply(c) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    return tf.model({ inputs: [a, c], outputs: joined });
  }, inputs: () => [seeded(8, [B, T, I]), seeded(9, [B, T, I])] },
];

export function tfjsFitSuite(backend: "cpu" | "wasm"): void {
  beforeAll(async () => {
    await tf.setBackend(backend);
    expect(tf.getBackend()).toBe(backend);
    b = await bridge();
  });

  describe(`wasm-rnn/tfjs: gradients equal tfjs's autodiff through its own layers (${backend} backend)`, () => {
    let worst = 0;
    for (const c of GRADIENT_CASES) {
      it(c.name, () => {
        const model = c.model();
        randomize(model, GRADIENT_CASES.indexOf(c) + 1, 0.6);
        const x = c.inputs();
        const outputs = [model.predict(x.length === 1 ? x[0] : x) as tf.Tensor | tf.Tensor[]].flat();
        const R = outputs.map((y, k) => seeded(50 + k, y.shape));
        const gradientsBefore = b.gradients, noticed = notices.length;
        const ofInputs = !model.layers.some((l) => l.getClassName() === "Masking");
        const { tfjs, ours } = bothWays(b, () => gradients(model, x, R, ofInputs));
        expect(b.gradients - gradientsBefore, "backward passes on wasm-rnn").toBeGreaterThan(0);
        expect(notices.slice(noticed)).toEqual([]);
        const d = maxDiff(ours, tfjs);
        worst = Math.max(worst, d);
        expect(d).toBeLessThanOrEqual(GRADIENT_TOLERANCE);
        tf.dispose([...tfjs, ...ours, ...x, ...outputs, ...R]);
        model.dispose();
      });
    }
    it("(largest difference over the models above)", () => {
      console.log(`wasm-rnn/tfjs gradients vs tfjs autodiff (${backend} backend): max |diff| ${worst.toExponential(2)}`);
      expect(worst).toBeGreaterThan(0);
    });
  });

  interface FitCase {
    name: string;
    model: () => tf.LayersModel;
    optimizer: () => tf.Optimizer;
    loss: string;
    data: () => { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor };
    batchSize: number;
  }

  /** Deterministic dropout for both paths: tfjs's dropoutFunc option, a fixed pattern scaled by 1/(1 − rate). */
  const fixedDropout = (ones: tf.Tensor, rate: number) => tf.tidy(() => {
    const keep = tf.tensor(Array.from({ length: ones.size }, (_, i) => ((i * 7) % 10 >= rate * 10 ? 1 : 0)), ones.shape);
    return tf.div(tf.mul(ones, keep), 1 - rate);
  });

  const FIT_CASES: FitCase[] = [
    { name: "LSTM (tfjs's defaults) → Dense, Adam, mean squared error", model: () => sequential(tf.layers.lstm({ units: 6, inputShape: [T, I] }), tf.layers.dense({ units: 2 })),
      optimizer: () => tf.train.adam(0.02), loss: "meanSquaredError", data: () => ({ x: seeded(10, [16, T, I]), y: seeded(11, [16, 2]) }), batchSize: 4 },
    // The embedding stays fixed: its gradient needs a kernel tfjs's wasm backend lacks (UnsortedSegmentSum).
    { name: "Embedding(maskZero, fixed) → GRU → Dense softmax, RMSprop, categorical cross-entropy", model: () => sequential(
      tf.layers.embedding({ inputDim: 9, outputDim: I, maskZero: true, inputLength: T, trainable: false }),
      tf.layers.gru({ units: 5, recurrentActivation: "sigmoid" }),
      tf.layers.dense({ units: 3, activation: "softmax" }),
    ), optimizer: () => tf.train.rmsprop(0.01), loss: "categoricalCrossentropy", data: () => ({
      x: tf.tensor2d(Array.from({ length: 12 * T }, (_, i) => ((i * 5) % 11) % 9 * (i % T < T - (Math.floor(i / T) % 3) ? 1 : 0)), [12, T], "int32"),
      y: tf.oneHot(tf.tensor1d(Array.from({ length: 12 }, (_, i) => i % 3), "int32"), 3),
    }), batchSize: 3 },
    { name: "Masking → Bidirectional LSTM → SimpleRNN → Dense, SGD with momentum", model: () => sequential(
      tf.layers.masking({ inputShape: [T, I] }),
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true }) as tf.RNN }),
      tf.layers.simpleRNN({ units: 4 }),
      tf.layers.dense({ units: 1 }),
    ), optimizer: () => tf.train.momentum(0.05, 0.9), loss: "meanSquaredError", data: () => ({ x: maskedSteps(12, 12), y: seeded(13, [12, 1]) }), batchSize: 4 },
    { name: "2-layer Bidirectional GRU (sum) → Dense, Adam", model: () => sequential(
      tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, returnSequences: true }) as tf.RNN, mergeMode: "sum", inputShape: [T, I] }),
      tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3 }) as tf.RNN }),
      tf.layers.dense({ units: 2 }),
    ), optimizer: () => tf.train.adam(0.02), loss: "meanSquaredError", data: () => ({ x: seeded(14, [12, T, I]), y: seeded(15, [12, 2]) }), batchSize: 6 },
    { name: "LSTM with input dropout while training (tfjs's dropoutFunc) → Dense, Adam", model: () => sequential(
      tf.layers.lstm({ units: 5, inputShape: [T, I], dropout: 0.3, dropoutFunc: fixedDropout } as Parameters<typeof tf.layers.lstm>[0]),
      tf.layers.dense({ units: 2 }),
    ), optimizer: () => tf.train.adam(0.02), loss: "meanSquaredError", data: () => ({ x: seeded(16, [8, T, I]), y: seeded(17, [8, 2]) }), batchSize: 4 },
    { name: "stateful LSTM (states carried batch to batch) → Dense, SGD", model: () => sequential(
      tf.layers.lstm({ units: 4, batchInputShape: [4, T, I], stateful: true }),
      tf.layers.dense({ units: 1 }),
    ), optimizer: () => tf.train.sgd(0.1), loss: "meanSquaredError", data: () => ({ x: seeded(18, [12, T, I]), y: seeded(19, [12, 1]) }), batchSize: 4 },
  ];

  describe(`wasm-rnn/tfjs: an epoch of model.fit ends at tfjs's weights (${backend} backend)`, () => {
    let worst = 0;
    for (const c of FIT_CASES) {
      it(c.name, async () => {
        const model = c.model();
        randomize(model, 60 + FIT_CASES.indexOf(c), 0.5);
        const { x, y } = c.data();
        const noticed = notices.length;
        const run = await fitBothWays(b, model, c.optimizer, c.loss, x, y, { epochs: 1, batchSize: c.batchSize });
        const [N] = [x].flat()[0].shape;
        expect(run.gradients, "backward passes on wasm-rnn").toBeGreaterThanOrEqual(N / c.batchSize);
        expect(notices.slice(noticed)).toEqual([]);
        const d = weightDiff(run.ours.weights, run.tfjs.weights);
        worst = Math.max(worst, d);
        expect(Math.abs(run.ours.loss[0] - run.tfjs.loss[0])).toBeLessThanOrEqual(FIT_TOLERANCE);
        expect(d).toBeLessThanOrEqual(FIT_TOLERANCE);
        // The epoch moved the weights: the comparison is not of two untouched models.
        expect(weightDiff(run.ours.weights, run.start)).toBeGreaterThan(100 * FIT_TOLERANCE);
        tf.dispose([x, y].flat());
        model.dispose();
      });
    }
    it("(largest difference over the models above)", () => {
      console.log(`wasm-rnn/tfjs fit epoch vs tfjs (${backend} backend): max |weight diff| ${worst.toExponential(2)}`);
      expect(worst).toBeGreaterThan(0);
    });

    it("fit leaves tf.memory().numTensors as tfjs's own fit does", async () => {
      const model = sequential(
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true }) as tf.RNN, inputShape: [T, I] }),
        tf.layers.gru({ units: 3 }),
        tf.layers.dense({ units: 1 }),
      );
      randomize(model, 70, 0.5);
      model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
      const x = seeded(71, [8, T, I]), y = seeded(72, [8, 1]);
      const epoch = async () => {
        const before = tf.memory().numTensors;
        await model.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
        return tf.memory().numTensors - before;
      };
      await epoch(); // the optimizer's slots are made in the first epoch
      b.enabled = false;
      const tfjsGrowth = await epoch();
      b.enabled = true;
      const gradients = b.gradients;
      const ourGrowth = await epoch();
      expect(b.gradients - gradients).toBe(6); // 2 batches × 3 recurrent layer calls
      expect(tfjsGrowth).toBe(0);
      expect(ourGrowth).toBe(0);
      tf.dispose([x, y]);
      model.dispose();
    });
  });
}
