// The recurrent-layer case table (recurrent.json, one row per line: adding a case is adding a line),
// typed, and what the table-driven tests build from a row: the layer, its inputs and the loss weights
// of L = ⟨output, R⟩ + ⟨hN, S⟩ + ⟨cN, U⟩. Checks nothing itself: each test picks rows by their flags.

import { readFileSync } from "node:fs";
import type { CellKind } from "../../src/index.js";
import type { CellOptions } from "../../src/layers/cell-options.js";
import { Random } from "../../src/random.js";
import type { RecurrentSpec } from "../reference/recurrent.js";

/** A row's layer options, with our option names (those of LSTMOptions, GRUOptions, RNNOptions). */
export interface CaseOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  bias?: boolean;
  batchFirst?: boolean;
  projSize?: number;
  peepholes?: boolean;
  resetAfter?: boolean;
  nonlinearity?: "tanh" | "relu";
  /** ONNX/Keras activations, clip, coupled gates (an internal option): with a clip the layer runs forward only. */
  cellOptions?: CellOptions;
}

export interface RecurrentCase {
  /** The row's name; for a PyTorch row also its fixture's file name. */
  name: string;
  cell: CellKind;
  options: CaseOptions;
  T: number;
  B: number;
  /** The input is one sequence [T, I] without a batch dimension (B is 1). */
  unbatched?: boolean;
  /** Valid steps per sequence (absent: all T). */
  lengths?: number[];
  /** Initial states h0 (and c0) are given (absent: zeros). */
  states?: boolean;
  /** The layer's weight seed; its inputs and loss weights come from seed + INPUT_SEED_OFFSET. (A PyTorch
   *  row's fixture has weights and inputs of its own, drawn by the generator.) */
  seed: number;
  /** No PyTorch fixture: PyTorch lacks the feature (peepholes, GRU reset-before, ONNX cell options)
   *  or the row is too large to commit as a fixture. */
  pytorch?: false;
  /** Not checked against the float64 reference (it has PyTorch's activations only, not ONNX's). */
  reference?: false;
  /** No finite-difference check: the layer runs forward only, or ±ε moves ReLU pre-activations across
   *  0 (a kink the central difference straddles); the reference still checks their gradients. */
  finiteDifferences?: false;
  /** A row of the thread-team test: whether it also runs backward there, and `split: false` when its
   *  kernels must stay on one thread (every other row is big enough to split every kernel call). */
  threads?: { backward: boolean; split?: false };
  /** The benchmark runs the row with inputSize, hiddenSize, projSize, T and lengths times this. */
  benchScale?: number;
}

/** Keeps a row's input stream apart from its weight stream (the layer seeds its Random with `seed`). */
const INPUT_SEED_OFFSET = 1000;

export const RECURRENT_CASES: readonly RecurrentCase[] = JSON.parse(readFileSync(new URL("./recurrent.json", import.meta.url), "utf8"));

/** The row's options with every default filled in, as the reference kernels take them. */
export function recurrentSpec(row: RecurrentCase): RecurrentSpec {
  const o = row.options;
  return {
    cell: row.cell,
    inputSize: o.inputSize,
    hiddenSize: o.hiddenSize,
    numLayers: o.numLayers ?? 1,
    bidirectional: o.bidirectional ?? false,
    bias: o.bias ?? true,
    batchFirst: o.batchFirst ?? false,
    projSize: o.projSize ?? 0,
    peepholes: o.peepholes ?? false,
    resetAfter: o.resetAfter ?? true,
    nonlinearity: o.nonlinearity ?? "tanh",
  };
}

/** The row's layer, built with the given classes (the sources' or the built package's). */
export function makeLayer<L>(row: RecurrentCase, classes: Record<CellKind, new (options: CaseOptions & { seed: number }) => L>): L {
  return new classes[row.cell]({ ...row.options, seed: row.seed });
}

/** A shape and row-major float32 values (what the layers accept as a tensor). */
export interface CaseTensor {
  shape: number[];
  data: Float32Array;
}

/** Shapes of a row's tensors, in the layout the layer takes and returns (batchFirst, unbatched). */
function caseShapes(row: RecurrentCase): { x: number[]; output: number[]; hN: number[]; cN: number[] | null } {
  const spec = recurrentSpec(row);
  const { T, B } = row;
  const P = spec.projSize || spec.hiddenSize, LD = spec.numLayers * (spec.bidirectional ? 2 : 1);
  const sequence = (features: number) => (row.unbatched ? [T, features] : spec.batchFirst ? [B, T, features] : [T, B, features]);
  const state = (features: number) => (row.unbatched ? [LD, features] : [LD, B, features]);
  return {
    x: sequence(spec.inputSize),
    output: sequence((spec.bidirectional ? 2 : 1) * P),
    hN: state(P),
    cN: row.cell === "lstm" ? state(spec.hiddenSize) : null,
  };
}

/** A row's inputs and loss weights: x, R, S, U uniform in (−1, 1), h0 and c0 in (−0.5, 0.5). */
export interface CaseData {
  x: CaseTensor;
  h0?: CaseTensor;
  c0?: CaseTensor;
  lengths?: number[];
  /** R = ∂L/∂output */
  gradOutput: CaseTensor;
  /** S = ∂L/∂hN */
  gradHN: CaseTensor;
  /** U = ∂L/∂cN (LSTM) */
  gradCN?: CaseTensor;
}

/** The row's inputs and loss weights, the same on every call. */
export function caseData(row: RecurrentCase): CaseData {
  const random = new Random(row.seed + INPUT_SEED_OFFSET);
  const uniform = (shape: number[], scale = 1): CaseTensor => ({
    shape,
    data: random.uniformArray(shape.reduce((a, b) => a * b, 1), -scale, scale),
  });
  const shapes = caseShapes(row);
  const x = uniform(shapes.x);
  const h0 = row.states ? uniform(shapes.hN, 0.5) : undefined;
  const c0 = row.states && shapes.cN ? uniform(shapes.cN, 0.5) : undefined;
  return {
    x, h0, c0, lengths: row.lengths,
    gradOutput: uniform(shapes.output),
    gradHN: uniform(shapes.hN),
    gradCN: shapes.cN ? uniform(shapes.cN) : undefined,
  };
}
