// The worker pool with real worker_threads on a shared wasm memory (the built package, since workers
// run dist/serving/worker.js): inference split by rows equals the single-threaded results, a split
// is kept for a shape only where the pool measured it faster,
// data-parallel training follows the same loss curve, and serving survives full queues,
// cancellation, killed workers and closing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  WorkerPool, WorkerError, CancelledError, ResourceError, LSTM, GRU, RNN, SequenceClassifier, SequenceTagger, LanguageModel, Seq2Seq,
  CharTokenizer, Trainer, Adam, streamData, exampleData, tensor, Random, quantizeDynamic, UnsupportedError,
} from "../../dist/node.js";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expectClose } from "../helpers/compare.js";

const run = promisify(execFile);

let pool: WorkerPool;
const random = new Random(11);
const uniform = (n: number) => Float32Array.from({ length: n }, () => random.uniformIn(-1, 1));

beforeAll(async () => {
  pool = await WorkerPool.create({ size: 2, maxQueue: 4 });
});

afterAll(async () => {
  await pool.close();
});

describe("WorkerPool inference", () => {
  it("uses the shared memory and splits a recurrent forward by rows with the single-threaded result", async () => {
    expect(pool.sharedMemory).toBe(true);
    const big = new LSTM({ inputSize: 16, hiddenSize: 64, numLayers: 2, bidirectional: true, seed: 1 });
    const xBig = tensor(uniform(40 * 9 * 16), [40, 9, 16]);
    const options = { lengths: [40, 3, 39, 1, 40, 20, 7, 40, 11], h0: tensor(uniform(4 * 9 * 64), [4, 9, 64]) };
    expect(big.splitParts({ steps: 40, batch: 9, inputSize: 16, outputSize: 64, tokens: 0 } as never, 2)).toBe(2);
    const hereBig = big.forward(xBig, options), thereBig = await pool.forward(big, xBig, options);
    expectClose(thereBig.output.data, hereBig.output.data, "split output", { rtol: 1e-6, atol: 0 });
    expectClose(thereBig.cN!.data, hereBig.cN!.data, "split cN", { rtol: 1e-6, atol: 0 });
    // Small calls are not split: they run whole on one worker.
    const lstm = new LSTM({ inputSize: 6, hiddenSize: 12, numLayers: 2, bidirectional: true, seed: 1 });
    const x = tensor(uniform(9 * 7 * 6), [9, 7, 6]);
    const h0 = tensor(uniform(4 * 7 * 12), [4, 7, 12]);
    const lengths = [9, 3, 7, 1, 9, 5, 2];
    const here = lstm.forward(x, { h0, lengths });
    const there = await pool.forward(lstm, x, { h0, lengths });
    expectClose(there.output.data, here.output.data, "output", { rtol: 1e-6, atol: 0 });
    expectClose(there.hN.data, here.hN.data, "hN", { rtol: 1e-6, atol: 0 });
    expectClose(there.cN!.data, here.cN!.data, "cN", { rtol: 1e-6, atol: 0 });
    const gru = new GRU({ inputSize: 6, hiddenSize: 5, batchFirst: true, seed: 2 });
    const xb = tensor(uniform(5 * 4 * 6), [5, 4, 6]);
    expectClose((await pool.forward(gru, xb)).output.data, gru.forward(xb).output.data, "batch-first GRU", { rtol: 1e-6, atol: 0 });
  });

  it("splits one long sequence (batch 1) over both workers by hidden units with the single-threaded result", async () => {
    for (const layer of [
      new LSTM({ inputSize: 8, hiddenSize: 256, numLayers: 2, bidirectional: true, peepholes: true, seed: 3 }),
      new GRU({ inputSize: 8, hiddenSize: 258, seed: 4 }), // edges of the split are not multiples of 8 or the panel size
      new RNN({ inputSize: 8, hiddenSize: 520, nonlinearity: "relu", seed: 5 }),
    ]) {
      expect(layer.splittable).toBe(true);
      const x = tensor(uniform(40 * 8), [40, 8]); // unbatched
      const here = layer.forward(x);
      const there = await pool.forward(layer, x);
      expect(there.output.shape).toEqual([40, layer.directions * layer.outputSize]);
      expectClose(there.output.data, here.output.data, `${layer.constructor.name} output`, { rtol: 1e-6, atol: 0 });
      expectClose(there.hN.data, here.hN.data, `${layer.constructor.name} hN`, { rtol: 1e-6, atol: 0 });
      // The pool measures this shape's calls split and whole, alternately (split-choice.ts): the
      // second call runs whole, the third split again.
      const x3 = tensor(uniform(7 * 8), [7, 1, 8]);
      for (const way of ["whole", "split"]) expectClose((await pool.forward(layer, x3, { lengths: [4] })).output.data, layer.forward(x3, { lengths: [4] }).output.data, `lengths, ${way}`, { rtol: 1e-6, atol: 0 });
    }
    expect(new LSTM({ inputSize: 8, hiddenSize: 64 }).splittable).toBe(false); // too little work per step
    expect(new LSTM({ inputSize: 8, hiddenSize: 300, projSize: 200 }).splittable).toBe(false);
  });

  it("measures per shape whether a split pays on this pool, and keeps the faster way", async () => {
    const layer = new LSTM({ inputSize: 8, hiddenSize: 256, seed: 21 });
    const x = tensor(uniform(48 * 8), [48, 1, 8]);
    const here = layer.forward(x).output.data;
    for (let call = 0; call < 8; call++) expectClose((await pool.forward(layer, x)).output.data, here, `call ${call}`, { rtol: 1e-6, atol: 0 });
    const decision = pool.splitDecisions.find((d) => d.shape === "LSTM I8 H256 P256 L1 D1 B1")!;
    expect(decision.splitMsPerStep).toBeGreaterThan(0);
    expect(decision.wholeMsPerStep).toBeGreaterThan(0);
    expect(decision.split).toBe(decision.splitMsPerStep! <= 0.9 * decision.wholeMsPerStep!);
    // The kept way is the one the next calls take: a split forward holds the layer while it runs.
    const running = pool.forward(layer, x);
    if (decision.split) expect(() => layer.forward(x)).toThrow(ResourceError);
    else expect(layer.forward(x).output.data).toEqual(here);
    expectClose((await running).output.data, here, "after the choice", { rtol: 1e-6, atol: 0 });
    layer.dispose();
  });

  it("a worker that dies before a split forward fails only that call, at once (its peer is released from the barrier)", async () => {
    const layer = new GRU({ inputSize: 16, hiddenSize: 128, seed: 7 });
    const x = tensor(uniform(100 * 6 * 16), [100, 6, 16]);
    const here = layer.forward(x);
    await pool.killWorker(1);
    const started = performance.now();
    await expect(pool.forward(layer, x)).rejects.toThrow(WorkerError);
    expect(performance.now() - started).toBeLessThan(9000); // released, not failed by the barrier's 10 s timeout
    expectClose((await pool.forward(layer, x)).output.data, here.output.data, "after the replacement", { rtol: 1e-6, atol: 0 });
  });

  it("while split forwards of a layer are in flight, calls that would write its buffers or weights are refused, and dispose waits for them", async () => {
    const layer = new LSTM({ inputSize: 16, hiddenSize: 128, seed: 8 });
    const x = tensor(uniform(120 * 8 * 16), [120, 8, 16]);
    const here = Float32Array.from(layer.forward(x).output.data);
    const weights = layer.stateDict();
    const optimizer = new Adam([layer], { lr: 0.1 });
    const dy = tensor(uniform(120 * 8 * 128), [120, 8, 128]);
    const inFlight = [pool.forward(layer, x), pool.forward(layer, x)]; // the second queues behind the first
    expect(() => layer.forward(x)).toThrow(ResourceError);
    expect(() => layer.forward(x)).toThrow(/LSTM\.forward: the layer is in use by WorkerPool\.forward/);
    expect(() => layer.backward(dy)).toThrow(/in use by WorkerPool\.forward/);
    expect(() => layer.loadStateDict(weights)).toThrow(/in use/);
    expect(() => layer.resetParameters()).toThrow(/in use/);
    expect(() => optimizer.step()).toThrow(/step \(Adam\): the layer is in use/);
    expect(layer.stateDict().weight_hh_l0.data).toEqual(weights.weight_hh_l0.data); // reading is fine
    for (const result of await Promise.all(inFlight)) expectClose(result.output.data, here, "output of a held forward", { rtol: 1e-6, atol: 0 });
    expectClose(layer.forward(x).output.data, here, "forward once released", { rtol: 1e-6, atol: 0 });
    const last = pool.forward(layer, x);
    layer.dispose(); // the memory goes when the forward ends
    expect(() => layer.forward(x)).toThrow(/disposed/);
    expectClose((await last).output.data, here, "a forward the layer was disposed during", { rtol: 1e-6, atol: 0 });
  });

  it("predicts, decodes and samples batches across workers like the model itself", async () => {
    const classifier = new SequenceClassifier({ vocabSize: 9, embeddingDim: 4, hiddenSize: 8, numClasses: 3, seed: 3 });
    const inputs = Array.from({ length: 11 }, (_, i) => Array.from({ length: 2 + (i % 5) }, (_, t) => (i * 3 + t) % 9));
    expect(await pool.map(classifier, "predict", inputs)).toEqual(classifier.predict(inputs));
    const tagger = new SequenceTagger({ vocabSize: 9, embeddingDim: 4, hiddenSize: 8, numTags: 4, bidirectional: true, seed: 4 });
    expect(await pool.map(tagger, "predict", inputs)).toEqual(tagger.predict(inputs));
    const tokenizer = CharTokenizer.fit("0123456789");
    const seq2seq = new Seq2Seq(tokenizer, tokenizer, { hiddenSize: 8, embeddingDim: 4, attention: "dot", seed: 5 });
    const sources = ["123", "45", "6789", "0", "5555"];
    const options = { strategy: "beam" as const, beamWidth: 3, maxLength: 6 };
    expect((await pool.map(seq2seq, "decode", sources, [options])).map((d: { text: string }) => d.text)).toEqual(seq2seq.decode(sources, options).map((d) => d.text));
    const lm = new LanguageModel(CharTokenizer.fit("abcdef abcdef"), { hiddenSize: 8, embeddingDim: 4, seed: 6 });
    const requests = [1, 2, 3, 4].map((seed) => ({ length: 20, seed }));
    expect(await Promise.all(requests.map((r) => pool.run(lm, "sample", [r])))).toEqual(requests.map((r) => lm.sample(r)));
  });
});

