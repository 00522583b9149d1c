// wasm-rnn/brain's bad input: malformed brain.js JSON is a FormatError naming the field (and leaves
// the net as it was); a brain.js option the adapter does not support — or that brain.js's recurrent
// nets ignore — is an UnsupportedError naming it; bad arguments are ShapeErrors and non-finite data
// NumericErrors, each naming what was wrong.

import { describe, expect, it } from "vitest";
import { recurrent } from "../../src/adapters/brain/index.js";
import { FormatError, NumericError, ShapeError, UnsupportedError } from "../../src/errors.js";
import { brainjs, README_INPUT_OUTPUT, README_NUMBERS, README_STRINGS, viaText, withSeed } from "../helpers/brain.js";
import { expectError } from "../helpers/errors.js";

/** brain.js JSON of an LSTM trained briefly by brain.js on the README's input/output sentences. */
function lstmJSON(): Record<string, any> {
  return withSeed(1, () => {
    const net = new brainjs.recurrent.LSTM({ hiddenLayers: [6, 5] });
    net.train(README_INPUT_OUTPUT, { iterations: 2 });
    return viaText(net.toJSON()) as Record<string, any>;
  });
}

describe("wasm-rnn/brain: malformed brain.js JSON is a FormatError naming the field", () => {
  const cases: [string, (json: Record<string, any>) => unknown, RegExp][] = [
    ["not an object", () => null, /the JSON must be an object; got null/],
    ["no options", (j) => ({ ...j, options: undefined }), /options must be an object; got undefined/],
    ["hiddenLayers option", (j) => ({ ...j, options: { ...j.options, hiddenLayers: [6, "5"] } }), /options: hiddenLayers must be a non-empty array of positive integers/],
    ["decayRate option", (j) => ({ ...j, options: { ...j.options, decayRate: 2 } }), /options: decayRate must be a number from 0 to 1; got 2/],
    ["a layer fewer", (j) => ({ ...j, hiddenLayers: j.hiddenLayers.slice(1) }), /hiddenLayers must be an array of 2 layers/],
    ["a missing matrix", (j) => { delete j.hiddenLayers[1].forgetHidden; return j; }, /hiddenLayers\[1\]\.forgetHidden must be an object; got undefined/],
    ["a matrix of the wrong shape", (j) => ({ ...j, outputConnector: { ...j.outputConnector, rows: 3 } }), /outputConnector must be a \d+×5 matrix \(rows, columns\); got 3×5/],
    ["a weight that is not a number", (j) => { j.input.weights["7"] = "0.5"; return j; }, /input\.weights\[7\] must be a finite number; got "0\.5"/],
    ["a NaN weight (null once stringified)", (j) => { j.hiddenLayers[0].inputBias.weights["2"] = null; return j; }, /hiddenLayers\[0\]\.inputBias\.weights\[2\] must be a finite number; got null/],
    ["too few weights", (j) => ({ ...j, output: { ...j.output, weights: [0.1, 0.2] } }), /output\.weights\[2\] must be a finite number; got undefined/],
    ["another class's type", (j) => ({ ...j, type: "GRU" }), /type is "GRU", but this net is a LSTM/],
    ["another cell's matrices", (j) => { j.hiddenLayers[0].weight = j.hiddenLayers[0].inputMatrix; delete j.type; return j; }, /hiddenLayers\[0\]\.weight is not a matrix of brain\.js's LSTM/],
    ["the data formatter's characters", (j) => { j.options.dataFormatter.characters = "abc"; return j; }, /options\.dataFormatter\.characters must be an array/],
    ["the data formatter's index table", (j) => { j.options.dataFormatter.indexTable.a = 999; return j; }, /options\.dataFormatter\.indexTable\["a"\] must be an index below/],
  ];
  for (const [label, corrupt, message] of cases) {
    it(label, () => {
      const net = new recurrent.LSTM().fromJSON(lstmJSON());
      const before = net.run("I feel great about the world!");
      expectError(() => net.fromJSON(corrupt(lstmJSON()) as object), FormatError, message);
      // the net is as it was
      expect(net.run("I feel great about the world!")).toBe(before);
    });
  }

  it("a time-step net's JSON: its matrices and sizes are checked the same way, and the constructor's json too", () => {
    const json = withSeed(2, () => viaText(new brainjs.recurrent.GRUTimeStep({ inputSize: 2, outputSize: 2, hiddenLayers: [4] }).toJSON()) as Record<string, any>);
    json.hiddenLayers[0].updateGateHiddenMatrix.columns = 3;
    expectError(() => new recurrent.GRUTimeStep({ json }), FormatError, /hiddenLayers\[0\]\.updateGateHiddenMatrix must be a 4×4 matrix/);
    expectError(() => new recurrent.RNNTimeStep().fromJSON(lstmJSON()), FormatError, /type is "LSTM", but this net is a RNNTimeStep/);
  });
});

describe("wasm-rnn/brain: an option it does not support is an UnsupportedError naming it", () => {
  it("constructor options brain.js's recurrent nets do not read", () => {
    expectError(() => new recurrent.LSTM({ timeout: 1000 } as object), UnsupportedError, /"timeout" is not supported \(brain\.js's recurrent train ignores it\)/);
    expectError(() => new recurrent.GRU({ momentum: 0.1 } as object), UnsupportedError, /"momentum"/);
    expectError(() => new recurrent.RNN({ activation: "tanh" } as object), UnsupportedError, /"activation" is not supported \(brain\.js's recurrent cells have fixed activations\)/);
    expectError(() => new recurrent.LSTM({ setupData: (d: unknown) => d } as object), UnsupportedError, /"setupData" is not supported \(a custom setupData runs against brain\.js's own internals\)/);
    expectError(() => new recurrent.LSTM({ praxis: "adam" } as object), UnsupportedError, /"praxis" is not supported \(brain\.js 1\.6\.1's recurrent nets do not read it\)/);
    expectError(() => new recurrent.LSTMTimeStep({ maxPredictionLength: 10 } as object), UnsupportedError, /"maxPredictionLength"/);
    expectError(() => new recurrent.GRUTimeStep({ dataFormatter: null } as object), UnsupportedError, /"dataFormatter"/);
  });

  it("train options brain.js's recurrent train does not read", () => {
    const net = new recurrent.RNNTimeStep();
    expectError(() => net.train(README_NUMBERS, { timeout: 10 } as object), UnsupportedError, /RNNTimeStep\.train: the option "timeout" is not supported/);
    expectError(() => net.train(README_NUMBERS, { momentum: 0.5 } as object), UnsupportedError, /"momentum"/);
  });

  it("time-step data of objects (brain.js's lookup tables)", () => {
    expectError(() => new recurrent.RNNTimeStep().train([{ low: 1, high: 2 }, { low: 2, high: 3 }] as never), UnsupportedError, /data of objects .* is not supported/);
    expectError(() => new recurrent.RNNTimeStep().train([[{ low: 1 }, { low: 2 }]] as never), UnsupportedError, /data of objects/);
  });
});

describe("wasm-rnn/brain: bad arguments are ShapeErrors (NumericErrors for non-finite data)", () => {
  it("option values out of range", () => {
    expectError(() => new recurrent.LSTM({ hiddenLayers: [20, 0] }), ShapeError, /LSTM: hiddenLayers must be a non-empty array of positive integers; got an array of 2/);
    expectError(() => new recurrent.RNNTimeStep({ inputSize: 1.5 }), ShapeError, /RNNTimeStep: inputSize must be a positive integer; got 1\.5/);
    expectError(() => new recurrent.RNN({ learningRate: -1 }), ShapeError, /learningRate must be a number above 0/);
    const net = new recurrent.RNNTimeStep();
    expectError(() => net.train(README_NUMBERS, { iterations: -1 }), ShapeError, /iterations must be an integer from 0/);
    expectError(() => net.train(README_NUMBERS, { errorThresh: "low" } as never), ShapeError, /errorThresh must be a number from 0; got "low"/);
    expectError(() => net.train(README_NUMBERS, { log: 1 } as never), ShapeError, /log must be true, false or a function; got 1/);
    expectError(() => net.train(README_NUMBERS, { callback: "f" } as never), ShapeError, /callback must be a function or null/);
    expectError(() => net.train(README_NUMBERS, { callbackPeriod: 0 }), ShapeError, /callbackPeriod must be a number above 0/);
  });

  it("running a net without weights", () => {
    expectError(() => new recurrent.LSTM().run("hello"), ShapeError, /LSTM\.run: the net has no weights yet; train it or load brain\.js JSON \(fromJSON\) first/);
    expectError(() => new recurrent.GRUTimeStep().forecast([1, 2], 2), ShapeError, /GRUTimeStep\.forecast: the net has no weights yet/);
  });

  it("training data of the wrong shape", () => {
    const net = new recurrent.RNN();
    expectError(() => net.train("doe, a deer" as never), ShapeError, /RNN\.train: data must be a non-empty array; got "doe, a deer"/);
    expectError(() => net.train([]), ShapeError, /data must be a non-empty array; got an array of 0/);
    expectError(() => net.train(["doe", 5] as never), ShapeError, /data\[1\] must be a string or an array of values like data\[0\]; got 5/);
    expectError(() => net.train([{ input: "a", output: 3 }] as never), ShapeError, /data\[0\] must be a string, an array of values, or \{ input, output \} of those/);
    const series = new recurrent.RNNTimeStep();
    expectError(() => series.train([[1, 2], [3, "4"]] as never), ShapeError, /data\[1\]\[1\] must be a number; got "4"/);
    expectError(() => series.train([[1, 2], [3, NaN]]), NumericError, /data\[1\]\[1\] is NaN; the data must be finite/);
    expectError(() => new recurrent.RNNTimeStep({ inputSize: 3, outputSize: 3 }).train([[[1, 2, 3], [1, 2]]]), ShapeError, /data\[0\]\[1\] must have 3 values \(the net's inputSize\); got 2/);
  });

  it("run and forecast arguments", () => {
    const words = new recurrent.RNN({ hiddenLayers: [6] });
    words.train(README_STRINGS, { iterations: 1 });
    expectError(() => words.run("doe!"), ShapeError, /RNN\.run: "!" is not among the values the net was trained on/);
    expectError(() => words.run(42 as never), ShapeError, /input must be a string or an array of values; got 42/);
    expectError(() => words.run("doe", true, 0), ShapeError, /temperature must be a number above 0; got 0/);
    words.maxPredictionLength = -3;
    expectError(() => words.run("doe"), ShapeError, /maxPredictionLength must be an integer from 0; got -3/);
    const series = new recurrent.RNNTimeStep({ inputSize: 2, outputSize: 2 });
    series.train([[[1, 2], [2, 3], [3, 4]]], { iterations: 1 });
    expectError(() => series.run([[1, 2], [3]]), ShapeError, /RNNTimeStep\.run: input\[1\] must have 2 values/);
    expectError(() => series.run([]), ShapeError, /input must be a non-empty array/);
    expectError(() => series.forecast([[1, 2]], -1), ShapeError, /count must be an integer from 0; got -1/);
    expectError(() => series.forecast([[1, 2]], 1.5), ShapeError, /count must be an integer from 0; got 1\.5/);
  });

  it("activations that leave float32's range are a NumericError (brain.js goes on with Infinity and NaN)", () => {
    // brain.js's ReLU RNN on the README's input/output sentences overflows within a few passes: its
    // run then answers a string of one repeated character
    const theirs = withSeed(6, () => {
      const net = new brainjs.recurrent.RNN();
      net.train(README_INPUT_OUTPUT, { iterations: 30 });
      return net;
    });
    const ours = new recurrent.RNN().fromJSON(viaText(theirs.toJSON()));
    expectError(() => ours.run("I feel great about the world!"), NumericError, /RNN\.run|run: the net's activations left float32's range/);
  });
});
