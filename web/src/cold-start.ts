// The cold-start page's script: the time to the first W1 result (LSTM, batch 1, 128 steps), counted
// from navigation start and from this script's start: importing the library, compiling the wasm,
// init, building the layer with the benchmark's weights, one forward pass. Shown on the page for the
// tests and bench/README.md.

import { data, stateDict, WORKLOADS } from "../../bench/workloads.js";

const scriptStart = performance.now();
const lib: typeof import("wasm-rnn") = await import("wasm-rnn");
const imported = performance.now();
const w = WORKLOADS.find((x) => x.id === "W1")!;
const info = await lib.init();
const ready = performance.now();
const layer = new lib.LSTM({ inputSize: w.I, hiddenSize: w.H });
layer.loadStateDict(stateDict(w));
const x = lib.tensor(data(w).x!, [w.T, w.B, w.I]);
const built = performance.now();
const { output } = layer.forward(x);
const done = performance.now();
const result = document.getElementById("result")!;
const ms = (t: number) => `${t.toFixed(1)} ms`;
result.textContent =
  `First W1 result ${ms(done)} after navigation start, ${ms(done - scriptStart)} after the page's script started ` +
  `(library imported in ${ms(imported - scriptStart)}, wasm compiled and initialised in ${ms(ready - imported)}, layer built in ${ms(built - ready)}, run in ${ms(done - built)}; ` +
  `${info.relaxedSimd ? "relaxed" : "plain"} SIMD); output[0] = ${output.data[0].toFixed(6)}.`;
result.dataset.ms = done.toFixed(1);
result.dataset.fromScript = (done - scriptStart).toFixed(1);
result.dataset.scriptStart = scriptStart.toFixed(1);
layer.dispose();
