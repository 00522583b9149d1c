// torch.nn.LSTM: options, parameter names and semantics as PyTorch, plus optional peepholes (ONNX)
// and an optional initial forget-gate bias (Gers et al.; Keras's unit_forget_bias).

import { Recurrent, type RecurrentOptions } from "./recurrent.js";
import { ShapeError } from "../errors.js";
import type { Random } from "../random.js";
import { describe, optionalBool, optionsObject } from "../validate.js";

export interface LSTMOptions extends RecurrentOptions {
  /** Project h to this size with weight_hr (PyTorch proj_size; 0 = none, must be < hiddenSize). */
  projSize?: number;
  /** Peephole connections p_i, p_f, p_o (parameter weight_ph_l{k} [3·H], order i f o; not in PyTorch). */
  peepholes?: boolean;
  /**
   * Initial forget-gate bias b_if + b_hf (split equally between the two vectors) instead of PyTorch's
   * small uniform values. A positive value (1–3) lets the cell keep its memory from the start, which
   * helps on long-range dependencies. Default: PyTorch's initialisation.
   */
  forgetBias?: number;
}

export class LSTM extends Recurrent {
  readonly projSize: number;
  private readonly forgetBias: number | undefined;

  constructor(options: LSTMOptions) {
    optionsObject(options, "LSTM: options", false);
    const projSize = options.projSize ?? 0;
    if (!Number.isInteger(projSize) || projSize < 0 || (typeof options.hiddenSize === "number" && projSize >= options.hiddenSize)) {
      throw new ShapeError(`LSTM: projSize must be an integer from 0 to hiddenSize − 1; got ${describe(projSize)}`);
    }
    const forgetBias = options.forgetBias;
    if (forgetBias !== undefined && (typeof forgetBias !== "number" || !Number.isFinite(forgetBias))) {
      throw new ShapeError(`LSTM: forgetBias must be a finite number; got ${describe(forgetBias)}`);
    }
    if (forgetBias !== undefined && options.bias === false) throw new ShapeError("LSTM: forgetBias needs bias: true");
    super(options, { kind: "lstm", name: "LSTM", projSize, peepholes: optionalBool(options?.peepholes, false, "LSTM: peepholes") });
    this.projSize = projSize;
    this.forgetBias = forgetBias;
    if (forgetBias !== undefined) this.setForgetBias(forgetBias);
  }

  override resetParameters(random?: Random): void {
    super.resetParameters(random);
    if (this.forgetBias !== undefined) this.setForgetBias(this.forgetBias);
  }

  /** Sets the forget-gate block (rows H…2H) of every bias vector to value / 2. */
  private setForgetBias(value: number): void {
    const H = this.hiddenSize;
    for (const { name, shape } of this.params.specs) {
      if (!name.startsWith("bias_")) continue;
      const bias = this.engine.read(this.params.ptr(name), shape[0]);
      bias.fill(value / 2, H, 2 * H);
      this.params.set(name, bias);
    }
  }
}
