// The InferenceSession and Tensor API as an onnxruntime user meets it: the tensor constructor's forms,
// create from bytes or a path, input/output names, fetches, feed checks, release and memory, and
// the errors of bad calls.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { engine } from "../../src/engine/engine.js";
import { init, NumericError, onnx, ResourceError, ShapeError, tensor } from "../../src/index.js";
import { readTensorProto } from "../../src/io/onnx/tensor-proto.js";
import { FIXTURES } from "../helpers/fixtures.js";

const ONNX = join(FIXTURES, "onnx");
const model = (name: string) => join(ONNX, name, "model.onnx");

beforeAll(async () => {
  await init();
});

function feedsOf(name: string, files: string[]): Record<string, onnx.Tensor> {
  return Object.fromEntries(files.map((f) => {
    const { name: input, tensor } = readTensorProto(readFileSync(join(ONNX, name, f)));
    return [input, tensor];
  }));
}

async function rejects(promise: Promise<unknown>, type: new (...args: never[]) => Error, message: RegExp): Promise<void> {
  await expect(promise).rejects.toThrow(type);
  await expect(promise).rejects.toThrow(message);
}

describe("Tensor", () => {
  it("takes onnxruntime's constructor forms", () => {
    const a = new onnx.Tensor("float32", new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect([a.type, a.dims, a.size]).toEqual(["float32", [2, 3], 6]);
    const b = new onnx.Tensor(new BigInt64Array([1n, 2n]));
    expect([b.type, b.dims]).toEqual(["int64", [2]]);
    expect(Array.from(new onnx.Tensor("int64", [3, 4n], [2]).data)).toEqual([3n, 4n]);
    expect(new onnx.Tensor("int32", [7, 8, 9], [3, 1]).data).toBeInstanceOf(Int32Array);
    expect(new onnx.Tensor("float32", [0.5], []).dims).toEqual([]);
  });

  it("refuses data that does not fill the dims, unknown types and bad values", () => {
    expect(() => new onnx.Tensor("float32", new Float32Array(5), [2, 3])).toThrow(/dims \[2, 3\] need 6 elements but data has 5/);
    expect(() => new onnx.Tensor("complex64" as "float32", [1])).toThrow(ShapeError);
    expect(() => new onnx.Tensor("int64", [1.5])).toThrow(/int64 data\[0\] must be an integer/);
    expect(() => new onnx.Tensor("float32", [1], [-1])).toThrow(/non-negative integers/);
    expect(() => new onnx.Tensor("hello" as unknown as Float32Array)).toThrow(ShapeError);
  });
});

describe("InferenceSession", () => {
  it("is a drop-in for onnxruntime's on a torch-exported model", async () => {
    const bytes = readFileSync(model("torch_lstm"));
    const session = await onnx.InferenceSession.create(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(session.inputNames).toEqual(["ids"]);
    expect(session.outputNames).toEqual(["logprobs"]);
    const ids = new onnx.Tensor("int64", BigInt64Array.from([3n, 1n, 4n, 1n, 5n, 9n]), [2, 3]);
    const { logprobs } = await session.run({ ids });
    expect(logprobs.dims).toEqual([2, 3, 5]);
    const reference = await ort.InferenceSession.create(model("torch_lstm"));
    const theirs = await reference.run({ ids: new ort.Tensor("int64", ids.data, ids.dims) });
    const expected = theirs.logprobs.data as Float32Array;
    logprobs.data.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-5));
    // onnxruntime's own tensors can be fed too.
    const again = await session.run({ ids: new ort.Tensor("int64", ids.data, ids.dims) as unknown as onnx.Tensor });
    expect(Array.from(again.logprobs.data)).toEqual(Array.from(logprobs.data));
    await session.release();
    await reference.release();
  });

  it("computes only the outputs asked for, as a list or a record", async () => {
    const session = await onnx.InferenceSession.create(model("attr_lstm_reverse"));
    const feeds = feedsOf("attr_lstm_reverse", ["input_0.pb", "input_1.pb", "input_2.pb", "input_3.pb"]);
    const all = await session.run(feeds);
    expect(Object.keys(all)).toEqual(["Y", "Y_h", "Y_c"]);
    const some = await session.run(feeds, ["Y_c"]);
    expect(Object.keys(some)).toEqual(["Y_c"]);
    expect(Array.from(some.Y_c.data)).toEqual(Array.from(all.Y_c.data));
    expect(Object.keys(await session.run(feeds, { Y_h: null }))).toEqual(["Y_h"]);
    await rejects(session.run(feeds, ["Z"]), ShapeError, /"Z" is not an output of the model \(Y, Y_h, Y_c\)/);
    await session.release();
  });

  it("checks feeds: missing, unknown, of the wrong type or shape, NaN, bad lengths", async () => {
    const session = await onnx.InferenceSession.create(model("attr_lstm_reverse"));
    const feeds = feedsOf("attr_lstm_reverse", ["input_0.pb", "input_1.pb", "input_2.pb", "input_3.pb"]);
    const { X, sequence_lens } = feeds;
    await rejects(session.run({ ...feeds, X: undefined as unknown as onnx.Tensor }), ShapeError, /feeds\["X"\] must be a Tensor/);
    const withoutC = { ...feeds };
    delete withoutC.initial_c;
    await rejects(session.run(withoutC), ShapeError, /input "initial_c" is missing from feeds/);
    await rejects(session.run({ ...feeds, extra: X }), ShapeError, /no input "extra" \(its inputs: X, sequence_lens, initial_h, initial_c\)/);
    await rejects(session.run({ ...feeds, sequence_lens: new onnx.Tensor("int64", [5, 2, 4]) }), ShapeError, /input "sequence_lens" must be int32; got int64/);
    await rejects(session.run({ ...feeds, X: new onnx.Tensor("float32", new Float32Array(X.size), [5, 4, 3]) }), ShapeError, /input "X" must have shape \[5, 3, 4\]; got \[5, 4, 3\]/);
    const nan = new Float32Array(X.data as Float32Array);
    nan[7] = NaN;
    await rejects(session.run({ ...feeds, X: new onnx.Tensor(nan, X.dims) }), NumericError, /node "attr_lstm_reverse_node" \(LSTM\).*NaN/);
    await rejects(session.run({ ...feeds, sequence_lens: new onnx.Tensor("int32", [5, -1, 4]) }), ShapeError, /sequence_lens\[1\] = -1 is outside 0…5/);
    await rejects(session.run({ ...feeds, sequence_lens: new onnx.Tensor("int32", [5, 6, 4]) }), ShapeError, /sequence_lens\[1\] = 6 is outside 0…5/);
    expect(sequence_lens.type).toBe("int32");
    await session.release();
  });

  it("takes wasm-rnn's own tensor(data, shape) as a float32 feed; refuses bare arrays and numbers by name", async () => {
    const session = await onnx.InferenceSession.create(model("attr_lstm_reverse"));
    const feeds = feedsOf("attr_lstm_reverse", ["input_0.pb", "input_1.pb", "input_2.pb", "input_3.pb"]);
    const { X, initial_h } = feeds;
    expect(X.type).toBe("float32");
    const expected = await session.run(feeds);
    const ours = await session.run({ ...feeds, X: tensor(X.data as Float32Array, X.dims), initial_h: tensor(Array.from(initial_h.data as Float32Array), initial_h.dims) });
    expect(Object.keys(ours)).toEqual(["Y", "Y_h", "Y_c"]);
    for (const name of ["Y", "Y_h", "Y_c"]) {
      expect(ours[name].dims).toEqual(expected[name].dims);
      expect(Array.from(ours[name].data)).toEqual(Array.from(expected[name].data));
    }
    // Its shape is checked against the graph input like an onnx.Tensor's dims.
    await rejects(session.run({ ...feeds, X: tensor(X.data as Float32Array, [5, 4, 3]) }), ShapeError, /input "X" must have shape \[5, 3, 4\]; got \[5, 4, 3\]/);
    await rejects(session.run({ ...feeds, sequence_lens: tensor([5, 2, 4], [3]) }), ShapeError, /input "sequence_lens" must be int32; got float32/);
    const bare = X.data as Float32Array;
    await rejects(session.run({ ...feeds, X: bare as unknown as onnx.Tensor }), ShapeError,
      new RegExp(`feeds\\["X"\\] must be a Tensor \\(onnx\\.Tensor, or wasm-rnn's tensor\\(data, shape\\)\\); got a Float32Array of ${bare.length}`));
    await rejects(session.run({ ...feeds, X: 3 as unknown as onnx.Tensor }), ShapeError, /feeds\["X"\] must be a Tensor .*; got 3$/);
    await rejects(session.run({ ...feeds, X: [1, 2] as unknown as onnx.Tensor }), ShapeError, /feeds\["X"\] must be a Tensor .*; got an array of 2$/);
    await rejects(session.run({ ...feeds, X: null as unknown as onnx.Tensor }), ShapeError, /feeds\["X"\] must be a Tensor .*; got null$/);
    await rejects(session.run({ ...feeds, X: { data: new Float32Array(5), shape: [5, 3, 4] } as unknown as onnx.Tensor }), ShapeError, /feeds\["X"\]: shape \[5, 3, 4\] needs 60 values but data has 5/);
    await session.release();
  });

  it("hands out copies of constant outputs", async () => {
    const session = await onnx.InferenceSession.create(model("ops_opset13"));
    const feeds = feedsOf("ops_opset13", Array.from({ length: 15 }, (_, i) => `input_${i}.pb`));
    const first = await session.run(feeds, ["constant_tensor"]);
    (first.constant_tensor.data as Float32Array).fill(0);
    expect(Array.from((await session.run(feeds, ["constant_tensor"])).constant_tensor.data)).toEqual([1.5, -2]);
    await session.release();
  });

  it("reuses its memory from run to run and frees it on release", async () => {
    const feeds = feedsOf("torch_gru", ["input_0_ids.pb", "input_0_h0.pb"]);
    const warm = await onnx.InferenceSession.create(model("torch_gru"));
    await warm.run(feeds);
    await warm.release();
    const before = engine().arena.usedBytes;
    const session = await onnx.InferenceSession.create(model("torch_gru"));
    await session.run(feeds);
    const afterOne = engine().arena.usedBytes;
    for (let i = 0; i < 5; i++) await session.run(feeds);
    expect(engine().arena.usedBytes).toBe(afterOne);
    await session.release();
    expect(engine().arena.usedBytes).toBe(before);
    await rejects(session.run(feeds), ResourceError, /released/);
  });

  it("reports unreadable paths and wrong arguments", async () => {
    await rejects(onnx.InferenceSession.create(join(ONNX, "no-such-model.onnx")), ResourceError, /cannot read the model ".*no-such-model\.onnx"/);
    await rejects(onnx.InferenceSession.create(42 as unknown as string), Error, /expected the model as a Uint8Array, an ArrayBuffer or a path/);
  });
});
