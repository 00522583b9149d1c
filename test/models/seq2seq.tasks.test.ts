// Seq2Seq examples that double as tests (seeded, single-threaded, asserting outcomes, never time):
// reversing digit strings of length 3–12, adding two numbers written as digits, and normalising
// human-written dates to ISO form. Each reaches ≥ 99% exact match on 1,000 held-out inputs with
// greedy decoding, and attention clearly beats no attention on the longer reversals. Each trained
// model, quantized (quantizeDynamic), stays within half a point of its float32 exact match.

import { beforeAll, describe, expect, it } from "vitest";
import { datePairs as dates } from "../../scripts/date-pairs.mjs";
import { init, Seq2Seq, CharTokenizer, Trainer, exampleData, cosineDecay, Random, quantizeDynamic, type Seq2SeqConfig, type SequencePair } from "../../src/index.js";

beforeAll(async () => {
  await init();
});

const DIGITS = "0123456789";

function reversal(count: number, random: Random): SequencePair[] {
  return Array.from({ length: count }, () => {
    const s = Array.from({ length: 3 + random.below(10) }, () => DIGITS[random.below(10)]).join("");
    return { source: s, target: [...s].reverse().join("") };
  });
}

function addition(count: number, random: Random): SequencePair[] {
  const number = () => String(random.below(10 ** (1 + random.below(3))));
  return Array.from({ length: count }, () => {
    const a = number(), b = number();
    return { source: `${a}+${b}`, target: String(Number(a) + Number(b)) };
  });
}

interface Task {
  train: SequencePair[];
  test: SequencePair[];
  config: Seq2SeqConfig;
  epochs: number;
}

/** Trains with Adam on a cosine schedule and returns greedy exact-match accuracy on the test pairs,
 *  and that of the model quantized to int8. */
async function exactMatch({ train, test, config, epochs }: Task, subset?: (p: SequencePair) => boolean): Promise<{ all: number; subset: number; int8: number }> {
  const sourceTokenizer = CharTokenizer.fit(train.map((p) => p.source).join(""));
  const targetTokenizer = CharTokenizer.fit(train.map((p) => p.target).join(""));
  const model = new Seq2Seq(sourceTokenizer, targetTokenizer, config);
  const steps = epochs * Math.ceil(train.length / 64);
  await new Trainer(model, { schedule: cosineDecay(5e-3, steps, 2e-4), scheduleUnit: "step", epochs, clipNorm: 1, seed: 2 }).fit(exampleData(model, train, 64));
  const decoded = model.decode(test.map((p) => p.source));
  const quantized = quantizeDynamic(model);
  const decodedInt8 = quantized.decode(test.map((p) => p.source));
  model.dispose();
  quantized.dispose();
  const correct = test.map((p, i) => decoded[i].text === p.target);
  const chosen = test.map((p) => (subset ? subset(p) : true));
  const rate = (mask: boolean[]) => mask.filter((m, i) => m && correct[i]).length / Math.max(1, mask.filter(Boolean).length);
  const int8 = test.filter((p, i) => decodedInt8[i].text === p.target).length / test.length;
  return { all: rate(test.map(() => true)), subset: rate(chosen), int8 };
}

const long = (p: SequencePair) => (p.source as string).length >= 10;

describe("seq2seq examples", () => {
  const reversalData = () => {
    const random = new Random(1);
    return { train: reversal(10_000, random), test: reversal(1000, random) };
  };

  it("reverses digit strings of length 3–12 (dot attention): ≥ 99%; without attention the long ones fail", async () => {
    const data = reversalData();
    const attention = await exactMatch({ ...data, epochs: 5, config: { hiddenSize: 64, embeddingDim: 16, attention: "dot", seed: 1 } }, long);
    const plain = await exactMatch({ ...data, epochs: 5, config: { hiddenSize: 64, embeddingDim: 16, attention: "none", seed: 1 } }, long);
    console.log(`reversal: attention ${attention.all} (length ≥ 10: ${attention.subset}, int8 ${attention.int8}); no attention ${plain.all} (length ≥ 10: ${plain.subset})`);
    expect(attention.all).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(attention.int8 - attention.all)).toBeLessThanOrEqual(0.005);
    expect(attention.subset).toBeGreaterThan(plain.subset + 0.3);
  }, 300_000);

  it("adds two numbers of up to three digits (GRU, bidirectional encoder, additive attention): ≥ 99%", async () => {
    const random = new Random(1);
    const result = await exactMatch({ train: addition(40_000, random), test: addition(1000, random), epochs: 6, config: { cell: "gru", hiddenSize: 128, embeddingDim: 16, bidirectional: true, attention: "additive", seed: 1 } });
    console.log(`addition: ${result.all} (int8 ${result.int8})`);
    expect(result.all).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(result.int8 - result.all)).toBeLessThanOrEqual(0.005);
  }, 600_000);

  it("normalises human-written dates to ISO form (bidirectional encoder, general attention): ≥ 99%", async () => {
    const random = new Random(1);
    const result = await exactMatch({ train: dates(12_000, random), test: dates(1000, random), epochs: 4, config: { hiddenSize: 64, embeddingDim: 16, bidirectional: true, attention: "general", seed: 1 } });
    console.log(`dates: ${result.all} (int8 ${result.int8})`);
    expect(result.all).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(result.int8 - result.all)).toBeLessThanOrEqual(0.005);
  }, 300_000);
});
