// What an ONNX operator is to the session: a builder that reads the node's attributes once at
// create time (and may use the inputs already known then: initializers and constants) and returns a
// kernel that maps input tensors to output tensors at run time.

import type { QuantizableKind } from "../../../models/quantized-kinds.js";
import type { Attributes } from "../attributes.js";
import type { OnnxTensor } from "../tensor.js";

/** An input or output: a tensor, or null for an optional one left out (an empty name in the node). */
export type Value = OnnxTensor | null;

export interface Kernel {
  /** Outputs in the node's order (null for an output this kernel does not produce). */
  run(inputs: readonly Value[]): Value[];
  /** Frees what the kernel holds in wasm memory. */
  dispose?(): void;
}

export interface BuildContext {
  /** The model's opset for the default domain. */
  readonly opset: number;
  /** The node as error messages name it: `node "x" (LSTM)`. */
  readonly where: string;
  readonly attrs: Attributes;
  /** Whether the node's float weights, of a layer of `kind`, go on the int8 kernels (a session
   *  quantizeDynamic made, selecting `kind`). Asked only by nodes that have such weights, so the
   *  session learns which kinds it could quantize. */
  quantizes(kind: QuantizableKind): boolean;
  /** Input i if known at create time (an initializer or constant; null when the node leaves it out), else undefined. */
  known(i: number): Value | undefined;
}

export interface OpSpec {
  /** Minimum and maximum number of inputs (the first `min` must be present). */
  inputs: readonly [number, number];
  /** Maximum number of outputs (a node leaves out the ones it does not want with empty names). */
  outputs: number;
  build(ctx: BuildContext): Kernel;
  /** Whether a node of this op with only known inputs may be computed once at create time (default true). */
  foldable?: boolean;
}

/** A kernel that is a plain function of its inputs. */
export function pure(f: (inputs: readonly Value[]) => OnnxTensor): Kernel {
  return { run: (inputs) => [f(inputs)] };
}
