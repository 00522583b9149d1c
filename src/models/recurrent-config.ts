// The recurrent part of a model as plain, JSON-serialisable options, and the layer it builds.
// Shared by every model so their configs (saved in checkpoints) describe the recurrent stack alike.

import type { CellKind } from "../engine/cells.js";
import { ShapeError } from "../errors.js";
import { GRU } from "../layers/gru.js";
import { LSTM } from "../layers/lstm.js";
import type { Recurrent } from "../layers/recurrent.js";
import { RNN } from "../layers/rnn.js";
import { describe } from "../validate.js";
import { kindOfCell, quantizedKinds, type QuantizedConfig } from "./quantized-kinds.js";

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
  if (cell !== "lstm" && cell !== "gru" && cell !== "rnn") throw new ShapeError(`cell must be "lstm", "gru" or "rnn"; got ${describe(cell)}`);
  const quantized = quantizedKinds(config.quantized, "quantized").has(kindOfCell(cell));
  const common = { inputSize, hiddenSize: config.hiddenSize, numLayers: config.numLayers, bidirectional: config.bidirectional, seed, quantized };
  if (cell === "lstm") return new LSTM({ ...common, projSize: config.projSize, forgetBias: config.forgetBias });
  if (cell === "gru") return new GRU({ ...common, resetAfter: config.resetAfter });
  return new RNN({ ...common, nonlinearity: config.nonlinearity });
}
