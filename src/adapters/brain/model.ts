// A brain.js recurrent net's matrices as brain.js holds them: row-major float32 weights, the deltas
// its backpropagation leaves, made in its order with its random initialisation (uniform ±0.08 from
// Math.random, so a seeded Math.random gives brain.js's own initial weights), and read from and
// written to its JSON ({ rows, columns, weights }, weights as brain.js's Float32Array, which
// JSON.stringify writes as { "0": …, "1": … }). Every matrix's weights (and deltas) are a view into
// one buffer in brain.js's allMatrices order, so the model goes to and from wasm memory in one copy.
// The arithmetic on them lives in assembly/brain.ts (through network.ts); this file only makes,
// checks and converts them.

import { FormatError } from "../../index.js";
import type { BrainCell } from "./cells.js";
import { jsonObject, kindOf } from "./described.js";

export interface Matrix {
  readonly rows: number;
  readonly columns: number;
  readonly weights: Float32Array;
  /** ∂loss/∂weights as brain.js's backpropagation leaves them for the update. */
  readonly deltas: Float32Array;
}

/** What brain.js's matrix JSON holds. */
export interface MatrixJSON {
  rows: number;
  columns: number;
  weights: Float32Array;
}

/** A model's matrices by brain.js's names. */
export interface ModelMatrices {
  /** Character nets: the input rows ([inputRange + 1, inputSize]; row 0 is the start/end token), else null. */
  readonly input: Matrix | null;
  /** Per hidden layer, the cell's matrices by brain.js's names. */
  readonly hiddenLayers: readonly Readonly<Record<string, Matrix>>[];
  /** [outputs, last hidden size] */
  readonly outputConnector: Matrix;
  /** [outputs, 1]: the output bias. */
  readonly output: Matrix;
}

export interface BrainModel extends ModelMatrices {
  /** Every matrix's weights in allMatrices' order (each matrix's weights are a view into it). */
  readonly weights: Float32Array;
  /** Every matrix's deltas, likewise. */
  readonly deltas: Float32Array;
}

/** The sizes a model is made or read with. */
export interface ModelLayout {
  /** Rows of the input matrix (character nets), or 0 when the input is the data itself (time-step nets). */
  readonly inputRows: number;
  /** Width of a step's input vector. */
  readonly inputSize: number;
  readonly hiddenLayers: readonly number[];
  /** Rows of the output matrices. */
  readonly outputRows: number;
  /** Whether the output bias starts random (time-step nets) rather than zero. */
  readonly randomOutputBias: boolean;
}

/** brain.js's RandomMatrix std. */
const STD = 0.08;

function matrix(rows: number, columns: number, random: boolean): Matrix {
  const weights = new Float32Array(rows * columns);
  // brain.js's randomF(−std, std), drawn in the same order
  if (random) for (let i = 0; i < weights.length; i++) weights[i] = Math.random() * (STD - -STD) + -STD;
  return { rows, columns, weights, deltas: new Float32Array(rows * columns) };
}

/** Each hidden layer's matrix shapes and whether brain.js starts it random (weights) or zero (biases). */
function layerShapes(cell: BrainCell, hiddenSize: number, previousSize: number): Map<string, { rows: number; columns: number; random: boolean }> {
  const shapes = new Map<string, { rows: number; columns: number; random: boolean }>();
  for (const g of cell.gates) {
    shapes.set(g.input, { rows: hiddenSize, columns: previousSize, random: true });
    shapes.set(g.hidden, { rows: hiddenSize, columns: hiddenSize, random: true });
    shapes.set(g.bias, { rows: hiddenSize, columns: 1, random: false });
  }
  return shapes;
}

/** A new model initialised as brain.js initialises one (same order of Math.random draws). */
export function createModel(cell: BrainCell, layout: ModelLayout): BrainModel {
  const input = layout.inputRows ? matrix(layout.inputRows, layout.inputSize, true) : null;
  const hiddenLayers = layout.hiddenLayers.map((size, l) => {
    const shapes = layerShapes(cell, size, l === 0 ? layout.inputSize : layout.hiddenLayers[l - 1]);
    return Object.fromEntries(cell.matrices.map((name) => {
      const s = shapes.get(name)!;
      return [name, matrix(s.rows, s.columns, s.random)];
    }));
  });
  const last = layout.hiddenLayers[layout.hiddenLayers.length - 1];
  const outputConnector = matrix(layout.outputRows, last, true);
  const output = matrix(layout.outputRows, 1, layout.randomOutputBias);
  return assemble({ input, hiddenLayers, outputConnector, output });
}

/** Every matrix in brain.js's order (its allMatrices: the update's order and its stepCache's keys). */
export function allMatrices(model: ModelMatrices): Matrix[] {
  return [...(model.input ? [model.input] : []), ...model.hiddenLayers.flatMap((layer) => Object.values(layer)), model.outputConnector, model.output];
}

