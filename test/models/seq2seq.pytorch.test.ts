// Seq2Seq against PyTorch (fixtures from test/fixtures/generate_seq2seq.py): with fixed weights, the
// teacher-forced loss and every parameter gradient (encoder, decoder, bridge, attention, head), the
// attention weights, the logits of the first decoder step and greedy decoding, for LSTM / GRU / tanh
// RNN cells, uni- and bidirectional encoders, 1–2 layers, context "init" and "every-step", and no,
// dot, general and additive attention, on batches of unsorted, unequal source and target lengths.
// References are float64 PyTorch from float32-representable parameters.

import { beforeAll, describe, expect, it } from "vitest";
import { CharTokenizer, init, Seq2Seq, type CellKind, type Tensor } from "../../src/index.js";
import type { Layer } from "../../src/layers/layer.js";
import { BOS } from "../../src/text/vocabulary.js";
import { expectClose } from "../helpers/compare.js";
import { loadFixtures, withPrefix } from "../helpers/fixtures.js";

interface Seq2SeqCase {
  cell: CellKind;
  numLayers: number;
  bidirectional: boolean;
  context: "init" | "every-step";
  attention: "none" | "dot" | "general" | "additive";
  attentionSize?: number;
  embeddingDim: number;
  hiddenSize: number;
  sourceText: string;
  targetText: string;
  sourceVocabSize: number;
  targetVocabSize: number;
  /** Text (tokenized by the model) or token ids. */
  pairs: { source: string | number[]; target: string | number[] }[];
  sourceIds: number[][];
  targetIds: number[][];
  count: number;
  greedy: { maxLength: number; results: { tokens: number[]; logProb: number; finished: boolean; text: string }[] };
}

const fixtures = loadFixtures<Seq2SeqCase>("seq2seq");

function build(config: Seq2SeqCase): Seq2Seq {
  return new Seq2Seq(CharTokenizer.fit(config.sourceText), CharTokenizer.fit(config.targetText), {
    cell: config.cell, hiddenSize: config.hiddenSize, numLayers: config.numLayers, embeddingDim: config.embeddingDim,
    bidirectional: config.bidirectional, context: config.context, attention: config.attention, attentionSize: config.attentionSize,
  });
}

/** Every layer's gradients keyed like the model's state dict. */
function modelGrads(model: Seq2Seq): Record<string, Tensor> {
  const named: [string, Layer | null][] = [
    ["encoder.embedding", model.sourceEmbedding], ["encoder.rnn", model.encoder], ["decoder.embedding", model.targetEmbedding],
    ["decoder.rnn", model.decoder], ["bridge.h", model.bridgeH], ["bridge.c", model.bridgeC], ["attention", model.attention], ["fc", model.head],
  ];
  const out: Record<string, Tensor> = {};
  for (const [prefix, layer] of named) if (layer) for (const [k, v] of Object.entries(layer.grads())) out[`${prefix}.${k}`] = v;
  return out;
}

beforeAll(async () => {
  await init();
});

describe("Seq2Seq matches PyTorch", () => {
  it("has the five configurations", () => {
    expect(fixtures.map((f) => f.name)).toEqual([
      "a_lstm_init", "b_gru_bidir_every_step", "c_lstm_bidir2_additive", "d_gru_dot", "e_rnn_tanh_stack2_every_step_general",
    ]);
  });

  for (const { name, config, tensors } of fixtures) {
    describe(name, () => {
      const expected = withPrefix(tensors, "expect.");
      const withModel = (body: (model: Seq2Seq) => void) => () => {
        const model = build(config);
        try {
          const params = withPrefix(tensors, "param.");
          expect(Object.keys(model.stateDict()).sort()).toEqual(Object.keys(params).sort());
          model.loadStateDict(params);
          body(model);
        } finally {
          model.dispose();
        }
      };

      it("tokenizers and pairs", () => {
        const source = CharTokenizer.fit(config.sourceText), target = CharTokenizer.fit(config.targetText);
        expect(source.size).toBe(config.sourceVocabSize);
        expect(target.size).toBe(config.targetVocabSize);
        config.pairs.forEach((p, b) => {
          if (typeof p.source === "string") expect(Array.from(source.encode(p.source))).toEqual(config.sourceIds[b]);
          if (typeof p.target === "string") expect(Array.from(target.encode(p.target))).toEqual(config.targetIds[b]);
        });
        const lengths = config.sourceIds.map((s) => s.length), targetLengths = config.targetIds.map((t) => t.length);
        expect(new Set(lengths).size, "source lengths differ").toBe(lengths.length);
        expect(new Set(targetLengths).size, "target lengths differ").toBe(targetLengths.length);
        const monotonic = (xs: number[]) => xs.every((x, i) => i === 0 || x >= xs[i - 1]) || xs.every((x, i) => i === 0 || x <= xs[i - 1]);
        expect(monotonic(lengths), "source lengths unsorted").toBe(false);
        expect(monotonic(targetLengths), "target lengths unsorted").toBe(false);
      });

      it("loss and every parameter gradient", withModel((model) => {
        model.zeroGrad();
        const result = model.batchLoss(config.pairs, true);
        expect(result.count).toBe(config.count);
        expectClose([result.loss], expected.loss.data, `${name} loss`);
        expectClose([result.sum], expected.sum.data, `${name} sum`);
        const grads = modelGrads(model);
        const want = withPrefix(expected, "grad.");
        expect(Object.keys(grads).sort(), `${name}: gradient names`).toEqual(Object.keys(want).sort());
        for (const [param, g] of Object.entries(want)) {
          expect(grads[param].shape, `${name} grad ${param}: shape`).toEqual(g.shape);
          expectClose(grads[param].data, g.data, `${name} grad ${param}`);
        }
        if (model.attention) {
          const alignments = model.attention.alignments();
          expectClose(alignments, expected.alignments.data, `${name} alignments`);
        }
        // Evaluation gives the same loss and leaves the gradients alone.
        const evaluated = model.batchLoss(config.pairs, false);
        expectClose([evaluated.loss], expected.loss.data, `${name} evaluation loss`);
        for (const [param, g] of Object.entries(modelGrads(model))) expect(Array.from(g.data), `${name} ${param} after evaluation`).toEqual(Array.from(grads[param].data));
      }));

      // Through the model's internal encode/decodeSteps (what decoding uses for one step).
      it("logits of the first decoder step", withModel((model) => {
        const B = config.sourceIds.length, V = config.targetVocabSize;
        const src = model.encode(config.sourceIds.map((s) => Int32Array.from(s)), "test");
        const { logits } = model.decodeSteps(src, new Int32Array(B).fill(BOS), 1, B, 0, src.h0, src.c0);
        expectClose(model.engine.read(logits, B * V), expected.step0_logits.data, `${name} step-0 logits`);
      }));

      it("greedy decoding", withModel((model) => {
        const decoded = model.decode(config.sourceIds, { maxLength: config.greedy.maxLength });
        config.greedy.results.forEach((want, b) => {
          expect(decoded[b].tokens, `${name} row ${b} tokens`).toEqual(want.tokens);
          expect(decoded[b].finished, `${name} row ${b} finished`).toBe(want.finished);
          expect(decoded[b].text, `${name} row ${b} text`).toBe(want.text);
          expectClose([decoded[b].logProb], [want.logProb], `${name} row ${b} logProb`);
        });
      }));
    });
  }
});
