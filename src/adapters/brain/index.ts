// wasm-rnn/brain: brain.js's recurrent nets on wasm-rnn's kernels. `import { recurrent } from
// "wasm-rnn/brain"` replaces `require("brain.js").recurrent`: the same six classes, constructor
// options, train (with its errorThresh, iterations, log and callback), run, forecast, and toJSON /
// fromJSON in brain.js's JSON, both ways. Their arithmetic is brain.js 1.6.1's own, float32 value
// for value but on a rounding boundary (assembly/brain.ts, called by network.ts). brain.js itself is not needed. The engine starts when this module
// is imported (top-level await), since brain.js's nets are used synchronously.

import { init } from "../../index.js";
import { CELLS } from "./cells.js";
import type { RecurrentOptions, TimeStepOptions } from "./options.js";
import { RecurrentNet } from "./recurrent-net.js";
import { TimeStepNet } from "./time-step-net.js";

export type { RecurrentOptions, TimeStepOptions, TrainOptions, TrainStatus } from "./options.js";
export type { TrainResult } from "./training.js";
export type { RecurrentDatum, RecurrentJSON, Sequence } from "./recurrent-net.js";
export type { TimeStepData, TimeStepJSON } from "./time-step-net.js";
export type { RecurrentNet } from "./recurrent-net.js";
export type { TimeStepNet } from "./time-step-net.js";

/** brain.recurrent.RNN: a character net on ReLU recurrent layers. */
export class RNN extends RecurrentNet {
  constructor(options?: RecurrentOptions) {
    super(CELLS.RNN, options);
  }
}

/** brain.recurrent.LSTM: a character net on brain.js's LSTM (no separate cell state). */
export class LSTM extends RecurrentNet {
  constructor(options?: RecurrentOptions) {
    super(CELLS.LSTM, options);
  }
}

/** brain.recurrent.GRU: a character net on GRU layers (reset gate before the hidden product). */
export class GRU extends RecurrentNet {
  constructor(options?: RecurrentOptions) {
    super(CELLS.GRU, options);
  }
}

/** brain.recurrent.RNNTimeStep: a time-step net on ReLU recurrent layers. */
export class RNNTimeStep extends TimeStepNet {
  constructor(options?: TimeStepOptions) {
    super(CELLS.RNN, "RNNTimeStep", options);
  }
}

/** brain.recurrent.LSTMTimeStep: a time-step net on brain.js's LSTM. */
export class LSTMTimeStep extends TimeStepNet {
  constructor(options?: TimeStepOptions) {
    super(CELLS.LSTM, "LSTMTimeStep", options);
  }
}

/** brain.recurrent.GRUTimeStep: a time-step net on GRU layers. */
export class GRUTimeStep extends TimeStepNet {
  constructor(options?: TimeStepOptions) {
    super(CELLS.GRU, "GRUTimeStep", options);
  }
}

/** brain.js's `recurrent` namespace. */
export const recurrent = { RNN, LSTM, GRU, RNNTimeStep, LSTMTimeStep, GRUTimeStep };

await init();
