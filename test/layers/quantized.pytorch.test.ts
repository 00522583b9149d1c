// The accuracy of quantizeDynamic against PyTorch: every recurrent fixture (test/fixtures/recurrent,
// PyTorch's float32 forward) run quantized to int8, its output's largest and RMS error against
// PyTorch's; each within the bound below, and the whole table printed (docs/quantization.md's accuracy table).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { init, quantizeDynamic } from "../../src/index.js";
import { loadFixtures, withPrefix } from "../helpers/fixtures.js";
import { buildFixtureLayer, type RecurrentFixtureConfig } from "../suites/recurrent-pytorch.js";

/** Largest RMS error relative to the RMS of PyTorch's output. */
const RELATIVE_RMS_BOUND = 0.03;

const rows: string[] = [];

beforeAll(async () => {
  await init({ threads: 1 });
});

afterAll(() => {
  console.log(["| fixture | max abs error | RMS error | RMS of output |", "|---|---|---|---|", ...rows].join("\n"));
});

describe("quantized layers against PyTorch's float32 outputs", () => {
  for (const { name, config, tensors } of loadFixtures<RecurrentFixtureConfig>("recurrent")) {
    it(name, () => {
      const float = buildFixtureLayer(config);
      float.loadStateDict(withPrefix(tensors, "param."));
      const layer = quantizeDynamic(float);
      try {
        const expected = withPrefix(tensors, "expect.").output.data;
        const got = layer.forward(tensors.x, { h0: tensors.h0, c0: tensors.c0, lengths: config.lengths ?? undefined }).output.data;
        let max = 0, squares = 0, scale = 0;
        for (let i = 0; i < expected.length; i++) {
          const d = got[i] - expected[i];
          max = Math.max(max, Math.abs(d));
          squares += d * d;
          scale += expected[i] * expected[i];
        }
        const rms = Math.sqrt(squares / expected.length), outputRms = Math.sqrt(scale / expected.length);
        rows.push(`| ${name} | ${max.toExponential(1)} | ${rms.toExponential(1)} | ${outputRms.toFixed(3)} |`);
        expect(rms / outputRms).toBeLessThan(RELATIVE_RMS_BOUND);
      } finally {
        layer.dispose();
        float.dispose();
      }
    });
  }
});