describe("WorkerPool with quantized (int8) layers and models", () => {
  const BITS = { rtol: 0, atol: 0 };

  it("split forwards (by rows, and one sequence by hidden units) give the single-threaded results bit for bit", async () => {
    const byRows = quantizeDynamic(new LSTM({ inputSize: 16, hiddenSize: 64, numLayers: 2, bidirectional: true, seed: 1 }));
    const x = tensor(uniform(40 * 9 * 16), [40, 9, 16]);
    const options = { lengths: [40, 3, 39, 1, 40, 20, 7, 40, 11] };
    expect(byRows.splitParts({ steps: 40, batch: 9, inputSize: 16, outputSize: 64, tokens: 0 } as never, 2)).toBe(2);
    const here = byRows.forward(x, options), there = await pool.forward(byRows, x, options);
    expectClose(there.output.data, here.output.data, "int8 split by rows", BITS);
    expectClose(there.cN!.data, here.cN!.data, "int8 split by rows, cN", BITS);
    const byUnits = quantizeDynamic(new GRU({ inputSize: 8, hiddenSize: 258, seed: 4 }));
    expect(byUnits.splittable).toBe(true);
    const sequence = tensor(uniform(40 * 8), [40, 8]);
    expectClose((await pool.forward(byUnits, sequence)).output.data, byUnits.forward(sequence).output.data, "int8 split by units", BITS);
    byRows.dispose();
    byUnits.dispose();
  });

  it("predicts, decodes and samples like the quantized model itself; data-parallel training is refused", async () => {
    const classifier = quantizeDynamic(new SequenceClassifier({ vocabSize: 9, embeddingDim: 4, hiddenSize: 8, numClasses: 3, seed: 3 }));
    const inputs = Array.from({ length: 11 }, (_, i) => Array.from({ length: 2 + (i % 5) }, (_, t) => (i * 3 + t) % 9));
    expect(await pool.map(classifier, "predict", inputs)).toEqual(classifier.predict(inputs));
    const tokenizer = CharTokenizer.fit("0123456789");
    const seq2seq = quantizeDynamic(new Seq2Seq(tokenizer, tokenizer, { hiddenSize: 8, embeddingDim: 4, bidirectional: true, attention: "general", seed: 5 }));
    const sources = ["123", "45", "6789", "0", "5555"];
    const options = { strategy: "beam" as const, beamWidth: 3, maxLength: 6 };
    expect((await pool.map(seq2seq, "decode", sources, [options])).map((d: { text: string }) => d.text)).toEqual(seq2seq.decode(sources, options).map((d) => d.text));
    const lm = quantizeDynamic(new LanguageModel(CharTokenizer.fit("abcdef abcdef"), { hiddenSize: 8, embeddingDim: 4, seed: 6 }));
    const requests = [1, 2, 3, 4].map((seed) => ({ length: 20, seed }));
    expect(await Promise.all(requests.map((r) => pool.run(lm, "sample", [r])))).toEqual(requests.map((r) => lm.sample(r)));
    expect(() => new Trainer(lm, { pool })).toThrow(UnsupportedError);
    for (const m of [classifier, seq2seq, lm]) m.dispose();
  });
});

