// Tracing one evaluation into a plan. While evaluate.ts runs the graph on a run's feeds, the tracer
// notes which values change from run to run (the fed inputs, unless keyed, and whatever is computed
// from them) and which stay the same (constants, shapes, keyed inputs, and what follows from those
// alone). Every node with a changing input becomes a step of the plan: the kernel's own wasm step
// where it has one, else its `run` on the values in place. A value that fixes a shape or picks a
// branch must stay the same; where it does not, tracing stops with NotPlannable naming the inputs it
// came from, so the session can key plans on them or interpret instead.

import type { Engine } from "../../engine/engine.js";
import { WasmRnnError } from "../../errors.js";
import type { CompiledNode } from "./compiled-graph.js";
import type { Traced } from "./evaluate.js";
import type { PlannedStep, PlanValue, Value } from "./ops/kernel.js";
import type { OnnxTensor, OnnxType } from "./tensor.js";

/** A value that changes from run to run of a plan: where it is made and last read. */
export class DynamicValue implements PlanValue {
  readonly constant = null;
  /** The index of the step making it (−1: a feed), and of the last step reading it. */
  lastUse: number;
  constructor(
    readonly type: OnnxType,
    readonly dims: readonly number[],
    /** The graph inputs it was computed from. */
    readonly inputs: ReadonlySet<string>,
    readonly madeAt: number,
    /** The value whose storage it shares (an alias step, or an activation fused into its producer), or null. */
    public aliasOf: DynamicValue | null = null,
  ) {
    this.lastUse = madeAt;
  }

  /** The value owning the storage. */
  get root(): DynamicValue {
    return this.aliasOf ? this.aliasOf.root : this;
  }

  get size(): number {
    let n = 1;
    for (const d of this.dims) n *= d;
    return n;
  }
}

/** Why a plan cannot be compiled for these feeds: a value that must not change comes from these inputs. */
export class NotPlannable extends Error {
  constructor(readonly inputs: ReadonlySet<string>, readonly where: string) {
    super(`${where}: a shape or branch depends on the data of ${[...inputs].join(", ") || "no input"}`);
  }
}

/** A recorded step: the node, its inputs and outputs as traced, and what it does at each run. */
export interface TracedStep {
  readonly compiled: CompiledNode;
  readonly inputs: readonly (Traced | null)[];
  readonly outputs: readonly (DynamicValue | null)[];
  /** The kernel's wasm step, or null to run the kernel's `run` on the values in place. */
  planned: PlannedStep | null;
}

export class Tracer {
  readonly steps: TracedStep[] = [];
  readonly feeds = new Map<string, DynamicValue>();

  constructor(readonly engine: Engine) {}

  /** A fed input: changing from run to run unless `keyed` (its value is part of the plan's key). */
  feed(name: string, tensor: OnnxTensor, keyed: boolean): Traced {
    if (keyed) return { tensor, dynamic: null };
    const value = new DynamicValue(tensor.type, tensor.dims, new Set([name]), -1);
    this.feeds.set(name, value);
    return { tensor, dynamic: value };
  }

  /** Inputs of a control-flow node (If's condition): they must not change. */
  needConstant({ where }: CompiledNode, inputs: readonly (Traced | null)[]): void {
    const changing = inputs.filter((t) => t?.dynamic);
    if (changing.length) throw new NotPlannable(unionOf(changing.map((t) => t!.dynamic!.inputs)), where);
  }

  /** Records a node evaluated on `inputs` to `outputs`; returns its outputs as traced. */
  node(compiled: CompiledNode, inputs: readonly (Traced | null)[], outputs: readonly Value[]): (Traced | null)[] {
    const { spec, kernel, where } = compiled;
    const changing = inputs.filter((t): t is Traced & { dynamic: DynamicValue } => !!t?.dynamic);
    if (changing.length === 0 || spec.shapeOnly) return outputs.map((tensor) => (tensor ? { tensor, dynamic: null } : null));
    for (const i of spec.shapeInputs ?? []) {
      const t = inputs[i];
      if (t?.dynamic) throw new NotPlannable(t.dynamic.inputs, where);
    }
    const at = this.steps.length;
    for (const t of changing) t.dynamic.root.lastUse = Math.max(t.dynamic.root.lastUse, at);
    const from = unionOf(changing.map((t) => t.dynamic.inputs));
    const planValue = (t: Traced | null): PlanValue | null => (t ? t.dynamic ?? { type: t.tensor.type, dims: t.tensor.dims, constant: t.tensor } : null);
    const node = {
      where,
      engine: this.engine,
      inputs: inputs.map(planValue),
      outputs: outputs.map((t) => (t ? { type: t.type, dims: t.dims, constant: null } : null)),
    };
    let planned: PlannedStep | null = null;
    try {
      planned = kernel.plan?.(node) ?? null;
    } catch (e) {
      if (e instanceof WasmRnnError) throw wasmRnnErrorAt(e, where);
      throw e;
    }
    const aliased = planned && "alias" in planned ? inputs[planned.alias]?.dynamic ?? null : null;
    const dynamicOutputs = outputs.map((t, i) => (t ? new DynamicValue(t.type, t.dims, from, at, i === 0 ? aliased : null) : null));
    this.steps.push({ compiled, inputs, outputs: dynamicOutputs, planned: planned && "alias" in planned && !aliased ? null : planned });
    return outputs.map((tensor, i) => (tensor ? { tensor, dynamic: dynamicOutputs[i] } : null));
  }
}

/** A plan-building error from a kernel, its message naming the node. */
function wasmRnnErrorAt(e: WasmRnnError, where: string): WasmRnnError {
  if (e.message.includes(where)) return e;
  const Kind = e.constructor as new (message: string) => WasmRnnError;
  return new Kind(`ONNX ${where}: ${e.message}`);
}

function unionOf(sets: readonly ReadonlySet<string>[]): Set<string> {
  const out = new Set<string>();
  for (const s of sets) for (const name of s) out.add(name);
  return out;
}
