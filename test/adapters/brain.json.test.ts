// wasm-rnn/brain against the brain.js package, through brain.js's JSON both ways: nets of all six
// classes trained by brain.js on its README examples load in ours and give brain.js's outputs (run's
// strings identical, sampled ones too under the same seeded Math.random; run's and forecast's
// numbers identical here: our kernels compute as brain.js does, each operation in float64 stored as
// float32), and ours writes back brain.js's JSON to the digit; nets trained or initialised by ours
// load in brain.js and give ours outputs.

import { describe, expect, it } from "vitest";
import { recurrent } from "../../src/adapters/brain/index.js";
import { brainjs, README_INPUT_OUTPUT, README_NUMBERS, README_STRINGS, README_VECTORS, viaText, weightDifference, withSeed, type BrainJsNet } from "../helpers/brain.js";

const CHARACTER = ["RNN", "LSTM", "GRU"] as const;
const TIME_STEP = ["RNNTimeStep", "LSTMTimeStep", "GRUTimeStep"] as const;

/** |ours − brain.js| at most this, relative to the outputs' size (at least 1), for numeric outputs:
 *  measured 0 (identical); the bound leaves room for an ulp of exp or tanh between ours and V8's
 *  libm. */
const NUMERIC = 1e-7;

/** The largest difference between two lists of numbers or of vectors, relative to the largest
 *  expected value (at least 1). */
function largestDifference(actual: unknown, expected: unknown): number {
  const flat = (v: unknown): number[] => (typeof v === "number" ? [v] : Array.from(v as ArrayLike<unknown>).flatMap(flat));
  const a = flat(actual), e = flat(expected);
  expect(a.length).toBe(e.length);
  return Math.max(...e.map((x, i) => Math.abs(a[i] - x))) / Math.max(1, ...e.map(Math.abs));
}

/** A brain.js net of `name` trained on `data` from seed 7. */
function trainedByBrain(name: keyof typeof brainjs.recurrent, data: unknown, iterations: number, options: object = {}): BrainJsNet {
  return withSeed(7, () => {
    const net = new brainjs.recurrent[name](options);
    net.train(data, { iterations });
    return net;
  });
}

