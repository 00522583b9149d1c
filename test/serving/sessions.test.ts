// StatefulSessions: a sequence fed chunk by chunk gives the outputs of feeding it whole (LSTM stack,
// GRU, RNN, int8 LSTM; classifiers with last and mean pooling, token and feature inputs, and
// taggers, f32 and int8), sessions are independent, idle ones expire (by their timer, without a
// call), the maximum is enforced, and a refused chunk leaves its session as it was.

import { beforeAll, describe, expect, it } from "vitest";
import {
  GRU, init, LSTM, NumericError, quantizeDynamic, ResourceError, RNN, SequenceClassifier, SequenceTagger, ShapeError, StatefulSessions, tensor, UnsupportedError,
  type Recurrent, type SequenceInput, type Tensor,
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

  const CHUNKS = [3, 5, 1, 7];

  /** A 16-step sequence: token ids, or feature vectors of I values. */
  function steps16(tokens: boolean, seed: number): SequenceInput {
    const random = new Random(seed);
    return tokens ? Array.from({ length: 16 }, () => 1 + Math.floor(random.uniformIn(0, 19))) : Array.from({ length: 16 }, () => Array.from(random.uniformArray(I, -1, 1)));
  }

  /** `input` cut into the chunks CHUNKS. */
  function chunksOf(input: SequenceInput): SequenceInput[] {
    let at = 0;
    return CHUNKS.map((n) => input.slice(at, (at += n)) as SequenceInput);
  }

  const CLASSIFIERS: [string, () => SequenceClassifier][] = [
    ["LSTM, 2 layers, last state, token ids", () => new SequenceClassifier({ vocabSize: 20, embeddingDim: 5, hiddenSize: 8, numLayers: 2, numClasses: 3, seed: 13 })],
    ["GRU, mean pooling, features", () => new SequenceClassifier({ inputSize: I, cell: "gru", hiddenSize: 7, numClasses: 4, pooling: "mean", seed: 14 })],
    ["int8 LSTM, mean pooling", () => quantizeDynamic(new SequenceClassifier({ vocabSize: 20, embeddingDim: 6, hiddenSize: 16, numClasses: 3, pooling: "mean", seed: 15 }))],
  ];

  it.each(CLASSIFIERS)("a classifier (%s): after each chunk, the classification of the sequence so far", (_, make) => {
    const model = make();
    const tokens = model.encoder.embedding !== null;
    const sessions = new StatefulSessions(model);
    const input = steps16(tokens, 16);
    let seen = 0;
    for (const chunk of chunksOf(input)) {
      const got = sessions.feed("s", chunk);
      seen += chunk.length;
      const logits = model.forward([input.slice(0, seen) as SequenceInput]).data;
      const e = Array.from(logits, (v) => Math.exp(v - Math.max(...logits)));
      const expected = e.map((v) => v / e.reduce((a, b) => a + b, 0));
      expect(got.label).toBe(model.predict([input.slice(0, seen) as SequenceInput])[0]);
      expected.forEach((p, k) => expect(Math.abs(got.probabilities[k] - p), `after ${seen} steps, class ${k}`).toBeLessThan(1e-6));
    }
    sessions.close();
    model.dispose();
  });

  it.each([["LSTM, token ids", false], ["int8 GRU, features", true]] as const)("a tagger (%s): each chunk's tags are those of the sequence fed whole", (_, int8) => {
    const float = int8
      ? new SequenceTagger({ inputSize: I, cell: "gru", hiddenSize: 16, numTags: 5, seed: 17 })
      : new SequenceTagger({ vocabSize: 20, embeddingDim: 5, hiddenSize: 9, numTags: 5, seed: 18 });
    const model = int8 ? quantizeDynamic(float) : float;
    const sessions = new StatefulSessions(model);
    const input = steps16(!int8, 19);
    const tags = chunksOf(input).flatMap((chunk) => sessions.feed("s", chunk));
    expect(tags).toEqual(model.predict([input])[0]);
    // and the tagger's logits themselves agree: the state carried is the whole sequence's
    const other = new StatefulSessions(model);
    expect(other.feed("t", input)).toEqual(tags);
    sessions.close();
    other.close();
    if (int8) float.dispose();
    model.dispose();
  });

  it("refuses bidirectional models and bad chunks of a model, the session unchanged", () => {
    const model = new SequenceClassifier({ vocabSize: 20, embeddingDim: 5, hiddenSize: 8, numClasses: 3, pooling: "mean", seed: 20 });
    const sessions = new StatefulSessions(model);
    const input = steps16(true, 21);
    sessions.feed("s", input.slice(0, 4) as SequenceInput);
    expect(() => sessions.feed("s", [1, 2, 99])).toThrow(ShapeError); // outside the vocabulary
    expect(() => sessions.feed("s", [])).toThrow(/non-empty array/);
    const got = sessions.feed("s", input.slice(4) as SequenceInput);
    expect(got.label).toBe(model.predict([input])[0]);
    expect(Array.from(got.probabilities)[0]).toBeCloseTo(Math.exp(model.forward([input]).data[0]) / Array.from(model.forward([input]).data).reduce((a, v) => a + Math.exp(v), 0), 6);
    const bidirectional = new SequenceTagger({ vocabSize: 20, embeddingDim: 5, hiddenSize: 4, numTags: 3, bidirectional: true, seed: 22 });
    expect(() => new StatefulSessions(bidirectional)).toThrow(UnsupportedError);
    expect(() => bidirectional.tagFrom([1, 2], null)).toThrow(/bidirectional encoder needs each sequence whole/);
    expect(() => new StatefulSessions({} as Recurrent)).toThrow(/must be a recurrent layer, a SequenceClassifier or a SequenceTagger/);
    sessions.close();
    model.dispose();
    bidirectional.dispose();
  });
});