describe("WorkerPool training", () => {
  it("data-parallel language-model training follows the single-threaded loss curve", async () => {
    const text = "the quick brown fox jumps over the lazy dog. ".repeat(60);
    const tokenizer = CharTokenizer.fit(text);
    const tokens = tokenizer.encode(text, { bos: true });
    const curve = async (usePool: boolean) => {
      const lm = new LanguageModel(tokenizer, { hiddenSize: 24, embeddingDim: 8, seed: 1 });
      const losses: number[] = [];
      await new Trainer(lm, { lr: 5e-3, epochs: 2, seed: 3, pool: usePool ? pool : undefined, progressEvery: 1, onProgress: (p) => losses.push(p.loss) })
        .fit(streamData(lm, tokens, { batchSize: 6, bptt: 16 }));
      return { losses, weights: lm.stateDict()["rnn.weight_hh_l0"].data };
    };
    const single = await curve(false), parallel = await curve(true);
    expect(parallel.losses.length).toBe(single.losses.length);
    expectClose(parallel.losses, single.losses, "loss curve", { rtol: 1e-5, atol: 0 });
    expectClose(parallel.weights, single.weights, "final weights", { rtol: 1e-4 });
  });

  it("data-parallel classifier training follows the single-threaded loss curve", async () => {
    const examples = Array.from({ length: 96 }, () => {
      const label = random.below(3);
      return { input: [...Array.from({ length: 3 + random.below(8) }, () => random.below(6)), label], label };
    });
    const curve = async (usePool: boolean) => {
      const model = new SequenceClassifier({ vocabSize: 6, embeddingDim: 4, hiddenSize: 10, numClasses: 3, bidirectional: true, pooling: "mean", seed: 1 });
      const losses: number[] = [];
      await new Trainer(model, { lr: 1e-2, epochs: 3, seed: 5, pool: usePool ? pool : undefined, progressEvery: 1, onProgress: (p) => losses.push(p.loss) })
        .fit(exampleData(model, examples, 16));
      return losses;
    };
    expectClose(await curve(true), await curve(false), "loss curve", { rtol: 1e-5, atol: 0 });
  });
});

