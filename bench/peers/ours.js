// wasm-rnn itself as a benchmark peer: loads the built library (dist/ and build/*.wasm) with the
// requested SIMD build and feeds it the workload's PyTorch state dict. Layer workloads time forward
// (and backward) of an LSTM/GRU/RNN; the language-model workload times one training step of a
// LanguageModel with Adam. Imports dist/index.js and calls init({ simd, threads: 1 }) — what
// dist/node.js does with simd 'auto', on one thread (pool.js measures threads). "ours int8" is the
// same layer through quantizeDynamic (inference workloads), on the integer dot the engine picks.

import { FIRST_ORDINARY_TOKEN, directions, isLanguageModel } from "../workloads.js";

function inference(layer, x) {
  return {
    run: () => layer.forward(x),
    result: () => ({ output: layer.forward(x).output.data }),
    dispose: () => layer.dispose(),
  };
}

function gradients(api, layer, x, w, input) {
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
}

/** A character tokenizer of exactly V tokens: the special tokens, then V − 4 distinct printable
 *  characters from '!' on. */
function tokenizerOfSize(api, V) {
  const text = String.fromCharCode(...Array.from({ length: V - FIRST_ORDINARY_TOKEN }, (_, i) => 33 + i));
  const tokenizer = api.CharTokenizer.fit(text);
  if (tokenizer.size !== V) throw new Error(`bench: the character tokenizer has ${tokenizer.size} tokens, not ${V}`);
  return tokenizer;
}

/** One LanguageModel training step per run (zeroGrad, loss and backward of the whole window from a
 *  zero state, Adam); result() is the mean loss per token of the step it takes. */
function trainStep(api, w, sd, input) {
  const lm = new api.LanguageModel(tokenizerOfSize(api, w.V), { cell: w.cell, hiddenSize: w.H, embeddingDim: w.I, seed: 1 });
  lm.loadStateDict(sd);
  const optimizer = new api.Adam(lm.layers, { lr: w.lr });
  const step = () => {
    lm.zeroGrad();
    const loss = lm.windowLoss(input.inputs, input.targets, w.T, w.B, true, false);
    optimizer.step();
    return loss;
  };
  return {
    run: step,
    result: () => {
      const { sum, count } = step();
      return { loss: Float32Array.of(sum / count) };
    },
    dispose: () => lm.dispose(),
  };
}

/** max |Δ| against our float32 output above which our int8 output is a MISMATCH (as the ort int8 peers). */
const INT8_TOLERANCE = 2e-2;

function recurrentLayer(api, w, sd) {
  const classes = { lstm: api.LSTM, gru: api.GRU, rnn: api.RNN };
  const layer = new classes[w.cell]({ inputSize: w.I, hiddenSize: w.H, numLayers: w.layers, bidirectional: w.bidirectional });
  layer.loadStateDict(sd);
  return layer;
}

export async function loadOurs(simd = "auto") {
  const api = await import("../../dist/index.js");
  const { initEngine } = await import("../../dist/engine/init.js"); // the engine itself (sgemm rates use its memory)
  const engine = await initEngine({ simd, threads: 1 }); // single-thread figures: the peers run on one thread too
  return {
    name: "ours",
    engine,
    settings: `wasm-rnn, ${engine.simd} SIMD build, single thread`,
    supports: () => true,
    prepare(w, sd, input) {
      if (isLanguageModel(w)) return trainStep(api, w, sd, input);
      const layer = recurrentLayer(api, w, sd);
      const x = api.tensor(input.x, [w.T, w.B, w.I]);
      return w.training ? gradients(api, layer, x, w, input) : inference(layer, x);
    },
    /** The int8 peer on the same engine: the workload's layer quantized (inference only). */
    int8() {
      engine.readyIntegerDot(); // the inner product is picked now (a short measurement), so the settings can name it
      return {
        name: "ours int8",
        settings: `wasm-rnn quantizeDynamic: int8 weights, per-row scales; activations 7-bit per row; integer dot "${engine.integerDot}"`,
        tolerance: INT8_TOLERANCE,
        supports: (w) => !w.training,
        unsupported: (w) => (w.training ? "quantized layers run inference only" : null),
        prepare(w, sd, input) {
          const float = recurrentLayer(api, w, sd);
          const layer = api.quantizeDynamic(float);
          float.dispose();
          return inference(layer, api.tensor(input.x, [w.T, w.B, w.I]));
        },
      };
    },
  };
}
