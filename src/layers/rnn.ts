// torch.nn.RNN (Elman): options, parameter names and semantics as PyTorch.

import { Recurrent, type RecurrentOptions } from "./recurrent.js";
import { FLAG_RELU } from "../engine/abi.js";
import { ShapeError } from "../errors.js";
import { describe } from "../validate.js";

export interface RNNOptions extends RecurrentOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: "tanh" | "relu";
}

export class RNN extends Recurrent {
  readonly nonlinearity: "tanh" | "relu";

  constructor(options: RNNOptions) {
    const nonlinearity = options?.nonlinearity ?? "tanh";
    if (nonlinearity !== "tanh" && nonlinearity !== "relu") {
      throw new ShapeError(`RNN: nonlinearity must be "tanh" or "relu"; got ${describe(nonlinearity)}`);
    }
    super(options, { kind: "rnn", name: "RNN", flags: nonlinearity === "relu" ? FLAG_RELU : 0 });
    this.nonlinearity = nonlinearity;
  }
}
