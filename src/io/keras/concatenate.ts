// Keras Concatenate along one axis (not the batch axis). Masks combine as in Keras: along the last
// axis a step is valid when it is valid in every input that has a mask; along another axis a masked
// input is not supported.

import { FormatError, ShapeError } from "../../errors.js";
import { Tensor, shapeSize } from "../../tensor.js";
import { formatSymbolic, layerLabel, type KerasLayer, type SymbolicTensor, type Value } from "./layer.js";
import type { LayerEntry } from "./topology.js";

class KerasConcatenate implements KerasLayer {
  private readonly axis: number;
  private readonly label: string;

  constructor(private readonly entry: LayerEntry) {
    this.axis = entry.config.number("axis", -1);
    if (!Number.isInteger(this.axis)) throw entry.config.invalid("axis", "an integer");
    this.label = layerLabel(entry);
  }

  /** The axis as an index into a shape of this rank, or −1 when out of range or the batch axis. */
  private axisFor(rank: number): number {
    const a = this.axis < 0 ? this.axis + rank : this.axis;
    return a >= 1 && a < rank ? a : -1;
  }

  infer(inputs: readonly SymbolicTensor[]): SymbolicTensor[] {
    const where = this.entry.config.where;
    if (inputs.length < 2) throw new FormatError(`${where} is called on ${inputs.length} tensor(s); it joins two or more`);
    const rank = inputs[0].shape.length;
    const a = this.axisFor(rank);
    if (a < 0) throw this.entry.config.invalid("axis", `an axis of its rank-${rank} inputs other than the batch axis`);
    const shape = [...inputs[0].shape];
    for (const input of inputs.slice(1)) {
      const compatible = input.shape.length === rank && input.shape.every((d, i) => i === 0 || i === a || d === null || shape[i] === null || d === shape[i]);
      if (!compatible) throw new FormatError(`${where}: cannot join ${formatSymbolic(inputs[0].shape)} and ${formatSymbolic(input.shape)} along axis ${this.axis}`);
      shape[a] = shape[a] === null || input.shape[a] === null ? null : shape[a]! + input.shape[a]!;
    }
    const masked = inputs.some((input) => input.masked);
    if (masked && a !== rank - 1) throw this.entry.config.unsupported(`joining masked tensors along axis ${this.axis} (not the last) is not supported`);
    return [{ shape, masked }];
  }

  call(inputs: readonly Value[]): Value[] {
    const first = inputs[0].tensor.shape;
    const a = this.axisFor(first.length);
    for (const { tensor } of inputs) {
      if (tensor.shape.length !== first.length || tensor.shape.some((d, i) => i !== a && d !== first[i])) {
        throw new ShapeError(`${this.label}: inputs of shapes [${first.join(", ")}] and [${tensor.shape.join(", ")}] cannot be joined along axis ${this.axis}`);
      }
    }
    return [{ tensor: joinAlong(inputs.map((input) => input.tensor), a), mask: combinedMask(inputs) }];
  }

  dispose(): void {}

  quantized(): KerasLayer {
    return this;
  }
}

/** Tensors of one shape but for axis `a` (not 0), joined along it. */
export function joinAlong(tensors: readonly Tensor[], a: number): Tensor {
  const first = tensors[0].shape;
  const outer = shapeSize(first.slice(0, a));
  const blocks = tensors.map((t) => t.data.length / Math.max(outer, 1));
  const width = blocks.reduce((x, y) => x + y, 0);
  const out = new Float32Array(outer * width);
  for (let o = 0; o < outer; o++) {
    let at = o * width;
    tensors.forEach((t, i) => {
      out.set(t.data.subarray(o * blocks[i], (o + 1) * blocks[i]), at);
      at += blocks[i];
    });
  }
  const shape = [...first];
  shape[a] = tensors.reduce((n, t) => n + t.shape[a], 0);
  return new Tensor(out, shape);
}

/** Valid where every input with a mask is valid (inputs joined along their last axis share the mask's shape). */
function combinedMask(inputs: readonly Value[]): Uint8Array | null {
  const masks = inputs.map((input) => input.mask).filter((m): m is Uint8Array => m !== null);
  if (masks.length === 0) return null;
  return masks.reduce((all, m) => all.map((v, i) => v & m[i]));
}

export function buildConcatenate(entry: LayerEntry): KerasLayer {
  return new KerasConcatenate(entry);
}
