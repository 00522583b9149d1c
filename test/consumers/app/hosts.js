// The host-library jobs (test/package/consumers.test.ts), in each runtime, from the packed package:
// a TensorFlow.js model whose recurrent layers run on wasm-rnn through `wasm-rnn/tfjs` — predict
// (and tfjs's own result with the bridge off), then two epochs of tfjs's own fit — and a brain.js
// LSTM through `wasm-rnn/brain`, trained beside brain.js itself from the same JSON. Like
// workload.js it imports no library: each entry passes them as it loaded them.
import { digest, maxDifference } from "./workload.js";

/** Values in [-1, 1] that every runtime computes alike. */
function wave(n, phase) {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(0.7 * i + phase));
}

/**
 * @param tf the tfjs module
 * @param bridgeModule wasm-rnn/tfjs
 */
export async function runTfjs(tf, bridgeModule) {
  await tf.setBackend("cpu");
  await tf.ready();
  const bridge = await bridgeModule.useWasmRnn(tf, { notice: () => {} });
  const seeded = (seed) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.lstm({ units: 8, returnSequences: true, inputShape: [6, 3], kernelInitializer: seeded(1), recurrentInitializer: seeded(2) }),
      tf.layers.gru({ units: 5, kernelInitializer: seeded(3), recurrentInitializer: seeded(4) }),
      tf.layers.dense({ units: 2, kernelInitializer: seeded(5) }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
  const xs = tf.tensor3d(wave(4 * 6 * 3, 0), [4, 6, 3]), ys = tf.tensor2d(wave(4 * 2, 1), [4, 2]);
  const before = tf.memory().numTensors;
  const predicted = (enabled) => {
    bridge.enabled = enabled;
    const y = model.predict(xs), data = y.dataSync();
    y.dispose();
    return data;
  };
  const ours = predicted(true), theirs = predicted(false);
  bridge.enabled = true;
  const history = await model.fit(xs, ys, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
  const result = {
    predict: digest(ours),
    difference: maxDifference(ours, theirs),
    losses: history.history.loss,
    calls: bridge.calls,
    gradients: bridge.gradients,
    leaked: tf.memory().numTensors - before,
  };
  model.dispose();
  xs.dispose();
  ys.dispose();
  return result;
}

/** The largest difference between two brain.js JSONs' weights (every matrix: input, layers, output). */
function weightDifference(a, b) {
  const matrices = (json) => [json.input, ...json.hiddenLayers.flatMap((layer) => Object.values(layer)), json.outputConnector, json.output];
  const [ma, mb] = [matrices(a), matrices(b)];
  let worst = ma.length === mb.length ? 0 : Infinity;
  ma.forEach((m, i) => (worst = Math.max(worst, maxDifference(Object.values(m.weights), Object.values(mb[i].weights)))));
  return worst;
}

/**
 * @param brainjs the brain.js module
 * @param bridgeModule wasm-rnn/brain
 */
export function runBrain(brainjs, bridgeModule) {
  const data = ["doe, a deer, a female deer", "ray, a drop of golden sun", "me, a name I call myself"];
  const seed = new brainjs.recurrent.LSTM();
  seed.train(data, { iterations: 1 });
  const json = JSON.parse(JSON.stringify(seed.toJSON()));
  const theirs = new brainjs.recurrent.LSTM(), ours = new bridgeModule.recurrent.LSTM();
  theirs.fromJSON(json);
  ours.fromJSON(json);
  const errors = [theirs.train(data, { iterations: 10 }).error, ours.train(data, { iterations: 10 }).error];
  return {
    run: [ours.run("doe"), theirs.run("doe")],
    errors,
    weightDifference: weightDifference(JSON.parse(JSON.stringify(ours.toJSON())), JSON.parse(JSON.stringify(theirs.toJSON()))),
  };
}
