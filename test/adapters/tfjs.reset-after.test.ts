// Keras's GRU with reset_after=True through wasm-rnn/tfjs (tfjs alone refuses it). A Keras 2 model
// (the hand-written model.json of test/fixtures/keras/gru-reset-after: GRU with returnState, then a
// Bidirectional GRU) loads with tf.loadLayersModel and predicts what wasm-rnn's own importer predicts —
// the importer is checked against a float64 reference of Keras's equations in
// test/io/keras.gru-reset-after.test.ts — on wasm-rnn's kernels and on the bridge's tfjs-ops cell
// (its path on backends the bridge leaves to tfjs). It trains: gradients and an epoch of fit on
// wasm-rnn equal tfjs's autodiff through that tfjs-ops cell. Built in code with bridge.gru, it
// saves reset_after and its [2, 3H] bias, and loads back.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { TfjsBridge } from "../../src/adapters/tfjs/index.js";
import { init, loadLayersModel, tensor, type Tensor } from "../../src/index.js";
import { randomize, save, uniform } from "../fixtures/keras/tfjs-models.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { bothWays, bridge, fitBothWays, maxDiff, notices, seeded, tf, weightDiff } from "../helpers/tfjs-bridge.js";

const TOLERANCE = 1e-5;
const FIT_TOLERANCE = 1e-4;
const [B, T] = [3, 7];

let b: TfjsBridge;
beforeAll(async () => {
  await init();
  b = await bridge();
});

const modelJson = JSON.parse(readFileSync(`${FIXTURES}keras/gru-reset-after/model.json`, "utf8"));
const specs: { name: string; shape: number[] }[] = modelJson.weightsManifest[0].weights;

/** Seeded weights for the fixture's manifest, concatenated in its order. */
function fixtureWeights(seed: number): ArrayBuffer {
  const arrays = specs.map((s, i) => uniform(seed + i, s.shape.reduce((a, c) => a * c, 1), 0.6));
  const data = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    data.set(a, at);
    at += a.length;
  }
  return data.buffer;
}

async function loadFixture(seed: number): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: fixtureWeights(seed) }));
}

/** wasm-rnn's own importer on the same model and weights. */
async function importerPredict(seed: number, x: tf.Tensor): Promise<Tensor[]> {
  const model = await loadLayersModel({ modelJson, weights: fixtureWeights(seed) });
  const outputs = model.predict(tensor(Float32Array.from(x.dataSync()), x.shape)) as Tensor[];
  model.dispose();
  return outputs;
}

function diffFromImporter(actual: tf.Tensor[], expected: Tensor[]): number {
  let worst = 0;
  actual.forEach((t, k) => {
    expect(t.shape).toEqual(expected[k].shape);
    const values = t.dataSync();
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i] - expected[k].data[i]));
  });
  return worst;
}

