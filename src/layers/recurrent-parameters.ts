// PyTorch's names and shapes for a recurrent layer's parameters (weight_ih_l{k}{_reverse},
// weight_hh, bias_ih, bias_hh, weight_hr for projections, weight_ph for peepholes), in PyTorch's
// order; quantized, the weights are int8, each followed by its row scales (`<name>_scale`).

import { CELLS, type CellKind } from "../engine/cells.js";
import type { ParameterSpec } from "./parameters.js";
import { scaleName } from "./quantize.js";

/** PyTorch's parameter names and shapes, in PyTorch's order (int8 weights with scales when quantized). */
export function parameterSpecs(kind: CellKind, inputSize: number, H: number, P: number, layers: number, directions: number, bias: boolean, peepholes: boolean,
                               quantized = false): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const G = CELLS[kind].gates * H;
  const weight = (name: string, shape: number[]) => {
    if (!quantized) return specs.push({ name, shape });
    specs.push({ name, shape, dtype: "int8" }, { name: scaleName(name), shape: [shape[0]] });
  };
  for (let l = 0; l < layers; l++) {
    for (let d = 0; d < directions; d++) {
      const s = suffix(l, d);
      weight(`weight_ih${s}`, [G, l === 0 ? inputSize : directions * P]);
      weight(`weight_hh${s}`, [G, P]);
      if (bias) {
        specs.push({ name: `bias_ih${s}`, shape: [G] });
        specs.push({ name: `bias_hh${s}`, shape: [G] });
      }
      if (P !== H) weight(`weight_hr${s}`, [P, H]);
      if (peepholes) specs.push({ name: `weight_ph${s}`, shape: [3 * H] });
    }
  }
  return specs;
}

export function suffix(layer: number, direction: number): string {
  return `_l${layer}${direction === 1 ? "_reverse" : ""}`;
}
