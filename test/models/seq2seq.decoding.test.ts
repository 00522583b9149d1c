// Seq2Seq decoding and its edge cases: batched decoding equals one-by-one decoding even when outputs
// finish at different steps, beam width 1 is greedy, beams return their best hypothesis, sampling is
// seeded, maxLength cuts, checkpoints round-trip, and bad input is a clear error or a documented result.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { init, Seq2Seq, CharTokenizer, Trainer, exampleData, Random, ShapeError, type SequencePair } from "../../src/index.js";
import { saveCheckpoint, loadCheckpoint } from "../../src/train/checkpoint.js";

let model: Seq2Seq;
const sources = ["12", "345678", "9", "2468"];

beforeAll(async () => {
  await init();
  const random = new Random(3);
  const pairs: SequencePair[] = Array.from({ length: 4000 }, () => {
    const s = Array.from({ length: 1 + random.below(7) }, () => String(random.below(10))).join("");
    return { source: s, target: [...s].reverse().join("") };
  });
  const tokenizer = CharTokenizer.fit("0123456789");
  model = new Seq2Seq(tokenizer, tokenizer, { hiddenSize: 48, embeddingDim: 12, attention: "dot", seed: 5 });
  await new Trainer(model, { lr: 1e-2, epochs: 4, clipNorm: 1, seed: 1 }).fit(exampleData(model, pairs, 32));
}, 120_000);

describe("Seq2Seq decoding", () => {
  it("reverses after a little training, and batched greedy decoding equals one-by-one decoding", () => {
    const batched = model.decode(sources);
    expect(batched.map((d) => d.text)).toEqual(["21", "876543", "9", "8642"]);
    expect(batched.every((d) => d.finished)).toBe(true);
    sources.forEach((s, i) => {
      const alone = model.decode([s])[0];
      expect(alone.tokens).toEqual(batched[i].tokens);
      expect(alone.logProb).toBeCloseTo(batched[i].logProb, 4);
    });
  });

  it("beam width 1 is greedy; wider beams return finished hypotheses with log-probabilities", () => {
    const greedy = model.decode(sources);
    const beam1 = model.decode(sources, { strategy: "beam", beamWidth: 1 });
    expect(beam1.map((d) => d.tokens)).toEqual(greedy.map((d) => d.tokens));
    const beam4 = model.decode(sources, { strategy: "beam", beamWidth: 4 });
    expect(beam4.map((d) => d.text)).toEqual(["21", "876543", "9", "8642"]);
    for (const d of beam4) {
      expect(d.finished).toBe(true);
      expect(d.logProb).toBeLessThanOrEqual(0);
    }
    // With no length normalisation the best beam is at least as likely as greedy here.
    const raw = model.decode(sources, { strategy: "beam", beamWidth: 4, lengthPenalty: 0 });
    raw.forEach((d, i) => expect(d.logProb).toBeGreaterThanOrEqual(greedy[i].logProb - 1e-4));
  });

  it("sampling is reproducible from a seed and honours temperature, top-k and top-p", () => {
    const options = { strategy: "sample" as const, temperature: 2, seed: 7 };
    expect(model.decode(sources, options).map((d) => d.text)).toEqual(model.decode(sources, options).map((d) => d.text));
    const cold = model.decode(sources, { strategy: "sample", temperature: 0.05, topK: 3, seed: 1 });
    expect(cold.map((d) => d.text)).toEqual(["21", "876543", "9", "8642"]);
    expect(() => model.decode(sources, { strategy: "sample", topP: 0 })).toThrow(/topP must be in \(0, 1\]/);
  });

  it("maxLength cuts long outputs and says so", () => {
    const [d] = model.decode(["345678"], { maxLength: 3 });
    expect(d.tokens.length).toBe(3);
    expect(d.finished).toBe(false);
  });

  it("round-trips through a checkpoint", () => {
    const dir = mkdtempSync(join(tmpdir(), "wasm-rnn-s2s-"));
    saveCheckpoint(dir, model);
    const restored = loadCheckpoint(dir, "seq2seq").model as Seq2Seq;
    expect(restored.decode(sources).map((d) => d.text)).toEqual(model.decode(sources).map((d) => d.text));
    restored.dispose();
  });

  it("bad input: clear errors, or UNK for unknown characters", () => {
    expect(() => model.decode([""])).toThrow(/source 0 is empty/);
    expect(() => model.decode([])).toThrow(ShapeError);
    expect(() => model.decode([[4, 99]])).toThrow(/ids\[1\] must be an integer from 0 to 13/);
    expect(() => model.decode(["12"], { maxLength: 0 })).toThrow(/maxLength must be an integer from 1 to 1000000/);
    expect(() => model.decode(["12"], { strategy: "beam", beamWidth: 15 })).toThrow(/beamWidth must be an integer from 1 to the target vocabulary size 14/);
    expect(() => model.decode(["12"], { strategy: "viterbi" as "beam" })).toThrow(/strategy must be/);
    // Characters outside the vocabulary become UNK: decoding still works.
    expect(model.decode(["1x2"])[0].tokens.length).toBeGreaterThan(0);
    expect(() => model.batchLoss([{ source: "12", target: "" }], true)).toThrow(/pair 0 has an empty target/);
  });
});

describe("scheduled sampling", () => {
  it("feeds the model's own predictions during training (loss changes) and still learns", async () => {
    const tokenizer = CharTokenizer.fit("0123456789");
    const random = new Random(8);
    const pairs: SequencePair[] = Array.from({ length: 3000 }, () => {
      const s = Array.from({ length: 2 + random.below(5) }, () => String(random.below(10))).join("");
      return { source: s, target: [...s].reverse().join("") };
    });
    const fresh = new Seq2Seq(tokenizer, tokenizer, { hiddenSize: 32, embeddingDim: 8, attention: "dot", seed: 2 });
    const batch = pairs.slice(0, 16);
    const teacherForced = fresh.batchLoss(batch, true).loss;
    fresh.samplingRatio = 1;
    expect(fresh.batchLoss(batch, true).loss).not.toBe(teacherForced);
    fresh.samplingRatio = 0;
    expect(fresh.batchLoss(batch, true).loss).toBe(teacherForced); // evaluation and ratio 0 are pure teacher forcing
    fresh.samplingRatio = 0.25;
    await new Trainer(fresh, { lr: 1e-2, epochs: 4, clipNorm: 1, seed: 1 }).fit(exampleData(fresh, pairs, 32));
    const test = pairs.slice(0, 200);
    const decoded = fresh.decode(test.map((p) => p.source));
    expect(decoded.filter((d, i) => d.text === test[i].target).length / test.length).toBeGreaterThan(0.9);
    fresh.dispose();
  }, 120_000);
});
