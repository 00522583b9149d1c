// Batcher: concurrent single-sequence calls of different lengths are merged into batches, and each
// caller gets the unbatched call's result (to 1e-5) — classifier, tagger, language-model scores,
// Seq2Seq (greedy, beam, sample), recurrent layers (time-major and batch-first), float32 and int8, in this thread and on a
// WorkerPool. A malformed call is refused alone; a failed batch fails only its own calls; an
// AbortSignal takes a waiting call out; the queue is bounded; close refuses what waits. The schedule:
// after a batch, the calls queued during it and those read in the next turn go together; under load a
// short batch gathers for maxDelayMs; a lone caller does not wait; where batches measure slower per
// call than lone calls, calls go alone. From dist/ (the pool's workers run the built package).

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  Batcher, CancelledError, CharTokenizer, GRU, init, LanguageModel, LSTM, quantizeDynamic, Random, ResourceError, Seq2Seq, SequenceClassifier, SequenceTagger,
  ShapeError, tensor, UnsupportedError, WorkerError, WorkerPool,
} from "../../dist/node.js";

let pool: WorkerPool;

beforeAll(async () => {
  await init();
  pool = await WorkerPool.create({ size: 2 });
});

afterAll(async () => {
  await pool.close();
});

/** Token sequences of lengths 1…n (ids 1…V−1), seeded. */
function sequences(n: number, V: number, seed: number): number[][] {
  const random = new Random(seed);
  return Array.from({ length: n }, (_, i) => Array.from({ length: 1 + ((i * 7) % 13) }, () => 1 + random.below(V - 1)));
}

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `${label} [${i}]`).toBeLessThan(1e-5);
}

