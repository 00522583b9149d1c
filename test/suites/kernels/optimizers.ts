// The optimizers family (test/cases/optimizers.json): per step row, four steps of SGD, Adam or AdamW
// against the float64 reference (test/reference/optimizers.ts) — through the optimizer classes over a
// Dense and an LSTM (gradients from real backward passes, every parameter compared after every step),
// or, for a row of `floats`, through the step kernel itself over that many floats (SIMD tails, one
// float), its state compared too; per clipping row, the helpers gradient clipping and the pool's
// gradient reduction use (sumOfSquares, countNonFinite, scaleInPlace, clampInPlace, scaleAdd) against
// the test build's naive references. Guard bytes checked after every call. No team path: the updates
// always run on the calling thread.

import { expect } from "vitest";
import { Adam, AdamW, Dense, LSTM, Random, SGD, tensor, type Layer, type Optimizer } from "../../../src/index.js";
import { expectClose, expectSameValues } from "../../helpers/compare.js";
import type { KernelKit } from "../../helpers/kernel-kit.js";
import { adamSpec, clippingData, flatStepData, OPTIMIZER_CASES, OPTIMIZER_STEPS, sgdSpec, type ClippingCase, type OptimizerCase, type StepCase } from "../../cases/optimizers.js";
import { adamStep, sgdStep } from "../../reference/optimizers.js";
import type { KernelFamily } from "./family.js";

/** One parameter tensor as the reference steps it: values, and the optimizer state (b, or m and v). */
interface ReferenceTensor {
  p: Float64Array;
  state: [Float64Array, Float64Array];
}

function referenceTensor(values: ArrayLike<number>): ReferenceTensor {
  return { p: Float64Array.from(values), state: [new Float64Array(values.length), new Float64Array(values.length)] };
}

/** One reference step of the row's optimizer (t from 1). */
function referenceStep(row: StepCase, t: number, tensor: ReferenceTensor, g: ArrayLike<number>): void {
  const { p, state: [a, b] } = tensor;
  if (row.step === "sgd") sgdStep(sgdSpec(row.options), t, p, g, a);
  else adamStep(adamSpec(row.options, row.step === "adamw"), t, p, g, a, b);
}

function checkLayers(row: StepCase, kit: KernelKit): void {
  const random = new Random(row.seed);
  const dense = new Dense({ inFeatures: 7, outFeatures: 5, seed: 1 });
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, seed: 2 });
  const layers: Layer[] = [dense, lstm];
  const optimizer: Optimizer = row.step === "sgd" ? new SGD(layers, row.options) : row.step === "adam" ? new Adam(layers, row.options) : new AdamW(layers, row.options);
  const reference = layers.map((layer) => new Map(Object.entries(layer.stateDict()).map(([name, t]) => [name, referenceTensor(t.data)])));
  try {
    for (let t = 1; t <= OPTIMIZER_STEPS; t++) {
      // Gradients from a backward pass of each layer, at this step's parameters.
      optimizer.zeroGrad();
      dense.forward(tensor(random.uniformArray(4 * 7, -1, 1), [4, 7]));
      dense.backward(tensor(random.uniformArray(4 * 5, -1, 1), [4, 5]));
      lstm.forward(tensor(random.uniformArray(6 * 2 * 3, -1, 1), [6, 2, 3]));
      lstm.backward(tensor(random.uniformArray(6 * 2 * 5, -1, 1), [6, 2, 5]));
      layers.forEach((layer, k) => {
        for (const [name, g] of Object.entries(layer.grads())) referenceStep(row, t, reference[k].get(name)!, g.data);
      });
      optimizer.step();
      kit.guardsIntact(`step ${t}`);
      layers.forEach((layer, k) => {
        for (const [name, value] of Object.entries(layer.stateDict())) expectClose(value.data, reference[k].get(name)!.p, `step ${t}: layer ${k} ${name}`);
      });
    }
  } finally {
    optimizer.dispose();
    for (const layer of layers) layer.dispose();
  }
  kit.guardsIntact("dispose");
}

