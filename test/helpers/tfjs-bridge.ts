// What the tests of wasm-rnn/tfjs share: the bridge installed in the test's tfjs (cpu backend unless a
// test sets another), a notice collector, and runs of one model with the bridge off (tfjs's own
// path: the reference) and on, compared output by output and weight by weight.

import * as tf from "@tensorflow/tfjs";
import { useWasmRnn, type TfjsBridge } from "../../src/adapters/tfjs/index.js";
import { uniform } from "../fixtures/keras/tfjs-models.js";

export { tf };

/** The notices the bridge gave (it gives each once). */
export const notices: string[] = [];

/** The bridge, installed once per test file (each file has its own tfjs). */
export function bridge(): Promise<TfjsBridge> {
  return useWasmRnn(tf, { notice: (message) => notices.push(message) });
}

/** Largest |a − b| over tensors of the same shapes (fails on a shape difference). */
export function maxDiff(actual: tf.Tensor | tf.Tensor[], expected: tf.Tensor | tf.Tensor[]): number {
  const a = Array.isArray(actual) ? actual : [actual];
  const e = Array.isArray(expected) ? expected : [expected];
  if (a.length !== e.length) throw new Error(`${a.length} tensors, expected ${e.length}`);
  let worst = 0;
  a.forEach((t, k) => {
    if (t.shape.join() !== e[k].shape.join()) throw new Error(`tensor ${k}: shape [${t.shape}], expected [${e[k].shape}]`);
    const x = t.dataSync(), y = e[k].dataSync();
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  });
  return worst;
}

/** Seeded uniform values as a tensor. */
export function seeded(seed: number, shape: number[], scale = 1): tf.Tensor {
  return tf.tensor(uniform(seed, shape.reduce((a, b) => a * b, 1), scale), shape);
}

/** `run` with the bridge off (tfjs's own layers), then on; with the calls the bridge ran. */
export function bothWays<T>(b: TfjsBridge, run: () => T): { tfjs: T; ours: T; calls: number } {
  b.enabled = false;
  const tfjs = run();
  b.enabled = true;
  const before = b.calls;
  const ours = run();
  return { tfjs, ours, calls: b.calls - before };
}

/** The model's weights, copied. */
export function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

/** Largest |a − b| between two weight lists. */
export function weightDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let worst = 0;
  a.forEach((w, k) => w.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[k][i])))));
  return worst;
}

/**
 * One fit of `model` from the same initial weights with the bridge off and on (compiled afresh with
 * `optimizer()` each time, so both start from a new optimizer state, and stateful layers from zero
 * states); returns the initial weights, both runs' weights and losses, and how many backward passes
 * ran on wasm-rnn.
 */
export async function fitBothWays(b: TfjsBridge, model: tf.LayersModel, optimizer: () => tf.Optimizer, loss: string, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args: tf.ModelFitArgs) {
  const initial = model.getWeights().map((w) => w.clone());
  const fit = async (enabled: boolean) => {
    b.enabled = enabled;
    model.setWeights(initial);
    model.resetStates(); // stateful layers start from zeros
    model.compile({ optimizer: optimizer(), loss });
    const history = await model.fit(x, y, { shuffle: false, verbose: 0, ...args });
    return { weights: weightValues(model), loss: history.history.loss as number[] };
  };
  const start = initial.map((w) => Float32Array.from(w.dataSync()));
  const tfjs = await fit(false);
  const gradientsBefore = b.gradients;
  const ours = await fit(true);
  tf.dispose(initial);
  return { start, tfjs, ours, gradients: b.gradients - gradientsBefore };
}
