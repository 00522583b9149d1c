// Plan steps that only move float32 elements in wasm memory: a strided read of the input into the
// contiguous output (Transpose, Slice, Expand, Tile: the wasm core's copyStrided), parts copied into
// places of the output (Concat, Split), and Pad — each described at plan time as an int32 descriptor
// the kernel walks, a run being one or a few kernel calls — and element maps fixed at plan time
// (Gather's and ScatterND's constant indices), walked in JavaScript over the wasm memory.

import { stridesOf } from "./elements.js";
import type { PlanNode, PlannedStep } from "./kernel.js";
import { OwnedMemory } from "./owned-memory.js";

/** How to read one tensor out of another: dims, the source's element strides and its offset. */
export interface StridedRead {
  dims: readonly number[];
  strides: readonly number[];
  offset: number;
}

/** Whether the node's input 0 is a changing float32 value (the only kind plan steps read from wasm memory). */
export function readsFloats(node: PlanNode, i = 0): boolean {
  const v = node.inputs[i];
  return !!v && v.type === "float32" && !v.constant;
}

/** copyStrided's descriptor: rank, dims, source strides, destination strides (contiguous unless given). */
function descriptor(read: StridedRead, destination?: readonly number[]): number[] {
  return [read.dims.length, ...read.dims, ...read.strides, ...(destination ?? stridesOf(read.dims))];
}

/** Output 0 = input 0 read through `read`. */
export function stridedStep(node: PlanNode, read: StridedRead): PlannedStep | null {
  if (!readsFloats(node) || read.dims.length === 0 || read.dims.length > 8) return null;
  const memory = new OwnedMemory(node.engine);
  const core = node.engine.core;
  return {
    make: (at) => {
      const desc = memory.intsOf(descriptor(read));
      const from = at.input(0) + read.offset * 4, to = at.output(0);
      return () => core.copyStrided(desc, from, to);
    },
    dispose: () => memory.dispose(),
  };
}

/** Every input (all changing float32, or constants copied in once) placed along `axis` of output 0. */
export function concatStep(node: PlanNode, axis: number): PlannedStep | null {
  const out = node.outputs[0];
  if (!out || out.type !== "float32" || out.dims.length > 8 || node.inputs.some((v) => !v || v.type !== "float32")) return null;
  const memory = new OwnedMemory(node.engine);
  const core = node.engine.core;
  const outStrides = stridesOf(out.dims);
  return {
    make: (at) => {
      let offset = 0;
      const copies = node.inputs.map((v, i) => {
        const dims = v!.dims, start = offset;
        offset += dims[axis];
        if (dims.some((d) => d === 0)) return null;
        const source = v!.constant ? memory.floatsOf(v!.constant.data as Float32Array) : at.input(i);
        const desc = memory.intsOf(descriptor({ dims, strides: stridesOf(dims), offset: 0 }, outStrides));
        return [desc, source, at.output(0) + start * outStrides[axis] * 4] as const;
      }).filter((c) => c !== null);
      return () => {
        for (const [desc, from, to] of copies) core.copyStrided(desc, from, to);
      };
    },
    dispose: () => memory.dispose(),
  };
}

/** Output k = the part of input 0 from starts[k] along `axis` (Split). */
export function splitStep(node: PlanNode, axis: number): PlannedStep | null {
  if (!readsFloats(node) || node.inputs[0]!.dims.length > 8) return null;
  const memory = new OwnedMemory(node.engine);
  const core = node.engine.core;
  const strides = stridesOf(node.inputs[0]!.dims);
  return {
    make: (at) => {
      let start = 0;
      const copies = node.outputs.map((v, k) => {
        const from = start;
        start += v ? v.dims[axis] : 0;
        if (!v || v.dims.some((d) => d === 0)) return null;
        return [memory.intsOf(descriptor({ dims: v.dims, strides, offset: 0 })), at.input(0) + from * strides[axis] * 4, at.output(k)] as const;
      }).filter((c) => c !== null);
      return () => {
        for (const [desc, from, to] of copies) core.copyStrided(desc, from, to);
      };
    },
    dispose: () => memory.dispose(),
  };
}

const PAD_MODES = { constant: 0, reflect: 1, edge: 2, wrap: 3 } as const;

/** Output 0 = input 0 padded by before/after per axis (negative: cropped). */
export function padStep(node: PlanNode, before: readonly number[], after: readonly number[], mode: keyof typeof PAD_MODES, value: number): PlannedStep | null {
  const x = node.inputs[0];
  if (!readsFloats(node) || x!.dims.length === 0 || x!.dims.length > 8) return null;
  const memory = new OwnedMemory(node.engine);
  const core = node.engine.core;
  return {
    make: (at) => {
      const desc = memory.intsOf([x!.dims.length, ...x!.dims, ...before, ...after]);
      const from = at.input(0), to = at.output(0);
      return () => core.pad(desc, from, to, PAD_MODES[mode], value);
    },
    dispose: () => memory.dispose(),
  };
}

/** Output 0 [k] = input 0 [from[k]] for every k (a gather by a constant index map: Gather with several
 *  indices), element by element in JavaScript over the wasm memory. */
export function gatherStep(node: PlanNode, from: Int32Array): PlannedStep | null {
  if (!readsFloats(node)) return null;
  const engine = node.engine;
  return {
    make: (at) => {
      const x = at.input(0) >> 2, y = at.output(0) >> 2;
      return () => {
        const f32 = engine.f32;
        for (let k = 0; k < from.length; k++) f32[y + k] = f32[x + from[k]];
      };
    },
  };
}

/** Output 0 = input 0 with element to[k] replaced by input `update` [k] (ScatterND with constant
 *  indices and no reduction: the streaming caches of real exports). */
export function scatterStep(node: PlanNode, update: number, to: Int32Array): PlannedStep | null {
  const [data] = node.inputs, u = node.inputs[update];
  if (!data || !u || data.type !== "float32" || u.type !== "float32" || (data.constant && u.constant)) return null;
  const engine = node.engine, memory = new OwnedMemory(engine);
  const size = data.dims.reduce((a, b) => a * b, 1);
  return {
    make: (at) => {
      const x = data.constant ? memory.floatsOf(data.constant.data as Float32Array) : at.input(0);
      const v = (u.constant ? memory.floatsOf(u.constant.data as Float32Array) : at.input(update)) >> 2;
      const y = at.output(0);
      return () => {
        engine.copy(y, x, size);
        const f32 = engine.f32, base = y >> 2;
        for (let k = 0; k < to.length; k++) f32[base + to[k]] = f32[v + k];
      };
    },
    dispose: () => memory.dispose(),
  };
}
