// wasm-rnn itself as a benchmark peer: loads the built library (dist/ and build/*.wasm) with the
// requested SIMD build, feeds it the workload's PyTorch state dict, and times forward (and backward).
// Imports dist/index.js and calls init({ simd }) — what dist/node.js does with simd 'auto'.

import { directions } from "../workloads.js";

export async function loadOurs(simd = "auto") {
  const api = await import("../../dist/index.js");
  const engine = await api.init({ simd });
  const classes = { lstm: api.LSTM, gru: api.GRU, rnn: api.RNN };
  return {
    name: "ours",
    engine,
    settings: `wasm-rnn, ${engine.simd} SIMD build, single thread`,
    supports: () => true,
    async prepare(w, sd, input) {
      const layer = new classes[w.cell]({ inputSize: w.I, hiddenSize: w.H, numLayers: w.layers, bidirectional: w.bidirectional });
      layer.loadStateDict(sd);
      const x = api.tensor(input.x, [w.T, w.B, w.I]);
      if (!w.training) {
        return {
          run: () => layer.forward(x),
          result: () => ({ output: layer.forward(x).output.data }),
          dispose: () => layer.dispose(),
        };
      }
      const gradOutput = api.tensor(input.gradOutput, [w.T, w.B, directions(w) * w.H]);
      const run = () => {
        layer.zeroGrad();
        layer.forward(x);
        return layer.backward(gradOutput);
      };
      return {
        run,
        result: () => ({ gradInput: run().gradInput.data, gradWeightHh: layer.grads().weight_hh_l0.data }),
        dispose: () => layer.dispose(),
      };
    },
  };
}
