// If: evaluates then_branch or else_branch (subgraphs compiled with the node, reading the enclosing
// graph's values) by its one-element bool condition. Both branches must have as many outputs as the
// node. A condition known at create (a constant, or computed from constants) picks its branch then,
// and the other is freed. Otherwise, in a plan the condition must be the same at every run (Silero
// picks its sample rate's branch from its `sr` input): tracing inlines the branch taken and keys the
// plan on the inputs the condition comes from.

import { FormatError, ShapeError } from "../../../errors.js";
import type { CompiledGraph } from "../compiled-graph.js";
import type { Kernel, OpSpec, Value } from "./kernel.js";
import { input } from "./values.js";

/** The branch a condition picks, or a ShapeError naming the node when it is not one bool. */
function chosen(condition: Value, thenBranch: CompiledGraph, elseBranch: CompiledGraph, where: string): CompiledGraph {
  const c = input([condition], 0, where);
  if (c.size !== 1 || (c.type !== "bool" && c.type !== "uint8")) {
    throw new ShapeError(`${where}: the condition must be one bool; got ${c.type} [${c.dims.join(", ")}]`);
  }
  return c.data[0] ? thenBranch : elseBranch;
}

const If: OpSpec = {
  inputs: [1, 1],
  outputs: Infinity,
  foldable: false,
  shapeInputs: [0],
  build: ({ where, subgraph, outputs, known }): Kernel => {
    const thenBranch = subgraph("then_branch"), elseBranch = subgraph("else_branch");
    const disposeBoth = () => {
      thenBranch.dispose();
      elseBranch.dispose();
    };
    for (const [branch, name] of [[thenBranch, "then_branch"], [elseBranch, "else_branch"]] as const) {
      if (branch.outputNames.length !== outputs) {
        disposeBoth();
        throw new FormatError(`ONNX: ${where} has ${outputs} outputs but its ${name} has ${branch.outputNames.length}`);
      }
    }
    const run = () => {
      throw new Error(`${where}: an If is evaluated through its branch`);
    };
    const condition = known(0);
    if (condition) {
      // Known at create (a constant, or computed from constants): the branch is chosen now and the
      // other one freed.
      let taken: CompiledGraph;
      try {
        taken = chosen(condition, thenBranch, elseBranch, where);
      } catch (e) {
        disposeBoth();
        throw e;
      }
      (taken === thenBranch ? elseBranch : thenBranch).dispose();
      return { run, branch: () => taken, dispose: () => taken.dispose() };
    }
    return { run, branch: (inputs) => chosen(inputs[0], thenBranch, elseBranch, where), dispose: disposeBoth };
  },
};

export const CONTROL_OPS: Record<string, OpSpec> = { If };
