// Long runs keep memory flat: 100,000 forwards, 10,000 training steps and 1,000 model create/dispose
// cycles leave wasm memory and the JavaScript heap where they were after warm-up; worker pools
// created and closed give their workers' memory back; and a request beyond the configured memory
// limit is a ResourceError before anything is allocated, after which the engine still works. The
// pool cases use dist/ (workers run dist/serving/worker.js); the limit case a fresh process.

import { spawnSync } from "node:child_process";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { LSTM, SequenceClassifier, Trainer, exampleData, tensor } from "../../src/index.js";
import { initEngine } from "../../src/engine/init.js";
import type { Engine } from "../../src/engine/engine.js";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

let engine: Engine;
beforeAll(async () => {
  engine = await initEngine();
});

/** Wasm bytes in use, wasm memory size and JS heap, after a full garbage collection. */
function footprint() {
  collectGarbage();
  return { wasmUsed: engine.arena.usedBytes, wasmMemory: engine.memory.buffer.byteLength, heap: process.memoryUsage().heapUsed };
}

/** The JS heap may wander by allocator noise, not by what `count` leaked objects would add. */
const HEAP_SLACK = 4 << 20;

function expectFlat(before: ReturnType<typeof footprint>, after: ReturnType<typeof footprint>): void {
  expect(after.wasmUsed, "wasm bytes in use").toBe(before.wasmUsed);
  expect(after.wasmMemory, "wasm memory size").toBe(before.wasmMemory);
  expect(after.heap - before.heap, "JS heap growth").toBeLessThan(HEAP_SLACK);
}

describe("long runs", () => {
  it("100,000 forward calls", () => {
    const layer = new LSTM({ inputSize: 4, hiddenSize: 8, seed: 1 });
    const x = tensor(Float32Array.from({ length: 3 * 2 * 4 }, (_, i) => Math.sin(i)), [3, 2, 4]);
    const reference = layer.forward(x).output.data;
    for (let i = 0; i < 1000; i++) layer.forward(x, { lengths: [3, 1 + (i % 3)] });
    const before = footprint();
    let last = reference;
    for (let i = 0; i < 100_000; i++) last = layer.forward(x, { lengths: [3, 1 + (i % 3)] }).output.data;
    expectFlat(before, footprint());
    expect(layer.forward(x).output.data).toEqual(reference);
    expect(last.length).toBe(reference.length);
    layer.dispose();
  }, 120_000);

  it("10,000 training steps", async () => {
    const model = new SequenceClassifier({ vocabSize: 10, embeddingDim: 4, hiddenSize: 8, numClasses: 3, seed: 2 });
    const examples = Array.from({ length: 16 }, (_, i) => ({ input: Array.from({ length: 1 + (i % 5) }, (_, t) => (i + t) % 10), label: i % 3 }));
    const data = exampleData(model, examples, 4);
    const trainer = new Trainer(model, { optimizer: "adam", lr: 1e-3, clipNorm: 1, maxSteps: 400, seed: 3 });
    await trainer.fit(data);
    const before = footprint();
    const result = await new Trainer(model, { optimizer: "adam", lr: 1e-3, clipNorm: 1, maxSteps: 10_000, epochs: 10_000, seed: 3 }).fit(data);
    expect(result.steps).toBe(10_000);
    const after = footprint();
    // The second trainer's optimizer state (Adam: two slots per parameter) is the only new wasm memory.
    expect(after.wasmUsed - before.wasmUsed).toBeLessThanOrEqual(2 * 4 * model.parameterCount + 64 * 2 * model.layers.length);
    expect(after.wasmMemory).toBe(before.wasmMemory);
    expect(after.heap - before.heap).toBeLessThan(HEAP_SLACK);
    model.dispose();
  }, 180_000);

  it("1,000 create/dispose cycles of a model", () => {
    const cycle = () => {
      const model = new SequenceClassifier({ vocabSize: 12, embeddingDim: 5, hiddenSize: 9, numClasses: 2, bidirectional: true, seed: 4 });
      model.predict([[1, 2, 3], [4, 5]]);
      model.dispose();
      model.dispose(); // idempotent
    };
    for (let i = 0; i < 20; i++) cycle();
    const before = footprint();
    for (let i = 0; i < 1000; i++) cycle();
    expectFlat(before, footprint());
  }, 120_000);

  it("worker pools created and closed give their workers' memory back", async () => {
    const { WorkerPool, LSTM: BuiltLSTM, tensor: builtTensor } = await import("../../dist/node.js");
    const { engine: builtEngine } = await import("../../dist/engine/engine.js");
    const layer = new BuiltLSTM({ inputSize: 4, hiddenSize: 32, seed: 5 });
    const x = builtTensor(Float32Array.from({ length: 64 * 8 * 4 }, (_, i) => Math.cos(i)), [64, 8, 4]);
    const cycle = async () => {
      const pool = await WorkerPool.create({ size: 2 });
      await pool.forward(layer, x);
      await pool.killWorker(0); // replaced on the next call: its memory comes back too
      await pool.forward(layer, x).catch(() => undefined);
      await pool.forward(layer, x);
      await pool.close();
    };
    for (let i = 0; i < 4; i++) await cycle(); // the first cycles settle where worker regions fit
    const eng = builtEngine();
    const used = eng.arena.usedBytes, size = eng.memory.buffer.byteLength;
    for (let i = 0; i < 10; i++) await cycle();
    expect(eng.arena.usedBytes).toBe(used);
    // Every worker's region and pages come back, so memory is reused: at most one growth step (by half)
    // when a cycle's peak lands just above the free space — where the leak grew by 32 MiB a cycle.
    expect(eng.memory.buffer.byteLength).toBeLessThanOrEqual(size * 1.5);
    layer.dispose();
  }, 120_000);
});

describe("memory limit", () => {
  it("a request beyond init({ memoryLimitBytes }) is a ResourceError before allocation; the engine still works", () => {
    const script = `
      const { init, LSTM, tensor, ResourceError } = await import(${JSON.stringify(fileURLToPath(new URL("../../dist/index.js", import.meta.url)))});
      const { engine } = await import(${JSON.stringify(fileURLToPath(new URL("../../dist/engine/engine.js", import.meta.url)))});
      await init({ memoryLimitBytes: 64 << 20 });
      const layer = new LSTM({ inputSize: 64, hiddenSize: 256 });
      const small = tensor(new Float32Array(4 * 2 * 64).fill(0.5), [4, 2, 64]);
      const reference = layer.forward(small).output.data;
      const sizeBefore = engine().memory.buffer.byteLength, usedBefore = engine().arena.usedBytes;
      let error;
      try { layer.forward(tensor(new Float32Array(2000 * 64 * 64), [2000, 64, 64])); } catch (e) { error = e; }
      let tooBig;
      try { new LSTM({ inputSize: 2048, hiddenSize: 4096 }); } catch (e) { tooBig = e; }
      console.log(JSON.stringify({
        refused: error instanceof ResourceError, message: String(error?.message),
        refusedLayer: tooBig instanceof ResourceError,
        grew: engine().memory.buffer.byteLength - sizeBefore, used: engine().arena.usedBytes - usedBefore,
        stillWorks: layer.forward(small).output.data.every((v, i) => v === reference[i]),
      }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ refused: true, refusedLayer: true, grew: 0, used: 0, stillWorks: true });
    expect(result.message).toMatch(/need at least .* MiB of wasm memory, but the memory limit leaves/);
  });
});
