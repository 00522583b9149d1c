// A plan step run once, outside a plan: the changing inputs copied into wasm memory, the step made over
// those buffers and called, the outputs copied out, everything freed. What a kernel's `run` uses when
// its plan step is much faster than a JavaScript loop (a convolution): tracing a plan, and the
// interpreter, then run at the step's speed.

import { engine } from "../../../engine/engine.js";
import { allocate, type OnnxTensor } from "../tensor.js";
import type { PlanNode, PlannedStep, PlanValue, Value } from "./kernel.js";

/** Runs `makeStep` (a kernel's plan step builder) on float32 `inputs` (those not `constant` are copied
 *  in) for float32 outputs of `outputDims`; null when the builder offers no step. */
export function runStep(where: string, inputs: readonly Value[], constant: (i: number) => boolean, outputDims: readonly (readonly number[])[], makeStep: (node: PlanNode) => PlannedStep | null): OnnxTensor[] | null {
  const eng = engine();
  const values: (PlanValue | null)[] = inputs.map((t, i) => (t ? { type: t.type, dims: t.dims, constant: constant(i) ? t : null } : null));
  const step = makeStep({ where, engine: eng, inputs: values, outputs: outputDims.map((dims) => ({ type: "float32", dims, constant: null })) });
  if (!step || "alias" in step) return null;
  const blocks: number[] = [];
  const alloc = (bytes: number) => {
    const ptr = eng.arena.alloc(Math.max(16, bytes));
    blocks.push(ptr);
    return ptr;
  };
  try {
    const ins = inputs.map((t, i) => {
      if (!t || constant(i)) return 0;
      const ptr = alloc(t.size * 4);
      eng.write(ptr, t.data as Float32Array);
      return ptr;
    });
    const sizes = outputDims.map((dims) => dims.reduce((a, b) => a * b, 1));
    const outs = sizes.map((n) => alloc(n * 4));
    const scratch = alloc(step.scratchBytes ?? 0);
    step.make({ input: (i) => ins[i] ?? 0, output: (i) => outs[i] ?? 0, scratch })();
    return outputDims.map((dims, k) => {
      const out = allocate("float32", dims, where);
      out.data.set(eng.read(outs[k], sizes[k]));
      return out;
    });
  } finally {
    step.dispose?.();
    for (const ptr of blocks) eng.release(ptr);
  }
}
