// The host bridges in a page built by Vite and by webpack (test/package/consumers.test.ts makes this
// the entry): hosts.js's jobs with TensorFlow.js through wasm-rnn/tfjs, and brain.js's own browser
// build (its global `brain`) beside wasm-rnn/brain. The result goes to `window.consumerResult`.
import * as tf from "@tensorflow/tfjs";
import "brain.js/browser.js";
import * as tfjsBridge from "wasm-rnn/tfjs";
import * as brainBridge from "wasm-rnn/brain";
import { runBrain, runTfjs } from "../hosts.js";

runTfjs(tf, tfjsBridge).then(
  (tfjs) => (window.consumerResult = { tfjs, brain: runBrain(window.brain, brainBridge) }),
  (e) => (window.consumerResult = { error: `${e?.name}: ${e?.message}` }),
);
