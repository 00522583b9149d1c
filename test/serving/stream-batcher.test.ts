// StreamBatcher on real sessions: Silero's state pairs and batch axes are found by name and shape;
// frames of eight streams submitted in one turn run as one batch (checked once against each frame run
// alone), each stream's outputs its own; and where the guessed axis is not the batch (an LSTM whose
// first unknown dimension is time), the check catches it and every frame runs alone, correctly.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { init, onnx } from "../../src/index.js";
import { batchAxes, statePairs, StreamBatcher } from "../../src/serving/stream-batcher.js";
import { modelBytes, node, tensorProto, valueInfo } from "../../scripts/onnx-writer.mjs";
import { readWav, SILERO, SPEECH } from "../helpers/speech.js";

beforeAll(async () => {
  await init();
});

const samples = readWav(SPEECH).samples;
const runOf = (session: onnx.InferenceSession) => (feeds: Record<string, onnx.Tensor>) => session.run(feeds);

describe("StreamBatcher", () => {
  it("finds Silero's state pairs and batch axes", async () => {
    const v6 = await onnx.InferenceSession.create(readFileSync(SILERO.v6)), v4 = await onnx.InferenceSession.create(readFileSync(SILERO.v4));
    expect(statePairs(v6)).toEqual([["state", "stateN"]]);
    expect(statePairs(v4)).toEqual([["h", "hn"], ["c", "cn"]]);
    const axes = batchAxes(v6, statePairs(v6));
    expect([...axes.inputs]).toEqual([["input", 0], ["state", 1], ["sr", null]]);
    expect([...axes.outputs]).toEqual([["output", 0], ["stateN", 1]]);
    await v6.release();
    await v4.release();
  });

  it("runs eight streams' frames as one batch, each stream's outputs its own", async () => {
    const session = await onnx.InferenceSession.create(readFileSync(SILERO.v6));
    const pairs = statePairs(session);
    const reports: number[] = [];
    const batcher = new StreamBatcher(runOf(session), batchAxes(session, pairs), 16, (frames) => reports.push(frames));
    const feeds = Array.from({ length: 8 }, (_, s) => ({
      input: new onnx.Tensor("float32", samples.slice(s * 9000, s * 9000 + 576), [1, 576]),
      state: new onnx.Tensor("float32", Float32Array.from({ length: 256 }, (_, i) => Math.sin(i + s) * 0.1), [2, 1, 128]),
      sr: new onnx.Tensor("int64", [16000n], []),
    }));
    const batched = await Promise.all(feeds.map((f) => batcher.submit(f)));
    expect(reports).toContain(8);
    for (let s = 0; s < 8; s++) {
      const alone = await session.run(feeds[s]);
      for (const name of ["output", "stateN"]) {
        expect(batched[s][name].dims).toEqual(alone[name].dims);
        const a = batched[s][name].data as Float32Array, b = alone[name].data as Float32Array;
        expect(Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-5);
      }
    }
    await session.release();
  });

  it("runs frames alone when the guessed axis is time, not batch: the first batch's check catches it", async () => {
    const H = 4, I = 3;
    const w = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.7) * 0.4);
    const session = await onnx.InferenceSession.create(modelBytes({
      nodes: [node("LSTM", ["x", "W", "R", "", "", "h"], ["", "hn"], { hidden_size: H })],
      initializers: [tensorProto("W", [1, 4 * H, I], w(4 * H * I, 1)), tensorProto("R", [1, 4 * H, H], w(4 * H * H, 2))],
      inputs: [valueInfo("x", ["", "", I]), valueInfo("h", [1, "", H])],
      outputs: [valueInfo("hn", [1, "", H])],
    }));
    const pairs = statePairs(session);
    expect(pairs).toEqual([["h", "hn"]]);
    const axes = batchAxes(session, pairs);
    expect(axes.inputs.get("x")).toBe(0); // a guess: x's first unknown size, here its time
    const reports: number[] = [];
    const batcher = new StreamBatcher(runOf(session), axes, 16, (frames) => reports.push(frames));
    const feeds = Array.from({ length: 3 }, (_, s) => ({ x: new onnx.Tensor("float32", w(I, 10 + s), [1, 1, I]), h: new onnx.Tensor("float32", w(H, 20 + s), [1, 1, H]) }));
    const outputs = await Promise.all(feeds.map((f) => batcher.submit(f)));
    for (let s = 0; s < 3; s++) expect(Array.from(outputs[s].hn.data as Float32Array)).toEqual(Array.from((await session.run(feeds[s])).hn.data as Float32Array));
    // Joined on time, the frames no longer answer as themselves: after the check, each runs alone.
    const more = await Promise.all(feeds.map((f) => batcher.submit(f)));
    expect(more.map((o) => Array.from(o.hn.data as Float32Array))).toEqual(outputs.map((o) => Array.from(o.hn.data as Float32Array)));
    expect(reports.slice(-3)).toEqual([1, 1, 1]);
    await session.release();
  });
});
