// Evaluating a compiled graph: the nodes a set of outputs needs, in order, each kernel run on the
// values of a scope — and an If's chosen branch evaluated in a scope of its own that sees the
// enclosing values. With a tracer, the same walk also records what a plan needs (trace.ts): which
// values change from run to run, their shapes, and the step each node becomes.

import { FormatError } from "../../errors.js";
import { runKernel, type CompiledGraph } from "./compiled-graph.js";
import { nodesFor } from "./graph.js";
import type { OnnxTensor } from "./tensor.js";
import type { DynamicValue, Tracer } from "./trace.js";

/** A value during an evaluation: this run's tensor, and (when tracing) where it changes from run to run. */
export interface Traced {
  readonly tensor: OnnxTensor;
  /** null: the same at every run of a plan (a constant, a shape, a keyed input). */
  readonly dynamic: DynamicValue | null;
}

/** The values of one graph during one evaluation; a subgraph's scope reads its enclosing one's. */
export class Scope {
  private readonly values = new Map<string, Traced>();

  constructor(readonly graph: CompiledGraph, readonly parent: Scope | null) {}

  set(name: string, value: Traced): void {
    this.values.set(name, value);
  }

  get(name: string): Traced | undefined {
    const value = this.values.get(name);
    if (value) return value;
    const constant = this.graph.constant(name) ?? this.graph.defaults.get(name);
    if (constant) return { tensor: constant, dynamic: null };
    return this.parent?.get(name);
  }
}

/** Evaluates the nodes of `scope.graph` that `wanted` needs, leaving their values in `scope`. */
export function evaluate(scope: Scope, wanted: readonly string[], tracer: Tracer | null): void {
  const graph = scope.graph;
  const needed = new Set(nodesFor(graph.nodes.map((c) => c.node), wanted, new Set()));
  for (const compiled of graph.nodes) {
    if (!needed.has(compiled.node)) continue;
    const { node, kernel, where } = compiled;
    const inputs = node.inputs.map((name) => (name === "" ? null : scope.get(name) ?? missing(name, where)));
    let outputs: (Traced | null)[];
    if (kernel.branch) {
      if (tracer) tracer.needConstant(compiled, inputs);
      const branch = kernel.branch(inputs.map((t) => t?.tensor ?? null));
      const inner = new Scope(branch, scope);
      evaluate(inner, branch.outputNames, tracer);
      outputs = branch.outputNames.map((name) => inner.get(name) ?? missing(name, `${where}'s branch`));
    } else {
      const tensors = runKernel(compiled, inputs.map((t) => t?.tensor ?? null));
      outputs = tracer ? tracer.node(compiled, inputs, tensors) : tensors.map((tensor) => (tensor ? { tensor, dynamic: null } : null));
    }
    node.outputs.forEach((name, i) => {
      const t = outputs[i];
      if (name && t) scope.set(name, t);
    });
  }
}

function missing(name: string, where: string): never {
  throw new FormatError(`ONNX: ${where} needs "${name}", which was not computed`);
}
