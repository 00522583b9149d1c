// A streaming speech-enhancement network exported from PyTorch by torch.onnx.export
// (test/fixtures/onnx/enhancer: 2-D convolutions, a depthwise one, transposed convolutions, batch
// norm, PReLU, two GRUs, caches updated by ScatterND): run frame by frame with its caches carried, on
// wasm-rnn's session, onnxruntime-node and — for the saved frames — PyTorch, all outputs compared at
// every frame. The frames after the first run the plan the first one compiled.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { init, onnx } from "../../src/index.js";
import { FIXTURES } from "../helpers/fixtures.js";

const DIR = join(FIXTURES, "onnx/enhancer");
const F = 161, FRAMES = 20;
const CACHES: Record<string, number[]> = { conv_cache: [1, 1, 2, F], dw_cache: [1, 8, 1, 81], conv3_cache: [1, 16, 1, 41], gru_state: [2, 1, 64] };

function floats(name: string): Float32Array {
  const b = readFileSync(join(DIR, name));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

beforeAll(async () => {
  await init();
});

describe("streaming speech enhancer exported from PyTorch", () => {
  it("matches onnxruntime-node at every frame and PyTorch's saved outputs, caches carried", async () => {
    const bytes = readFileSync(join(DIR, "model.onnx"));
    const frames = floats("frames.f32"), mask = floats("mask.f32"), enhanced = floats("enhanced.f32");
    const ours = await onnx.InferenceSession.create(bytes);
    const theirs = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const zeros = <T>(make: (data: Float32Array, dims: number[]) => T) => Object.fromEntries(Object.entries(CACHES).map(([k, dims]) => [k, make(new Float32Array(dims.reduce((a, b) => a * b)), dims)]));
    let oursState = zeros((d, s) => new onnx.Tensor("float32", d, s)), theirState = zeros((d, s) => new ort.Tensor("float32", d, s));
    let worstOrt = 0, worstTorch = 0;
    for (let t = 0; t < FRAMES; t++) {
      const frame = frames.slice(t * F, (t + 1) * F);
      const o = await ours.run({ frame: new onnx.Tensor("float32", frame, [1, 1, 1, F]), ...oursState });
      const r = await theirs.run({ frame: new ort.Tensor("float32", frame, [1, 1, 1, F]), ...theirState });
      for (const name of theirs.outputNames) {
        const a = o[name].data as Float32Array, b = r[name].data as Float32Array;
        expect(o[name].dims, name).toEqual([...r[name].dims]);
        b.forEach((v, i) => {
          const d = Math.abs(a[i] - v);
          worstOrt = Math.max(worstOrt, d);
          if (!(d <= 1e-4)) expect.fail(`frame ${t} ${name}[${i}]: ${a[i]}, onnxruntime ${v}`);
        });
      }
      for (const [name, saved] of [["mask", mask], ["enhanced", enhanced]] as const) {
        (o[name].data as Float32Array).forEach((v, i) => {
          worstTorch = Math.max(worstTorch, Math.abs(v - saved[t * F + i]));
        });
      }
      oursState = Object.fromEntries(Object.keys(CACHES).map((k) => [k, o[`${k}_out`]]));
      theirState = Object.fromEntries(Object.keys(CACHES).map((k) => [k, r[`${k}_out`]]));
    }
    expect(worstTorch).toBeLessThan(1e-4);
    expect(ours.plansInUse).toEqual([expect.stringMatching(/^plan of \d+ steps$/)]);
    console.log(`enhancer: ${FRAMES} frames, max |Δ| vs onnxruntime-node ${worstOrt.toExponential(2)}, vs PyTorch ${worstTorch.toExponential(2)}; ${ours.plansInUse[0]}`);
    await ours.release();
    await theirs.release();
  });
});
