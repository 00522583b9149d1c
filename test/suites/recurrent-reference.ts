// Every row of the recurrent case table (test/cases/recurrent.json) through the wasm kernels against
// the float64 reference (test/reference/recurrent.ts): output, final states and every gradient, with
// the arena's guard bytes checked after each forward, backward and dispose. Run once per SIMD build
// by the recurrent.reference.*.test.ts files, since the builds round differently.

import { beforeAll, describe, expect, it } from "vitest";
import { LSTM, GRU, RNN, type Recurrent } from "../../src/index.js";
import { caseData, makeLayer, RECURRENT_CASES, recurrentSpec } from "../cases/recurrent.js";
import { expectClose } from "../helpers/compare.js";
import { guardsIntact, initWithGuards } from "../helpers/guards.js";
import { recurrentBackward, recurrentForward } from "../reference/recurrent.js";

export function recurrentReferenceSuite(simd: "relaxed" | "plain"): void {
  beforeAll(async () => {
    const info = await initWithGuards({ simd, threads: 1 });
    expect(info.relaxedSimd).toBe(simd === "relaxed");
  });

  describe(`recurrent layers match the float64 reference (${simd} SIMD) and write only their own buffers`, () => {
    for (const row of RECURRENT_CASES.filter((c) => c.reference !== false)) {
      it(row.name, () => {
        const spec = recurrentSpec(row);
        const data = caseData(row);
        const layer = makeLayer<Recurrent>(row, { lstm: LSTM, gru: GRU, rnn: RNN });
        try {
          const params = Object.fromEntries(Object.entries(layer.stateDict()).map(([name, t]) => [name, t.data]));
          const expected = recurrentForward(spec, params, data.x.data, row.T, row.B, { h0: data.h0?.data, c0: data.c0?.data, lengths: data.lengths });
          const out = layer.forward(data.x, { h0: data.h0, c0: data.c0, lengths: data.lengths });
          guardsIntact(`${row.name} forward`);
          expectClose(out.output.data, expected.output, `${row.name} output`);
          expectClose(out.hN.data, expected.hN, `${row.name} hN`);
          if (expected.cN) expectClose(out.cN!.data, expected.cN, `${row.name} cN`);

          const back = layer.backward(data.gradOutput, { gradHN: data.gradHN, gradCN: data.gradCN });
          guardsIntact(`${row.name} backward`);
          const grads = recurrentBackward(spec, params, expected, row.T, row.B, data.gradOutput.data, data.gradHN.data, data.gradCN?.data);
          expectClose(back.gradInput.data, grads.input, `${row.name} grad input`);
          expectClose(back.gradH0.data, grads.h0, `${row.name} grad h0`);
          if (grads.c0) expectClose(back.gradC0!.data, grads.c0, `${row.name} grad c0`);
          const actual = layer.grads();
          expect(Object.keys(actual).sort()).toEqual(Object.keys(grads.params).sort());
          for (const [name, g] of Object.entries(grads.params)) expectClose(actual[name].data, g, `${row.name} grad ${name}`);
        } finally {
          layer.dispose();
        }
        guardsIntact(`${row.name} dispose`);
      });
    }
  });
}
