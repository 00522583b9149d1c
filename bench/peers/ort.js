// ONNX Runtime as a benchmark peer, either onnxruntime-web (its wasm backend, run in Node) or
// onnxruntime-node (native CPU provider), both single-threaded. Inference only: the model comes from
// onnx-rnn.js built on the workload's PyTorch state dict.

import { onnxModel } from "../onnx-rnn.js";

const SESSION_OPTIONS = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
};

/** runtime: "web" or "node". */
export async function loadOrt(runtime) {
  let ort, settings;
  if (runtime === "web") {
    ort = await import("onnxruntime-web");
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    settings = "onnxruntime-web wasm backend, env.wasm.numThreads = 1, intra/inter-op threads 1";
  } else {
    ort = (await import("onnxruntime-node")).default;
    settings = "onnxruntime-node CPU provider, intraOpNumThreads 1, interOpNumThreads 1";
  }
  const executionProviders = [runtime === "web" ? "wasm" : "cpu"];
  return {
    name: `ort-${runtime}`,
    settings: `${settings} (v${ort.env.versions?.common ?? "?"})`,
    supports: (w) => !w.training,
    async prepare(w, sd, input) {
      const session = await ort.InferenceSession.create(onnxModel(w, sd), { ...SESSION_OPTIONS, executionProviders });
      const feeds = { x: new ort.Tensor("float32", input.x, [w.T, w.B, w.I]) };
      return {
        run: () => session.run(feeds),
        result: async () => ({ output: (await session.run(feeds)).output.data }),
        dispose: () => session.release(),
      };
    },
  };
}
