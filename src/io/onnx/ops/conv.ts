// Conv and ConvTranspose over any number of spatial axes (N, C, D1, …), with strides, dilations,
// pads or auto_pad, groups (depthwise included), and ConvTranspose's output_padding and output_shape.
// The direct definition — every output a sum over the group's channels and the kernel, through a table
// of which input element each (output position, kernel position) reads — runs other ranks and types;
// 1-D and 2-D float32 convolutions run on the GEMM (conv-step.ts), in plans and out of them.

import { FormatError, ShapeError, UnsupportedError } from "../../../errors.js";
import { allocate, type OnnxTensor } from "../tensor.js";
import { convShape, convTransposeShape, readConvAttributes, type ConvAttributes, type ConvShape } from "./conv-geometry.js";
import { convStep, convTransposeStep } from "./conv-step.js";
import { stridesOf } from "./elements.js";
import type { Kernel, OpSpec, PlanNode, PlannedStep, Value } from "./kernel.js";
import { runStep } from "./run-step.js";
import { product } from "./values.js";

function floatInput(inputs: readonly Value[], i: number, name: string, where: string): OnnxTensor<"float32" | "float64"> {
  const t = inputs[i];
  if (!t) throw new ShapeError(`${where}: input ${i} (${name}) is missing`);
  if (t.type !== "float32" && t.type !== "float64") throw new UnsupportedError(`${where}: ${name} is ${t.type}; wasm-rnn runs this operator on float32 and float64`);
  return t as OnnxTensor<"float32" | "float64">;
}

/** For each (position p of `positions`, kernel position k): the flat index it meets in a tensor of
 *  spatial sizes `sizes`, or −1 outside — where q = p·stride − before + k·dilation on every axis. */
function meetingTable(positions: readonly number[], sizes: readonly number[], s: ConvShape): Int32Array {
  const P = product(positions), K = product(s.kernel), rank = positions.length;
  const strides = stridesOf(sizes);
  const table = new Int32Array(P * K);
  const p = new Array<number>(rank).fill(0);
  for (let i = 0; i < P; i++) {
    const k = new Array<number>(rank).fill(0);
    for (let j = 0; j < K; j++) {
      let at = 0;
      for (let a = 0; a < rank; a++) {
        const q = p[a] * s.strides[a] - s.before[a] + k[a] * s.dilations[a];
        if (q < 0 || q >= sizes[a]) {
          at = -1;
          break;
        }
        at += q * strides[a];
      }
      table[i * K + j] = at;
      for (let a = rank - 1; a >= 0 && ++k[a] >= s.kernel[a]; a--) k[a] = 0;
    }
    for (let a = rank - 1; a >= 0 && ++p[a] >= positions[a]; a--) p[a] = 0;
  }
  return table;
}

/** X, W and B checked against each other: sizes of the batch, channels and groups. */
function operands(inputs: readonly Value[], where: string, transpose: boolean, group: number) {
  const x = floatInput(inputs, 0, "X", where), w = floatInput(inputs, 1, "W", where);
  const b = inputs[2] ? floatInput(inputs, 2, "B", where) : null;
  if (x.dims.length < 3 || w.dims.length !== x.dims.length) throw new ShapeError(`${where}: X [${x.dims.join(", ")}] and W [${w.dims.join(", ")}] must both have rank ≥ 3 ([N, C, spatial…])`);
  if (w.type !== x.type || (b && b.type !== x.type)) throw new ShapeError(`${where}: X, W and B must have one type`);
  const [N, C] = x.dims;
  const M = transpose ? w.dims[1] * group : w.dims[0];
  const perGroup = transpose ? w.dims[0] : w.dims[1] * group;
  if (C !== perGroup || C % group !== 0 || M % group !== 0) {
    throw new ShapeError(`${where}: X has ${C} channels but W [${w.dims.join(", ")}] with group ${group} takes ${perGroup}${C % group ? ` (and ${C} is not a multiple of the group)` : ""}`);
  }
  if (b && (b.dims.length !== 1 || b.size !== M)) throw new ShapeError(`${where}: B must have shape [${M}]; got [${b.dims.join(", ")}]`);
  return { x, w, b, N, C, M, spatial: x.dims.slice(2), kernel: w.dims.slice(2) };
}

export function convolve(inputs: readonly Value[], a: ConvAttributes, where: string): OnnxTensor {
  const { x, w, b, N, C, M, spatial, kernel } = operands(inputs, where, false, a.group);
  const s = convShape(a, spatial, kernel, where);
  const table = meetingTable(s.output, s.input, s);
  const P = product(s.output), S = product(s.input), K = product(kernel), Cg = C / a.group, Mg = M / a.group;
  const out = allocate(x.type, [N, M, ...s.output], where);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      for (let p = 0; p < P; p++) {
        let sum = b ? b.data[m] : 0;
        for (let c = 0; c < Cg; c++) {
          const xBase = (n * C + g * Cg + c) * S, wBase = (m * Cg + c) * K;
          for (let k = 0; k < K; k++) {
            const at = table[p * K + k];
            if (at >= 0) sum += w.data[wBase + k] * x.data[xBase + at];
          }
        }
        out.data[(n * M + m) * P + p] = sum;
      }
    }
  }
  return out;
}

