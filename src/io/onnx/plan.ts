// A compiled plan: what a session runs for every call with the same input signature (types, dims,
// keyed values, wanted outputs). Made from a trace (trace.ts): every float32 value that changes from
// run to run gets a place in one block of wasm memory (places reused once a value is dead), other
// types a slot held in JavaScript; each step is one closure over fixed addresses. A run copies the
// feeds in, calls the closures, and copies the outputs out — no graph walk, no allocation in wasm.

import type { Engine } from "../../engine/engine.js";
import { ShapeError } from "../../errors.js";
import { runKernel } from "./compiled-graph.js";
import type { Traced } from "./evaluate.js";
import type { StepAddresses, Value } from "./ops/kernel.js";
import { OnnxTensor, type OnnxDataTypes } from "./tensor.js";
import type { DynamicValue, Tracer, TracedStep } from "./trace.js";

/** Activations that directly follow a step able to apply them in its epilogue (a convolution), and
 *  read nothing else, fuse into it: the producer applies the activation, the activation's output
 *  becomes the producer's under its own name. The producer's output must have no other reader and must
 *  not be a wanted output. */
function fuseActivations(steps: readonly TracedStep[], wanted: ReadonlySet<DynamicValue | null>): void {
  const readers = new Map<DynamicValue, TracedStep[]>();
  for (const step of steps) {
    for (const t of step.inputs) {
      if (!t?.dynamic) continue;
      const list = readers.get(t.dynamic) ?? [];
      list.push(step);
      readers.set(t.dynamic, list);
    }
  }
  for (const producer of steps) {
    const out = producer.outputs[0];
    const planned = producer.planned;
    if (!out || !planned || !("fuse" in planned) || !planned.fuse || wanted.has(out) || out.aliasOf) continue;
    const reading = readers.get(out) ?? [];
    const next = reading[0];
    if (reading.length !== 1 || !next.planned || !("activation" in next.planned) || !next.planned.activation) continue;
    const result = next.outputs[0];
    if (!result || next.inputs[0]?.dynamic !== out || next.inputs.some((t, i) => i > 0 && t?.dynamic)) continue;
    if (!planned.fuse(next.planned.activation)) continue;
    next.planned.dispose?.();
    next.planned = { alias: 0 };
    result.aliasOf = out;
    out.lastUse = Math.max(out.lastUse, result.lastUse);
  }
}

/** A plan step's output did not have the dims the plan was compiled for: the plan is dropped and the call interpreted. */
export class PlanMismatch extends Error {}

/** Where a changing value lives at run time. */
type Place = { wasm: true; ptr: number } | { wasm: false; slot: number };

const ALIGN = 16;

export class Plan {
  private readonly steps: (() => void)[] = [];
  private readonly places = new Map<DynamicValue, Place>();
  private readonly slots: OnnxDataTypes[keyof OnnxDataTypes][] = [];
  private readonly owned: { dispose?(): void }[] = [];
  private readonly feeds: [string, DynamicValue][];
  private readonly outputs: [string, Traced][];
  private block = 0;

