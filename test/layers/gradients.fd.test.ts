// Finite-difference checks of backward-through-time on the rows of the recurrent case table
// (test/cases/recurrent.json), including what PyTorch cannot check for us (LSTM peepholes, GRU with
// the reset gate before the hidden product). The loss is L = Σ output⊙R + Σ h_n⊙S (+ Σ c_n⊙U); each
// sampled coordinate of every parameter, the input and the initial states is nudged by ±ε and
// (L(+ε) − L(−ε)) / 2ε compared with the analytic gradient.

import { beforeAll, describe, expect, it } from "vitest";
import { init, LSTM, GRU, RNN, Random, type ForwardOptions, type Recurrent } from "../../src/index.js";
import { caseData, makeLayer, RECURRENT_CASES, type CaseTensor } from "../cases/recurrent.js";
import { agrees, centralDifferences, sampleIndices } from "../helpers/finite-differences.js";

const EPS = 1e-2;
/** Coordinates checked per tensor. */
const SAMPLES = 12;

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

beforeAll(async () => {
  await init();
});

describe("gradients by finite differences", () => {
  for (const row of RECURRENT_CASES.filter((c) => c.finiteDifferences !== false)) {
    it(row.name, () => {
      const layer = makeLayer<Recurrent>(row, { lstm: LSTM, gru: GRU, rnn: RNN });
      const random = new Random(99);
      const { x, h0, c0, lengths, gradOutput: R, gradHN: S, gradCN: U } = caseData(row);
      const options: ForwardOptions = { h0, c0, lengths };
      const loss = () => {
        const r = layer.forward(x, options);
        return dot(r.output.data, R.data) + dot(r.hN.data, S.data) + (r.cN && U ? dot(r.cN.data, U.data) : 0);
      };

      layer.zeroGrad();
      layer.forward(x, options);
      const back = layer.backward(R, { gradHN: S, gradCN: U });
      const grads = layer.grads();

      const failures: string[] = [];
      const check = (label: string, values: Float32Array, analytic: Float32Array, apply?: () => void) => {
        for (const sample of centralDifferences(values, sampleIndices(random, values.length, SAMPLES), analytic, loss, EPS, apply)) {
          if (!agrees(sample)) failures.push(`${label}[${sample.index}]: analytic ${sample.analytic}, numeric ${sample.numeric}`);
        }
      };
      // Parameters.
      const params = layer.stateDict();
      for (const [name, p] of Object.entries(params)) check(name, p.data, grads[name].data, () => layer.loadStateDict(params));
      // Input and initial states.
      const inputs: [string, CaseTensor | undefined, Float32Array | undefined][] = [["x", x, back.gradInput.data], ["h0", h0, back.gradH0.data], ["c0", c0, back.gradC0?.data]];
      for (const [label, t, g] of inputs) if (t && g) check(label, t.data, g);
      layer.dispose();
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
});
