// The published entry points: `import … from 'wasm-rnn'` in a fresh Node ESM process (the package's
// "exports" map, the built dist/ and build/*.wasm), with init() idempotent.

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("package entry", () => {
  it("imports wasm-rnn in Node ESM and runs a layer", () => {
    const script = `
      import { init, tensor, LSTM, GRU, RNN, readSafetensors, writeSafetensors, ShapeError } from 'wasm-rnn';
      const a = await init(); const b = await init();
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
      const { output, hN, cN } = lstm.forward(tensor(new Float32Array(2 * 1 * 3).fill(0.5), [2, 1, 3]));
      const back = readSafetensors(writeSafetensors(lstm.stateDict())).tensors;
      console.log(JSON.stringify({ same: JSON.stringify(a) === JSON.stringify(b), simd: a.relaxedSimd ? 'relaxed' : 'plain', out: output.shape, hN: hN.shape, cN: cN.shape,
        names: Object.keys(back), gru: typeof GRU, rnn: typeof RNN, err: typeof ShapeError }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" }));
    expect(out.same).toBe(true);
    expect(["relaxed", "plain"]).toContain(out.simd);
    expect(out.out).toEqual([2, 1, 4]);
    expect(out.hN).toEqual([1, 1, 4]);
    expect(out.cN).toEqual([1, 1, 4]);
    expect(out.names).toEqual(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]);
    expect([out.gru, out.rnn, out.err]).toEqual(["function", "function", "function"]);
  });
});