/** The model of `matrices`, each now a view into the model's two buffers (their values copied in). */
function assemble(matrices: ModelMatrices): BrainModel {
  const loose = allMatrices(matrices);
  const total = loose.reduce((n, m) => n + m.weights.length, 0);
  const weights = new Float32Array(total), deltas = new Float32Array(total);
  const views = new Map<Matrix, Matrix>();
  let at = 0;
  for (const m of loose) {
    const end = at + m.weights.length;
    weights.set(m.weights, at);
    deltas.set(m.deltas, at);
    views.set(m, { rows: m.rows, columns: m.columns, weights: weights.subarray(at, end), deltas: deltas.subarray(at, end) });
    at = end;
  }
  const view = (m: Matrix) => views.get(m)!;
  return {
    input: matrices.input && view(matrices.input),
    hiddenLayers: matrices.hiddenLayers.map((layer) => Object.fromEntries(Object.entries(layer).map(([name, m]) => [name, view(m)]))),
    outputConnector: view(matrices.outputConnector),
    output: view(matrices.output),
    weights,
    deltas,
  };
}

export function matrixToJSON(m: Matrix): MatrixJSON {
  return { rows: m.rows, columns: m.columns, weights: m.weights.slice(0) };
}

/** The model's matrices as brain.js's toJSON writes them (input only for character nets). */
export function modelToJSON(model: BrainModel) {
  return {
    ...(model.input ? { input: matrixToJSON(model.input) } : {}),
    hiddenLayers: model.hiddenLayers.map((layer) => Object.fromEntries(Object.entries(layer).map(([name, m]) => [name, matrixToJSON(m)]))),
    outputConnector: matrixToJSON(model.outputConnector),
    output: matrixToJSON(model.output),
  };
}

/** A matrix of brain.js's JSON at `field`, checked against the shape the net needs. */
function readMatrix(value: unknown, field: string, rows: number, columns: number): Matrix {
  const json = jsonObject(value, field);
  if (json.rows !== rows || json.columns !== columns) {
    throw new FormatError(`brain.js JSON: ${field} must be a ${rows}×${columns} matrix (rows, columns); got ${kindOf(json.rows)}×${kindOf(json.columns)}`);
  }
  // brain.js's own JSON holds the weights as an object keyed "0", "1", … (a stringified Float32Array);
  // an array or a typed array is read the same way.
  const given = json.weights;
  if (given === null || typeof given !== "object") throw new FormatError(`brain.js JSON: ${field}.weights must be an array or an object keyed by index; got ${kindOf(given)}`);
  const source = given as Record<number, unknown>;
  const weights = new Float32Array(rows * columns);
  for (let i = 0; i < weights.length; i++) {
    const v = source[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new FormatError(`brain.js JSON: ${field}.weights[${i}] must be a finite number; got ${kindOf(v)}`);
    weights[i] = v;
  }
  return { rows, columns, weights, deltas: new Float32Array(rows * columns) };
}

/** Reads the matrices of brain.js's JSON for a net of `layout` (sizes from its options), checking
 *  every field; a FormatError names the first one that is missing or malformed. */
export function readModel(json: Record<string, unknown>, cell: BrainCell, layout: ModelLayout): BrainModel {
  const input = layout.inputRows ? readMatrix(json.input, "input", layout.inputRows, layout.inputSize) : null;
  // brain.js reads the older name hiddenSizes too
  const layers = json.hiddenLayers ?? json.hiddenSizes;
  if (!Array.isArray(layers) || layers.length !== layout.hiddenLayers.length) {
    throw new FormatError(`brain.js JSON: hiddenLayers must be an array of ${layout.hiddenLayers.length} layers (options.hiddenLayers has ${layout.hiddenLayers.length}); got ${kindOf(layers)}`);
  }
  const hiddenLayers = layout.hiddenLayers.map((size, l) => {
    const layer = jsonObject(layers[l], `hiddenLayers[${l}]`);
    const unknown = Object.keys(layer).filter((name) => !cell.matrices.includes(name));
    if (unknown.length) {
      throw new FormatError(`brain.js JSON: hiddenLayers[${l}].${unknown[0]} is not a matrix of brain.js's ${cell.name} (it has ${cell.matrices.join(", ")}): is this JSON of another kind of net?`);
    }
    const shapes = layerShapes(cell, size, l === 0 ? layout.inputSize : layout.hiddenLayers[l - 1]);
    return Object.fromEntries(cell.matrices.map((name) => {
      const s = shapes.get(name)!;
      return [name, readMatrix(layer[name], `hiddenLayers[${l}].${name}`, s.rows, s.columns)];
    }));
  });
  const last = layout.hiddenLayers[layout.hiddenLayers.length - 1];
  return assemble({
    input,
    hiddenLayers,
    outputConnector: readMatrix(json.outputConnector, "outputConnector", layout.outputRows, last),
    output: readMatrix(json.output, "output", layout.outputRows, 1),
  });
}