export function convolveTransposed(inputs: readonly Value[], a: ConvAttributes, where: string): OnnxTensor {
  const { x, w, b, N, C, M, spatial, kernel } = operands(inputs, where, true, a.group);
  const s = convTransposeShape(a, spatial, kernel, where);
  // Each input position p scatters into output position p·stride − before + k·dilation.
  const table = meetingTable(s.input, s.output, s);
  const P = product(s.input), Q = product(s.output), K = product(kernel), Cg = C / a.group, Mg = M / a.group;
  const sums = new Float64Array(N * M * Q);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const g = Math.floor(c / Cg);
      for (let ml = 0; ml < Mg; ml++) {
        const m = g * Mg + ml;
        const wBase = (c * Mg + ml) * K, oBase = (n * M + m) * Q;
        for (let p = 0; p < P; p++) {
          const v = x.data[(n * C + c) * P + p];
          for (let k = 0; k < K; k++) {
            const at = table[p * K + k];
            if (at >= 0) sums[oBase + at] += v * w.data[wBase + k];
          }
        }
      }
    }
  }
  const out = allocate(x.type, [N, M, ...s.output], where);
  for (let i = 0; i < out.size; i++) out.data[i] = sums[i] + (b ? b.data[Math.floor(i / Q) % M] : 0);
  return out;
}

/** What can be checked at create time against a known W: attribute lengths per spatial axis,
 *  kernel_shape, and the group dividing W's channels (FormatError naming the attribute). */
function checkAgainstWeights(w: Value | undefined, a: ConvAttributes, where: string, transpose: boolean): void {
  if (!w) return;
  const spatial = w.dims.length - 2;
  if (spatial < 1) throw new ShapeError(`ONNX: ${where}: W must have rank ≥ 3 ([M, C/group, kernel…]); got [${w.dims.join(", ")}]`);
  const lists: [string, number[] | null, number][] = [["kernel_shape", a.kernelShape, spatial], ["strides", a.strides, spatial], ["dilations", a.dilations, spatial], ["pads", a.pads, 2 * spatial], ["output_padding", a.outputPadding, spatial]];
  for (const [name, list, n] of lists) {
    if (list && list.length !== n) throw new FormatError(`ONNX: ${where}: attribute "${name}" has ${list.length} values; W [${w.dims.join(", ")}] has ${spatial} spatial axes, so it needs ${n}`);
  }
  if (a.kernelShape && a.kernelShape.some((k, i) => k !== w.dims[2 + i])) throw new FormatError(`ONNX: ${where}: attribute "kernel_shape" [${a.kernelShape.join(", ")}] does not match W's [${w.dims.slice(2).join(", ")}]`);
  if (!transpose && w.dims[0] % a.group !== 0) throw new FormatError(`ONNX: ${where}: attribute "group" ${a.group} does not divide W's ${w.dims[0]} output channels`);
  if (transpose && w.dims[0] % a.group !== 0) throw new FormatError(`ONNX: ${where}: attribute "group" ${a.group} does not divide W's ${w.dims[0]} input channels`);
}

/** A float32 1-D or 2-D convolution through its plan step (the GEMM), the weights taken as constants;
 *  null when the step does not apply (the definition then runs). */
function runFast(inputs: readonly Value[], where: string, outputDims: (x: readonly number[], w: readonly number[]) => number[], makeStep: (node: PlanNode) => PlannedStep | null): OnnxTensor[] | null {
  const [x, w, b] = inputs;
  if (!x || !w || x.type !== "float32" || w.type !== "float32" || (b && b.type !== "float32") || (x.dims.length !== 3 && x.dims.length !== 4) || w.dims.length !== x.dims.length) return null;
  return runStep(where, inputs, (i) => i > 0, [outputDims(x.dims, w.dims)], makeStep);
}

/** Conv (transpose false) or ConvTranspose: its plan step on the GEMM, and `run` through that step
 *  (or the definition where the step does not apply). */
function convolution(transpose: boolean): OpSpec {
  const step = transpose ? convTransposeStep : convStep, definition = transpose ? convolveTransposed : convolve;
  const outputDims = (a: ConvAttributes, where: string) => (x: readonly number[], w: readonly number[]) => transpose
    ? [x[0], w[1] * a.group, ...convTransposeShape(a, x.slice(2), w.slice(2), where).output]
    : [x[0], w[0], ...convShape(a, x.slice(2), w.slice(2), where).output];
  return {
    inputs: [2, 3],
    outputs: 1,
    weights: [1, 2],
    build: ({ where, attrs, known }): Kernel => {
      const a = readConvAttributes(attrs, where, transpose);
      checkAgainstWeights(known(1), a, where, transpose);
      return {
        run: (inputs) => {
          operands(inputs, where, transpose, a.group); // the definition's checks and messages, before either runs
          return runFast(inputs, where, outputDims(a, where), (node) => step(node, a)) ?? [definition(inputs, a, where)];
        },
        plan: (node) => step(node, a),
      };
    },
  };
}

export const CONV_OPS: Record<string, OpSpec> = { Conv: convolution(false), ConvTranspose: convolution(true) };