describe("wasm-rnn/brain: brain.js's JSON, both ways", () => {
  for (const name of CHARACTER) {
    // brain.js's ReLU RNN overflows float32 on the input/output sentences within a few passes (its
    // run then answers garbage; ours stops with a NumericError): it is compared on the string example.
    const examples = name === "RNN" ? [["strings", README_STRINGS, 20]] as const : [["input/output", README_INPUT_OUTPUT, 40], ["strings", README_STRINGS, 20]] as const;
    for (const [label, data, iterations] of examples) {
      it(`${name} trained by brain.js on the README's ${label}: ours runs it to the same text, greedy and sampled`, () => {
        const theirs = trainedByBrain(name, data, iterations);
        const ours = new recurrent[name]().fromJSON(viaText(theirs.toJSON()));
        // the strings' characters only (brain.js's string nets have no "unrecognized" value)
        const prompts = [...data.map((d) => (typeof d === "string" ? d.slice(0, 4) : d.input)), label === "strings" ? "a dr" : "the", ""];
        for (const prompt of prompts) expect(ours.run(prompt), JSON.stringify(prompt)).toBe(theirs.run(prompt));
        for (const [seed, temperature] of [[1, 1], [2, 0.5], [3, 2]]) {
          const sampled = withSeed(seed, () => theirs.run(prompts[0], true, temperature));
          expect(withSeed(seed, () => ours.run(prompts[0], true, temperature))).toBe(sampled);
        }
        expect(viaText(ours.toJSON())).toEqual(viaText(theirs.toJSON()));
      });
    }
  }

  it("brain.js's toJSON object itself (Float32Arrays, its DataFormatter, its functions among the options) loads too", () => {
    const theirs = trainedByBrain("LSTM", README_INPUT_OUTPUT, 20);
    const ours = new recurrent.LSTM({ json: theirs.toJSON() });
    expect(ours.run("I feel great about the world!")).toBe(theirs.run("I feel great about the world!"));
    expect(viaText(ours.toJSON())).toEqual(viaText(theirs.toJSON()));
  });

  for (const name of TIME_STEP) {
    it(`${name} trained by brain.js on the README's numbers and vectors: ours runs and forecasts them within ${NUMERIC} (relative)`, () => {
      const numbers = trainedByBrain(name, README_NUMBERS, 200);
      const ours = new recurrent[name]().fromJSON(viaText(numbers.toJSON()));
      expect(largestDifference(ours.run([1, 2]), numbers.run([1, 2]))).toBeLessThanOrEqual(NUMERIC);
      expect(largestDifference(ours.forecast([1, 2], 3), numbers.forecast([1, 2], 3))).toBeLessThanOrEqual(NUMERIC);
      expect(viaText(ours.toJSON())).toEqual(viaText(numbers.toJSON()));

      const vectors = trainedByBrain(name, README_VECTORS, 200, { inputSize: 2, hiddenLayers: [10], outputSize: 2 });
      const ours2 = new recurrent[name]({ json: viaText(vectors.toJSON()) });
      expect(largestDifference(ours2.run([[1, 3], [2, 2]]), vectors.run([[1, 3], [2, 2]]))).toBeLessThanOrEqual(NUMERIC);
      expect(largestDifference(ours2.forecast([[1, 3]], 4), vectors.forecast([[1, 3]], 4))).toBeLessThanOrEqual(NUMERIC);
      expect(ours2.forecast([[1, 3]], 0)).toHaveLength(1); // brain.js gives one prediction for a count of 0
    });
  }

  it("nets trained by ours load in brain.js and give brain.js the same outputs", () => {
    // a ReLU RNN left to generate 100 characters overflows float32 (brain.js's too): a shorter run
    const rnn = withSeed(11, () => new recurrent.RNN({ maxPredictionLength: 20 }));
    rnn.train(README_STRINGS, { iterations: 15 });
    const theirs = new brainjs.recurrent.RNN();
    theirs.fromJSON(viaText(rnn.toJSON()));
    for (const prompt of ["doe", "ray", "me", "a f"]) expect(theirs.run(prompt)).toBe(rnn.run(prompt));
    expect(viaText(theirs.toJSON())).toEqual(viaText(rnn.toJSON()));

    const series = withSeed(12, () => new recurrent.RNNTimeStep({ inputSize: 2, hiddenLayers: [10], outputSize: 2 }));
    series.train(README_VECTORS, { iterations: 100 });
    const theirSeries = new brainjs.recurrent.RNNTimeStep();
    theirSeries.fromJSON(viaText(series.toJSON()));
    expect(largestDifference(theirSeries.run([[1, 3], [2, 2]]), series.run([[1, 3], [2, 2]]))).toBeLessThanOrEqual(NUMERIC);
    expect(largestDifference(theirSeries.forecast([[1, 3]], 3), series.forecast([[1, 3]], 3))).toBeLessThanOrEqual(NUMERIC);
  });

  for (const name of [...CHARACTER, ...TIME_STEP]) {
    it(`${name}: a new net initialises as brain.js does (same Math.random draws, same JSON), and brain.js runs ours`, () => {
      const ours = withSeed(5, () => new recurrent[name]().toJSON());
      const theirs = withSeed(5, () => new brainjs.recurrent[name]().toJSON());
      expect(weightDifference(ours, theirs).max).toBe(0);
      expect(viaText(ours)).toEqual(viaText(theirs));
      // brain.js runs our JSON as ours does (a time-step net on random weights: numbers)
      if ((TIME_STEP as readonly string[]).includes(name)) {
        const net = new brainjs.recurrent[name]();
        net.fromJSON(viaText(ours));
        const loaded = new recurrent[name as (typeof TIME_STEP)[number]]({ json: viaText(ours) });
        expect(largestDifference(loaded.forecast([0.5, -0.25], 3), net.forecast([0.5, -0.25], 3))).toBeLessThanOrEqual(NUMERIC);
      }
    });
  }

  it("a character net trained from a seed starts from brain.js's weights for that seed (its data formatter included)", () => {
    const rnn = withSeed(9, () => {
      const net = new recurrent.RNN({ hiddenLayers: [8, 5] });
      net.train(README_INPUT_OUTPUT, { iterations: 0 });
      return net.toJSON();
    });
    const theirs = withSeed(9, () => {
      const net = new brainjs.recurrent.RNN({ hiddenLayers: [8, 5] });
      net.train(README_INPUT_OUTPUT, { iterations: 0 });
      return net.toJSON();
    });
    expect(viaText(rnn)).toEqual(viaText(theirs));
  });
});
