// Property-based checking of the worker pool's entry points (fast-check, real worker_threads running
// the built dist/serving/worker.js, hence dist/ here): random
// pool options, targets, methods, arguments and run options either run or reject with a
// WasmRnnError — never a TypeError from inside the pool, never a hung promise — and afterwards the
// pool still computes exactly what the layer computes in this thread.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerPool, LSTM, LanguageModel, CharTokenizer, tensor } from "../../dist/node.js";
import { junkOptions, junkTensor, junkValue, PROPERTY_RUNS, refusesOrRunsAsync } from "../helpers/hostile.js";

let pool: WorkerPool;
const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, seed: 7 });
const lm = new LanguageModel(CharTokenizer.fit("abcd abcd abba"), { hiddenSize: 6, embeddingDim: 3, seed: 2 });
const x = tensor(Float32Array.from({ length: 4 * 3 * 3 }, (_, i) => Math.sin(i)), [4, 3, 3]);

beforeAll(async () => {
  pool = await WorkerPool.create({ size: 2 });
});

afterAll(async () => {
  await pool.close();
});

/** Rejects (or resolves) within `ms`, so a hung promise fails the property instead of the suite. */
function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms))]);
}

describe("WorkerPool under hostile arguments", () => {
  it("create() with random options", async () => {
    await fc.assert(fc.asyncProperty(junkOptions({ size: [1, 2], maxQueue: [1, 3], workerUrl: ["./nowhere.js"] }), async (options) => {
      let created: WorkerPool | undefined;
      // Bounded: more than 4 workers is valid but slow to start, so sizes stay small here.
      const opts = options && typeof options === "object" && typeof (options as { size?: unknown }).size === "number" && (options as { size: number }).size > 4 ? { ...options, size: 4 } : options;
      await refusesOrRunsAsync(() => settlesWithin(WorkerPool.create(opts as never).then((p) => (created = p)), 20_000));
      await created?.close();
    }), { ...PROPERTY_RUNS, numRuns: 40 });
  }, 240_000);

  it("run, map and forward with random targets, methods, arguments and options", async () => {
    const before = lstm.forward(x).output.data;
    const beforePool = (await pool.forward(lstm, x)).output.data;
    const target = fc.oneof(junkValue, fc.constantFrom(lstm, lm));
    const method = fc.oneof(junkValue, fc.constantFrom("forward", "predict", "sample", "logProb", "decode", "batchLoss", "windowLoss", "forwardRows", "dispose", "constructor"));
    const args = fc.oneof(junkValue, fc.array(fc.oneof(junkValue, junkTensor, junkOptions({ length: [2], seed: [1], lengths: [[4, 1, 2]] })), { maxLength: 3 }));
    const runOptions = fc.oneof(junkValue, fc.constantFrom({ signal: AbortSignal.abort() }, { signal: "no" }, {}));
    await fc.assert(fc.asyncProperty(target, method, args, runOptions, junkTensor, junkOptions({ lengths: [[4, 1, 2], [9, 9, 9]], h0: [], c0: [] }),
      async (t, m, a, o, input, forwardOptions) => {
        await refusesOrRunsAsync(() => settlesWithin(pool.run(t as never, m as never, a as never, o as never), 20_000));
        await refusesOrRunsAsync(() => settlesWithin(pool.map(t as never, m as never, a as never, [], o as never), 20_000));
        await refusesOrRunsAsync(() => settlesWithin(pool.forward(lstm, input as never, forwardOptions as never, o as never), 20_000));
      }), { ...PROPERTY_RUNS, numRuns: 150 });
    expect(lstm.forward(x).output.data).toEqual(before);
    expect((await pool.forward(lstm, x)).output.data).toEqual(beforePool);
  }, 240_000);
});
