// RNN / LSTM / GRU forward results and every gradient against PyTorch (fixtures from
// test/fixtures/generate_recurrent.py). Run once per SIMD build by the *.pytorch.test.ts files,
// since the builds round differently (fused multiply-add or not).

import { beforeAll, describe, expect, it } from "vitest";
import { init, LSTM, GRU, RNN, type Recurrent } from "../../src/index.js";
import { expectClose } from "../helpers/compare.js";
import { loadFixtures, withPrefix } from "../helpers/fixtures.js";

/** A recurrent fixture's config (its metadata, written by test/fixtures/generate_recurrent.py). */
export interface RecurrentFixtureConfig {
  cell: "lstm" | "gru" | "rnn";
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  bidirectional: boolean;
  projSize: number;
  nonlinearity: "tanh" | "relu";
  lengths: number[] | null;
}

/** The layer a fixture's config describes (weights still PyTorch's initial ones: load param.*). */
export function buildFixtureLayer(c: RecurrentFixtureConfig): Recurrent {
  const common = { inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bias: c.bias, batchFirst: c.batchFirst, bidirectional: c.bidirectional };
  if (c.cell === "lstm") return new LSTM({ ...common, projSize: c.projSize });
  if (c.cell === "gru") return new GRU(common);
  return new RNN({ ...common, nonlinearity: c.nonlinearity });
}

export function recurrentPytorchSuite(simd: "relaxed" | "plain"): void {
  beforeAll(async () => {
    const info = await init({ simd });
    expect(info.relaxedSimd).toBe(simd === "relaxed");
  });

  describe(`recurrent layers match PyTorch (${simd} SIMD)`, () => {
    const fixtures = loadFixtures<RecurrentFixtureConfig>("recurrent");
    it("has fixtures", () => expect(fixtures.length).toBeGreaterThan(10));

    for (const { name, config, tensors } of fixtures) {
      it(name, () => {
        const layer = buildFixtureLayer(config);
        try {
          layer.loadStateDict(withPrefix(tensors, "param."));
          const expected = withPrefix(tensors, "expect.");
          const out = layer.forward(tensors.x, { h0: tensors.h0, c0: tensors.c0, lengths: config.lengths ?? undefined });
          expect(out.output.shape).toEqual(expected.output.shape);
          expectClose(out.output.data, expected.output.data, `${name} output`);
          expectClose(out.hN.data, expected.h_n.data, `${name} h_n`);
          if (expected.c_n) expectClose(out.cN!.data, expected.c_n.data, `${name} c_n`);

          const back = layer.backward(tensors.grad_output, { gradHN: tensors.grad_hn, gradCN: tensors.grad_cn });
          expectClose(back.gradInput.data, expected.grad_input.data, `${name} grad input`);
          if (expected.grad_h0) expectClose(back.gradH0.data, expected.grad_h0.data, `${name} grad h0`);
          if (expected.grad_c0) expectClose(back.gradC0!.data, expected.grad_c0.data, `${name} grad c0`);
          const grads = layer.grads();
          const expectedGrads = withPrefix(expected, "grad.");
          expect(Object.keys(grads).sort()).toEqual(Object.keys(expectedGrads).sort());
          for (const [param, g] of Object.entries(expectedGrads)) expectClose(grads[param].data, g.data, `${name} grad ${param}`);
        } finally {
          layer.dispose();
        }
      });
    }
  });
}
