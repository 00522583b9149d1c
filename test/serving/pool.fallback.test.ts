// The worker pool without shared memory (as in a page that is not cross-origin isolated): each worker
// keeps a copy of the weights, kept in step when they change; a notice says so once; results and
// training match the single-threaded ones. From dist/: the workers run dist/serving/worker.js.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { init, WorkerPool, LSTM, SequenceClassifier, Trainer, exampleData, tensor, Random, quantizeDynamic } from "../../dist/index.js";
import { expectClose } from "../helpers/compare.js";

let pool: WorkerPool;
const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);

beforeAll(async () => {
  await init({ sharedMemory: false });
  pool = await WorkerPool.create({ size: 2 });
});

afterAll(async () => {
  await pool.close();
});

describe("WorkerPool without shared memory", () => {
  it("says so through a property and one console notice", async () => {
    expect(pool.sharedMemory).toBe(false);
    const second = await WorkerPool.create({ size: 2 });
    await second.close();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/each worker keeps its own copy of the weights/);
  });

  it("gives the single-threaded results, and follows weight changes", async () => {
    const random = new Random(4);
    const lstm = new LSTM({ inputSize: 5, hiddenSize: 9, bidirectional: true, seed: 1 });
    const x = tensor(Float32Array.from({ length: 6 * 5 * 5 }, () => random.uniformIn(-1, 1)), [6, 5, 5]);
    expectClose((await pool.forward(lstm, x)).output.data, lstm.forward(x).output.data, "output", { rtol: 1e-6, atol: 0 });
    lstm.loadStateDict(new LSTM({ inputSize: 5, hiddenSize: 9, bidirectional: true, seed: 2 }).stateDict());
    expectClose((await pool.forward(lstm, x)).output.data, lstm.forward(x).output.data, "after loadStateDict", { rtol: 1e-6, atol: 0 });
    const int8 = quantizeDynamic(lstm); // int8 weights copied to the workers
    expectClose((await pool.forward(int8, x)).output.data, int8.forward(x).output.data, "quantized", { rtol: 0, atol: 0 });
    int8.dispose();
  });

  it("data-parallel training follows the single-threaded loss curve", async () => {
    const random = new Random(5);
    const examples = Array.from({ length: 64 }, () => {
      const label = random.below(2);
      return { input: [...Array.from({ length: 2 + random.below(6) }, () => random.below(5)), label], label };
    });
    const curve = async (usePool: boolean) => {
      const model = new SequenceClassifier({ vocabSize: 5, embeddingDim: 4, hiddenSize: 8, numClasses: 2, seed: 1 });
      const losses: number[] = [];
      await new Trainer(model, { lr: 1e-2, epochs: 2, seed: 5, pool: usePool ? pool : undefined, progressEvery: 1, onProgress: (p) => losses.push(p.loss) })
        .fit(exampleData(model, examples, 16));
      return losses;
    };
    expectClose(await curve(true), await curve(false), "loss curve", { rtol: 1e-5, atol: 0 });
  });
});