  constructor(private readonly engine: Engine, tracer: Tracer, outputs: readonly [string, Traced][]) {
    this.outputs = [...outputs];
    this.feeds = [...tracer.feeds];
    fuseActivations(tracer.steps, new Set(outputs.map(([, t]) => t.dynamic)));
    for (const [, t] of outputs) if (t.dynamic) t.dynamic.root.lastUse = Infinity;
    try {
      this.layOut(tracer);
      for (const step of tracer.steps) this.compileStep(step);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Runs the plan on feeds of its signature; returns the wanted outputs. */
  run(feeds: Readonly<Record<string, OnnxTensor>>): Record<string, OnnxTensor> {
    const eng = this.engine;
    for (const [name, value] of this.feeds) {
      const place = this.places.get(value.root)!;
      const data = feeds[name].data;
      if (place.wasm) eng.f32.set(data as Float32Array, place.ptr >> 2);
      else this.slots[place.slot] = data;
    }
    for (const step of this.steps) step();
    const result: Record<string, OnnxTensor> = {};
    for (const [name, t] of this.outputs) {
      const value = t.dynamic;
      if (!value) result[name] = new OnnxTensor(t.tensor.type, t.tensor.data.slice() as Float32Array, t.tensor.dims);
      else result[name] = new OnnxTensor(value.type, this.read(value).slice() as Float32Array, value.dims);
    }
    return result;
  }

  /** Closures called per run. */
  get stepCount(): number {
    return this.steps.length;
  }

  dispose(): void {
    for (const o of this.owned) o.dispose?.();
    this.owned.length = 0;
    if (this.block) this.engine.release(this.block);
    this.block = 0;
  }

  /** Places every changing value: float32 ones in one wasm block (first fit over their lifetimes), others in slots. */
  private layOut(tracer: Tracer): void {
    const values: DynamicValue[] = [...tracer.feeds.values()];
    for (const step of tracer.steps) for (const v of step.outputs) if (v && !v.aliasOf) values.push(v);
    const live: { start: number; end: number; from: number; to: number }[] = [];
    const offsets = new Map<DynamicValue, number>();
    let top = 0;
    for (const v of values) {
      if (v.type !== "float32") {
        this.places.set(v, { wasm: false, slot: this.slots.length });
        this.slots.push(new Float32Array(0));
        continue;
      }
      const bytes = Math.ceil((v.size * 4) / ALIGN) * ALIGN || ALIGN;
      // First fit among the gaps left by values that are dead before this one is made.
      const busy = live.filter((l) => l.to >= v.madeAt && l.from <= v.lastUse).sort((a, b) => a.start - b.start);
      let at = 0;
      for (const l of busy) {
        if (at + bytes <= l.start) break;
        at = Math.max(at, l.end);
      }
      live.push({ start: at, end: at + bytes, from: v.madeAt, to: v.lastUse });
      offsets.set(v, at);
      top = Math.max(top, at + bytes);
    }
    const scratch = Math.max(0, ...tracer.steps.map((s) => (s.planned && "make" in s.planned ? s.planned.scratchBytes ?? 0 : 0)));
    this.block = this.engine.arena.alloc(top + scratch + ALIGN);
    this.scratch = this.block + top;
    for (const [v, offset] of offsets) this.places.set(v, { wasm: true, ptr: this.block + offset });
  }

  private scratch = 0;

  private place(value: DynamicValue): Place {
    return this.places.get(value.root)!;
  }

  /** The current data of a changing value (a view of wasm memory for float32). */
  private read(value: DynamicValue): OnnxDataTypes[keyof OnnxDataTypes] {
    const place = this.place(value);
    if (!place.wasm) return this.slots[place.slot];
    return this.engine.f32.subarray(place.ptr >> 2, (place.ptr >> 2) + value.size);
  }

  private compileStep(step: TracedStep): void {
    const { planned, inputs, outputs, compiled } = step;
    if (planned && "alias" in planned) return;
    if (planned) {
      this.owned.push(planned);
      const address = (t: { dynamic: DynamicValue | null } | null, what: string): number => {
        if (!t?.dynamic) return 0;
        const place = this.place(t.dynamic);
        if (!place.wasm) throw new ShapeError(`ONNX ${compiled.where}: ${what} is ${t.dynamic.type}, which its plan step cannot read from wasm memory`);
        return place.ptr;
      };
      const at: StepAddresses = {
        input: (i) => address(inputs[i] ?? null, `input ${i}`),
        output: (i) => address(outputs[i] ? { dynamic: outputs[i] } : null, `output ${i}`),
        scratch: this.scratch,
      };
      this.steps.push(planned.make(at));
      return;
    }
    // No wasm step: the kernel's run on the values in place, its outputs checked against the plan's dims.
    const read = inputs.map((t) => (t?.dynamic ? t.dynamic : null));
    const constants: Value[] = inputs.map((t) => (t && !t.dynamic ? t.tensor : null));
    this.steps.push(() => {
      const values = read.map((v, i) => (v ? new OnnxTensor(v.type, this.read(v) as Float32Array, v.dims) : constants[i]));
      const results = runKernel(compiled, values);
      outputs.forEach((v, i) => {
        const t = results[i];
        if (!v || !t) return;
        if (t.dims.length !== v.dims.length || t.dims.some((d, k) => d !== v.dims[k]) || t.type !== v.type) throw new PlanMismatch(`${compiled.where}: output ${i} is ${t.type} [${t.dims.join(", ")}]; the plan expected ${v.type} [${v.dims.join(", ")}]`);
        const place = this.place(v);
        if (place.wasm) this.engine.f32.set(t.data as Float32Array, place.ptr >> 2);
        else this.slots[place.slot] = t.data;
      });
    });
  }
}
