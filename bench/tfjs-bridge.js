// wasm-rnn/tfjs against TensorFlow.js alone (`node tfjs-bridge.js`, run by `npm run bench`): the same
// tfjs-layers models, model.predict and one epoch of model.fit, with tfjs's own recurrent layers (the
// bridge off) and with them on wasm-rnn (`useWasmRnn(tf)`, the bridge on), on tfjs's cpu backend and
// on its wasm backend (tfjs-backend-wasm, one thread); wasm-rnn on one thread too. Workloads: an
// LSTM(256) over [32, 128, 64] then Dense(10), and a 2-layer bidirectional GRU(128) then Dense(10),
// tfjs's default layer options (hard_sigmoid gates, GRU reset-before), softmax cross-entropy, Adam.
// An epoch is 64 sequences in batches of 32. Prints each median, the ratio, the issue's target
// (predict ≥ 3×, fit ≥ 10×), and how far the bridge's outputs are from tfjs's; then, on the wasm
// backend, each library's default in Node (tfjs's wasm backend one thread, wasm-rnn one per core).
// @tensorflow/tfjs-node is not measured: its install downloads TensorFlow's native library from
// outside the npm registry.

import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import "@tensorflow/tfjs-backend-cpu";
import * as wasmBackend from "@tensorflow/tfjs-backend-wasm";
import { init, Random } from "../dist/index.js";
import { useWasmRnn } from "../dist/adapters/tfjs/index.js";
import { availableParallelism } from "node:os";
import { measureRounds } from "./timing.js";

const [B, T, I, CLASSES, SEQUENCES] = [32, 128, 64, 10, 64];
const TARGETS = { predict: 3, fit: 10 };
/** tfjs's own fit takes seconds per epoch here: few rounds. A predict on the wasm backend is a
 *  fraction of a second and tfjs's time varies from run to run by a third: more rounds. */
const TIMING = {
  fit: { warmup: 1, minRounds: 3, maxRounds: 6, budgetMs: 20_000 },
  predict: { warmup: 2, minRounds: 3, maxRounds: 30, budgetMs: 10_000 },
};

// Zero initialisers: the weights are set afterwards (and tfjs's orthogonal initialiser fails here).
const ZEROS = { kernelInitializer: "zeros", recurrentInitializer: "zeros" };
const WORKLOADS = [
  {
    title: "LSTM(256) [32, 128, 64] → Dense(10)",
    layers: () => [tfl.layers.lstm({ ...ZEROS, units: 256, inputShape: [T, I] })],
  },
  {
    title: "2-layer bidirectional GRU(128) [32, 128, 64] → Dense(10)",
    layers: () => [
      tfl.layers.bidirectional({ layer: tfl.layers.gru({ ...ZEROS, units: 128, returnSequences: true }), inputShape: [T, I] }),
      tfl.layers.bidirectional({ layer: tfl.layers.gru({ ...ZEROS, units: 128 }) }),
    ],
  },
];

/** A seeded tensor, uniform in (−scale, scale). */
function seeded(seed, shape, scale) {
  return tf.tensor(new Random(seed).uniformArray(shape.reduce((a, b) => a * b, 1), -scale, scale), shape);
}

/** The workload's model with seeded weights (±1/√fan-in), compiled for fit. */
function build(workload, seed) {
  const model = tfl.sequential({ layers: [...workload.layers(), tfl.layers.dense({ units: CLASSES, activation: "softmax" })] });
  model.setWeights(model.getWeights().map((w, k) => seeded(seed + k, w.shape, 1 / Math.sqrt(w.shape[0]))));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  return model;
}

function maxDiff(a, b) {
  const x = a.dataSync(), y = b.dataSync();
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  return worst;
}

const CORES = availableParallelism();
await init({ threads: 1 });
wasmBackend.setThreadsCount(1);
const bridge = await useWasmRnn(tf);

/** Times every workload on tfjs's `backend`, alone and with the bridge; prints a row per call. */
async function measureBackend(backend, label) {
  await tf.setBackend(backend);
  await tf.ready();
  const x = seeded(1, [SEQUENCES, T, I], 1);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: SEQUENCES }, (_, i) => (i * 7) % CLASSES), "int32"), CLASSES);
  const batch = tf.slice(x, [0, 0, 0], [B, T, I]);
  for (const [k, workload] of WORKLOADS.entries()) {
    const model = build(workload, 100 * (k + 1));
    const predict = (enabled) => () => {
      bridge.enabled = enabled;
      tf.dispose(model.predict(batch));
    };
    // How far the bridge is from tfjs on these weights (before fit moves them).
    bridge.enabled = false;
    const reference = model.predict(batch);
    bridge.enabled = true;
    const bridged = model.predict(batch);
    const difference = maxDiff(bridged, reference);
    tf.dispose([reference, bridged]);
    const fit = (enabled) => async () => {
      bridge.enabled = enabled;
      await model.fit(x, labels, { epochs: 1, batchSize: B, shuffle: false, verbose: 0 });
    };
    const calls = bridge.calls, gradients = bridge.gradients;
    const times = {
      predict: await measureRounds({ tfjs: predict(false), ours: predict(true) }, TIMING.predict),
      fit: await measureRounds({ tfjs: fit(false), ours: fit(true) }, TIMING.fit),
    };
    if (bridge.calls === calls || bridge.gradients === gradients || bridge.fallbacks.length) throw new Error(`tfjs-bridge: the bridge did not run ${workload.title} (${bridge.fallbacks.join("; ")})`);
    for (const call of ["predict", "fit"]) {
      const { tfjs: theirs, ours } = times[call];
      const ratio = theirs.ms / ours.ms;
      console.log(
        `${workload.title.padEnd(58)} ${label.padEnd(7)} ${call.padEnd(7)} ${theirs.ms.toFixed(1).padStart(9)} ${ours.ms.toFixed(1).padStart(9)} ${`${ratio.toFixed(1)}×`.padStart(7)} ${`≥ ${TARGETS[call]}×`.padStart(7)} ${(call === "predict" ? difference.toExponential(1) : "").padStart(10)}` +
          (ratio < TARGETS[call] ? "  (below target)" : ""),
      );
    }
    model.dispose();
  }
  tf.dispose([x, labels, batch]);
}

console.log(`\nwasm-rnn/tfjs: tfjs-layers models with their recurrent layers on wasm-rnn vs tfjs alone (one thread each; median ms; predict of ${B} sequences, fit epoch of ${SEQUENCES} in batches of ${B})`);
console.log(`${"workload".padEnd(58)} ${"backend".padEnd(7)} ${"call".padEnd(7)} ${"tfjs ms".padStart(9)} ${"ours ms".padStart(9)} ${"ratio".padStart(7)} ${"target".padStart(7)} ${"max |diff|".padStart(10)}`);
for (const backend of ["cpu", "wasm"]) await measureBackend(backend, backend);
if (CORES > 1) {
  // What a Node user gets by default: tfjs's wasm backend never starts threads in Node, wasm-rnn's
  // init() starts one per core.
  await init({ threads: CORES });
  console.log(`defaults in Node: tfjs's wasm backend on one thread (it starts none in Node), wasm-rnn on ${CORES} (init()'s default):`);
  await measureBackend("wasm", "wasm");
}
console.log("@tensorflow/tfjs-node: not measured (its install downloads TensorFlow's native library from outside the npm registry)");
process.exit(0); // the engine's thread team would keep Node alive