describe("wasm-rnn/tfjs: Keras GRU with reset_after=True", () => {
  it("tfjs alone refuses it (the bridge's GRU class is what builds it)", () => {
    expect(() => tf.layers.gru({ units: 3, resetAfter: true } as Parameters<typeof tf.layers.gru>[0])).toThrow(/reset_after/);
  });

  it("a Keras 2 model.json loads with tf.loadLayersModel and predicts as wasm-rnn's importer, on wasm-rnn and on the tfjs-ops cell", async () => {
    const model = await loadFixture(80);
    const x = seeded(81, [B, T, 3]);
    const expected = await importerPredict(80, x);
    const { tfjs: cell, ours, calls } = bothWays(b, () => model.predict(x) as tf.Tensor[]);
    expect(calls).toBe(2 + 2); // the GRU once per output used (sequences, state), the Bidirectional's two
    const d = diffFromImporter(ours, expected), dCell = diffFromImporter(cell, expected);
    console.log(`Keras GRU reset_after (model.json): wasm-rnn/tfjs vs importer ${d.toExponential(2)}, tfjs-ops cell vs importer ${dCell.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(TOLERANCE);
    expect(dCell).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([...ours, ...cell, x]);
    model.dispose();
  });

  it("its gradients on wasm-rnn equal tfjs's autodiff through the tfjs-ops cell", async () => {
    const model = await loadFixture(82);
    const x = seeded(83, [B, T, 3]);
    const R = (model.predict(x) as tf.Tensor[]).map((y, k) => seeded(84 + k, y.shape));
    const grads = () => tf.tidy(() => {
      const { grads: g } = tf.variableGrads(() => {
        const outputs = model.apply(x, { training: true }) as tf.Tensor[];
        return outputs.reduce((sum, y, k) => tf.add(sum, tf.sum(tf.mul(y, R[k]))), tf.scalar(0)) as tf.Scalar;
      });
      return Object.keys(g).sort().map((name) => tf.keep(g[name]));
    });
    const gradients = b.gradients;
    const { tfjs, ours } = bothWays(b, grads);
    expect(b.gradients - gradients).toBeGreaterThan(0);
    expect(ours.length).toBe(9);
    const d = maxDiff(ours, tfjs);
    console.log(`Keras GRU reset_after gradients: wasm-rnn/tfjs vs tfjs autodiff ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([...tfjs, ...ours, ...R, x]);
    model.dispose();
  });

  it("trains: an epoch of fit on wasm-rnn ends at the tfjs-ops cell's weights", async () => {
    const loaded = await loadFixture(85);
    const x = tf.input({ shape: [T, 3] });
    const [, state, merged] = loaded.apply(x) as tf.SymbolicTensor[];
    const head = tf.layers.dense({ units: 2 }).apply(tf.layers.concatenate().apply([state, merged]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: head });
    const data = { x: seeded(86, [12, T, 3]), y: seeded(87, [12, 2]) };
    const noticed = notices.length;
    const run = await fitBothWays(b, model, () => tf.train.adam(0.02), "meanSquaredError", data.x, data.y, { epochs: 1, batchSize: 4 });
    expect(run.gradients).toBeGreaterThanOrEqual(3 * 3);
    expect(notices.slice(noticed)).toEqual([]);
    const d = weightDiff(run.ours.weights, run.tfjs.weights);
    console.log(`Keras GRU reset_after fit epoch: wasm-rnn/tfjs vs tfjs-ops cell, max |weight diff| ${d.toExponential(2)}`);
    expect(weightDiff(run.ours.weights, run.start)).toBeGreaterThan(100 * FIT_TOLERANCE);
    expect(d).toBeLessThanOrEqual(FIT_TOLERANCE);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it("built in code with bridge.gru: saves reset_after and its [2, 3H] bias, loads back, and a Bidirectional copies it", async () => {
    const model = tf.sequential({ layers: [
      b.gru({ units: 4, resetAfter: true, returnSequences: true, recurrentActivation: "sigmoid", inputShape: [T, 3] }) as tf.layers.Layer,
      tf.layers.bidirectional({ layer: b.gru({ units: 3, resetAfter: true }) as tf.RNN }),
    ] });
    randomize(model, 88, 0.6);
    expect(model.getWeights().map((w) => w.shape)).toEqual([[3, 12], [4, 12], [2, 12], [4, 9], [3, 9], [2, 9], [4, 9], [3, 9], [2, 9]]);
    const saved = await save(model);
    const layers = (saved.modelJson.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
    expect(layers[0].config.reset_after).toBe(true);
    expect((layers[1].config.layer as { config: Record<string, unknown> }).config.reset_after).toBe(true);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: saved.modelJson.modelTopology as object,
      weightSpecs: (saved.modelJson.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[])[0].weights,
      weightData: saved.weights,
    }));
    const x = seeded(89, [B, T, 3]);
    const { tfjs: cell, ours } = bothWays(b, () => [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor]);
    expect(maxDiff(ours[0], cell[0])).toBeLessThanOrEqual(TOLERANCE);
    expect(maxDiff(ours[1], ours[0])).toBe(0);
    // And wasm-rnn's importer reads what tfjs saved the same way.
    const imported = await loadLayersModel(saved);
    const expected = imported.predict(tensor(Float32Array.from(x.dataSync()), x.shape)) as Tensor;
    expect(diffFromImporter([ours[0]], [expected])).toBeLessThanOrEqual(TOLERANCE);
    imported.dispose();
    tf.dispose([...cell, ...ours, x]);
    model.dispose();
    loaded.dispose();
  });
});
