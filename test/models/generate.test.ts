// LanguageModel.generate, the streaming form of sample: the pieces add up to sample's text for the same
// options and seed (LSTM and GRU, word and character tokens, int8); generations interleaved with each
// other and with scoring on one model give what each gives alone; the event loop runs between
// tokens; an AbortSignal or the consumer's break stops it; bad options throw before any token.

import { beforeAll, describe, expect, it } from "vitest";
import {
  CancelledError, CharTokenizer, init, LanguageModel, quantizeDynamic, ResourceError, ShapeError, streamData, Trainer, WordTokenizer, type GenerateOptions,
} from "../../src/index.js";

const TEXT = "the cat sat on the mat. the dog sat on the log. a cat and a dog sat on a mat. ";

beforeAll(async () => {
  await init();
});

/** Every piece `generate` yields, in order. */
async function collect(lm: LanguageModel, options: GenerateOptions): Promise<string[]> {
  const pieces: string[] = [];
  for await (const piece of lm.generate(options)) pieces.push(piece);
  return pieces;
}

/** A small model trained a little on TEXT, so that samples run their length (an untrained one soon draws the end token). */
async function model(cell: "lstm" | "gru" = "lstm", words = false): Promise<LanguageModel> {
  const tokenizer = words ? WordTokenizer.fit(TEXT) : CharTokenizer.fit(TEXT);
  const lm = new LanguageModel(tokenizer, { cell, hiddenSize: 24, embeddingDim: 8, numLayers: 2, seed: 7 });
  await new Trainer(lm, { lr: 2e-2, epochs: 10, seed: 1 }).fit(streamData(lm, tokenizer.encode(TEXT.repeat(8)), { batchSize: 4, bptt: 16 }));
  return lm;
}

describe("LanguageModel.generate", () => {
  const variants: [string, () => Promise<LanguageModel>][] = [
    ["LSTM, characters", () => model()],
    ["GRU, words", () => model("gru", true)],
    ["int8 LSTM", async () => quantizeDynamic(await model())],
  ];
  it.each(variants)("%s: the pieces add up to sample's text, token by token", async (_, make) => {
    const lm = await make();
    let tokens = 0;
    for (const options of [{ length: 40, seed: 3, temperature: 1.3 }, { length: 25, seed: 4, topK: 5, prime: "the " }, { length: 30, seed: 5, topP: 0.8 }]) {
      const pieces = await collect(lm, options);
      expect(pieces.join("")).toBe(lm.sample(options));
      tokens += pieces.length;
    }
    expect(tokens).toBeGreaterThan(30); // a sample may draw the end token early, not all of them
    lm.dispose();
  });

  it("keeps its own state: interleaved generations and scoring give what each gives alone", async () => {
    const lm = await model();
    const [a, b] = [{ length: 30, seed: 11 }, { length: 30, seed: 12, prime: "a dog" }];
    const [expectedA, expectedB] = [lm.sample(a), lm.sample(b)];
    const perplexity = lm.perplexity("the cat sat on the log.");
    const [ga, gb] = [lm.generate(a), lm.generate(b)];
    const got = ["", ""];
    for (let step = 0; step < 40; step++) {
      for (const [k, g] of [ga, gb].entries()) {
        const next = await g.next();
        if (!next.done) got[k] += next.value;
      }
      expect(lm.perplexity("the cat sat on the log.")).toBeCloseTo(perplexity, 10);
      lm.sample({ length: 3, seed: step }); // sampling in between uses the same slot
    }
    expect(got).toEqual([expectedA, expectedB]);
  });

  it("lets timers run between tokens", async () => {
    const lm = await model();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    let pieces = 0;
    for await (const _ of lm.generate({ length: 200, seed: 1 })) pieces++;
    clearInterval(timer);
    expect(pieces).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThan(0);
  });

  it("stops on an AbortSignal with a CancelledError, and when the consumer breaks off", async () => {
    const lm = await model();
    const controller = new AbortController();
    const pieces: string[] = [];
    const run = (async () => {
      for await (const piece of lm.generate({ length: 100, seed: 2, signal: controller.signal })) {
        pieces.push(piece);
        if (pieces.length === 5) controller.abort();
      }
    })();
    await expect(run).rejects.toThrow(CancelledError);
    await expect(run).rejects.toThrow(/LanguageModel\.generate: cancelled after 5 token\(s\)/);
    expect(pieces.length).toBe(5);
    const aborted = new AbortController();
    aborted.abort();
    await expect(lm.generate({ signal: aborted.signal }).next()).rejects.toThrow(CancelledError);
    let taken = 0;
    for await (const _ of lm.generate({ length: 100, seed: 2 })) if (++taken === 3) break;
    expect(taken).toBe(3);
    expect((await collect(lm, { length: 10, seed: 2 })).join("")).toBe(lm.sample({ length: 10, seed: 2 }));
  });

  it("refuses bad options before any token, and a disposed model at the next token", async () => {
    const lm = await model();
    expect(() => lm.generate({ temperature: 0 })).toThrow(ShapeError);
    expect(() => lm.generate({ length: -1 })).toThrow(/LanguageModel\.generate: length must be an integer/);
    expect(() => lm.generate({ signal: "stop" as unknown as AbortSignal })).toThrow(/signal must be an AbortSignal/);
    const g = lm.generate({ length: 50, seed: 1 });
    expect((await g.next()).done).toBe(false);
    lm.dispose();
    await expect(g.next()).rejects.toThrow(ResourceError);
    expect(() => lm.generate()).toThrow(ResourceError);
  });
});
