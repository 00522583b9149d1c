// The host-library consumer (Node, Bun, Deno): `import` TensorFlow.js and wasm-rnn/tfjs as an
// application would, run hosts.js's job, print its numbers as JSON.
import * as tf from "@tensorflow/tfjs";
import * as tfjsBridge from "wasm-rnn/tfjs";
import { runTfjs } from "./hosts.js";

console.log(JSON.stringify({ tfjs: await runTfjs(tf, tfjsBridge) }));
