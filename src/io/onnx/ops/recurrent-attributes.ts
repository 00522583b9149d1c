// The attributes of ONNX LSTM, GRU and RNN nodes as our layers' options: direction, layout,
// hidden_size, linear_before_reset, and the cell options — activations (names matched without
// regard to case) with activation_alpha/activation_beta, clip, input_forget. Like onnxruntime, the
// alpha and beta lists are consumed in activation order by the functions that take them. Default cells need no
// cell options, so they run the layers' fast paths (an RNN whose activations are all Relu included).

import { FormatError, UnsupportedError } from "../../../errors.js";
import { ACTIVATIONS, DEFAULT_ACTIVATIONS, type Activation, type ActivationName, type CellOptions } from "../../../layers/cell-options.js";
import type { CellKind } from "../../../engine/cells.js";
import type { Attributes } from "../attributes.js";

/** The cells ONNX has operators for (LSTM, GRU, RNN), as our kinds. A cell of ours that ONNX does
 *  not define (docs/ARCHITECTURE.md, "Adding a cell") needs nothing here. */
export type OnnxCellKind = Extract<CellKind, "lstm" | "gru" | "rnn">;

export interface RecurrentConfig {
  kind: OnnxCellKind;
  /** hidden_size, or null to take it from R. */
  hiddenSize: number | null;
  directions: 1 | 2;
  /** direction = "reverse": one direction, run over each sequence backwards. */
  reverse: boolean;
  /** layout = 1: X [B, T, I], Y [B, T, D, H], states [B, D, H]. */
  batchMajor: boolean;
  /** GRU: linear_before_reset = 1 (our resetAfter). */
  resetAfter: boolean;
  /** RNN: Relu activations with no other option run as nonlinearity "relu". */
  relu: boolean;
  cellOptions: CellOptions | undefined;
}

/** How many of alpha, beta each activation takes (the others take none). */
const PARAMETER_COUNT: Partial<Record<ActivationName, 1 | 2>> = { Affine: 2, LeakyRelu: 1, ThresholdedRelu: 1, ScaledTanh: 2, HardSigmoid: 2, Elu: 1 };
const BY_LOWER_CASE = new Map(Object.keys(ACTIVATIONS).map((name) => [name.toLowerCase(), name as ActivationName]));

export function recurrentConfig(kind: OnnxCellKind, attrs: Attributes): RecurrentConfig {
  const where = attrs.where;
  const hiddenSize = attrs.has("hidden_size") ? attrs.int("hidden_size", 0) : null;
  if (hiddenSize !== null && hiddenSize < 1) throw new FormatError(`ONNX: ${where}: hidden_size must be positive; got ${hiddenSize}`);
  const direction = attrs.string("direction", "forward");
  if (direction !== "forward" && direction !== "reverse" && direction !== "bidirectional") {
    throw new FormatError(`ONNX: ${where}: direction must be "forward", "reverse" or "bidirectional"; got ${JSON.stringify(direction)}`);
  }
  const layout = attrs.int("layout", 0);
  if (layout !== 0 && layout !== 1) throw new FormatError(`ONNX: ${where}: layout must be 0 or 1; got ${layout}`);
  const directions = direction === "bidirectional" ? 2 : 1;
  const resetAfter = kind === "gru" && attrs.int("linear_before_reset", 0) !== 0;
  const inputForget = kind === "lstm" && attrs.int("input_forget", 0) !== 0;
  const clip = attrs.has("clip") ? attrs.float("clip", 0) : 0;
  if (attrs.has("clip") && !(clip > 0 && Number.isFinite(clip))) throw new FormatError(`ONNX: ${where}: clip must be a positive number; got ${clip}`);
  const activations = activationsOf(kind, directions, attrs);
  const isDefault = activations.every((a, k) => a.name === DEFAULT_ACTIVATIONS[kind][k % DEFAULT_ACTIVATIONS[kind].length]);
  const relu = kind === "rnn" && activations.every((a) => a.name === "Relu");
  const plain = clip === 0 && !inputForget && (isDefault || relu);
  return {
    kind, hiddenSize, directions, resetAfter, relu: plain && relu,
    reverse: direction === "reverse",
    batchMajor: layout === 1,
    cellOptions: plain ? undefined : { activations, clip, inputForget },
  };
}

/** One activation per slot and direction (forward's first), with alpha and beta filled in. */
function activationsOf(kind: OnnxCellKind, directions: number, attrs: Attributes): Activation[] {
  const slots = DEFAULT_ACTIVATIONS[kind].length;
  const names = attrs.strings("activations") ?? Array.from({ length: directions }, () => DEFAULT_ACTIVATIONS[kind]).flat();
  const alphas = attrs.floats("activation_alpha") ?? [], betas = attrs.floats("activation_beta") ?? [];
  if (names.length !== slots * directions) throw new FormatError(`ONNX: ${attrs.where}: activations needs ${slots * directions} names (${slots} per direction); got ${names.length}`);
  let a = 0, b = 0;
  return names.map((given) => {
    const name = BY_LOWER_CASE.get(given.toLowerCase());
    if (!name) throw new UnsupportedError(`ONNX: ${attrs.where}: activation ${JSON.stringify(given)} is not one of ${Object.keys(ACTIVATIONS).join(", ")}`);
    const count = PARAMETER_COUNT[name] ?? 0;
    return { name, alpha: count >= 1 ? alphas[a++] : undefined, beta: count === 2 ? betas[b++] : undefined };
  });
}
