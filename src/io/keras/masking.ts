// Keras Masking: a step whose features all equal mask_value is masked (and zeroed, as Keras does);
// recurrent layers downstream skip masked steps.

import { Tensor, shapeSize } from "../../tensor.js";
import { checkInputCount, checkSymbolic, type KerasLayer, type SymbolicTensor, type Value } from "./layer.js";
import type { LayerEntry } from "./topology.js";

class KerasMasking implements KerasLayer {
  private readonly maskValue: number;

  constructor(private readonly entry: LayerEntry) {
    this.maskValue = entry.config.number("mask_value", 0);
  }

  infer(inputs: readonly SymbolicTensor[]): SymbolicTensor[] {
    checkInputCount(inputs, [1], this.entry);
    checkSymbolic(inputs[0], -2, null, this.entry);
    return [{ shape: [...inputs[0].shape], masked: true }];
  }

  call([x]: readonly Value[]): Value[] {
    const { data, shape } = x.tensor;
    const width = shape[shape.length - 1];
    const rows = shapeSize(shape.slice(0, -1));
    const out = new Float32Array(data.length);
    const mask = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      const row = data.subarray(r * width, (r + 1) * width);
      if (row.some((v) => v !== this.maskValue)) {
        mask[r] = 1;
        out.set(row, r * width);
      }
    }
    return [{ tensor: new Tensor(out, [...shape]), mask }];
  }

  dispose(): void {}

  quantized(): KerasLayer {
    return this;
  }
}

export function buildMasking(entry: LayerEntry): KerasLayer {
  return new KerasMasking(entry);
}
