// If: evaluates then_branch or else_branch (subgraphs compiled with the node, reading the enclosing
// graph's values) by its one-element bool condition. Both branches must have as many outputs as the
// node. In a plan the condition must be the same at every run (Silero picks its sample rate's
// branch): tracing inlines the branch taken and keys the plan on the inputs the condition comes from.

import { FormatError, ShapeError } from "../../../errors.js";
import type { Kernel, OpSpec } from "./kernel.js";
import { input } from "./values.js";

const If: OpSpec = {
  inputs: [1, 1],
  outputs: Infinity,
  foldable: false,
  shapeInputs: [0],
  build: ({ where, subgraph, outputs }): Kernel => {
    const thenBranch = subgraph("then_branch"), elseBranch = subgraph("else_branch");
    for (const [branch, name] of [[thenBranch, "then_branch"], [elseBranch, "else_branch"]] as const) {
      if (branch.outputNames.length !== outputs) {
        thenBranch.dispose();
        elseBranch.dispose();
        throw new FormatError(`ONNX: ${where} has ${outputs} outputs but its ${name} has ${branch.outputNames.length}`);
      }
    }
    return {
      run: () => {
        throw new Error(`${where}: an If is evaluated through its branch`);
      },
      branch: (inputs) => {
        const condition = input(inputs, 0, where);
        if (condition.size !== 1 || (condition.type !== "bool" && condition.type !== "uint8")) {
          throw new ShapeError(`${where}: the condition must be one bool; got ${condition.type} [${condition.dims.join(", ")}]`);
        }
        return condition.data[0] ? thenBranch : elseBranch;
      },
      dispose: () => {
        thenBranch.dispose();
        elseBranch.dispose();
      },
    };
  },
};

export const CONTROL_OPS: Record<string, OpSpec> = { If };