function checkFlat(row: StepCase & { floats: number }, kit: KernelKit): void {
  const n = row.floats, core = kit.core, { params, grads } = flatStepData(row);
  const p = kit.floats(params), g = kit.floats(n), a = kit.floats(n), b = kit.floats(n);
  const reference = referenceTensor(params);
  for (let t = 1; t <= OPTIMIZER_STEPS; t++) {
    kit.write(g, grads[t - 1]);
    if (row.step === "sgd") {
      const s = sgdSpec(row.options);
      // Without momentum the kernel keeps no buffer: none is passed.
      core.sgdStep(n, p, g, s.momentum ? a : 0, s.lr, s.momentum, s.dampening, s.weightDecay, s.nesterov ? 1 : 0, t === 1 ? 1 : 0);
    } else {
      const s = adamSpec(row.options, row.step === "adamw");
      // The caller's bias corrections for step t (the kernel's contract, as the Adam class computes them).
      core.adamStep(n, p, g, a, b, s.lr, s.beta1, s.beta2, s.eps, s.weightDecay, s.decoupled ? 1 : 0, 1 - s.beta1 ** t, 1 - s.beta2 ** t);
    }
    kit.guardsIntact(`${row.step}Step ${t}`);
    referenceStep(row, t, reference, grads[t - 1]);
    expectClose(kit.read(p, n), reference.p, `step ${t}: parameters`);
    expectClose(kit.read(a, n), reference.state[0], `step ${t}: ${row.step === "sgd" ? "momentum" : "first moment"}`);
    if (row.step !== "sgd") expectClose(kit.read(b, n), reference.state[1], `step ${t}: second moment`);
  }
}

function checkClipping(row: ClippingCase, kit: KernelKit): void {
  const n = row.floats, core = kit.core, { values, shard } = clippingData(row);
  const x = kit.floats(values), src = kit.floats(shard);
  const squares = core.sumOfSquares(n, x), naiveSquares = core.sumOfSquaresNaive(n, x);
  kit.guardsIntact("sumOfSquares");
  if (row.nonFinite) expect(squares, "sumOfSquares with NaN among the values").toBeNaN();
  else expectClose([squares], [naiveSquares], "sumOfSquares", { rtol: 1e-6 });
  expect(core.countNonFinite(n, x), "countNonFinite").toBe(core.countNonFiniteNaive(n, x));
  expect(core.countNonFiniteNaive(n, x), "non-finite values in the row").toBe(row.nonFinite ? 3 : 0);

  const inPlace = (label: string, fast: (ptr: number) => void, naive: (ptr: number) => void) => {
    const [y, r] = [kit.floats(values), kit.floats(values)];
    fast(y);
    kit.guardsIntact(label);
    naive(r);
    expectSameValues(kit.read(y, n), kit.read(r, n), label);
  };
  inPlace("scaleInPlace", (y) => core.scaleInPlace(n, y, 0.37), (r) => core.scaleInPlaceNaive(n, r, 0.37));
  inPlace("clampInPlace", (y) => core.clampInPlace(n, y, 1.5), (r) => core.clampInPlaceNaive(n, r, 1.5));
  for (const accumulate of [0, 1]) {
    inPlace(`scaleAdd${accumulate ? " accumulating" : ""}`, (y) => core.scaleAdd(n, y, src, 0.25, accumulate), (r) => core.scaleAddNaive(n, r, src, 0.25, accumulate));
  }
}

function check(row: OptimizerCase, kit: KernelKit): void {
  if (row.step === "clipping") checkClipping(row, kit);
  else if (row.floats !== undefined) checkFlat({ ...row, floats: row.floats }, kit);
  else checkLayers(row, kit);
}

export const optimizersFamily: KernelFamily<OptimizerCase> = { name: "optimizers", rows: OPTIMIZER_CASES, check };
