// What an ONNX operator is to the session: a builder that reads the node's attributes once at
// create time (and may use the inputs already known then: initializers and constants) and returns a
// kernel. A kernel maps input tensors to output tensors (`run`: the interpreter, and constant
// folding); it may also offer a plan step (`plan`): the same computation on buffers already in wasm
// memory, for the plans a session compiles per input signature (../plan.ts), where a frame is a
// handful of wasm calls with no allocation. A kernel with no step runs `run` inside the plan.

import type { Engine } from "../../../engine/engine.js";
import type { QuantizableKind } from "../../../models/quantized-kinds.js";
import type { Attributes } from "../attributes.js";
import type { CompiledGraph } from "../compiled-graph.js";
import type { OnnxTensor, OnnxType } from "../tensor.js";

/** An input or output: a tensor, or null for an optional one left out (an empty name in the node). */
export type Value = OnnxTensor | null;

export interface Kernel {
  /** Outputs in the node's order (null for an output this kernel does not produce). */
  run(inputs: readonly Value[]): Value[];
  /** A plan step computing the node from float32 inputs in wasm memory (null: run `run` in the plan). */
  plan?(node: PlanNode): PlannedStep | null;
  /** Control flow (If): the subgraph to evaluate in the node's place, chosen from the inputs; its
   *  outputs are the node's. */
  branch?(inputs: readonly Value[]): CompiledGraph;
  /** Frees what the kernel holds in wasm memory. */
  dispose?(): void;
}

export interface BuildContext {
  /** The model's opset for the default domain. */
  readonly opset: number;
  /** The node as error messages name it: `node "x" (LSTM)`. */
  readonly where: string;
  readonly attrs: Attributes;
  /** How many outputs the node has (empty names for ones it leaves out included). */
  readonly outputs: number;
  /** Whether the node's float weights, of a layer of `kind`, go on the int8 kernels (a session
   *  quantizeDynamic made, selecting `kind`). Asked only by nodes that have such weights, so the
   *  session learns which kinds it could quantize. */
  quantizes(kind: QuantizableKind): boolean;
  /** Input i if known at create time (an initializer or constant; null when the node leaves it out), else undefined. */
  known(i: number): Value | undefined;
  /** Compiles a subgraph attribute's graph (If's branches) in the node's scope. */
  subgraph(name: string): CompiledGraph;
}

export interface OpSpec {
  /** Minimum and maximum number of inputs (the first `min` must be present). */
  inputs: readonly [number, number];
  /** Maximum number of outputs (a node leaves out the ones it does not want with empty names). */
  outputs: number;
  build(ctx: BuildContext): Kernel;
  /** Whether a node of this op with only known inputs may be computed once at create time (default true). */
  foldable?: boolean;
  /** Inputs whose values fix the outputs' shapes (Reshape's shape, Slice's starts, …) or the control
   *  flow (If's condition): a plan is compiled only where they are the same at every run. */
  shapeInputs?: readonly number[];
  /** The outputs depend on the inputs' shapes alone (Shape, Size): constant in a plan whatever the data. */
  shapeOnly?: boolean;
  /** Inputs that are weights: known at create time, they must be finite (a NaN or infinity there,
   *  often a float16 overflow, is a NumericError naming the node, not silent garbage). */
  weights?: readonly number[];
}

/** A kernel that is a plain function of its inputs. */
export function pure(f: (inputs: readonly Value[]) => OnnxTensor): Kernel {
  return { run: (inputs) => [f(inputs)] };
}

/** A kernel whose output is its input 0 under other dims (Reshape, Squeeze, Identity, …): in a plan, no work at all. */
export function view(f: (inputs: readonly Value[]) => OnnxTensor): Kernel {
  return { run: (inputs) => [f(inputs)], plan: () => ({ alias: 0 }) };
}

/** A value as a plan step sees it while the plan is compiled. */
export interface PlanValue {
  readonly type: OnnxType;
  readonly dims: readonly number[];
  /** The value when it is the same at every run of the plan (a weight, a shape), else null: the
   *  step then reads it from wasm memory (float32 values only). */
  readonly constant: OnnxTensor | null;
}

/** A node as a plan compiles it: its inputs and outputs with the types and dims every run of the plan has. */
export interface PlanNode {
  readonly where: string;
  readonly engine: Engine;
  readonly inputs: readonly (PlanValue | null)[];
  readonly outputs: readonly (PlanValue | null)[];
}

/** Byte addresses in wasm memory, fixed once the plan's memory is laid out. */
export interface StepAddresses {
  /** Input i's address (its float32 data), or 0 for a constant or absent input. */
  input(i: number): number;
  /** Output i's address, or 0 for an absent output. */
  output(i: number): number;
  /** The step's scratch (scratchBytes), valid only during its call. */
  readonly scratch: number;
}

/** An element-wise activation a convolution's epilogue can apply (assembly/conv.ts's act codes:
 *  1 relu, 2 sigmoid, 3 tanh, 4 prelu with per-channel `slopes`, 5 leaky relu with `alpha`). */
export interface FusedActivation {
  readonly code: number;
  readonly alpha: number;
  readonly slopes?: Float32Array;
}

/** What a kernel's plan step does at each run. */
export type PlannedStep =
  /** Output 0 is input `alias` under other dims (Reshape, Squeeze, Identity, …): no work. */
  | { readonly alias: number }
  | {
      /** Bytes of scratch wasm memory the step uses during its call. */
      readonly scratchBytes?: number;
      /** The call made at each run, given the addresses. */
      make(at: StepAddresses): () => void;
      /** Frees what the step holds in wasm memory (packed weights). */
      dispose?(): void;
      /** This step is an activation a producer's epilogue can apply instead. */
      readonly activation?: FusedActivation;
      /** A producer taking `activation` into its epilogue (before make): true when it can. */
      fuse?(activation: FusedActivation): boolean;
    };
