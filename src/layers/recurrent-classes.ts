// Each cell kind's layer class (engine/cells.ts's rows, as layers): what builds a layer of a kind —
// a model's config, a pool worker's copy, quantization's twin, the team's warm-up. A kind without a
// class here is an error, never another cell. (A layer knows its own kind: Recurrent.cell.)

import { cellKind, type CellKind } from "../engine/cells.js";
import { GRU, type GRUOptions } from "./gru.js";
import { LSTM, type LSTMOptions } from "./lstm.js";
import type { Recurrent } from "./recurrent.js";
import { RNN, type RNNOptions } from "./rnn.js";

/** The options of each kind's layer. */
export interface RecurrentOptionsOf {
  lstm: LSTMOptions;
  gru: GRUOptions;
  rnn: RNNOptions;
}

/** The layer class of each cell kind. */
export const RECURRENT_CLASSES: { [K in CellKind]: new (options: RecurrentOptionsOf[K]) => Recurrent } = { lstm: LSTM, gru: GRU, rnn: RNN };

/** A new layer of `kind` (a string from a config or a message: checked) with `options`. */
export function recurrentLayer(kind: unknown, options: RecurrentOptionsOf[CellKind], where: string): Recurrent {
  const Class = RECURRENT_CLASSES[cellKind(kind, where)] as new (options: RecurrentOptionsOf[CellKind]) => Recurrent;
  return new Class(options);
}
