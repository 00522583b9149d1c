// The official ONNX backend node tests of the operators real recurrent exports put around their
// recurrent nodes (test/fixtures/onnx-node-operators, copied unmodified from onnx/onnx 1.23.0: see
// its README): every input_*.pb fed to its graph input, every output compared with output_*.pb at the
// ONNX runner's tolerance (rtol 1e-3, atol 1e-7; 1e-6 for float32 here), at the first run (which
// compiles the session's plan) and the second (which runs it). A test whose model uses a
// type or operator wasm-rnn does not run must fail with an UnsupportedError, and is listed in SKIPPED
// with the reason: the list is checked, so nothing is skipped silently (sequence types, which
// SplitToSequence makes, are not run).

import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { init, onnx, UnsupportedError } from "../../src/index.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { nodeTests, readDataSet } from "../helpers/onnx-node.js";

const DIR = join(FIXTURES, "onnx-node-operators");
const TESTS = nodeTests(DIR);

/** Tests wasm-rnn refuses, with the part of the UnsupportedError message that says why. */
const SKIPPED: Record<string, RegExp> = {
  test_range_float16_type_positive_delta: /opset 27; wasm-rnn runs opsets 1–25/,
  test_range_float_type_positive_delta: /opset 27; wasm-rnn runs opsets 1–25/,
  test_range_int32_type_negative_delta: /opset 27; wasm-rnn runs opsets 1–25/,
  test_split_to_sequence_1: /operator "SplitToSequence" is not supported/,
  test_split_to_sequence_2: /operator "SplitToSequence" is not supported/,
  test_split_to_sequence_nokeepdims: /operator "SplitToSequence" is not supported/,
};

beforeAll(async () => {
  await init();
});

const refused: Record<string, string> = {};

describe("ONNX node tests (operators around recurrent nodes)", () => {
  it("covers the 237 copied tests", () => {
    expect(TESTS).toHaveLength(237);
  });

  it.each(TESTS)("%s", async (test) => {
    let outputs: Record<string, onnx.Tensor>, again: Record<string, onnx.Tensor>, session: onnx.InferenceSession;
    try {
      session = await onnx.InferenceSession.create(join(DIR, test, "model.onnx"));
      const inputs = readDataSet(DIR, test, "input_");
      expect(inputs).toHaveLength(session.inputNames.length);
      const feeds = Object.fromEntries(session.inputNames.map((name, i) => [name, inputs[i]]));
      outputs = await session.run(feeds);
      again = await session.run(feeds); // the first run compiles the plan, the second runs it

    } catch (e) {
      if (!(e instanceof UnsupportedError)) throw e;
      refused[test] = e.message;
      expect(SKIPPED[test], `${test} refused: ${e.message}`).toBeDefined();
      expect(e.message).toMatch(SKIPPED[test]);
      return;
    }
    expect(SKIPPED[test], `${test} runs; remove it from SKIPPED`).toBeUndefined();
    const expected = readDataSet(DIR, test, "output_");
    session.outputNames.forEach((name, j) => {
      const want = expected[j];
      for (const [got, run] of [[outputs[name], "first run"], [again[name], "plan's run"]] as const) {
        expect(got.dims, `${test} ${name} dims (${run})`).toEqual(want.dims);
        expect(got.type, `${test} ${name} type (${run})`).toBe(want.type);
        for (let i = 0; i < want.size; i++) {
          const a = Number(got.data[i]), b = Number(want.data[i]);
          const close = a === b || (Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= 1e-6 + 1e-3 * Math.abs(b));
          if (!close) expect.fail(`${test} ${name}[${i}] (${run}): expected ${b}, got ${a}`);
        }
      }
    });
    await session.release();
  });

  it("refuses exactly the tests listed in SKIPPED", () => {
    expect(Object.keys(refused).sort()).toEqual(Object.keys(SKIPPED).sort());
  });
});
