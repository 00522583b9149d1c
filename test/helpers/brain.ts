// What the tests of wasm-rnn/brain share: the brain.js package itself (the reference, CommonJS),
// brain.js's README examples as data, a seeded Math.random (brain.js initialises and samples with
// it, and so does the adapter, so both draw the same numbers), JSON as it travels (stringified and
// parsed), the largest weight difference between two nets' JSON, and a net's JSON with every weight
// moved by one float32 ulp (how far brain.js drifts from itself then is the yardstick for training).

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The parts of a brain.js recurrent net the tests use. */
export interface BrainJsNet {
  train(data: unknown, options?: object): { error: number; iterations: number };
  run(...args: unknown[]): unknown;
  forecast(input: unknown, count: number): unknown;
  toJSON(): object;
  fromJSON(json: object): void;
  model: { allMatrices: { weights: Float32Array; deltas: Float32Array }[] };
}

type BrainJsClass = new (options?: object) => BrainJsNet;

export const brainjs = require("brain.js") as { utilities: { DataFormatter: new (values: unknown[]) => object }; recurrent: Record<"RNN" | "LSTM" | "GRU" | "RNNTimeStep" | "LSTMTimeStep" | "GRUTimeStep", BrainJsClass> };

/** brain.js's README: "Example using direct strings" (LSTM). */
export const README_STRINGS = ["doe, a deer, a female deer", "ray, a drop of golden sun", "me, a name I call myself"];

/** brain.js's README: "Example using strings with inputs and outputs" (LSTM). */
export const README_INPUT_OUTPUT = [
  { input: "I feel great about the world!", output: "happy" },
  { input: "The world is a terrible place!", output: "sad" },
];

/** brain.js's README: the recurrent net's example (RNN), arrays in and out. */
export const README_ARRAYS = [
  { input: [0, 0], output: [0] },
  { input: [0, 1], output: [1] },
  { input: [1, 0], output: [1] },
  { input: [1, 1], output: [0] },
];

/** brain.js's README: time-step nets, "array of numbers" (LSTMTimeStep). */
export const README_NUMBERS = [[1, 2, 3]];

/** brain.js's README: time-step nets, "array of arrays of numbers" (LSTMTimeStep, inputSize 2, hiddenLayers [10], outputSize 2). */
export const README_VECTORS = [[1, 3], [2, 2], [3, 1]];

/** Runs `body` with Math.random replaced by a seeded generator (mulberry32). */
export function withSeed<T>(seed: number, body: () => T): T {
  const original = Math.random;
  let state = seed >>> 0;
  Math.random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  try {
    return body();
  } finally {
    Math.random = original;
  }
}

/** JSON as it is saved and read back. */
export function viaText<T>(json: T): T {
  return JSON.parse(JSON.stringify(json));
}

interface MatrixJSON {
  weights: Record<string, number>;
}
interface NetJSON {
  input?: MatrixJSON;
  hiddenLayers: Record<string, MatrixJSON>[];
  outputConnector: MatrixJSON;
  output: MatrixJSON;
}

/** Every matrix of a net's JSON, by name. */
function matrices(json: NetJSON): Map<string, MatrixJSON> {
  const out = new Map<string, MatrixJSON>();
  if (json.input) out.set("input", json.input);
  json.hiddenLayers.forEach((layer, l) => Object.entries(layer).forEach(([name, m]) => out.set(`hiddenLayers[${l}].${name}`, m)));
  out.set("outputConnector", json.outputConnector);
  out.set("output", json.output);
  return out;
}

/** Largest |a − b| over the weights of two nets' JSON of the same shape, and where it is. */
export function weightDifference(actual: object, expected: object): { max: number; where: string } {
  const a = matrices(viaText(actual) as NetJSON), e = matrices(viaText(expected) as NetJSON);
  if ([...a.keys()].join() !== [...e.keys()].join()) throw new Error(`different matrices: ${[...a.keys()]} vs ${[...e.keys()]}`);
  let max = 0, where = "";
  for (const [name, m] of e) {
    const other = a.get(name)!.weights;
    for (const [i, v] of Object.entries(m.weights)) {
      const d = Math.abs(other[i] - v);
      if (!(d <= max)) [max, where] = [d, `${name}[${i}]`];
    }
  }
  return { max, where };
}

/** A net's JSON with every nonzero weight moved by one float32 ulp, up or down as drawn from `seed`. */
export function nudged<T extends object>(json: T, seed: number): T {
  const copy = viaText(json) as unknown as NetJSON;
  const f = new Float32Array(1), bits = new Uint32Array(f.buffer);
  withSeed(seed, () => {
    for (const m of matrices(copy).values()) {
      for (const key of Object.keys(m.weights)) {
        f[0] = m.weights[key];
        if (f[0] === 0) continue;
        bits[0] += Math.random() < 0.5 ? 1 : -1;
        m.weights[key] = f[0];
      }
    }
  });
  return copy as unknown as T;
}
