// The official ONNX backend node tests for LSTM, GRU and RNN (test/fixtures/onnx-node, copied from
// onnx/onnx): every input_*.pb fed to its graph input, every output compared with output_*.pb at the
// ONNX runner's tolerance (rtol 1e-3, atol 1e-6 here; the runner's default atol is 1e-7).

import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { init, onnx } from "../../src/index.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { nodeTests, readDataSet } from "../helpers/onnx-node.js";

const DIR = join(FIXTURES, "onnx-node");
const TESTS = nodeTests(DIR);
const maxErrors: Record<string, number> = {};

beforeAll(async () => {
  await init();
});

describe("ONNX node tests (LSTM, GRU, RNN)", () => {
  it("covers the 12 copied tests", () => {
    expect(TESTS).toHaveLength(12);
  });

  it.each(TESTS)("%s", async (test) => {
    const session = await onnx.InferenceSession.create(join(DIR, test, "model.onnx"));
    const inputs = readDataSet(DIR, test, "input_"), expected = readDataSet(DIR, test, "output_");
    expect(inputs).toHaveLength(session.inputNames.length);
    const feeds = Object.fromEntries(session.inputNames.map((name, i) => [name, inputs[i]]));
    const outputs = await session.run(feeds);
    let worst = 0;
    session.outputNames.forEach((name, j) => {
      const got = outputs[name], want = expected[j];
      expect(got.dims, name).toEqual(want.dims);
      expect(got.type).toBe(want.type);
      for (let i = 0; i < want.size; i++) {
        const a = Number(got.data[i]), b = Number(want.data[i]);
        const diff = Math.abs(a - b);
        worst = Math.max(worst, diff);
        if (!(diff <= 1e-6 + 1e-3 * Math.abs(b))) expect.fail(`${test} ${name}[${i}]: expected ${b}, got ${a}`);
      }
    });
    maxErrors[test] = worst;
    await session.release();
  });

  it("reports the largest differences", () => {
    console.log("ONNX node tests, max |ours − expected|:", JSON.stringify(maxErrors, null, 1));
    expect(Object.keys(maxErrors)).toHaveLength(TESTS.length);
  });
});
