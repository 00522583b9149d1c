// wasm-rnn/ort under the real client: @ricky0123/vad-web's NonRealTimeVAD (Silero VAD v4 on
// onnxruntime-web, which it hands to its ortConfig hook) finds the same speech segments in the test
// speech with and without useWasmRnn(ort); with it, every frame runs on wasm-rnn — the backend counts
// one session and one run per 96 ms frame, and no model went to onnxruntime's own backend. Code
// written for onnxruntime (create, run, release, its own Tensors) runs unchanged; a model wasm-rnn
// cannot run goes to onnxruntime's backend with one notice.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { useWasmRnn, type WasmRnnBackend } from "../../src/adapters/ort/index.js";
import { readWav, SENTENCES, SILERO, SPEECH } from "../helpers/speech.js";
import { modelBytes, node, valueInfo } from "../../scripts/onnx-writer.mjs";

const require = createRequire(import.meta.url);
// vad-web is CommonJS and requires onnxruntime-web itself: its module, not an import of ours, is the
// one the backend must register with (the ortConfig hook hands it over).
const { NonRealTimeVAD } = require("@ricky0123/vad-web") as typeof import("@ricky0123/vad-web");
const ort = require("onnxruntime-web") as typeof import("onnxruntime-web");

interface Segment {
  start: number;
  end: number;
}

async function segments(ortConfig?: (o: typeof ort) => void): Promise<Segment[]> {
  const bytes = readFileSync(SILERO.v4);
  const vad = await NonRealTimeVAD.new({ modelFetcher: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), ortConfig });
  const { samples } = readWav(SPEECH);
  const found: Segment[] = [];
  for await (const { start, end } of vad.run(samples, 16000)) found.push({ start, end });
  return found;
}

describe("wasm-rnn/ort: an onnxruntime backend", () => {
  let plain: Segment[], backend: WasmRnnBackend | null = null;
  const notices: string[] = [];

  beforeAll(async () => {
    ort.env.wasm.numThreads = 1;
    plain = await segments();
  }, 120_000);

  it("vad-web's NonRealTimeVAD finds the same speech segments, every frame on wasm-rnn", async () => {
    const ours = await segments((o) => {
      backend = useWasmRnn(o, { notice: (m) => notices.push(m) });
    });
    expect(backend).not.toBeNull();
    expect(ours).toEqual(plain);
    // Every sentence lies in a segment (vad-web joins sentences less than its redemption time
    // apart), and the leading silence is not speech.
    for (const [start, end] of SENTENCES) {
      expect(ours.some((s) => s.start <= start * 1000 + 200 && s.end >= end * 1000 - 200), `sentence at ${start}–${end} s`).toBe(true);
    }
    expect(ours[0].start).toBeGreaterThan(900);
    const frames = Math.floor(readWav(SPEECH).samples.length / 1536);
    expect(backend!.sessions).toBe(1);
    expect(backend!.runs).toBe(frames);
    expect(backend!.fallbacks).toEqual([]);
    expect(notices).toEqual([]);
    console.log(`vad-web NonRealTimeVAD: ${ours.length} segments, ${backend!.runs} frames on wasm-rnn: ${ours.map((s) => `${s.start}–${s.end} ms`).join(", ")}`);
  }, 120_000);

  it("runs onnxruntime code unchanged: its Tensors in and out, fetches, release", async () => {
    const session = await ort.InferenceSession.create(readFileSync(SILERO.v5));
    expect(session.inputNames).toEqual(["input", "state", "sr"]);
    expect(session.outputNames).toEqual(["output", "stateN"]);
    const before = backend!.runs;
    const result = await session.run({
      input: new ort.Tensor("float32", new Float32Array(576), [1, 576]),
      state: new ort.Tensor("float32", new Float32Array(256), [2, 1, 128]),
      sr: new ort.Tensor("int64", BigInt64Array.from([16000n]), []),
    }, ["stateN"]);
    expect(Object.keys(result)).toEqual(["stateN"]);
    expect(result.stateN).toBeInstanceOf(ort.Tensor);
    expect(result.stateN.dims).toEqual([2, 1, 128]);
    expect(backend!.runs).toBe(before + 1);
    await session.release();
  });

  it("hands a model it cannot run to onnxruntime's own backend, with one notice naming the operator", async () => {
    const model = modelBytes({
      nodes: [node("Cos", ["x"], ["y"])],
      initializers: [],
      inputs: [valueInfo("x", [3])],
      outputs: [valueInfo("y", [3])],
    });
    for (let i = 0; i < 2; i++) {
      const session = await ort.InferenceSession.create(model);
      const { y } = await session.run({ x: new ort.Tensor("float32", Float32Array.from([0, Math.PI, 1]), [3]) });
      expect(Array.from(y.data as Float32Array).map((v) => +v.toFixed(5))).toEqual([1, -1, +Math.cos(1).toFixed(5)]);
      await session.release();
    }
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/onnxruntime's "cpu" backend instead: .*operator "Cos"/);
    expect(backend!.fallbacks).toHaveLength(2);
  });
});
