// The host bridges in Cloudflare Workers (workerd): hosts.js's jobs — TensorFlow.js through
// wasm-rnn/tfjs, brain.js beside wasm-rnn/brain — with the wasm core as a module the runtime compiled;
// the bridges are imported once the engine has it (wasm-rnn/brain starts the engine on import).
import * as tf from "@tensorflow/tfjs";
import brainjs from "brain.js";
import * as lib from "wasm-rnn";
import relaxed from "wasm-rnn/wasm/relaxed.wasm";
import { runBrain, runTfjs } from "./hosts.js";

export default {
  async fetch() {
    try {
      await lib.init({ module: relaxed });
      const [tfjsBridge, brainBridge] = await Promise.all([import("wasm-rnn/tfjs"), import("wasm-rnn/brain")]);
      return Response.json({ tfjs: await runTfjs(tf, tfjsBridge), brain: runBrain(brainjs, brainBridge) });
    } catch (e) {
      return Response.json({ error: `${e?.name}: ${e?.message}` }, { status: 500 });
    }
  },
};
