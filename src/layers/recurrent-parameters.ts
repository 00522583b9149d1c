// PyTorch's names and shapes for a recurrent layer's parameters (weight_ih_l{k}{_reverse},
// weight_hh, bias_ih, bias_hh, weight_hr for projections, weight_ph for peepholes), in PyTorch's order.

import { CELLS, type CellKind } from "../engine/cells.js";
import type { ParameterSpec } from "./parameters.js";

/** PyTorch's parameter names and shapes, in PyTorch's order. */
export function parameterSpecs(kind: CellKind, inputSize: number, H: number, P: number, layers: number, directions: number, bias: boolean, peepholes: boolean): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const G = CELLS[kind].gates * H;
  for (let l = 0; l < layers; l++) {
    for (let d = 0; d < directions; d++) {
      const s = suffix(l, d);
      specs.push({ name: `weight_ih${s}`, shape: [G, l === 0 ? inputSize : directions * P] });
      specs.push({ name: `weight_hh${s}`, shape: [G, P] });
      if (bias) {
        specs.push({ name: `bias_ih${s}`, shape: [G] });
        specs.push({ name: `bias_hh${s}`, shape: [G] });
      }
      if (P !== H) specs.push({ name: `weight_hr${s}`, shape: [P, H] });
      if (peepholes) specs.push({ name: `weight_ph${s}`, shape: [3 * H] });
    }
  }
  return specs;
}

export function suffix(layer: number, direction: number): string {
  return `_l${layer}${direction === 1 ? "_reverse" : ""}`;
}
