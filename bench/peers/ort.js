// ONNX Runtime as a benchmark peer, either onnxruntime-web (its wasm backend, run in Node) or
// onnxruntime-node (native CPU provider), both single-threaded. Inference only: the model comes from
// onnx-rnn.js built on the workload's PyTorch state dict. With `int8`, the peer ("ort-web int8",
// "ort-node int8") runs the graph onnxruntime's quantize_dynamic makes of an LSTM (com.microsoft
// DynamicQuantizeLSTM, int8 weights, inputs quantized to uint8 on the fly); onnxruntime has no such
// operator for GRU or RNN, so those workloads are left out ("—" in the table).

import { onnxModel, quantizable } from "../onnx-rnn.js";

const SESSION_OPTIONS = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
};

/** max |Δ| against our float32 output above which an int8 peer's output is a MISMATCH: quantization
 *  error is a few 1e-3 here, a wrongly laid out or ordered weight gives ≥ 0.1. */
export const INT8_TOLERANCE = 2e-2;

/** runtime: "web" or "node"; int8: null (float32 LSTM/GRU/RNN nodes) or the weight quantization of
 *  DynamicQuantizeLSTM, "per-tensor" (quantize_dynamic's default, one scale per direction) or "per-channel". */
export async function loadOrt(runtime, { int8 = null } = {}) {
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
  if (int8) {
    const as = int8 === "per-channel" ? "quantize_dynamic with per_channel=True" : "quantize_dynamic's default";
    settings += `; com.microsoft DynamicQuantizeLSTM, W/R int8 symmetric ${int8} (${as}), X and h quantized to uint8 as it runs`;
  }
  const executionProviders = [runtime === "web" ? "wasm" : "cpu"];
  return {
    name: `ort-${runtime}${int8 ? " int8" : ""}`,
    settings: `${settings} (v${ort.env.versions?.common ?? "?"})`,
    tolerance: int8 ? INT8_TOLERANCE : undefined,
    supports: (w) => !w.training && (!int8 || quantizable(w)),
    /** Why a workload is not run (printed under the table), or null. */
    unsupported(w) {
      if (w.training) return "onnxruntime is inference-only here";
      if (int8 && !quantizable(w)) return `onnxruntime has no dynamic-quantized ${w.cell.toUpperCase()} operator (quantize_dynamic leaves it in float)`;
      return null;
    },
    async prepare(w, sd, input) {
      const session = await ort.InferenceSession.create(onnxModel(w, sd, { quantization: int8 }), { ...SESSION_OPTIONS, executionProviders });
      const feeds = { x: new ort.Tensor("float32", input.x, [w.T, w.B, w.I]) };
      return {
        run: () => session.run(feeds),
        result: async () => ({ output: (await session.run(feeds)).output.data }),
        dispose: () => session.release(),
      };
    },
  };
}
