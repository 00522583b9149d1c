// Finite-difference checks of backward-through-time, including what PyTorch cannot check for us
// (LSTM peepholes, GRU with the reset gate before the hidden product). The loss is
// L = Σ output⊙R + Σ h_n⊙S (+ Σ c_n⊙U); each sampled coordinate of every parameter, the input and the
// initial states is nudged by ±ε and (L(+ε) − L(−ε)) / 2ε compared with the analytic gradient.

import { beforeAll, describe, expect, it } from "vitest";
import { init, LSTM, GRU, RNN, Random, tensor, type Recurrent, type Tensor } from "../../src/index.js";

const EPS = 1e-2;

interface Case {
  name: string;
  make: () => Recurrent;
  T: number;
  B: number;
  lengths?: number[];
}

const CASES: Case[] = [
  { name: "LSTM peepholes, 2 layers, bidirectional, lengths", make: () => new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, peepholes: true, seed: 1 }), T: 5, B: 3, lengths: [5, 2, 4] },
  { name: "LSTM peepholes + projection, batch 1", make: () => new LSTM({ inputSize: 4, hiddenSize: 6, projSize: 3, peepholes: true, seed: 2 }), T: 6, B: 1 },
  { name: "GRU reset before, 2 layers, bidirectional, lengths", make: () => new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, resetAfter: false, seed: 3 }), T: 5, B: 3, lengths: [3, 5, 1] },
  { name: "GRU reset before, batch 1, odd hidden", make: () => new GRU({ inputSize: 4, hiddenSize: 7, resetAfter: false, seed: 4 }), T: 6, B: 1 },
  { name: "GRU reset after, batch first", make: () => new GRU({ inputSize: 4, hiddenSize: 5, batchFirst: true, seed: 5 }), T: 4, B: 2 },
  { name: "RNN relu, bidirectional", make: () => new RNN({ inputSize: 3, hiddenSize: 6, bidirectional: true, nonlinearity: "relu", seed: 6 }), T: 5, B: 2 },
  { name: "LSTM, 3 layers, no bias", make: () => new LSTM({ inputSize: 2, hiddenSize: 4, numLayers: 3, bias: false, seed: 7 }), T: 4, B: 2 },
];

function randomTensor(random: Random, shape: number[], scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, () => random.uniformIn(-scale, scale)), shape);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

beforeAll(async () => {
  await init();
});

describe("gradients by finite differences", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const layer = c.make();
      const random = new Random(99);
      const isLstm = layer instanceof LSTM;
      const LD = layer.numLayers * layer.directions;
      const x = randomTensor(random, layer.batchFirst ? [c.B, c.T, layer.inputSize] : [c.T, c.B, layer.inputSize]);
      const h0 = randomTensor(random, [LD, c.B, layer.outputSize], 0.5);
      const c0 = isLstm ? randomTensor(random, [LD, c.B, layer.hiddenSize], 0.5) : undefined;
      const first = layer.forward(x, { h0, c0, lengths: c.lengths });
      const R = randomTensor(random, first.output.shape as number[]);
      const S = randomTensor(random, first.hN.shape as number[]);
      const U = first.cN ? randomTensor(random, first.cN.shape as number[]) : undefined;
      const loss = (inputs: { x: Tensor; h0: Tensor; c0?: Tensor }) => {
        const r = layer.forward(inputs.x, { h0: inputs.h0, c0: inputs.c0, lengths: c.lengths });
        return dot(r.output.data, R.data) + dot(r.hN.data, S.data) + (r.cN && U ? dot(r.cN.data, U.data) : 0);
      };

      layer.zeroGrad();
      layer.forward(x, { h0, c0, lengths: c.lengths });
      const back = layer.backward(R, { gradHN: S, gradCN: U });
      const grads = layer.grads();

      const failures: string[] = [];
      const check = (label: string, analytic: number, numeric: number) => {
        if (Math.abs(analytic - numeric) > 3e-3 + 2e-2 * Math.abs(numeric)) failures.push(`${label}: analytic ${analytic}, numeric ${numeric}`);
      };
      const sample = (n: number) => Array.from({ length: Math.min(n, 12) }, () => Math.floor(random.uniform() * n));

      // Parameters.
      const params = layer.stateDict();
      for (const [name, p] of Object.entries(params)) {
        for (const i of sample(p.data.length)) {
          const original = p.data[i];
          p.data[i] = original + EPS;
          layer.loadStateDict(params);
          const up = loss({ x, h0, c0 });
          p.data[i] = original - EPS;
          layer.loadStateDict(params);
          const down = loss({ x, h0, c0 });
          p.data[i] = original;
          layer.loadStateDict(params);
          check(`${name}[${i}]`, grads[name].data[i], (up - down) / (2 * EPS));
        }
      }
      // Input and initial states.
      const inputs: [string, Tensor, Tensor][] = [["x", x, back.gradInput], ["h0", h0, back.gradH0]];
      if (c0) inputs.push(["c0", c0, back.gradC0!]);
      for (const [label, t, g] of inputs) {
        for (const i of sample(t.data.length)) {
          const original = t.data[i];
          t.data[i] = original + EPS;
          const up = loss({ x, h0, c0 });
          t.data[i] = original - EPS;
          const down = loss({ x, h0, c0 });
          t.data[i] = original;
          check(`${label}[${i}]`, g.data[i], (up - down) / (2 * EPS));
        }
      }
      layer.dispose();
      expect(failures, failures.join("\n")).toEqual([]);
    });
  }
});
