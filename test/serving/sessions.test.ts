// StatefulSessions: a sequence fed chunk by chunk gives the outputs of feeding it whole (LSTM stack,
// GRU, RNN, int8 LSTM), sessions are independent, idle ones expire (by their timer, without a call),
// the maximum is enforced, and a refused chunk leaves its session as it was.

import { beforeAll, describe, expect, it } from "vitest";
import {
  GRU, init, LSTM, NumericError, quantizeDynamic, ResourceError, RNN, ShapeError, StatefulSessions, tensor, UnsupportedError, type Recurrent, type Tensor,
} from "../../src/index.js";
import { Random } from "../../src/random.js";

const I = 6;

beforeAll(async () => {
  await init();
});

function sequence(steps: number, seed: number): Tensor {
  return tensor(new Random(seed).uniformArray(steps * I, -1, 1), [steps, I]);
}

/** Rows [from, to) of a [T, F] tensor. */
function rows(t: Tensor, from: number, to: number): Tensor {
  const F = t.shape[1];
  return tensor(t.data.slice(from * F, to * F), [to - from, F]);
}

const LAYERS: [string, () => Recurrent][] = [
  ["LSTM, 2 layers", () => new LSTM({ inputSize: I, hiddenSize: 10, numLayers: 2, seed: 1 })],
  ["GRU", () => new GRU({ inputSize: I, hiddenSize: 9, seed: 2 })],
  ["RNN", () => new RNN({ inputSize: I, hiddenSize: 7, seed: 3 })],
  ["int8 LSTM", () => quantizeDynamic(new LSTM({ inputSize: I, hiddenSize: 16, seed: 4 }))],
];

describe("StatefulSessions", () => {
  it.each(LAYERS)("%s: chunks of 3, 5, 1 and 7 steps give the outputs of the 16 steps fed whole", (_, make) => {
    const layer = make();
    const sessions = new StatefulSessions(layer);
    const x = sequence(16, 5);
    const whole = layer.forward(x).output;
    const outputs: number[] = [];
    let at = 0;
    for (const steps of [3, 5, 1, 7]) {
      outputs.push(...sessions.feed("a", rows(x, at, at + steps)).data);
      at += steps;
    }
    expect(outputs.length).toBe(whole.data.length);
    outputs.forEach((v, i) => expect(Math.abs(v - whole.data[i]), `output ${i}`).toBeLessThan(1e-6));
    sessions.close();
    layer.dispose();
  });

  it("keeps sessions apart, and a new or ended id starts from zeros", () => {
    const layer = new LSTM({ inputSize: I, hiddenSize: 8, seed: 6 });
    const sessions = new StatefulSessions(layer);
    const [x, y] = [sequence(8, 7), sequence(8, 8)];
    const [wx, wy] = [layer.forward(x).output.data, layer.forward(y).output.data];
    const got = { x: [] as number[], y: [] as number[] };
    for (let t = 0; t < 8; t += 2) {
      got.x.push(...sessions.feed("x", rows(x, t, t + 2)).data);
      got.y.push(...sessions.feed("y", rows(y, t, t + 2)).data);
    }
    expect(got.x).toEqual(Array.from(wx));
    expect(got.y).toEqual(Array.from(wy));
    expect(sessions.size).toBe(2);
    expect(sessions.end("x")).toBe(true);
    expect(sessions.has("x")).toBe(false);
    expect(Array.from(sessions.feed("x", rows(x, 0, 2)).data)).toEqual(Array.from(wx.slice(0, 2 * 8)));
  });

  it("expires idle sessions on their timer, without a call, and frees their slot", async () => {
    const layer = new GRU({ inputSize: I, hiddenSize: 5, seed: 9 });
    const sessions = new StatefulSessions(layer, { ttlMs: 40, maxSessions: 1 });
    const x = sequence(4, 10);
    sessions.feed("old", rows(x, 0, 2));
    expect(() => sessions.feed("new", x)).toThrow(ResourceError);
    await new Promise((resolve) => setTimeout(resolve, 120));
    // The internal map, read without a call that would expire lazily: the timer emptied it.
    expect((sessions as unknown as { store: { sessions: Map<string, unknown> } }).store.sessions.size).toBe(0);
    expect(Array.from(sessions.feed("new", x).data)).toEqual(Array.from(layer.forward(x).output.data));
    expect(sessions.has("old")).toBe(false);
    sessions.close();
  });

  it("refuses the most sessions plus one, bad chunks (the session unchanged), bidirectional layers and bad options", () => {
    const layer = new LSTM({ inputSize: I, hiddenSize: 8, seed: 11 });
    const sessions = new StatefulSessions(layer, { maxSessions: 2 });
    const x = sequence(6, 12);
    sessions.feed("a", rows(x, 0, 3));
    sessions.feed("b", rows(x, 0, 1));
    expect(() => sessions.feed("c", x)).toThrow(/2 sessions are live, the most allowed/);
    expect(() => sessions.feed("a", tensor(new Float32Array(3 * (I + 1)), [3, I + 1]))).toThrow(ShapeError);
    expect(() => sessions.feed("a", tensor(new Float32Array(3 * I), [1, 3, I]))).toThrow(/chunk must be \[steps, 6\]/);
    expect(() => sessions.feed("a", tensor(new Float32Array(3 * I).fill(Number.NaN), [3, I]))).toThrow(NumericError);
    expect(() => sessions.feed("", x)).toThrow(/id must be a non-empty string/);
    // "a" continues as if the refused chunks had not come.
    expect(Array.from(sessions.feed("a", rows(x, 3, 6)).data)).toEqual(Array.from(layer.forward(x).output.data.slice(3 * 8)));
    expect(() => new StatefulSessions(new GRU({ inputSize: I, hiddenSize: 4, bidirectional: true }))).toThrow(UnsupportedError);
    expect(() => new StatefulSessions(layer, { ttlMs: 0 })).toThrow(/ttlMs must be a finite number > 0/);
    expect(() => new StatefulSessions(layer, { maxSessions: 1.5 })).toThrow(/maxSessions must be a positive integer/);
    sessions.close();
    expect(() => sessions.feed("a", x)).toThrow(/the sessions were closed/);
  });
});
