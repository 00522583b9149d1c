// Keras layers that act on each value alone and keep the mask: Activation, and Dropout (the identity
// at inference).

import { Tensor } from "../../tensor.js";
import { applyActivation, readActivation, type KerasActivation } from "./activations.js";
import { checkInputCount, type KerasLayer, type SymbolicTensor, type Value } from "./layer.js";
import type { LayerEntry } from "./topology.js";

class KerasElementwise implements KerasLayer {
  constructor(private readonly entry: LayerEntry, private readonly activation: KerasActivation) {}

  infer(inputs: readonly SymbolicTensor[]): SymbolicTensor[] {
    checkInputCount(inputs, [1], this.entry);
    return [{ shape: [...inputs[0].shape], masked: inputs[0].masked }];
  }

  call([x]: readonly Value[]): Value[] {
    if (this.activation === "linear") return [x];
    const { data, shape } = x.tensor;
    const values = data.slice();
    applyActivation(this.activation, values, shape[shape.length - 1] ?? 1);
    return [{ tensor: new Tensor(values, [...shape]), mask: x.mask }];
  }

  dispose(): void {}

  quantized(): KerasLayer {
    return this;
  }
}

export function buildActivation(entry: LayerEntry): KerasLayer {
  return new KerasElementwise(entry, readActivation(entry.config, "activation", "linear"));
}

export function buildDropout(entry: LayerEntry): KerasLayer {
  return new KerasElementwise(entry, "linear");
}
