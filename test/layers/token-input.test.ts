// Token inputs: a recurrent layer fed by an embedding projects the V table rows instead of the T·B
// looked-up rows, and puts its input gradient straight into the table's gradient. Each model here is
// run twice from the same weights, once on that path and once with it turned off (looked-up rows,
// the embedding's own backward), and the losses and every gradient must agree to rounding.

import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CharTokenizer, Embedding, init, LanguageModel, SequenceClassifier, SequenceTagger, type CellKind } from "../../src/index.js";
import { expectClose } from "../helpers/compare.js";

beforeAll(async () => {
  await init();
});

afterEach(() => {
  vi.restoreAllMocks();
});

interface Trainable {
  zeroGrad(): void;
  layers: { grads(): Record<string, { data: Float32Array }> }[];
}

/** Loss and every gradient of one training pass, with the token path on or off. */
function pass(model: Trainable, run: () => number, tokenPath: boolean): { loss: number; grads: Float32Array[]; used: number } {
  const spy = vi.spyOn(Embedding.prototype, "tokenInput");
  if (!tokenPath) spy.mockReturnValue(null);
  model.zeroGrad();
  const loss = run();
  const used = spy.mock.results.filter((r) => r.value !== null).length;
  spy.mockRestore();
  const grads = model.layers.flatMap((layer) => Object.values(layer.grads()).map((g) => Float32Array.from(g.data)));
  return { loss, grads, used };
}

function expectSamePasses(model: Trainable, run: () => number, label: string): void {
  const dense = pass(model, run, false);
  const fused = pass(model, run, true);
  expect(dense.used, `${label}: reference pass`).toBe(0);
  expect(fused.used, `${label}: token path taken`).toBeGreaterThan(0);
  expect(Math.abs(fused.loss - dense.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(dense.loss));
  dense.grads.forEach((g, i) => expectClose(fused.grads[i], g, `${label}: gradient ${i}`, { rtol: 1e-5, atol: 0 }));
}

const text = "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.";
/** Ordinary token ids, and the padding id 0 (whose embedding row gets no gradient) at every tenth place. */
const ids = (n: number, V: number, seed: number) => Int32Array.from({ length: n }, (_, i) => (i % 10 === 3 ? 0 : 4 + ((i * 7 + seed * 13 + ((i * i) % 11)) % (V - 4))));

describe("token inputs (an embedding feeding a recurrent layer) equal looked-up rows", () => {
  const cells: { cell: CellKind; numLayers: number; extra?: Record<string, unknown> }[] = [
    { cell: "lstm", numLayers: 2 },
    { cell: "gru", numLayers: 1 },
    { cell: "rnn", numLayers: 2 },
  ];
  for (const { cell, numLayers } of cells) {
    it(`LanguageModel (${cell}, ${numLayers} layer(s)): two carried windows, loss and every gradient`, () => {
      const tokenizer = CharTokenizer.fit(text);
      const lm = new LanguageModel(tokenizer, { cell, hiddenSize: 12, numLayers, embeddingDim: 6, seed: 3 });
      const V = tokenizer.size, T = 12, B = 8;
      const run = () => {
        let loss = lm.windowLoss(ids(T * B, V, 1), ids(T * B, V, 2), T, B, true, false).loss;
        loss += lm.windowLoss(ids(T * B, V, 3), ids(T * B, V, 4), T, B, true, true).loss;
        return loss;
      };
      expectSamePasses(lm, run, `LM ${cell}`);
      lm.dispose();
    });
  }

  it("bidirectional classifier over sequences of different lengths, with token 0 (padding) among the inputs", () => {
    const model = new SequenceClassifier({ vocabSize: 7, embeddingDim: 5, hiddenSize: 8, numLayers: 2, bidirectional: true, cell: "gru", numClasses: 3, pooling: "mean", seed: 9 });
    const examples = [[1, 2, 0, 4, 5, 6, 1], [3, 3], [6, 5, 4, 0, 2], [2, 1, 0, 0], [5], [4, 6, 1, 2, 3, 5, 6]].map((input, i) => ({ input, label: i % 3 }));
    expectSamePasses(model, () => model.batchLoss(examples, true).loss, "classifier");
    model.dispose();
  });

  it("bidirectional tagger (LSTM), every step's loss", () => {
    const model = new SequenceTagger({ vocabSize: 6, embeddingDim: 4, hiddenSize: 7, bidirectional: true, cell: "lstm", numTags: 4, seed: 2 });
    const inputs = [[1, 2, 3, 4, 5], [5, 4], [2, 2, 2, 1], [3, 1, 4, 1, 5], [0, 1, 2]];
    const examples = inputs.map((input) => ({ input, tags: input.map((v) => v % 4) }));
    expectSamePasses(model, () => model.batchLoss(examples, true).loss, "tagger");
    model.dispose();
  });

  it("is not taken for a single sequence or for a vocabulary larger than half the ids", () => {
    const tokenizer = CharTokenizer.fit(text);
    const lm = new LanguageModel(tokenizer, { cell: "lstm", hiddenSize: 8, embeddingDim: 4, seed: 1 });
    const spy = vi.spyOn(Embedding.prototype, "tokenInput");
    const V = tokenizer.size;
    lm.windowLoss(ids(200, V, 1), ids(200, V, 2), 200, 1, true, false); // B = 1
    lm.windowLoss(ids(20, V, 1), ids(20, V, 2), 10, 2, true, false); // 2V > T·B
    expect(spy.mock.results.every((r) => r.value === null)).toBe(true);
    lm.dispose();
  });
});
