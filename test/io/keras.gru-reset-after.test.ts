// GRU with reset_after=True (the Keras/TF2 default, which tfjs refuses to build) against an
// independent float64 reference written from the Keras equations. Keras's gate blocks along the 3H
// axis are z, r, h; with reset_after the bias is [2, 3H]: row 0 for the input side, row 1 for the
// recurrent side:
//
//   x_z, x_r, x_h = x·kernel + bias[0]          h_z, h_r, h_h = h·recurrent_kernel + bias[1]
//   z = σ(x_z + h_z)    r = σ(x_r + h_r)    ĥ = tanh(x_h + r ⊙ h_h)    h' = z ⊙ h + (1 − z) ⊙ ĥ
//
// (reset_after=False: one bias [3H] on the input side, ĥ = tanh(x_h + (r ⊙ h)·U_h).) A masked step
// keeps h and outputs it; go_backwards runs the steps last to first and returns them in that order.
// The same reference with reset_after=False is first checked against tfjs, so it is trustworthy.

import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { init, loadLayersModel, tensor, type Tensor } from "../../src/index.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { tf, randomize, save, uniform, ours, maxDiff } from "../fixtures/keras/tfjs-models.js";

beforeAll(async () => {
  await init();
});

interface GruWeights {
  kernel: Float32Array; // [I, 3H]
  recurrent: Float32Array; // [H, 3H]
  bias: Float32Array | null; // [2, 3H] (reset_after) or [3H]
  units: number;
  resetAfter: boolean;
  recurrentActivation: (x: number) => number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const hardSigmoid = (x: number) => Math.min(1, Math.max(0, 0.2 * x + 0.5));

/** The Keras GRU in float64: sequences [B, T, H] in processing order and the final h [B, H]. */
function gruReference(w: GruWeights, x: ArrayLike<number>, [B, T, I]: number[], mask: ArrayLike<number> | null = null, goBackwards = false) {
  const H = w.units, G = 3 * H;
  const sequences = new Float64Array(B * T * H);
  const last = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(H);
    for (let p = 0; p < T; p++) {
      const t = goBackwards ? T - 1 - p : p;
      if (!mask || mask[b * T + t]) {
        const mx = new Float64Array(G), mh = new Float64Array(G);
        for (let j = 0; j < G; j++) {
          let sx = w.bias ? w.bias[j] : 0;
          for (let i = 0; i < I; i++) sx += x[(b * T + t) * I + i] * w.kernel[i * G + j];
          mx[j] = sx;
          let sh = w.resetAfter && w.bias ? w.bias[G + j] : 0;
          for (let k = 0; k < H; k++) sh += h[k] * w.recurrent[k * G + j];
          mh[j] = sh;
        }
        const next = new Float64Array(H);
        const z = Array.from({ length: H }, (_, u) => w.recurrentActivation(mx[u] + mh[u]));
        const r = Array.from({ length: H }, (_, u) => w.recurrentActivation(mx[H + u] + mh[H + u]));
        for (let u = 0; u < H; u++) {
          let candidate: number;
          if (w.resetAfter) {
            candidate = Math.tanh(mx[2 * H + u] + r[u] * mh[2 * H + u]);
          } else {
            let s = mx[2 * H + u];
            for (let k = 0; k < H; k++) s += r[k] * h[k] * w.recurrent[k * G + 2 * H + u];
            candidate = Math.tanh(s);
          }
          next[u] = z[u] * h[u] + (1 - z[u]) * candidate;
        }
        h = next;
      }
      sequences.set(h, (b * T + p) * H);
    }
    last.set(h, b * H);
  }
  return { sequences, last };
}

/** Seeded weights for every spec of a manifest, concatenated in order, and the arrays by name. */
function weightsFor(specs: { name: string; shape: number[] }[], seed: number) {
  const arrays = new Map(specs.map((s, i) => [s.name, uniform(seed + i, s.shape.reduce((a, b) => a * b, 1), 0.6)]));
  const total = [...arrays.values()].reduce((n, a) => n + a.length, 0);
  const data = new Float32Array(total);
  let at = 0;
  for (const a of arrays.values()) {
    data.set(a, at);
    at += a.length;
  }
  return { arrays, buffer: data.buffer };
}

function diff(actual: Tensor, expected: ArrayLike<number>): number {
  expect(actual.data.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual.data[i] - expected[i]));
  return worst;
}

