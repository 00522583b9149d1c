// LanguageModel beyond the PyTorch fixtures: sampling (seeded, greedy, streaming, Unicode), scoring
// (log-probability and perplexity agree with the training loss and do not depend on chunking), and
// a small model that learns its text.

import { beforeAll, describe, expect, it } from "vitest";
import { init, CharTokenizer, WordTokenizer, LanguageModel, Trainer, streamData, ShapeError } from "../../src/index.js";

const POEM = "床前明月光，疑是地上霜。举头望明月，低头思故乡。\n白日依山尽，黄河入海流。欲穷千里目，更上一层楼。\n";

beforeAll(async () => {
  await init();
});

describe("LanguageModel", () => {
  it("samples reproducibly from a seed; top-k 1 is greedy; streaming pieces add up to the result", () => {
    const lm = new LanguageModel(CharTokenizer.fit("abcdefgh abcdefgh hgfedcba "), { hiddenSize: 16, embeddingDim: 8, seed: 3 });
    const a = lm.sample({ length: 40, seed: 5, temperature: 1.2 });
    expect(lm.sample({ length: 40, seed: 5, temperature: 1.2 })).toBe(a);
    expect(lm.sample({ length: 40, seed: 6, temperature: 1.2 })).not.toBe(a);
    expect(lm.sample({ length: 30, topK: 1, seed: 1 })).toBe(lm.sample({ length: 30, topK: 1, seed: 2 }));
    let streamed = "";
    const whole = lm.sample({ length: 25, seed: 9, topP: 0.9, onText: (t) => (streamed += t) });
    expect(streamed).toBe(whole);
    expect(() => lm.sample({ temperature: 0 })).toThrow(ShapeError);
    expect(() => lm.sample({ topP: 1.5 })).toThrow(/topP must be in \(0, 1\]/);
    expect(() => lm.sample({ length: -1 })).toThrow(/length must be an integer from 0 to 1000000/);
  });

  it("works on Chinese characters as code points and samples only vocabulary characters", () => {
    const tokenizer = CharTokenizer.fit(POEM);
    const lm = new LanguageModel(tokenizer, { cell: "gru", hiddenSize: 16, embeddingDim: 8, seed: 1 });
    const text = lm.sample({ length: 30, seed: 2, prime: "床前" });
    const vocabulary = new Set(Array.from(POEM));
    expect(Array.from(text).length).toBeGreaterThan(0);
    for (const ch of Array.from(text)) expect(vocabulary.has(ch)).toBe(true);
  });

  it("perplexity = exp(−logProb / tokens), independent of how long texts are chunked", () => {
    const tokenizer = CharTokenizer.fit("the cat sat on the mat. ");
    const lm = new LanguageModel(tokenizer, { hiddenSize: 12, embeddingDim: 6, seed: 4 });
    const text = "the cat sat on the mat. ".repeat(30); // 720 characters: three scoring chunks
    const tokens = tokenizer.encode(text, { bos: true });
    const logProb = lm.logProb(text);
    expect(lm.perplexity(text)).toBeCloseTo(Math.exp(-logProb / (tokens.length - 1)), 6);
    // The same sum from one window over the whole text.
    const n = tokens.length - 1;
    const whole = lm.windowLoss(tokens.subarray(0, n), tokens.subarray(1), n, 1, false, false, "eval");
    expect(-logProb).toBeCloseTo(whole.sum, 2);
    expect(() => lm.logProb("")).toThrow(ShapeError);
  });

  it("a vocabulary of one symbol is refused", () => {
    expect(() => new LanguageModel(CharTokenizer.fit("aaaa"), { hiddenSize: 4 })).toThrow(/at least two distinct tokens/);
  });

  it("learns its text: perplexity falls far below the vocabulary size and seen text beats scrambled text", async () => {
    const text = "one two three four five six seven eight nine ten\n".repeat(40);
    const tokenizer = WordTokenizer.fit(text);
    const lm = new LanguageModel(tokenizer, { hiddenSize: 32, embeddingDim: 16, seed: 2 });
    const before = lm.perplexity(text);
    await new Trainer(lm, { lr: 1e-2, epochs: 8, seed: 1 }).fit(streamData(lm, tokenizer.encode(text, { bos: true }), { batchSize: 4, bptt: 16 }));
    const after = lm.perplexity(text);
    expect(before).toBeGreaterThan(8);
    expect(after).toBeLessThan(1.5);
    expect(lm.logProb("one two three four five")).toBeGreaterThan(lm.logProb("five three one four two"));
    expect(lm.sample({ prime: "one two", length: 3, topK: 1 }).trim()).toBe("three four five");
  });
});
