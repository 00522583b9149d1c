// Silero VAD v4 (legacy), v5 and v6, exactly as @ricky0123/vad-web ships them, run the way vad-web
// runs them — frame by frame over the test speech with the state carried — on wasm-rnn's session and
// on onnxruntime-node, compared at every frame: the speech probability within 1e-4, the states within
// 1e-4 of max(1, |value|) (v5's LSTM cell state grows to |c| ≈ 170, where float32's own step is 1.5e-5:
// onnxruntime-node and onnxruntime-web differ by 1.3e-4 there themselves), and the same frames above
// 0.5. The frames after the first run the plan the first one compiled.

import { readFileSync } from "node:fs";
import ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { init, onnx } from "../../src/index.js";
import { readWav, SENTENCES, SILERO, SPEECH } from "../helpers/speech.js";

const RATE = 16000;

beforeAll(async () => {
  await init();
});

interface Model {
  frame: number;
  context: number;
  /** The state inputs, their outputs, and their shape. */
  states: [string, string, number[]][];
}

const MODELS: Record<keyof typeof SILERO, Model> = {
  // vad-web's NonRealTimeVAD runs v4 on 1536-sample frames; v5 and v6 take 512 samples and 64 of the frame before.
  v4: { frame: 1536, context: 0, states: [["h", "hn", [2, 1, 64]], ["c", "cn", [2, 1, 64]]] },
  v5: { frame: 512, context: 64, states: [["state", "stateN", [2, 1, 128]]] },
  v6: { frame: 512, context: 64, states: [["state", "stateN", [2, 1, 128]]] },
};

describe("Silero VAD as @ricky0123/vad-web ships it, frame by frame against onnxruntime-node", () => {
  const { samples } = readWav(SPEECH);

  it.each(Object.keys(MODELS) as (keyof typeof SILERO)[])("%s", async (version) => {
    const { frame, context, states } = MODELS[version];
    const bytes = readFileSync(SILERO[version]);
    const ours = await onnx.InferenceSession.create(bytes);
    const theirs = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    let oursState = Object.fromEntries(states.map(([name, , dims]) => [name, new onnx.Tensor("float32", new Float32Array(dims.reduce((a, b) => a * b)), dims)]));
    let theirState = Object.fromEntries(states.map(([name, , dims]) => [name, new ort.Tensor("float32", new Float32Array(dims.reduce((a, b) => a * b)), dims)]));
    let tail = new Float32Array(context);
    let worstOutput = 0, worstState = 0, frames = 0;
    const speech: boolean[] = [];
    for (let at = 0; at + frame <= samples.length; at += frame, frames++) {
      const x = new Float32Array(context + frame);
      x.set(tail);
      x.set(samples.subarray(at, at + frame), context);
      tail = samples.slice(at + frame - context, at + frame);
      const o = await ours.run({ input: new onnx.Tensor("float32", x, [1, x.length]), sr: new onnx.Tensor("int64", [16000n], []), ...oursState });
      const t = await theirs.run({ input: new ort.Tensor("float32", x, [1, x.length]), sr: new ort.Tensor("int64", BigInt64Array.from([16000n]), []), ...theirState });
      const p = (o.output.data as Float32Array)[0], q = (t.output.data as Float32Array)[0];
      worstOutput = Math.max(worstOutput, Math.abs(p - q));
      if (!(Math.abs(p - q) <= 1e-4)) expect.fail(`${version} frame ${frames}: output ${p}, onnxruntime ${q}`);
      expect(p > 0.5, `${version} frame ${frames}: ${p} vs onnxruntime ${q}`).toBe(q > 0.5);
      speech.push(q > 0.5);
      for (const [, output] of states) {
        const a = o[output].data as Float32Array, b = t[output].data as Float32Array;
        expect(o[output].dims).toEqual([...t[output].dims]);
        b.forEach((v, i) => {
          const d = Math.abs(a[i] - v);
          worstState = Math.max(worstState, d / Math.max(1, Math.abs(v)));
          if (!(d <= 1e-4 * Math.max(1, Math.abs(v)))) expect.fail(`${version} frame ${frames}: ${output}[${i}] ${a[i]}, onnxruntime ${v}`);
        });
      }
      oursState = Object.fromEntries(states.map(([name, output]) => [name, o[output]]));
      theirState = Object.fromEntries(states.map(([name, output]) => [name, t[output]]));
    }
    // The model hears the sentences: most frames inside them are speech, few outside.
    const inside = (i: number) => SENTENCES.some(([s, e]) => ((i + 0.5) * frame) / RATE >= s && ((i + 0.5) * frame) / RATE < e);
    const speechInside = speech.filter((s, i) => s && inside(i)).length / speech.filter((_, i) => inside(i)).length;
    const speechOutside = speech.filter((s, i) => s && !inside(i)).length / speech.filter((_, i) => !inside(i)).length;
    expect(speechInside).toBeGreaterThan(0.8);
    expect(speechOutside).toBeLessThan(0.3);
    expect(ours.plansInUse).toEqual([expect.stringMatching(/^plan of \d+ steps$/)]);
    console.log(`${version}: ${frames} frames, max |Δ| output ${worstOutput.toExponential(2)}, states ${worstState.toExponential(2)} (relative beyond 1); speech in ${(speechInside * 100).toFixed(0)}% of the sentences' frames, ${(speechOutside * 100).toFixed(0)}% of the rest`);
    await ours.release();
    await theirs.release();
  });
});