describe("GRU reset_after", () => {
  it("the float64 reference equals tfjs for reset_after=false (masked, go_backwards, hard_sigmoid)", async () => {
    const model = tf.sequential({ layers: [tf.layers.masking({ inputShape: [6, 3] }), tf.layers.gru({ units: 4, returnSequences: true, goBackwards: true })] });
    randomize(model, 3);
    const x = uniform(4, 2 * 6 * 3, 1);
    x.fill(0, 3 * 3, 6 * 3); // sample 0 padded after 3 steps
    const mask = Array.from({ length: 12 }, (_, i) => (i < 6 && i >= 3 ? 0 : 1));
    const [kernel, recurrent, bias] = model.getWeights().map((t) => t.dataSync() as Float32Array);
    const reference = gruReference({ kernel, recurrent, bias, units: 4, resetAfter: false, recurrentActivation: hardSigmoid }, x, [2, 6, 3], mask, true);
    const expected = model.predict(tf.tensor(x, [2, 6, 3])) as tf.Tensor;
    expect(maxDiff(tensor(Float32Array.from(reference.sequences), [2, 6, 4]), expected)).toBeLessThan(1e-5);
  });

  it("a tfjs-saved model edited to reset_after=true: tfjs refuses it, ours matches the reference", async () => {
    const model = tf.sequential({ layers: [tf.layers.masking({ inputShape: [6, 3] }), tf.layers.gru({ units: 5, returnSequences: true, goBackwards: true, recurrentActivation: "hardSigmoid" })] });
    const { modelJson } = await save(model);
    const topology = modelJson.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    topology.config.layers[1].config.reset_after = true;
    const specs = (modelJson.weightsManifest as { weights: { name: string; shape: number[] }[] }[])[0].weights;
    specs[2].shape = [2, 15];
    const { arrays, buffer } = weightsFor(specs, 30);

    await expect(tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology as object, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: buffer }))).rejects.toThrow(/reset_after/);

    const loaded = await loadLayersModel({ modelJson, weights: buffer });
    const x = uniform(31, 3 * 6 * 3, 1);
    x.fill(0, (6 + 4) * 3, 12 * 3); // sample 1 padded after 4 steps
    x.fill(0, 12 * 3, 14 * 3); // sample 2 padded at the start
    const mask = Array.from({ length: 18 }, (_, i) => (x.subarray(i * 3, i * 3 + 3).some((v) => v !== 0) ? 1 : 0));
    const [kernel, recurrent, bias] = [...arrays.values()];
    const reference = gruReference({ kernel, recurrent, bias, units: 5, resetAfter: true, recurrentActivation: hardSigmoid }, x, [3, 6, 3], mask, true);
    const d = diff(loaded.predict(ours(tf.tensor(x, [3, 6, 3]))) as Tensor, reference.sequences);
    console.log(`GRU reset_after (masked, go_backwards, hard_sigmoid) vs float64 reference: max |diff| ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(1e-4);
    loaded.dispose();
  });

  it("a hand-written Keras 2 model.json (Functional, Keras weight names, GRU and Bidirectional GRU)", async () => {
    const modelJson = readFileSync(`${FIXTURES}keras/gru-reset-after/model.json`, "utf8");
    const specs = (JSON.parse(modelJson) as { weightsManifest: { weights: { name: string; shape: number[] }[] }[] }).weightsManifest[0].weights;
    const { arrays, buffer } = weightsFor(specs, 40);
    const model = await loadLayersModel({ modelJson, weights: buffer });
    expect(model.inputNames).toEqual(["frames"]);
    expect(model.outputNames).toEqual(["gru", "gru_1", "bidirectional"]);
    const [B, T] = [3, 7];
    const x = uniform(41, B * T * 3, 1);
    const [sequences, state, merged] = model.predict(ours(tf.tensor(x, [B, T, 3]))) as Tensor[];

    const w = [...arrays.values()];
    const gru = gruReference({ kernel: w[0], recurrent: w[1], bias: w[2], units: 4, resetAfter: true, recurrentActivation: sigmoid }, x, [B, T, 3]);
    const forward = gruReference({ kernel: w[3], recurrent: w[4], bias: w[5], units: 2, resetAfter: true, recurrentActivation: sigmoid }, gru.sequences, [B, T, 4]);
    const backward = gruReference({ kernel: w[6], recurrent: w[7], bias: w[8], units: 2, resetAfter: true, recurrentActivation: sigmoid }, gru.sequences, [B, T, 4], null, true);
    const concat = Array.from({ length: B }, (_, b) => [...forward.last.subarray(2 * b, 2 * b + 2), ...backward.last.subarray(2 * b, 2 * b + 2)]).flat();
    const d = Math.max(diff(sequences, gru.sequences), diff(state, gru.last), diff(merged, concat));
    console.log(`GRU reset_after (Keras 2 model.json, GRU + Bidirectional GRU) vs float64 reference: max |diff| ${d.toExponential(2)}`);
    expect(sequences.shape).toEqual([B, T, 4]);
    expect(merged.shape).toEqual([B, 4]);
    expect(d).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });
});
