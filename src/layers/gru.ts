// torch.nn.GRU: options, parameter names and semantics as PyTorch; `resetAfter: false` gives the
// original (Cho et al.) convention that ONNX and Keras use by default.

import { Recurrent, type RecurrentOptions } from "./recurrent.js";
import { FLAG_RESET_AFTER } from "../engine/abi.js";
import { optionalBool } from "../validate.js";

export interface GRUOptions extends RecurrentOptions {
  /** Apply the reset gate after the hidden product (PyTorch, default true) or before it (Cho et al.). */
  resetAfter?: boolean;
}

export class GRU extends Recurrent {
  readonly resetAfter: boolean;

  constructor(options: GRUOptions) {
    const resetAfter = optionalBool(options?.resetAfter, true, "GRU: resetAfter");
    super(options, { kind: "gru", name: "GRU", flags: resetAfter ? FLAG_RESET_AFTER : 0 });
    this.resetAfter = resetAfter;
  }
}
