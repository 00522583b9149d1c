// Imported models on the worker pool, with real worker_threads on the shared memory (the built
// package, since workers run dist/serving/worker.js): ONNX sessions (an LSTM with a MatMul head, a
// MatMul/Gemm model) and Keras models (LSTM + Dense, Bidirectional GRU + TimeDistributed(Dense)),
// float and quantized with and without `layers`, written here. Each worker builds its own copy from
// what the model was made from; every answer equals the same call in this thread bit for bit,
// concurrent calls included; refused inputs keep their error class; released and disposed models are
// refused; a worker that dies mid-call fails only that call.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerPool, WorkerError, ResourceError, ShapeError, NumericError, onnx, Tensor, loadLayersModel, quantizeDynamic, tensor, Random, type LayersModel } from "../../dist/node.js";
import { modelBytes, node, tensorProto, valueInfo } from "../../scripts/onnx-writer.mjs";
import { randomize, save, tf } from "../fixtures/keras/tfjs-models.js";

let pool: WorkerPool;
const random = new Random(17);
const uniform = (n: number) => random.uniformArray(n, -1, 1);

beforeAll(async () => {
  pool = await WorkerPool.create({ size: 2 });
  expect(pool.sharedMemory).toBe(true);
});

afterAll(async () => {
  await pool.close();
});

/** The error a call throws or rejects with (null when it succeeds). */
async function caught(call: () => unknown): Promise<Error | null> {
  try {
    await call();
    return null;
  } catch (e) {
    return e as Error;
  }
}

/** The largest |a − b| over the outputs both have: to see that the int8 kernels ran. */
function maxDiff(a: Record<string, onnx.Tensor>, b: Record<string, onnx.Tensor>): number {
  return Math.max(...Object.keys(a).flatMap((name) => Array.from(a[name].data as Float32Array, (v, i) => Math.abs(v - (b[name].data as Float32Array)[i]))));
}

