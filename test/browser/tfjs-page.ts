// The page test/browser/tfjs.test.ts bundles (with tfjs, tfjs-backend-wasm and wasm-rnn, the
// wasm-rnn builds inline) and opens in Chromium: on each of tfjs's cpu, wasm and webgl backends, a
// masked Bidirectional LSTM → GRU → Dense model's predict, gradients and one fit epoch with the
// bridge off (tfjs's own layers) and on, their largest differences, what the bridge counted and
// noticed, and tf.memory().numTensors across predict and fit; then window.result.

import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { useWasmRnn } from "../../src/adapters/tfjs/index.js";
import { Random } from "../../src/index.js";

const [B, T, I] = [6, 9, 5];

function seeded(seed: number, shape: number[], scale = 1): tf.Tensor {
  return tf.tensor(new Random(seed).uniformArray(shape.reduce((a, b) => a * b, 1), -scale, scale), shape);
}

/** x [B, T, I] with zero (masked) rows: padding at the end of some sequences and a gap in others. */
function maskedInput(seed: number): tf.Tensor {
  const values = seeded(seed, [B, T, I]).arraySync() as number[][][];
  values.forEach((sequence, s) => sequence.forEach((row, t) => ((t >= T - s) || (s % 2 === 1 && t === 3)) && row.fill(0)));
  return tf.tensor3d(values);
}

function maxDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  let worst = 0;
  a.forEach((t, k) => {
    const x = t.dataSync(), y = b[k].dataSync();
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  });
  return worst;
}

function model(): tf.LayersModel {
  const m = tf.sequential({ layers: [
    tf.layers.masking({ inputShape: [T, I] }),
    tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 6, returnSequences: true }) as tf.RNN }),
    tf.layers.gru({ units: 5, goBackwards: true }),
    tf.layers.dense({ units: 2 }),
  ] });
  m.setWeights(m.getWeights().map((w, k) => seeded(10 + k, w.shape, 0.5)));
  return m;
}

async function run(): Promise<Record<string, unknown>> {
  setWasmPaths("/tfjs-wasm/");
  const notices: string[] = [];
  const bridge = await useWasmRnn(tf, { notice: (message) => notices.push(message) });
  const results: Record<string, unknown> = {};
  for (const backend of ["cpu", "wasm", "webgl"]) {
    if (!(await tf.setBackend(backend).catch(() => false))) {
      results[backend] = { unavailable: true };
      continue;
    }
    const m = model();
    const x = maskedInput(1), y = seeded(2, [B, 2]);
    const both = <R>(f: () => R): [R, R] => {
      bridge.enabled = false;
      const tfjs = f();
      bridge.enabled = true;
      return [tfjs, f()];
    };
    const [calls, gradients, noticed] = [bridge.calls, bridge.gradients, notices.length];
    const [p0, p1] = both(() => m.predict(x) as tf.Tensor);
    const [g0, g1] = both(() => tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(m.apply(x, { training: true }) as tf.Tensor, y)));
      return Object.keys(grads).sort().map((name) => tf.keep(grads[name]));
    }));
    const start = m.getWeights().map((w) => w.clone());
    const fit = async (enabled: boolean) => {
      bridge.enabled = enabled;
      m.setWeights(start);
      m.compile({ optimizer: tf.train.adam(0.02), loss: "meanSquaredError" });
      await m.fit(x, y, { epochs: 1, batchSize: 3, shuffle: false, verbose: 0 });
      return m.getWeights().map((w) => w.clone());
    };
    const w0 = await fit(false);
    const w1 = await fit(true);
    const tensors = tf.memory().numTensors;
    tf.dispose(m.predict(x) as tf.Tensor);
    await m.fit(x, y, { epochs: 1, batchSize: 3, shuffle: false, verbose: 0 });
    results[backend] = {
      predict: maxDiff([p1], [p0]),
      gradients: maxDiff(g1, g0),
      fit: maxDiff(w1, w0),
      moved: maxDiff(w1, start),
      calls: bridge.calls - calls,
      backward: bridge.gradients - gradients,
      notices: notices.slice(noticed),
      tensorGrowth: tf.memory().numTensors - tensors,
    };
    tf.dispose([p0, p1, ...g0, ...g1, ...start, ...w0, ...w1, x, y]);
    m.dispose();
  }
  return results;
}

run().then(
  (result) => ((window as unknown as { result: unknown }).result = result),
  (e: Error) => ((window as unknown as { result: unknown }).result = { error: `${e.name}: ${e.message}\n${e.stack}` }),
);