describe("WorkerPool serving", () => {
  const big = new LSTM({ inputSize: 32, hiddenSize: 192, seed: 7 });
  const slowInput = tensor(uniform(300 * 4 * 32), [300, 4, 32]);
  const quickInput = tensor(uniform(3 * 2 * 32), [3, 2, 32]);
  const slow = (signal?: AbortSignal) => pool.run(big, "forward", [slowInput], { signal });

  it("queues beyond the free workers, refuses calls when the queue is full, and answers the rest", async () => {
    const calls = Array.from({ length: 6 }, () => slow()); // 2 running + 4 waiting
    expect(pool.queued).toBe(4);
    await expect(slow()).rejects.toThrow(ResourceError);
    await expect(slow()).rejects.toThrow(/the queue is full \(4 calls waiting\)/);
    const results = await Promise.all(calls);
    const expected = big.forward(slowInput).hN.data;
    for (const r of results) expect((r as { hN: { data: Float32Array } }).hN.data).toEqual(expected);
  }, 60_000);

  it("cancels a waiting call and a running one (its worker is replaced), then keeps working", async () => {
    const running = new AbortController(), waiting = new AbortController();
    const a = slow(running.signal), b = slow(), c = slow(waiting.signal);
    waiting.abort();
    await expect(c).rejects.toThrow(CancelledError);
    running.abort();
    await expect(a).rejects.toThrow(/cancelled while running/);
    await b;
    const after = await pool.run(big, "forward", [quickInput]);
    expect((after as { output: { data: Float32Array } }).output.data).toEqual(big.forward(quickInput).output.data);
    const aborted = new AbortController();
    aborted.abort();
    await expect(slow(aborted.signal)).rejects.toThrow(/cancelled before it started/);
  }, 60_000);

  it("a worker killed mid-batch fails only its own call; no call is lost or answered twice", async () => {
    const settled: string[] = [];
    const longInput = tensor(uniform(3000 * 4 * 32), [3000, 4, 32]); // long enough to be killed mid-call
    const calls = Array.from({ length: 5 }, (_, i) =>
      pool.run(big, "forward", [longInput]).then(() => settled.push(`ok ${i}`), (e) => settled.push(`${e instanceof WorkerError ? "lost" : "other"} ${i}`)));
    // Wait until both workers have taken a call (a worker replaced by the previous test may still be starting).
    while (pool.queued > 3) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 40));
    await pool.killWorker(0);
    await Promise.all(calls);
    expect(settled).toHaveLength(5);
    expect(settled.filter((s) => s.startsWith("lost"))).toHaveLength(1);
    expect(settled.filter((s) => s.startsWith("ok"))).toHaveLength(4);
    expect(new Set(settled.map((s) => s.split(" ")[1])).size).toBe(5);
    const after = await pool.run(big, "forward", [quickInput]);
    expect((after as { output: { data: Float32Array } }).output.data).toEqual(big.forward(quickInput).output.data);
  }, 60_000);

  it("a call with bad input fails with the library's error class, and the worker stays usable", async () => {
    await expect(pool.run(big, "forward", [tensor(new Float32Array(6), [1, 2, 3])])).rejects.toThrow(/must have 32 features/);
    expect(await pool.run(big, "forward", [quickInput])).toBeTruthy();
  });

  it("close() during a worker's replacement waits for it: when close resolves, every worker's memory is back", async () => {
    const { engine } = await import("../../dist/engine/engine.js");
    const arena = engine().arena;
    const before = arena.usedBytes;
    const other = await WorkerPool.create({ size: 2 });
    await other.run(big, "forward", [quickInput]);
    await other.killWorker(0);
    // Both calls fail or succeed; the one on the killed worker starts its replacement and settles at once.
    await Promise.allSettled([other.run(big, "forward", [quickInput]), other.run(big, "forward", [quickInput])]);
    await other.close(); // the replacement may still be starting its worker here
    expect(arena.usedBytes).toBe(before);
  }, 60_000);

  it("frees its workers' copies of a model or layer once it is disposed (at the pool's next call), and keeps no model alive", async () => {
    const before = new Set((await pool.hostedIds()).flat());
    const model = new SequenceClassifier({ vocabSize: 9, embeddingDim: 4, hiddenSize: 8, numClasses: 3, seed: 7 });
    const inputs = Array.from({ length: 4 }, (_, i) => [i, (i + 1) % 9, 2]);
    await Promise.all([pool.run(model, "predict", [inputs]), pool.run(model, "predict", [inputs])]); // both workers build it
    const hosted = (await pool.hostedIds()).map((ids) => ids.filter((id) => !before.has(id)));
    expect(hosted.map((ids) => ids.length)).toEqual([1, 1]);
    model.dispose();
    await expect(pool.run(model, "predict", [inputs])).rejects.toThrow(ResourceError);
    const layer = new GRU({ inputSize: 3, hiddenSize: 4, seed: 2 });
    await pool.run(layer, "forward", [tensor(uniform(5 * 3), [5, 1, 3])]);
    const after = (await pool.hostedIds()).flat();
    expect(after).not.toContain(hosted[0][0]);
    expect(after).not.toContain(hosted[1][0]);
    // A model nobody references any more is collected, and its copies go too (a process with gc exposed).
    const script = `
      import { WorkerPool, GRU, tensor } from ${JSON.stringify(new URL("../../dist/node.js", import.meta.url).href)};
      const pool = await WorkerPool.create({ size: 2 });
      let layer = new GRU({ inputSize: 3, hiddenSize: 4, seed: 2 });
      const x = tensor(new Float32Array(15), [5, 1, 3]);
      await Promise.all([pool.run(layer, "forward", [x]), pool.run(layer, "forward", [x])]);
      const hosted = (await pool.hostedIds()).flat().length;
      layer = null;
      let left = hosted;
      for (let i = 0; i < 20 && left > 0; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
        left = (await pool.hostedIds()).flat().length;
      }
      await pool.close();
      console.log(JSON.stringify({ hosted, left }));`;
    const { stdout } = await run(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({ hosted: 2, left: 0 });
  });

  it("a pool of size 1 runs calls in this thread; a closed pool refuses work", async () => {
    const local = await WorkerPool.create({ size: 1 });
    expect((await local.run(big, "forward", [quickInput]) as { output: { data: Float32Array } }).output.data).toEqual(big.forward(quickInput).output.data);
    await local.close();
    await expect(local.run(big, "forward", [quickInput])).rejects.toThrow(/closed/);
    const other = await WorkerPool.create({ size: 2 });
    const waiting = Promise.allSettled([other.run(big, "forward", [slowInput]), other.run(big, "forward", [slowInput]), other.run(big, "forward", [slowInput])]);
    await other.close();
    expect((await waiting).some((o) => o.status === "rejected")).toBe(true);
    await expect(other.run(big, "forward", [quickInput])).rejects.toThrow(/closed/);
  }, 60_000);
});
