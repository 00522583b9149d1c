// Keras activation names as wasm-rnn runs them: in place on the outputs of Dense and Activation
// layers, and as the cell options (ONNX names with alpha/beta) of recurrent layers. hard_sigmoid is
// tfjs's (and Keras 2's) clip(0.2·x + 0.5, 0, 1); Keras 3 changed it to x/6 + 0.5, which tfjs does not.

import type { Activation } from "../../layers/cell-options.js";
import type { JsonReader } from "./json.js";

interface ActivationDefinition {
  /** The same function as a recurrent-cell activation slot, when the kernels have it. */
  cell?: Activation;
  /** Applies the function in place to rows of `width` values. */
  apply(values: Float32Array, width: number): void;
}

function elementwise(f: (x: number) => number): (values: Float32Array) => void {
  return (values) => {
    for (let i = 0; i < values.length; i++) values[i] = f(values[i]);
  };
}

const ACTIVATIONS = {
  linear: { cell: { name: "Affine", alpha: 1, beta: 0 }, apply: () => {} },
  relu: { cell: { name: "Relu" }, apply: elementwise((x) => (x > 0 ? x : 0)) },
  tanh: { cell: { name: "Tanh" }, apply: elementwise(Math.tanh) },
  sigmoid: { cell: { name: "Sigmoid" }, apply: elementwise((x) => 1 / (1 + Math.exp(-x))) },
  hard_sigmoid: { cell: { name: "HardSigmoid", alpha: 0.2, beta: 0.5 }, apply: elementwise((x) => Math.min(1, Math.max(0, 0.2 * x + 0.5))) },
  elu: { cell: { name: "Elu", alpha: 1 }, apply: elementwise((x) => (x > 0 ? x : Math.expm1(x))) },
  softsign: { cell: { name: "Softsign" }, apply: elementwise((x) => x / (1 + Math.abs(x))) },
  softplus: { cell: { name: "Softplus" }, apply: elementwise((x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))) },
  softmax: { apply: softmax },
} satisfies Record<string, ActivationDefinition>;

export type KerasActivation = keyof typeof ACTIVATIONS;

/** Softmax over each row of `width` values. */
function softmax(values: Float32Array, width: number): void {
  for (let start = 0; start < values.length; start += width) {
    const row = values.subarray(start, start + width);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (let j = 0; j < width; j++) sum += row[j] = Math.exp(row[j] - max);
    for (let j = 0; j < width; j++) row[j] /= sum;
  }
}

/** The activation named by `key` of a layer config (Keras's snake_case or tfjs's camelCase name). */
export function readActivation(config: JsonReader, key: string, fallback: KerasActivation): KerasActivation {
  const given = config.string(key, fallback);
  const name = given.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  if (!Object.hasOwn(ACTIVATIONS, name)) {
    throw config.unsupported(`${key} ${JSON.stringify(given)} is not one wasm-rnn runs (${Object.keys(ACTIVATIONS).join(", ")})`);
  }
  return name as KerasActivation;
}

/** Applies an activation in place to rows of `width` values. */
export function applyActivation(name: KerasActivation, values: Float32Array, width: number): void {
  ACTIVATIONS[name].apply(values, width);
}

/** The activation as a recurrent-cell slot; UnsupportedError (from `config`) for softmax. */
export function cellActivation(name: KerasActivation, config: JsonReader, key: string): Activation {
  const definition: ActivationDefinition = ACTIVATIONS[name];
  if (!definition.cell) throw config.unsupported(`${key} ${name} inside a recurrent cell is not supported`);
  return definition.cell;
}