describe("ONNX sessions on the pool", () => {
  const I = 6, H = 16, N = 5, K = 12;
  const w = (n: number, seed = n) => new Random(seed).uniformArray(n, -0.4, 0.4);

  /** X [T, B, I] (T and B any size) → bidirectional LSTM of `hidden` units → Y, Y_h; Y_h · M → P. */
  const lstmModel = (hidden = H) => modelBytes({
    nodes: [node("LSTM", ["X", "W", "R", "B"], ["Y", "Y_h"], { hidden_size: hidden, direction: "bidirectional" }), node("MatMul", ["Y_h", "M"], ["P"])],
    initializers: [
      tensorProto("W", [2, 4 * hidden, I], w(8 * hidden * I)), tensorProto("R", [2, 4 * hidden, hidden], w(8 * hidden * hidden)),
      tensorProto("B", [2, 8 * hidden], w(16 * hidden)), tensorProto("M", [hidden, N], w(hidden * N)),
    ],
    inputs: [valueInfo("X", ["T", "batch", I])],
    outputs: [valueInfo("Y", ["T", 2, "batch", hidden]), valueInfo("Y_h", [2, "batch", hidden]), valueInfo("P", [2, "batch", N])],
  });
  /** x [B, K] → MatMul(x, M) → Relu → Gemm(·, Wg [N, H]ᵀ, c) → Q. */
  const denseModel = () => modelBytes({
    nodes: [node("MatMul", ["x", "M"], ["P"]), node("Relu", ["P"], ["R"]), node("Gemm", ["R", "Wg", "c"], ["Q"], { transB: 1 })],
    initializers: [tensorProto("M", [K, H], w(K * H, 1)), tensorProto("Wg", [N, H], w(N * H, 2)), tensorProto("c", [N], w(N, 3))],
    inputs: [valueInfo("x", ["batch", K])],
    outputs: [valueInfo("Q", ["batch", N])],
  });
  const lstmFeeds = (T: number, B: number) => ({ X: new onnx.Tensor("float32", uniform(T * B * I), [T, B, I]) });

  it("runs a float LSTM session and its int8 twins (all kinds, and layers: [\"Dense\"]) with the outputs of the same call here", async () => {
    const float = await onnx.InferenceSession.create(lstmModel());
    const int8 = quantizeDynamic(float), head = quantizeDynamic(float, { layers: ["dense"] });
    const feeds = lstmFeeds(9, 3);
    for (const session of [float, int8, head]) {
      const here = await session.run(feeds);
      const there = await pool.run<Record<string, onnx.Tensor>>(session, "run", [feeds]);
      expect(there).toStrictEqual(here);
      expect(there.P).toBeInstanceOf(onnx.Tensor);
    }
    // The workers ran the twins, not the float model: the int8 kernels give other values.
    const [f32, all, dense] = await Promise.all([float, int8, head].map((s) => pool.run<Record<string, onnx.Tensor>>(s, "run", [feeds])));
    expect(maxDiff(all, f32)).toBeGreaterThan(1e-5);
    expect(maxDiff({ Y: dense.Y }, { Y: f32.Y })).toBe(0); // layers: ["dense"] left the LSTM float
    expect(maxDiff({ P: dense.P }, { P: f32.P })).toBeGreaterThan(1e-5);
    // Fetches pass through: only the outputs asked for.
    expect(Object.keys(await pool.run<Record<string, onnx.Tensor>>(int8, "run", [feeds, ["P"]]))).toEqual(["P"]);
    for (const session of [float, int8, head]) await session.release();
  });

  it("frees its workers' copies of a session once it is released (at the pool's next call); the released session is refused", async () => {
    const before = new Set((await pool.hostedIds()).flat());
    const session = await onnx.InferenceSession.create(denseModel());
    const feeds = { x: new onnx.Tensor("float32", uniform(2 * K), [2, K]) };
    await Promise.all([pool.run(session, "run", [feeds]), pool.run(session, "run", [feeds])]); // both workers build it
    const built = (await pool.hostedIds()).flat().filter((id) => !before.has(id));
    expect(built).toHaveLength(2);
    await session.release();
    await expect(pool.run(session, "run", [feeds])).rejects.toThrow(ResourceError);
    const other = await onnx.InferenceSession.create(denseModel());
    await pool.run(other, "run", [feeds]);
    expect((await pool.hostedIds()).flat().filter((id) => built.includes(id))).toEqual([]);
    await other.release();
  });

  it("runs MatMul and Gemm, float and int8, fed onnx tensors or the library's Tensor, many calls at once", async () => {
    const float = await onnx.InferenceSession.create(denseModel());
    const int8 = quantizeDynamic(float);
    const batches = [1, 4, 7, 2, 5, 3];
    for (const session of [float, int8]) {
      const feeds = batches.map((B, i) => ({ x: i % 2 ? tensor(uniform(B * K), [B, K]) : new onnx.Tensor("float32", uniform(B * K), [B, K]) }));
      const there = await Promise.all(feeds.map((f) => pool.run<Record<string, onnx.Tensor>>(session, "run", [f])));
      for (const [i, f] of feeds.entries()) expect(there[i]).toStrictEqual(await session.run(f));
    }
    await float.release();
    await int8.release();
  });

  it("refuses bad feeds with the error class and message of the same call here; the workers stay usable", async () => {
    const session = await onnx.InferenceSession.create(lstmModel());
    const good = lstmFeeds(4, 2);
    const cases: [unknown[], new (message: string) => Error][] = [
      [[{ X: new onnx.Tensor("float32", uniform(4 * 2 * 5), [4, 2, 5]) }], ShapeError], // 5 features, not 6
      [[{}], ShapeError], // X missing
      [[{ X: new onnx.Tensor("int32", new Int32Array(12), [2, 1, 6]) }], ShapeError],
      [[good, ["Z"]], ShapeError], // no such output
    ];
    for (const [args, type] of cases) {
      const here = await caught(() => (session.run as (...a: unknown[]) => Promise<unknown>)(...args));
      expect(here).toBeInstanceOf(type);
      const there = await caught(() => pool.run(session, "run", args));
      expect(there).toBeInstanceOf(type);
      expect(there!.message).toBe(here!.message);
    }
    await expect(pool.run(session, "predict", [good])).rejects.toThrow(/InferenceSession has no predict\(\)/);
    expect(await pool.run(session, "run", [good])).toStrictEqual(await session.run(good));
    await session.release();
    await expect(pool.run(session, "run", [good])).rejects.toThrow(ResourceError);
    await expect(pool.run(session, "run", [good])).rejects.toThrow(/WorkerPool: the InferenceSession was released/);
  });

  it("a worker that dies mid-call fails only that call, with a WorkerError; its replacement builds the session again", async () => {
    const session = await onnx.InferenceSession.create(lstmModel(128));
    const long = lstmFeeds(3000, 4), quick = lstmFeeds(3, 2); // long enough to be killed mid-call
    const settled: string[] = [];
    const calls = Array.from({ length: 3 }, (_, i) =>
      pool.run(session, "run", [long]).then(() => settled.push(`ok ${i}`), (e) => settled.push(`${e instanceof WorkerError ? "lost" : "other"} ${i}`)));
    while (pool.queued > 1) await new Promise((r) => setTimeout(r, 5)); // both workers have taken a call
    await new Promise((r) => setTimeout(r, 40));
    await pool.killWorker(0);
    await Promise.all(calls);
    expect(settled.filter((s) => s.startsWith("lost"))).toHaveLength(1);
    expect(settled.filter((s) => s.startsWith("ok"))).toHaveLength(2);
    const after = await Promise.all([pool.run(session, "run", [quick]), pool.run(session, "run", [quick])]);
    for (const outputs of after) expect(outputs).toStrictEqual(await session.run(quick));
    await session.release();
  });
});

