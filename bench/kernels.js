// Kernel speed mode of the recurrent case table (test/cases/recurrent.json): for each row, at its
// benchScale, the median ms of one forward and of one backward of the built package's layer on one
// thread, and GFLOP/s counted as workloads.js counts them (multiply-adds ×2 over the valid steps;
// backward = 2× forward). `node bench/kernels.js [auto|plain|relaxed] [part of a row name]`.

import { readFileSync } from "node:fs";
import { CELLS } from "../dist/engine/cells.js"; // gate counts: the engine's table of cells
import { measureRounds } from "./timing.js";
import { randomUniform } from "./workloads.js";

const TIMING = { warmup: 2, minRounds: 5, maxRounds: 30, budgetMs: 400 };

/** The row with inputSize, hiddenSize, projSize, T and lengths multiplied by its benchScale (1 if none). */
function scaled(row) {
  const k = row.benchScale ?? 1;
  const o = row.options;
  return {
    ...row,
    options: { ...o, inputSize: o.inputSize * k, hiddenSize: o.hiddenSize * k, ...(o.projSize ? { projSize: o.projSize * k } : {}) },
    T: row.T * k,
    lengths: row.lengths?.map((n) => n * k),
  };
}

/** Multiply-adds of one forward: per layer and direction, G·H·(I_l + P) (+ P·H for a projection) per valid step. */
function forwardMultiplyAdds(row) {
  const o = row.options;
  const H = o.hiddenSize, P = o.projSize || H, D = o.bidirectional ? 2 : 1;
  const steps = row.lengths ? row.lengths.reduce((a, b) => a + b, 0) : row.T * row.B;
  let total = 0;
  for (let l = 0; l < (o.numLayers ?? 1); l++) {
    const I = l === 0 ? o.inputSize : D * P;
    total += D * steps * (CELLS[row.cell].gates * H * (I + P) + (o.projSize ? P * H : 0));
  }
  return total;
}

/** Bodies timing a forward and (for layers that train) a backward, and what they leave to release. */
function prepare(api, row) {
  const o = row.options, { T, B } = row;
  const P = o.projSize || o.hiddenSize, LD = (o.numLayers ?? 1) * (o.bidirectional ? 2 : 1), F = (o.bidirectional ? 2 : 1) * P;
  const Layer = { lstm: api.LSTM, gru: api.GRU, rnn: api.RNN }[row.cell];
  const layer = new Layer({ ...o, seed: row.seed });
  const sequence = (features, seed) => {
    const shape = row.unbatched ? [T, features] : o.batchFirst ? [B, T, features] : [T, B, features];
    return api.tensor(randomUniform(shape.reduce((a, b) => a * b, 1), seed), shape);
  };
  const state = (features, seed) => {
    const shape = row.unbatched ? [LD, features] : [LD, B, features];
    return api.tensor(randomUniform(shape.reduce((a, b) => a * b, 1), seed, -0.5, 0.5), shape);
  };
  const x = sequence(o.inputSize, 1);
  const options = {
    lengths: row.lengths,
    ...(row.states ? { h0: state(P, 2), ...(row.cell === "lstm" ? { c0: state(o.hiddenSize, 3) } : {}) } : {}),
  };
  const gradOutput = sequence(F, 4);
  const bodies = { forward: () => layer.forward(x, options) };
  // Layers with ONNX cell options run forward only.
  if (!o.cellOptions) bodies.backward = () => layer.backward(gradOutput);
  return { bodies, layer };
}

const format = (value, digits) => (value === undefined ? "—" : value.toFixed(digits));

async function main() {
  const simd = process.argv[2] ?? "auto";
  const filter = process.argv[3] ?? "";
  const api = await import("../dist/index.js");
  const { initEngine } = await import("../dist/engine/init.js");
  const engine = await initEngine({ simd, threads: 1 });
  const rows = JSON.parse(readFileSync(new URL("../test/cases/recurrent.json", import.meta.url), "utf8")).filter((row) => row.name.includes(filter));
  console.log(`recurrent kernels, ${engine.simd} SIMD build, one thread (median ms; GFLOP/s = 2 × multiply-adds / time)`);
  console.log(`${"row".padEnd(52)} ${"scale".padStart(5)} ${"fwd ms".padStart(9)} ${"GFLOP/s".padStart(8)} ${"bwd ms".padStart(9)} ${"GFLOP/s".padStart(8)}`);
  for (const row of rows.map(scaled)) {
    const { bodies, layer } = prepare(api, row);
    try {
      const times = await measureRounds(bodies, TIMING);
      const flops = 2 * forwardMultiplyAdds(row);
      const rate = (t, f) => (t ? f / t.ms / 1e6 : undefined);
      console.log(
        `${row.name.padEnd(52)} ${String(row.benchScale ?? 1).padStart(5)} ${format(times.forward.ms, 3).padStart(9)} ${format(rate(times.forward, flops), 2).padStart(8)} ` +
          `${format(times.backward?.ms, 3).padStart(9)} ${format(rate(times.backward, 2 * flops), 2).padStart(8)}`,
      );
    } finally {
      layer.dispose();
    }
  }
}

await main();
