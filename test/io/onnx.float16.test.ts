// Models with half-precision weights, as converters write them, against onnxruntime-node: a graph
// computing in float16 end to end (float16 input, Conv with float16 weights, Relu, LSTM weights cast
// in the graph, float16 output) and the mixed form (float16 initializers Cast to float32 before use).
// Both agree to float16's precision (a relative 1e-3 of the output's scale); Cast rounds as onnxruntime's.

import ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { init, onnx } from "../../src/index.js";
import { float16ToFloat32, float32ToFloat16 } from "../../src/io/onnx/float16.js";
import { modelBytes, node, tensorProto, valueInfo } from "../../scripts/onnx-writer.mjs";

const FLOAT16 = 10;
const half = (values: ArrayLike<number>) => float32ToFloat16(values);
const values = (n: number, seed: number, scale = 0.5) => Float32Array.from({ length: n }, (_, i) => scale * Math.sin(seed * 7.1 + i * 1.37));

beforeAll(async () => {
  await init();
});

async function compare(bytes: Uint8Array, feeds: Record<string, { type: "float16" | "float32"; data: Uint16Array | Float32Array; dims: number[] }>) {
  const ours = await onnx.InferenceSession.create(bytes);
  const theirs = await ort.InferenceSession.create(bytes);
  const a = await ours.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new onnx.Tensor(t.type, t.data, t.dims)])));
  const b = await theirs.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)])));
  for (const name of theirs.outputNames) {
    expect(a[name].type, name).toBe(b[name].type);
    expect(a[name].dims).toEqual([...b[name].dims]);
    const decode = (t: { type: string; data: unknown }) => (t.type === "float16" ? float16ToFloat32(t.data as Uint16Array) : (t.data as Float32Array));
    const x = decode(a[name]), y = decode(b[name]);
    const scale = Math.max(...Array.from(y, Math.abs));
    const worst = Math.max(...Array.from(y, (v, i) => Math.abs(v - x[i])));
    expect(worst, `${name}: max |Δ| ${worst} at scale ${scale}`).toBeLessThanOrEqual(2e-3 * scale);
  }
  await ours.release();
  await theirs.release();
}

describe("half-precision models against onnxruntime-node", () => {
  it("float16 end to end: Conv with float16 weights, Relu, a float16 output", async () => {
    const bytes = modelBytes({
      nodes: [node("Conv", ["x", "w", "b"], ["c"], { pads: [1, 1] }), node("Relu", ["c"], ["y"])],
      initializers: [tensorProto("w", [4, 3, 3], half(values(36, 1)), FLOAT16), tensorProto("b", [4], half(values(4, 2, 0.1)), FLOAT16)],
      inputs: [valueInfo("x", [1, 3, 16], FLOAT16)],
      outputs: [valueInfo("y", [1, 4, 16], FLOAT16)],
    });
    await compare(bytes, { x: { type: "float16", data: half(values(48, 3, 2)), dims: [1, 3, 16] } });
  });

  it("float16 initializers cast to float32 in the graph (an LSTM's weights), float32 in and out", async () => {
    const H = 8, I = 5;
    const bytes = modelBytes({
      nodes: [
        node("Cast", ["W16"], ["W"], { to: 1 }), node("Cast", ["R16"], ["R"], { to: 1 }),
        node("LSTM", ["x", "W", "R"], ["Y", "Yh"], { hidden_size: H }),
      ],
      initializers: [tensorProto("W16", [1, 4 * H, I], half(values(4 * H * I, 4)), FLOAT16), tensorProto("R16", [1, 4 * H, H], half(values(4 * H * H, 5)), FLOAT16)],
      inputs: [valueInfo("x", [6, 2, I])],
      outputs: [valueInfo("Y", [6, 1, 2, H]), valueInfo("Yh", [1, 2, H])],
    });
    await compare(bytes, { x: { type: "float32", data: values(6 * 2 * I, 6, 1), dims: [6, 2, I] } });
  });
});
