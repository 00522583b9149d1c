// wasm-rnn/brain's training against the brain.js package, from the same initial weights (a seeded
// Math.random initialises both alike, bit for bit): the deltas brain.js's backpropagation leaves on
// every matrix after a pass (its quirks included: a bias learns from step 0 alone, an input row from
// its first use, rows a sequence does not use keep their old deltas), the weights after many passes,
// and the training options — errorThresh, iterations, log, logPeriod, callback, callbackPeriod —
// behaving as brain.js's. All six classes train (assembly/brain.ts; its kernel-level test is
// test/adapters/brain.kernel.test.ts).
// The kernels compute in brain.js's arithmetic (float64 ops, float32 stores, its order), and in
// every case below the deltas and weights come out identical to brain.js's, after 31 passes too.
// The bounds leave room for what may differ — an ulp of exp or tanh between ours and V8's libm, or
// a fused multiply-add's single rounding, on a float32 rounding boundary — and its growth: deltas and first-pass weights within 1e-6; the weights after many
// passes within brain.js's own reproducibility (its ReLU character nets under its RMSProp are
// chaotic: brain.js started from its weights moved by one float32 ulp drifts from itself by up to
// 0.7 on the README's arrays within 31 passes).

import { afterEach, describe, expect, it, vi } from "vitest";
import { recurrent, type RecurrentNet, type TimeStepNet } from "../../src/adapters/brain/index.js";
import { allMatrices, type BrainModel } from "../../src/adapters/brain/model.js";
import { brainjs, nudged, README_ARRAYS, README_INPUT_OUTPUT, README_NUMBERS, README_STRINGS, README_VECTORS, weightDifference, withSeed, type BrainJsNet } from "../helpers/brain.js";

/** The model behind one of our nets (internal: to compare deltas with brain.js's). */
function modelOf(net: RecurrentNet | TimeStepNet): BrainModel {
  return (net as unknown as { model: BrainModel }).model;
}

/** |a − b| relative to |b| (0 for equal infinities: brain.js's character error is Infinity when a
 *  probability underflows to 0). */
function relative(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.abs(b);
}

/** Largest |ours − brain.js| over each matrix's deltas, relative to that matrix's largest delta. */
function deltaDifference(ours: RecurrentNet | TimeStepNet, theirs: BrainJsNet): { relative: number; matrix: number } {
  const mine = allMatrices(modelOf(ours)), reference = theirs.model.allMatrices;
  expect(mine.length).toBe(reference.length);
  let worst = { relative: 0, matrix: -1 };
  reference.forEach((m, k) => {
    let scale = 1e-30, diff = 0;
    for (let i = 0; i < m.deltas.length; i++) {
      scale = Math.max(scale, Math.abs(m.deltas[i]));
      diff = Math.max(diff, Math.abs(mine[k].deltas[i] - m.deltas[i]));
    }
    if (diff / scale > worst.relative) worst = { relative: diff / scale, matrix: k };
  });
  return worst;
}

/** Ours and brain.js's net of the same class and options, initialised from the same seed on `data`. */
type CharacterClass = "RNN" | "LSTM" | "GRU";
type ClassName = CharacterClass | "RNNTimeStep" | "LSTMTimeStep" | "GRUTimeStep";

function pair<N extends ClassName>(name: N, data: unknown, options: object = {}): { ours: N extends CharacterClass ? RecurrentNet : TimeStepNet; theirs: BrainJsNet } {
  const ours = withSeed(3, () => {
    const net = new recurrent[name](options);
    net.train(data as never, { iterations: 0 });
    return net;
  });
  const theirs = withSeed(3, () => {
    const net = new brainjs.recurrent[name](options);
    net.train(data, { iterations: 0 });
    return net;
  });
  expect(weightDifference(ours.toJSON(), theirs.toJSON()).max).toBe(0);
  return { ours: ours as N extends CharacterClass ? RecurrentNet : TimeStepNet, theirs };
}

