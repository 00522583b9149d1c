// The optimizer kernels (SGD, Adam, AdamW steps) against the float64 reference
// (test/reference/optimizers.ts), one case table of optimizers and options: several steps over two
// layers (a Dense and an LSTM, whose parameter arrays have padding between tensors), gradients from
// real backward passes, every parameter compared after every step, guard bytes checked after each.

import { beforeAll, describe, it } from "vitest";
import { Adam, AdamW, Dense, LSTM, Random, SGD, tensor, type AdamOptions, type Layer, type Optimizer, type SGDOptions } from "../../src/index.js";
import { expectClose } from "../helpers/compare.js";
import { guardsIntact, initWithGuards } from "../helpers/guards.js";
import { adamStep, sgdStep, type AdamSpec, type SgdSpec } from "../reference/optimizers.js";

type OptimizerCase = { name: string } & ({ kind: "sgd"; options: SGDOptions } | { kind: "adam" | "adamw"; options: AdamOptions });

const CASES: OptimizerCase[] = [
  { name: "SGD", kind: "sgd", options: { lr: 0.1 } },
  { name: "SGD with momentum, dampening and weight decay", kind: "sgd", options: { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 } },
  { name: "SGD with Nesterov momentum and weight decay", kind: "sgd", options: { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.02 } },
  { name: "Adam (defaults but lr)", kind: "adam", options: { lr: 1e-2 } },
  { name: "Adam with L2 weight decay, betas, eps", kind: "adam", options: { lr: 3e-3, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 } },
  { name: "AdamW (its default decay 0.01)", kind: "adamw", options: { lr: 1e-2 } },
  { name: "AdamW with strong decay", kind: "adamw", options: { lr: 1e-2, weightDecay: 0.5 } },
];

const STEPS = 4;

/** torch.optim's defaults for what a case leaves out. */
function sgdSpec(o: SGDOptions): SgdSpec {
  return { lr: o.lr, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0, weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ?? false };
}

function adamSpec(o: AdamOptions, decoupled: boolean): AdamSpec {
  const [beta1, beta2] = o.betas ?? [0.9, 0.999];
  return { lr: o.lr ?? 1e-3, beta1, beta2, eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? (decoupled ? 0.01 : 0), decoupled };
}

/** One parameter tensor as the reference steps it: values, and the optimizer state (b, or m and v). */
interface ReferenceTensor {
  p: Float64Array;
  state: [Float64Array, Float64Array];
}

beforeAll(() => initWithGuards());

describe("optimizer steps match the float64 reference and write only their own buffers", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const random = new Random(11);
      const dense = new Dense({ inFeatures: 7, outFeatures: 5, seed: 1 });
      const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, seed: 2 });
      const layers: Layer[] = [dense, lstm];
      const optimizer: Optimizer = c.kind === "sgd" ? new SGD(layers, c.options) : c.kind === "adam" ? new Adam(layers, c.options) : new AdamW(layers, c.options);
      const reference = layers.map((layer) => new Map<string, ReferenceTensor>(Object.entries(layer.stateDict()).map(([name, t]) => {
        const n = t.data.length;
        return [name, { p: Float64Array.from(t.data), state: [new Float64Array(n), new Float64Array(n)] }];
      })));
      try {
        for (let t = 1; t <= STEPS; t++) {
          // Gradients from a backward pass of each layer, at this step's parameters.
          optimizer.zeroGrad();
          dense.forward(tensor(random.uniformArray(4 * 7, -1, 1), [4, 7]));
          dense.backward(tensor(random.uniformArray(4 * 5, -1, 1), [4, 5]));
          lstm.forward(tensor(random.uniformArray(6 * 2 * 3, -1, 1), [6, 2, 3]));
          lstm.backward(tensor(random.uniformArray(6 * 2 * 5, -1, 1), [6, 2, 5]));
          layers.forEach((layer, k) => {
            for (const [name, g] of Object.entries(layer.grads())) {
              const { p, state: [a, b] } = reference[k].get(name)!;
              if (c.kind === "sgd") sgdStep(sgdSpec(c.options), t, p, g.data, a);
              else adamStep(adamSpec(c.options, c.kind === "adamw"), t, p, g.data, a, b);
            }
          });
          optimizer.step();
          guardsIntact(`${c.name} step ${t}`);
          layers.forEach((layer, k) => {
            for (const [name, value] of Object.entries(layer.stateDict())) expectClose(value.data, reference[k].get(name)!.p, `${c.name} step ${t}: layer ${k} ${name}`);
          });
        }
      } finally {
        optimizer.dispose();
        for (const layer of layers) layer.dispose();
      }
      guardsIntact(`${c.name} dispose`);
    });
  }
});