describe("Keras models on the pool", () => {
  const B = 3, T = 7, I = 5;
  const x = () => tensor(uniform(B * T * I), [B, T, I]);

  /** LSTM (sequences) → Dense. */
  async function lstmDense(): Promise<LayersModel> {
    const model = tf.sequential({ layers: [tf.layers.lstm({ units: 12, returnSequences: true, inputShape: [T, I] }), tf.layers.dense({ units: 4, activation: "tanh" })] });
    randomize(model, 8);
    return loadLayersModel(await save(model));
  }

  /** Bidirectional GRU → TimeDistributed(Dense), both outputs. */
  async function bidirectional(): Promise<LayersModel> {
    const input = tf.input({ shape: [T, I] });
    const bi = tf.layers.bidirectional({ layer: tf.layers.gru({ units: 8, returnSequences: true }) as tf.RNN }).apply(input) as tf.SymbolicTensor;
    const dense = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3 }) }).apply(bi) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [bi, dense] });
    randomize(model, 9);
    return loadLayersModel(await save(model));
  }

  it("predicts with LSTM + Dense and a Bidirectional model, float and int8 (all kinds, and layers: [\"Dense\"]), as predict here", async () => {
    for (const float of [await lstmDense(), await bidirectional()]) {
      const models = [float, quantizeDynamic(float), quantizeDynamic(float, { layers: ["dense"] })];
      const inputs = [x(), x(), x()];
      for (const model of models) {
        const there = await Promise.all(inputs.map((input) => pool.run<Tensor | Tensor[]>(model, "predict", [input])));
        inputs.forEach((input, i) => expect(there[i]).toStrictEqual(model.predict(input)));
        for (const t of [there[0]].flat()) expect(t).toBeInstanceOf(Tensor);
      }
      const [f32, int8] = await Promise.all(models.slice(0, 2).map((m) => pool.run<Tensor | Tensor[]>(m, "predict", [inputs[0]])));
      const last = (r: Tensor | Tensor[]) => [r].flat().at(-1)!.data;
      expect(Math.max(...Array.from(last(int8), (v, i) => Math.abs(v - last(f32)[i])))).toBeGreaterThan(1e-5); // the worker ran the twin
      for (const model of models) model.dispose();
    }
  });

  it("refuses bad inputs with the error class and message of predict here, and a disposed model", async () => {
    const model = await lstmDense();
    const nan = uniform(B * T * I);
    nan[4] = NaN;
    const cases: [unknown, new (message: string) => Error][] = [
      [tensor(uniform(B * T * 4), [B, T, 4]), ShapeError],
      [[x(), x()], ShapeError],
      [tensor(nan, [B, T, I]), NumericError],
    ];
    for (const [input, type] of cases) {
      const here = await caught(() => model.predict(input as Tensor));
      expect(here).toBeInstanceOf(type);
      const there = await caught(() => pool.run(model, "predict", [input]));
      expect(there).toBeInstanceOf(type);
      expect(there!.message).toBe(here!.message);
    }
    await expect(pool.run(model, "run", [{}])).rejects.toThrow(/LayersModel has no run\(\)/);
    const input = x();
    expect(await pool.run(model, "predict", [input])).toStrictEqual(model.predict(input));
    model.dispose();
    await expect(pool.run(model, "predict", [input])).rejects.toThrow(/WorkerPool: the LayersModel was disposed/);
  });
});