/** The largest difference between two outputs of run or forecast (numbers, vectors, or lists of them). */
function largest(a: unknown, b: unknown): number {
  const flat = (v: unknown): number[] => (typeof v === "number" ? [v] : Array.from(v as ArrayLike<unknown>).flatMap(flat));
  const x = flat(a), y = flat(b);
  expect(x.length).toBe(y.length);
  return Math.max(0, ...x.map((v, i) => Math.abs(v - y[i])));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("wasm-rnn/brain: training as brain.js trains", () => {
  // [class, label, data, options, what to run afterwards]
  const cases = [
    ["RNN", "the README's strings", README_STRINGS, {}, ["doe", "ray", "me, a"]],
    ["RNN", "the README's input/output sentences", README_INPUT_OUTPUT, { hiddenLayers: [12, 8] }, ["I feel great about the world!", "terrible"]],
    ["RNN", "the README's arrays in and out", README_ARRAYS, {}, [[0, 0], [0, 1], [1, 0], [1, 1]]],
    ["RNN", "arrays of values", [[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]], { hiddenLayers: [8] }, [[1, 2], [5, 4]]],
    ["RNNTimeStep", "the README's numbers", README_NUMBERS, {}, []],
    ["RNNTimeStep", "the README's vectors", README_VECTORS, { inputSize: 2, hiddenLayers: [10], outputSize: 2 }, []],
    ["LSTM", "the README's strings", README_STRINGS, {}, ["doe", "ray", "me, a"]],
    ["LSTM", "the README's input/output sentences", README_INPUT_OUTPUT, { hiddenLayers: [12, 8] }, ["I feel great about the world!", "terrible"]],
    ["GRU", "the README's strings", README_STRINGS, {}, ["doe", "ray", "me, a"]],
    ["GRU", "the README's arrays in and out", README_ARRAYS, { hiddenLayers: [7, 5] }, [[0, 0], [0, 1], [1, 0], [1, 1]]],
    ["LSTMTimeStep", "the README's numbers", README_NUMBERS, {}, []],
    ["LSTMTimeStep", "the README's vectors", README_VECTORS, { inputSize: 2, hiddenLayers: [10, 6], outputSize: 2 }, []],
    ["GRUTimeStep", "the README's numbers", README_NUMBERS, {}, []],
    ["GRUTimeStep", "the README's vectors", README_VECTORS, { inputSize: 2, hiddenLayers: [10], outputSize: 2 }, []],
  ] as const;
  for (const [name, label, data, options, prompts] of cases) {
    it(`${name} on ${label}: brain.js's deltas after a pass, and its weights after 30 more (two train calls) as reproducibly as brain.js's own`, () => {
      const { ours, theirs } = pair(name, data, options);
      const itself = [1, 2, 3].map((seed) => {
        const net = new brainjs.recurrent[name]();
        net.fromJSON(nudged(theirs.toJSON(), seed));
        net.train(data, { iterations: 1 });
        return net;
      });
      const first = [ours.train(data as never, { iterations: 1 }), theirs.train(data, { iterations: 1 })];
      // every matrix's deltas as brain.js leaves them (the last sequence's, and stale input rows)
      const deltas = deltaDifference(ours, theirs);
      expect(deltas.relative, `matrix ${deltas.matrix}`).toBeLessThan(1e-6);
      expect(first[0].iterations).toBe(1);
      expect(relative(first[0].error, first[1].error)).toBeLessThan(1e-9);
      expect(weightDifference(ours.toJSON(), theirs.toJSON()).max).toBeLessThan(1e-6);
      for (const passes of [10, 20]) {
        const [mine, reference] = [ours.train(data as never, { iterations: passes }), theirs.train(data, { iterations: passes })];
        for (const net of itself) net.train(data, { iterations: passes });
        expect(mine.iterations).toBe(reference.iterations);
      }
      const drift = Math.max(...itself.map((net) => weightDifference(net.toJSON(), theirs.toJSON()).max));
      const after = weightDifference(ours.toJSON(), theirs.toJSON());
      expect(after.max, `${after.where} (brain.js from one ulp away: ${drift})`).toBeLessThanOrEqual(4 * drift + 1e-4);
      if (after.max < 1e-3) for (const prompt of prompts) expect((ours as RecurrentNet).run(prompt as never), JSON.stringify(prompt)).toBe(theirs.run(prompt));
    });
  }

  // brain.js keeps a time-step net's equations (one per step index) for its life and backpropagates
  // through all of them: steps a longer sequence, run or forecast left behind add their stale deltas
  const staleCases = [
    ["RNNTimeStep", [[1, 2, 3, 4, 5], [0.5, 0.25], [3, 2, 1]], { hiddenLayers: [8, 4] }, (net: TimeStepNet | BrainJsNet) => net.forecast([1], 7)],
    ["LSTMTimeStep", [[1, 2, 3, 4], [4, 3], [2]], {}, (net: TimeStepNet | BrainJsNet) => net.run([1, 2, 3, 4, 5, 6])],
    ["GRUTimeStep", [[[1, 3], [2, 2], [3, 1]], [[0.5, 1], [1, 0.5]], [[1, 1]]], { inputSize: 2, hiddenLayers: [6, 3], outputSize: 2 }, (net: TimeStepNet | BrainJsNet) => net.forecast([[1, 3]], 6)],
    ["GRUTimeStep", [[1, 2, 3], [2, 3]], { hiddenLayers: [5, 4] }, (net: TimeStepNet | BrainJsNet) => net.run([1, 2, 3, 4, 5, 6])],
  ] as const;
  for (const [name, data, options, between] of staleCases) {
    it(`${name} on sequences of different lengths, a longer ${between.toString().includes("forecast") ? "forecast" : "run"} between passes: brain.js's weights (its stale steps included)`, () => {
      const { ours, theirs } = pair(name, data, options);
      ours.train(data as never, { iterations: 1 });
      theirs.train(data, { iterations: 1 });
      expect(deltaDifference(ours, theirs).relative).toBeLessThan(1e-6);
      expect(weightDifference(ours.toJSON(), theirs.toJSON()).max).toBeLessThan(1e-6);
      const [mine, reference] = [between(ours), between(theirs)];
      expect(largest(mine, reference)).toBeLessThan(1e-6);
      ours.train(data as never, { iterations: 10 });
      theirs.train(data, { iterations: 10 });
      expect(weightDifference(ours.toJSON(), theirs.toJSON()).max).toBeLessThan(1e-6);
    });
  }

  it("errorThresh stops at the same pass as brain.js, and the result says so", () => {
    const options = { inputSize: 2, hiddenLayers: [10], outputSize: 2 };
    const { ours, theirs } = pair("RNNTimeStep", README_VECTORS, options);
    const reference = theirs.train(README_VECTORS, { iterations: 1000, errorThresh: 0.1 });
    const mine = ours.train(README_VECTORS, { iterations: 1000, errorThresh: 0.1 });
    expect(reference.iterations).toBeLessThan(1000);
    expect(mine.iterations).toBe(reference.iterations);
    expect(mine.error).toBeLessThanOrEqual(0.1);
    expect(relative(mine.error, reference.error)).toBeLessThan(1e-9);
  });

  it("callback and log are called at brain.js's passes with brain.js's values and text", () => {
    const { ours, theirs } = pair("RNN", README_STRINGS, { hiddenLayers: [10] });
    const calls = { ours: [] as { error: number; iterations: number }[], theirs: [] as { error: number; iterations: number }[] };
    const logs = { ours: [] as string[], theirs: [] as string[] };
    const settings = (who: "ours" | "theirs") => ({ iterations: 10, callback: (s: { error: number; iterations: number }) => calls[who].push(s), callbackPeriod: 3, log: (m: string) => logs[who].push(m), logPeriod: 4, errorThresh: 0 });
    theirs.train(README_STRINGS, settings("theirs"));
    ours.train(README_STRINGS, settings("ours"));
    expect(calls.ours.map((c) => c.iterations)).toEqual([0, 3, 6, 9]);
    expect(calls.ours.map((c) => c.iterations)).toEqual(calls.theirs.map((c) => c.iterations));
    calls.ours.forEach((c, i) => expect(relative(c.error, calls.theirs[i].error)).toBeLessThan(1e-9));
    const pattern = /^iterations: (\d+), training error: (.+)$/;
    expect(logs.ours.map((m) => m.match(pattern)![1])).toEqual(["0", "4", "8"]);
    expect(logs.ours.map((m) => m.match(pattern)![1])).toEqual(logs.theirs.map((m) => m.match(pattern)![1]));
    logs.ours.forEach((m, i) => expect(relative(Number(m.match(pattern)![2]), Number(logs.theirs[i].match(pattern)![2]))).toBeLessThan(1e-9));
  });

  it("log: true writes to console.log; log: false, and the default, write nothing", () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const net = withSeed(4, () => new recurrent.RNNTimeStep());
    net.train(README_NUMBERS, { iterations: 3, log: true, logPeriod: 2 });
    expect(spy.mock.calls.map((c) => String(c[0]).replace(/error: .*/, "error: …"))).toEqual(["iterations: 0, training error: …", "iterations: 2, training error: …"]);
    spy.mockClear();
    net.train(README_NUMBERS, { iterations: 3, log: false });
    net.train(README_NUMBERS, { iterations: 3 });
    expect(spy).not.toHaveBeenCalled();
  });

  it("training options given to the constructor are checked, then left unused by train, as brain.js's train ignores them", () => {
    const plain = pair("RNNTimeStep", README_NUMBERS);
    const given = withSeed(3, () => {
      const net = new recurrent.RNNTimeStep({ learningRate: 0.5, iterations: 2 });
      net.train(README_NUMBERS, { iterations: 0 });
      return net;
    });
    plain.ours.train(README_NUMBERS, { iterations: 5 });
    plain.theirs.train(README_NUMBERS, { iterations: 5 });
    given.train(README_NUMBERS, { iterations: 5 });
    expect(weightDifference(given.toJSON(), plain.ours.toJSON()).max).toBe(0);
    expect(weightDifference(given.toJSON(), plain.theirs.toJSON()).max).toBeLessThan(1e-6);
    // and the constructor's learningRate is kept in the JSON, as brain.js keeps it
    expect(given.toJSON().options.learningRate).toBe(0.5);
  });

  it("the dataFormatter option: brain.js's DataFormatter given to both nets is used as brain.js uses it", () => {
    // a formatter with more characters than the data: the nets are sized by it
    const formatter = () => new brainjs.utilities.DataFormatter([...README_STRINGS, "xyz!"]);
    const ours = withSeed(8, () => new recurrent.RNN({ hiddenLayers: [9], dataFormatter: formatter() }));
    const theirs = withSeed(8, () => new brainjs.recurrent.RNN({ hiddenLayers: [9], dataFormatter: formatter() }));
    withSeed(8, () => ours.train(README_STRINGS, { iterations: 0 }));
    withSeed(8, () => theirs.train(README_STRINGS, { iterations: 0 }));
    expect(ours.inputSize).toBe((theirs as unknown as { inputSize: number }).inputSize);
    expect(ours.inputSize).toBeGreaterThan(new Set(README_STRINGS.join("")).size);
    ours.train(README_STRINGS, { iterations: 5 });
    theirs.train(README_STRINGS, { iterations: 5 });
    expect(weightDifference(ours.toJSON(), theirs.toJSON()).max).toBeLessThan(1e-6);
    expect(ours.run("xyz")).toBe(theirs.run("xyz"));
  });

  it("a trained character net keeps its data formatter: training on more data of the same characters goes on from it", () => {
    const { ours, theirs } = pair("RNN", README_STRINGS, { hiddenLayers: [10] });
    ours.train(README_STRINGS, { iterations: 3 });
    theirs.train(README_STRINGS, { iterations: 3 });
    const more = ["a deer", "a drop of sun"];
    ours.train(more, { iterations: 3 });
    theirs.train(more, { iterations: 3 });
    expect(weightDifference(ours.toJSON(), theirs.toJSON()).max).toBeLessThan(1e-6);
    expect(deltaDifference(ours, theirs).relative).toBeLessThan(1e-6);
    expect(ours.toJSON().options.dataFormatter).toEqual(JSON.parse(JSON.stringify(theirs.toJSON())).options.dataFormatter);
  });
});
