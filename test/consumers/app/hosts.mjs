// The host-library consumer (Node, Bun, Deno): `import` TensorFlow.js, brain.js, wasm-rnn/tfjs and
// wasm-rnn/brain as an application would, run hosts.js's jobs, print their numbers as JSON.
import * as tf from "@tensorflow/tfjs";
import brainjs from "brain.js";
import * as tfjsBridge from "wasm-rnn/tfjs";
import * as brainBridge from "wasm-rnn/brain";
import { runBrain, runTfjs } from "./hosts.js";

console.log(JSON.stringify({ tfjs: await runTfjs(tf, tfjsBridge), brain: runBrain(brainjs, brainBridge) }));