function softmax(row: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(row));
  const e = Array.from(row, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Counts the calls of a model's method (the real method still runs). */
function counted<T extends object>(target: T, method: keyof T): { calls: number } {
  const counter = { calls: 0 };
  const original = (target[method] as (...args: unknown[]) => unknown).bind(target);
  (target as Record<keyof T, unknown>)[method] = (...args: unknown[]) => {
    counter.calls++;
    return original(...args);
  };
  return counter;
}

describe("Batcher", () => {
  const classifiers: [string, () => SequenceClassifier][] = [
    ["float32", () => new SequenceClassifier({ vocabSize: 20, embeddingDim: 8, hiddenSize: 24, numLayers: 2, bidirectional: true, numClasses: 3, pooling: "mean", seed: 5 })],
    ["int8", () => quantizeDynamic(new SequenceClassifier({ vocabSize: 20, embeddingDim: 8, hiddenSize: 24, numClasses: 4, pooling: "last", seed: 6 }))],
  ];
  it.each(classifiers)("classifier (%s): 10 calls in batches of ≤ 4, each its unbatched result", async (_, make) => {
    const model = make();
    const batches = counted(model, "forward");
    const batcher = new Batcher(model, { maxBatchSize: 4, maxDelayMs: 20 });
    const inputs = sequences(10, 20, 1);
    const results = await Promise.all(inputs.map((input) => batcher.classify(input)));
    expect(batches.calls).toBe(3);
    results.forEach((r, i) => {
      const alone = softmax(model.forward([inputs[i]]).data);
      expectNear(r.probabilities, alone, `call ${i}`);
      expect(r.label).toBe(alone.indexOf(Math.max(...alone)));
    });
    model.dispose();
  });

  it("tagger, and a classifier on the worker pool: each call its unbatched result", async () => {
    const tagger = new SequenceTagger({ inputSize: 3, cell: "gru", hiddenSize: 20, numTags: 4, seed: 6 });
    const random = new Random(3);
    const inputs = Array.from({ length: 9 }, (_, i) => Array.from({ length: 2 + i }, () => Array.from(random.uniformArray(3, -1, 1))));
    const tags = await Promise.all(inputs.map((input) => new Batcher(tagger).tag(input)));
    const shared = new Batcher(tagger, { maxDelayMs: 10 });
    expect(await Promise.all(inputs.map((input) => shared.tag(input)))).toEqual(inputs.map((input) => tagger.predict([input])[0]));
    expect(tags).toEqual(inputs.map((input) => tagger.predict([input])[0]));
    const classifier = classifiers[0][1]();
    const onPool = new Batcher(classifier, { pool, maxBatchSize: 3, maxDelayMs: 10 });
    const tokens = sequences(7, 20, 9);
    const results = await Promise.all(tokens.map((input) => onPool.classify(input)));
    results.forEach((r, i) => expectNear(r.probabilities, softmax(classifier.forward([tokens[i]]).data), `pool call ${i}`));
    // Calls that arrive together share the idle workers: 8 on 2 workers are two batches of 4 at once.
    const sizes: number[] = [];
    const sharedByWorkers = new Batcher(classifier, { pool, maxBatchSize: 32, onBatch: (n) => sizes.push(n) });
    const eight = await Promise.all([...tokens, tokens[0]].map((input) => sharedByWorkers.classify(input)));
    expect(sizes).toEqual([4, 4]);
    eight.forEach((r, i) => expectNear(r.probabilities, results[i % 7].probabilities, `shared call ${i}`));
    tagger.dispose();
    classifier.dispose();
  });

  it("Seq2Seq: greedy and beam calls share batches, sample calls run alone; each its unbatched result", async () => {
    const digits = CharTokenizer.fit("0123456789");
    const model = new Seq2Seq(digits, digits, { hiddenSize: 24, embeddingDim: 8, attention: "dot", seed: 4 });
    const batches = counted(model, "encode");
    const batcher = new Batcher(model, { maxDelayMs: 20 });
    const sources = ["1", "42", "12345", "908", "7777777", "31"];
    for (const options of [{ strategy: "greedy" as const, maxLength: 9 }, { strategy: "beam" as const, beamWidth: 3, maxLength: 9 }, { strategy: "sample" as const, seed: 5, maxLength: 9 }]) {
      batches.calls = 0;
      const got = await Promise.all(sources.map((s) => batcher.decode(s, options)));
      const alone = sources.map((s) => model.decode([s], options)[0]);
      const without = (d: { logProb: number }) => ({ ...d, logProb: 0 });
      expect(got.map(without)).toEqual(alone.map(without)); // tokens, text, finished: exactly
      got.forEach((d, i) => expect(Math.abs(d.logProb - alone[i].logProb)).toBeLessThan(1e-5 * Math.max(1, Math.abs(alone[i].logProb))));
      expect(batches.calls - sources.length).toBe(options.strategy === "sample" ? sources.length : 1); // the checks above encoded each alone
    }
    model.dispose();
  });

  it("language model: log-probability and perplexity of texts of different lengths (across the 256-step chunks), batched", async () => {
    const text = "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. ";
    const lm = new LanguageModel(CharTokenizer.fit(text), { hiddenSize: 32, embeddingDim: 8, numLayers: 2, seed: 3 });
    const batches = counted(lm, "scoreMany");
    const batcher = new Batcher(lm, { maxDelayMs: 20 });
    const texts = ["It", "a truth", text, text.repeat(3), "single man", text.repeat(2).slice(7)];
    const got = await Promise.all(texts.map((t) => batcher.score(t)));
    expect(batches.calls).toBe(1);
    got.forEach((s, i) => {
      expect(Math.abs(s.logProb / lm.logProb(texts[i]) - 1), `logProb ${i}`).toBeLessThan(1e-5);
      expect(Math.abs(s.perplexity / lm.perplexity(texts[i]) - 1), `perplexity ${i}`).toBeLessThan(1e-5);
    });
    await expect(batcher.score("")).rejects.toThrow(/text must be a non-empty string/);
    lm.dispose();
  });

  const layers: [string, () => LSTM | GRU][] = [
    ["LSTM, 2 layers", () => new LSTM({ inputSize: 5, hiddenSize: 12, numLayers: 2, seed: 1 })],
    ["GRU, batch-first", () => new GRU({ inputSize: 5, hiddenSize: 9, batchFirst: true, seed: 2 })],
    ["int8 LSTM", () => quantizeDynamic(new LSTM({ inputSize: 5, hiddenSize: 16, seed: 3 }))],
  ];
  it.each(layers)("recurrent layer (%s): outputs and final states of each sequence, in this thread and on the pool", async (_, make) => {
    const layer = make();
    const random = new Random(8);
    const xs = [3, 9, 1, 6, 12].map((T) => tensor(random.uniformArray(T * 5, -1, 1), [T, 5]));
    for (const batcher of [new Batcher(layer, { maxDelayMs: 10 }), new Batcher(layer, { pool, maxDelayMs: 10 })]) {
      const got = await Promise.all(xs.map((x) => batcher.forward(x)));
      got.forEach((r, i) => {
        const alone = layer.forward(xs[i]);
        expect(r.output.shape).toEqual(alone.output.shape);
        expectNear(r.output.data, alone.output.data, `output ${i}`);
        expectNear(r.hN.data, alone.hN.data, `hN ${i}`);
        if (alone.cN) expectNear(r.cN!.data, alone.cN.data, `cN ${i}`);
      });
    }
    layer.dispose();
  });

  it("refuses a malformed call alone; a failed batch fails only its calls, with a WorkerError", async () => {
    const model = classifiers[0][1]();
    const batcher = new Batcher(model, { maxBatchSize: 3, maxDelayMs: 20 });
    const good = sequences(5, 20, 2);
    const calls = [batcher.classify(good[0]), batcher.classify([1, 2, 99]), batcher.classify(good[1]), batcher.classify([] as number[])];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected"]);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(ShapeError);
    expect((settled[1] as PromiseRejectedResult).reason.message).toMatch(/Batcher\.classify: input/);
    // The first batch of three fails inside the model (injected); the next batch is untouched.
    const original = model.forward.bind(model);
    let failures = 1;
    model.forward = (inputs) => (failures-- > 0 ? (() => { throw new Error("injected failure"); })() : original(inputs));
    const next = await Promise.allSettled(good.map((input) => batcher.classify(input)));
    expect(next.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected", "fulfilled", "fulfilled"]);
    expect((next[0] as PromiseRejectedResult).reason).toBeInstanceOf(WorkerError);
    expect((next[0] as PromiseRejectedResult).reason.message).toMatch(/the batch of 3 call\(s\) failed: injected failure/);
    await expect(new Batcher(model).forward(tensor(new Float32Array(5), [1, 5]))).rejects.toThrow(UnsupportedError);
    model.dispose();
  });

  it("after a batch in this thread, the calls queued during it and those read in the next turn go together", async () => {
    const model = classifiers[0][1]();
    const sizes: number[] = [];
    const ends: [number, number][] = [];
    const batcher = new Batcher(model, { maxDelayMs: 0, onBatch: (n) => sizes.push(n), onBatchEnd: (n, seconds) => ends.push([n, seconds]) });
    const inputs = sequences(6, 20, 7);
    const later: Promise<unknown>[] = [];
    const forward = model.forward.bind(model);
    model.forward = (batch) => {
      if (sizes.length === 1) {
        // While the first batch computes: two calls queue, and three more arrive in the next turn
        // (as requests whose bytes a server reads only once this thread is free).
        later.push(batcher.classify(inputs[1]), batcher.classify(inputs[2]));
        setTimeout(() => later.push(...inputs.slice(3).map((input) => batcher.classify(input))), 0);
        const until = performance.now() + 5;
        while (performance.now() < until); // the batch computes for 5 ms: the timer is due when it ends
      }
      return forward(batch);
    };
    await batcher.classify(inputs[0]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all(later);
    expect(sizes).toEqual([1, 5]);
    expect(ends.map(([n]) => n)).toEqual([1, 5]);
    expect(ends[0][1]).toBeGreaterThanOrEqual(0.005); // the first batch's 5 ms of compute, in seconds
    expect(ends[1][1]).toBeGreaterThan(0);
    model.dispose();
  });

  it("under load a short batch gathers while calls keep coming, for at most maxDelayMs; once they stop (a quiet millisecond) it goes; after a lone call, the next goes at once", async () => {
    // On a fake clock (setTimeout and performance.now; event-loop turns are real): the policy exactly.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const model = classifiers[0][1]();
    try {
      const sizes: number[] = [], starts: number[] = [];
      const batcher = new Batcher(model, { maxBatchSize: 1000, maxDelayMs: 40, onBatch: (n) => (sizes.push(n), starts.push(performance.now())) });
      const inputs = sequences(4, 20, 8);
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      await Promise.all([batcher.classify(inputs[0]), batcher.classify(inputs[1])]); // a batch of 2: load
      const first = performance.now();
      const stream: Promise<unknown>[] = [];
      for (let i = 0; i < 200; i++) { // a call every 0.3 ms for 60 ms
        stream.push(batcher.classify(inputs[i % 4]));
        await turn();
        vi.advanceTimersByTime(0.3);
        await turn();
      }
      const last = performance.now() - 0.3;
      for (let i = 0; i < 10 && sizes.length < 4; i++) {
        vi.advanceTimersByTime(0.25);
        await turn();
      }
      await Promise.all(stream);
      expect(sizes[0]).toBe(2);
      expect(starts[1] - first).toBeCloseTo(40, 0); // the first calls gathered for maxDelayMs…
      expect(sizes[1]).toBeGreaterThanOrEqual(130); // …all that came in those 40 ms
      expect(sizes[1]).toBeLessThanOrEqual(136);
      expect(sizes[1] + sizes[2]).toBe(200); // the rest went together…
      expect(starts[2] - last).toBeGreaterThanOrEqual(1); // …once a millisecond passed without a call
      expect(starts[2] - last).toBeLessThan(2);
      const lone = batcher.classify(inputs[0]); // under load (the last batch held many), nothing follows it
      const submitted = performance.now();
      while (sizes.length < 4) {
        vi.advanceTimersByTime(0.25);
        await turn();
      }
      await lone;
      expect(starts[3] - submitted).toBeGreaterThanOrEqual(1); // a quiet millisecond, not maxDelayMs
      expect(starts[3] - submitted).toBeLessThan(2);
      const next = batcher.classify(inputs[1]); // after a batch of 1: at once, the clock still
      for (let i = 0; i < 5 && sizes.length < 5; i++) await turn();
      expect(sizes).toHaveLength(5);
      expect(sizes[4]).toBe(1);
      await next;
    } finally {
      vi.useRealTimers();
      model.dispose();
    }
  });

  it("sends calls alone where batches measure slower per call than lone calls, and keeps batching where they pay", async () => {
    // On a fake performance clock that the model's forward advances: 1 ms per lone call, `perCall` ms
    // per call in a batch. Each round, four calls arrive in one turn.
    vi.useFakeTimers({ toFake: ["performance"] });
    const model = classifiers[0][1]();
    try {
      const forward = model.forward.bind(model);
      for (const perCall of [1.5, 0.4]) {
        model.forward = (batch) => {
          vi.advanceTimersByTime(batch.length === 1 ? 1 : batch.length * perCall);
          return forward(batch);
        };
        const sizes: number[] = [];
        const batcher = new Batcher(model, { maxBatchSize: 4, maxDelayMs: 0, onBatch: (n) => sizes.push(n) });
        const inputs = sequences(4, 20, 9);
        for (let round = 0; round < 100; round++) await Promise.all(inputs.map((input) => batcher.classify(input)));
        const timing = (size: number) => batcher.measured().classify.find((t) => t.size === size)!;
        expect(timing(1).msPerCall).toBeCloseTo(1, 5);
        expect(timing(4).msPerCall).toBeCloseTo(perCall, 5);
        // Settled: the other way only to keep measuring (two verdicts in every 20; batch sizes 2 and 3,
        // measured less, add a few).
        const late = sizes.slice(-60);
        if (perCall > 0.9) expect(late.filter((n) => n > 1).length).toBeLessThanOrEqual(12);
        else expect(late.filter((n) => n === 1).length).toBeLessThanOrEqual(12);
      }
    } finally {
      vi.useRealTimers();
      model.dispose();
    }
  });

  it("an AbortSignal takes a waiting call out; the queue is bounded; close refuses what waits", async () => {
    const model = classifiers[0][1]();
    const batches = counted(model, "forward");
    const batcher = new Batcher(model, { maxDelayMs: 30, maxQueue: 3 });
    const controller = new AbortController();
    const [a, b] = sequences(2, 20, 4);
    const calls = [batcher.classify(a), batcher.classify(b, { signal: controller.signal }), batcher.classify(a)];
    expect(batcher.pending).toBe(3);
    await expect(batcher.classify(b)).rejects.toThrow(/the queue is full \(3 calls waiting\)/);
    controller.abort();
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(CancelledError);
    expect(batches.calls).toBe(1);
    const waiting = batcher.classify(a);
    batcher.close();
    await expect(waiting).rejects.toThrow(ResourceError);
    await expect(batcher.classify(a)).rejects.toThrow(/Batcher: closed/);
    expect(() => new Batcher(model, { maxBatchSize: 0 })).toThrow(/maxBatchSize must be a positive integer/);
    model.dispose();
  });
});
