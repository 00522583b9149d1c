// wasm-rnn's InferenceSession against onnxruntime-node on the same models and inputs
// (test/fixtures/generate_onnx.py): single LSTM/GRU/RNN nodes covering every attribute, the
// surrounding operators in several opsets, and models exported by torch.onnx.export (also checked
// against PyTorch's own outputs). Where onnxruntime rejects a node (layout = 1, int64 sequence_lens)
// it runs reference.onnx, the same computation through Transpose/Cast around a node it accepts.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { init, onnx } from "../../src/index.js";
import { readTensorProto } from "../../src/io/onnx/tensor-proto.js";
import { FIXTURES } from "../helpers/fixtures.js";

const DIR = join(FIXTURES, "onnx");
const CASES = readdirSync(DIR).filter((n) => n.startsWith("attr_") || n.startsWith("ops_")).sort();
const TOLERANCE = 1e-4;
const maxErrors: Record<string, number> = {};

beforeAll(async () => {
  await init();
});

type Feeds = Record<string, onnx.Tensor>;

/** The .pb files of a folder whose names match, keyed by the tensor's name, in file order. */
function readTensors(folder: string, pattern: RegExp): Feeds {
  const files = readdirSync(folder).filter((f) => pattern.test(f)).sort();
  return Object.fromEntries(files.map((f) => {
    const { name, tensor } = readTensorProto(readFileSync(join(folder, f)));
    return [name, tensor];
  }));
}

function numbers(data: onnx.Tensor["data"] | ort.Tensor["data"]): number[] {
  return Array.from(data as ArrayLike<number | bigint>, Number);
}

/** Max |a − b| over every output, failing on a shape, type or value beyond the tolerance. */
function compare(ours: Feeds, theirs: Record<string, { type: string; dims: readonly number[]; data: onnx.Tensor["data"] | ort.Tensor["data"] }>, label: string): number {
  let worst = 0;
  expect(Object.keys(ours).sort(), label).toEqual(Object.keys(theirs).sort());
  for (const [name, want] of Object.entries(theirs)) {
    const got = ours[name];
    expect(got.dims, `${label} ${name} dims`).toEqual([...want.dims]);
    expect(got.type, `${label} ${name} type`).toBe(want.type);
    const a = numbers(got.data), b = numbers(want.data);
    a.forEach((v, i) => {
      const diff = Math.abs(v - b[i]);
      if (!(diff <= TOLERANCE)) expect.fail(`${label} ${name}[${i}]: ${v} vs ${b[i]} (|diff| ${diff})`);
      worst = Math.max(worst, diff);
    });
  }
  return worst;
}

async function runBoth(folder: string, feeds: Feeds): Promise<number> {
  const ours = await onnx.InferenceSession.create(join(folder, "model.onnx"));
  const reference = existsSync(join(folder, "reference.onnx")) ? join(folder, "reference.onnx") : join(folder, "model.onnx");
  const theirs = await ort.InferenceSession.create(reference);
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]));
  const worst = compare(await ours.run(feeds), await theirs.run(ortFeeds), folder);
  await ours.release();
  await theirs.release();
  return worst;
}

describe("against onnxruntime-node", () => {
  it.each(CASES)("%s", async (name) => {
    const folder = join(DIR, name);
    maxErrors[name] = await runBoth(folder, readTensors(folder, /^input_\d+\.pb$/));
  });

  it("rebuilds a layer whose weights are graph inputs only when they change", async () => {
    const folder = join(DIR, "attr_lstm_weights_as_inputs");
    const feeds = readTensors(folder, /^input_\d+\.pb$/);
    const session = await onnx.InferenceSession.create(join(folder, "model.onnx"));
    const theirs = await ort.InferenceSession.create(join(folder, "model.onnx"));
    const first = (await session.run(feeds)).Y;
    expect(Array.from((await session.run(feeds)).Y.data)).toEqual(Array.from(first.data));
    const W = feeds.W.data as Float32Array;
    const changed = { ...feeds, W: new onnx.Tensor("float32", W.map((v) => v * -1.5), feeds.W.dims) };
    const ortFeeds = Object.fromEntries(Object.entries(changed).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]));
    const err = compare(await session.run(changed), await theirs.run(ortFeeds), "changed W");
    expect(err).toBeLessThanOrEqual(TOLERANCE);
    // Changing the fed array in place is seen too (the session keeps its own copy to compare with).
    W.fill(0.01);
    const inPlace = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]));
    compare(await session.run(feeds), await theirs.run(inPlace), "W changed in place");
    await session.release();
  });
});

describe("models exported by torch.onnx.export", () => {
  it.each(["torch_lstm", "torch_gru"])("%s matches onnxruntime and PyTorch on every input set", async (name) => {
    const folder = join(DIR, name);
    const session = await onnx.InferenceSession.create(join(folder, "model.onnx"));
    let worstOrt = 0, worstTorch = 0;
    for (let k = 0; existsSync(join(folder, `output_${k}_${session.outputNames[0]}.pb`)); k++) {
      const feeds = readTensors(folder, new RegExp(`^input_${k}_`));
      worstOrt = Math.max(worstOrt, await runBoth(folder, feeds));
      worstTorch = Math.max(worstTorch, compare(await session.run(feeds), readTensors(folder, new RegExp(`^output_${k}_`)), `${name} set ${k} vs PyTorch`));
    }
    maxErrors[`${name} (onnxruntime)`] = worstOrt;
    maxErrors[`${name} (PyTorch)`] = worstTorch;
    expect(worstOrt).toBeGreaterThanOrEqual(0);
    await session.release();
  });

  it("reports the largest differences", () => {
    console.log("max |ours − reference|:", JSON.stringify(maxErrors, null, 1));
  });
});
