// The recurrent part of a model as plain, JSON-serialisable options, and the layer it builds.
// Shared by every model so their configs (saved in checkpoints) describe the recurrent stack alike.

import { CELL_KINDS, type CellKind } from "../engine/cells.js";
import { ShapeError } from "../errors.js";
import type { Recurrent } from "../layers/recurrent.js";
import { recurrentLayer } from "../layers/recurrent-classes.js";
import { describe } from "../validate.js";
import { quantizedKinds, type QuantizedConfig } from "./quantized-kinds.js";

export type CellName = CellKind;

export interface RecurrentConfig {
  /** Cell type (default "lstm"). */
  cell?: CellName;
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  /** RNN only. */
  nonlinearity?: "tanh" | "relu";
  /** GRU only (default true, PyTorch's convention). */
  resetAfter?: boolean;
  /** LSTM only. */
  projSize?: number;
  /** LSTM only: initial forget-gate bias (see LSTMOptions.forgetBias). */
  forgetBias?: number;
  /** int8 weights with per-row scales, in every quantizable layer (true) or in the layers of the kinds
   *  listed (quantizeDynamic sets this; such a model runs inference only). */
  quantized?: QuantizedConfig;
}

/** @internal The recurrent layer a model config asks for. */
export function buildRecurrent(config: RecurrentConfig, inputSize: number, seed: number | undefined): Recurrent {
  const cell = config.cell ?? "lstm";
  if (!CELL_KINDS.includes(cell)) throw new ShapeError(`cell must be one of ${CELL_KINDS.map((k) => `"${k}"`).join(", ")}; got ${describe(cell)}`);
  const quantized = quantizedKinds(config.quantized, "quantized").has(cell);
  // Each layer takes the options that are its own (LSTM projSize and forgetBias, GRU resetAfter, RNN
  // nonlinearity); undefined ones are its defaults.
  const { projSize, forgetBias, resetAfter, nonlinearity } = config;
  const own = cell === "lstm" ? { projSize, forgetBias } : cell === "gru" ? { resetAfter } : cell === "rnn" ? { nonlinearity } : {};
  return recurrentLayer(cell, { inputSize, hiddenSize: config.hiddenSize, numLayers: config.numLayers, bidirectional: config.bidirectional, seed, quantized, ...own }, "cell");
}
