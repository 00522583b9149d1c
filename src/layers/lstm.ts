// torch.nn.LSTM: options, parameter names and semantics as PyTorch, plus optional peepholes (ONNX).

import { Recurrent, type RecurrentOptions } from "./recurrent.js";
import { ShapeError } from "../errors.js";
import { describe, optionalBool } from "../validate.js";

export interface LSTMOptions extends RecurrentOptions {
  /** Project h to this size with weight_hr (PyTorch proj_size; 0 = none, must be < hiddenSize). */
  projSize?: number;
  /** Peephole connections p_i, p_f, p_o (parameter weight_ph_l{k} [3·H], order i f o; not in PyTorch). */
  peepholes?: boolean;
}

export class LSTM extends Recurrent {
  readonly projSize: number;

  constructor(options: LSTMOptions) {
    const projSize = options?.projSize ?? 0;
    if (!Number.isInteger(projSize) || projSize < 0 || (options && projSize >= options.hiddenSize)) {
      throw new ShapeError(`LSTM: projSize must be an integer from 0 to hiddenSize − 1; got ${describe(projSize)}`);
    }
    super(options, { kind: "lstm", name: "LSTM", projSize, peepholes: optionalBool(options?.peepholes, false, "LSTM: peepholes") });
    this.projSize = projSize;
  }
}
