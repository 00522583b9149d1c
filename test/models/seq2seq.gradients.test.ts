// Finite-difference check of the whole Seq2Seq model (encoder, bridge, context, decoder, attention,
// head and the loss): each sampled coordinate of every parameter tensor is nudged by ±ε and
// (L(+ε) − L(−ε)) / 2ε compared with the gradient batchLoss accumulates, on tiny models (hidden 5,
// embedding 4, batch 2, unequal source and target lengths). Embedding coordinates are sampled from
// the rows the batch uses, plus one unused row (whose gradient must be exactly zero).

import { beforeAll, describe, expect, it } from "vitest";
import { CharTokenizer, init, Random, Seq2Seq, type Seq2SeqConfig, type SequencePair, type Tensor } from "../../src/index.js";
import type { Layer } from "../../src/layers/layer.js";
import { BOS } from "../../src/text/vocabulary.js";
import { agrees, centralDifferences, sampleIndices } from "../helpers/finite-differences.js";

const EPS = 1e-2;
const SAMPLES = 10;
const SCALE = 1;
const ATTENTION_SCALE = 2;

interface Case {
  name: string;
  config: Omit<Seq2SeqConfig, "hiddenSize" | "embeddingDim">;
}

const CASES: Case[] = [
  { name: "LSTM, bidirectional, 2 layers, every-step, additive attention", config: { cell: "lstm", bidirectional: true, numLayers: 2, context: "every-step", attention: "additive", attentionSize: 3 } },
  { name: "GRU, bidirectional, init, general attention", config: { cell: "gru", bidirectional: true, context: "init", attention: "general" } },
  { name: "RNN tanh, 2 layers, every-step, dot attention", config: { cell: "rnn", numLayers: 2, context: "every-step", attention: "dot" } },
  { name: "LSTM, init, no attention", config: { cell: "lstm", context: "init" } },
  { name: "GRU, 2 layers, every-step, no attention", config: { cell: "gru", numLayers: 2, context: "every-step" } },
  { name: "LSTM, init, general attention", config: { cell: "lstm", context: "init", attention: "general" } },
];

// Source vocabulary: 4 specials + 7 letters (ids 4–10); target: 4 specials + 6 letters (ids 4–9).
const SOURCE_TEXT = "abcdefg", TARGET_TEXT = "uvwxyz";
const PAIRS: SequencePair[] = [
  { source: [5, 9, 4, 7, 8], target: [6, 8, 5] },
  { source: [10, 6, 4], target: [4, 9, 6, 7] },
];

function layersOf(model: Seq2Seq): [string, Layer][] {
  const named: [string, Layer | null][] = [
    ["encoder.embedding", model.sourceEmbedding], ["encoder.rnn", model.encoder], ["decoder.embedding", model.targetEmbedding],
    ["decoder.rnn", model.decoder], ["bridge.h", model.bridgeH], ["bridge.c", model.bridgeC], ["attention", model.attention], ["fc", model.head],
  ];
  return named.filter((e): e is [string, Layer] => e[1] !== null);
}

function modelGrads(model: Seq2Seq): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [prefix, layer] of layersOf(model)) for (const [k, v] of Object.entries(layer.grads())) out[`${prefix}.${k}`] = v;
  return out;
}

/** Coordinates to check (random ones; for an embedding table, entries of used rows and one unused row, `zero`). */
function coordinates(name: string, p: Tensor, random: Random): { i: number; zero: boolean }[] {
  const n = p.data.length;
  const pick = (k: number) => Math.floor(random.uniform() * k);
  if (!name.endsWith("embedding.weight")) return sampleIndices(random, n, SAMPLES).map((i) => ({ i, zero: false }));
  const [rows, E] = p.shape as [number, number];
  const used = name.startsWith("encoder.")
    ? PAIRS.flatMap((q) => q.source as number[])
    : [BOS, ...PAIRS.flatMap((q) => q.target as number[])];
  const unused = Array.from({ length: rows }, (_, r) => r).filter((r) => !used.includes(r));
  const out = Array.from({ length: SAMPLES - 1 }, () => ({ i: used[pick(used.length)] * E + pick(E), zero: false }));
  out.push({ i: unused[pick(unused.length)] * E + pick(E), zero: true });
  return out;
}

beforeAll(async () => {
  await init();
});

describe("Seq2Seq gradients by finite differences", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const model = new Seq2Seq(CharTokenizer.fit(SOURCE_TEXT), CharTokenizer.fit(TARGET_TEXT), { ...c.config, hiddenSize: 5, embeddingDim: 4, seed: 11 });
      try {
        const random = new Random(99);
        // Larger weights than the default initialisation (uniform ±1/√fan-in): U(−1, 1), and U(−2, 2) for
        // attention, so that every tensor has gradients above the check's absolute tolerance.
        const initial = model.stateDict();
        for (const [name, p] of Object.entries(initial)) {
          const scale = name.startsWith("attention.") ? ATTENTION_SCALE : SCALE;
          for (let i = 0; i < p.data.length; i++) p.data[i] = random.uniformIn(-scale, scale);
        }
        model.loadStateDict(initial);
        const loss = () => model.batchLoss(PAIRS, false).loss;
        model.zeroGrad();
        const analytic = model.batchLoss(PAIRS, true);
        const grads = modelGrads(model);
        const params = model.stateDict();
        expect(Object.keys(grads).sort()).toEqual(Object.keys(params).sort());
        expect(loss()).toBe(analytic.loss); // evaluation is the same forward pass

        const failures: string[] = [];
        let checked = 0;
        for (const [name, p] of Object.entries(params)) {
          let largest = 0, diff2 = 0, numeric2 = 0, k = 0;
          const picked = coordinates(name, p, random);
          const samples = centralDifferences(p.data, picked.map((c) => c.i), grads[name].data, loss, EPS, () => model.loadStateDict(params));
          samples.forEach((sample, s) => {
            const { index: i, analytic: a, numeric } = sample;
            largest = Math.max(largest, Math.abs(numeric));
            diff2 += (a - numeric) ** 2;
            numeric2 += numeric ** 2;
            k++;
            checked++;
            if (!agrees(sample)) failures.push(`${name}[${i}]: analytic ${a}, numeric ${numeric}`);
            if (picked[s].zero && (a !== 0 || numeric !== 0)) failures.push(`${name}[${i}] (a row the batch does not use): analytic ${a}, numeric ${numeric}`);
          });
          // The check means something only where the loss depends on the sampled coordinates.
          if (largest < 1e-3) failures.push(`${name}: every sampled numeric gradient is below 1e-3 (${largest})`);
          // Per tensor, over its samples: ‖a − n‖ ≤ 1e-2·‖n‖ + 1e-4·√k. The element-wise bound above lets
          // a tensor whose gradients are all ~1e-2 be off by 10% or more; this one catches a few percent
          // (measured agreement: ‖a − n‖ / ‖n‖ ≤ 3e-3 for every tensor here).
          if (!(Math.sqrt(diff2) <= 1e-2 * Math.sqrt(numeric2) + 1e-4 * Math.sqrt(k))) {
            failures.push(`${name}: ‖analytic − numeric‖ ${Math.sqrt(diff2)} over ${k} samples, ‖numeric‖ ${Math.sqrt(numeric2)}`);
          }
        }
        expect(failures, failures.join("\n")).toEqual([]);
        expect(checked).toBeGreaterThan(0);
      } finally {
        model.dispose();
      }
    });
  }
});
