// BatchNormalization in inference form (training_mode 0; spatial 1 before opset 9): y = (x − mean) /
// √(var + ε) · scale + B per channel (axis 1). LayerNormalization (opset 17): each row over the axes
// from `axis` on normalised to mean 0 and variance 1 (plus ε), scaled and shifted by Scale and B
// broadcast to those axes; the optional Mean and InvStdDev outputs keep the reduced axes as size 1.
// `run` computes statistics in float64; plans run float32 on the wasm core's channelAffine (the batch
// norm folded to a scale and shift per channel at plan time) and layerNorm.

import { FormatError, ShapeError, UnsupportedError } from "../../../errors.js";
import { allocate, type OnnxTensor } from "../tensor.js";
import { broadcastIndex } from "./elements.js";
import type { OpSpec, PlanNode, PlannedStep, Value } from "./kernel.js";
import { OwnedMemory } from "./owned-memory.js";
import { normalizeAxis, product } from "./values.js";

function floatInput(inputs: readonly Value[], i: number, name: string, where: string): OnnxTensor<"float32" | "float64"> {
  const t = inputs[i];
  if (!t) throw new ShapeError(`${where}: input ${i} (${name}) is missing`);
  if (t.type !== "float32" && t.type !== "float64") throw new UnsupportedError(`${where}: ${name} is ${t.type}; wasm-rnn runs this operator on float32 and float64`);
  return t as OnnxTensor<"float32" | "float64">;
}

/** Per-channel scale and shift of BatchNormalization: y = x·scale[c] + shift[c]. */
export function batchNormAffine(scale: ArrayLike<number>, bias: ArrayLike<number>, mean: ArrayLike<number>, variance: ArrayLike<number>, epsilon: number): { scale: Float64Array; shift: Float64Array } {
  const C = scale.length;
  const s = new Float64Array(C), t = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    s[c] = scale[c] / Math.sqrt(variance[c] + epsilon);
    t[c] = bias[c] - mean[c] * s[c];
  }
  return { scale: s, shift: t };
}

/** BatchNormalization in a plan: constant statistics folded to a float32 scale and shift per channel. */
function batchNormStep(node: PlanNode, epsilon: number): PlannedStep | null {
  const [x, ...stats] = node.inputs;
  if (!x || x.type !== "float32" || x.constant || x.dims.length < 2 || stats.some((v) => !v?.constant || v.type !== "float32")) return null;
  const [scale, bias, mean, variance] = stats.map((v) => v!.constant!.data as Float32Array);
  const C = x.dims[1];
  if ([scale, bias, mean, variance].some((t) => t.length !== C)) return null;
  const affine = batchNormAffine(scale, bias, mean, variance, epsilon);
  const N = x.dims[0], inner = product(x.dims, 2);
  const memory = new OwnedMemory(node.engine);
  const core = node.engine.core;
  return {
    make: (at) => {
      const s = memory.floatsOf(affine.scale), t = memory.floatsOf(affine.shift);
      const from = at.input(0), to = at.output(0);
      return () => core.channelAffine(N, C, inner, from, s, t, to);
    },
    dispose: () => memory.dispose(),
  };
}

const BatchNormalization: OpSpec = {
  inputs: [5, 5],
  outputs: 5,
  weights: [1, 2, 3, 4],
  build: ({ where, attrs, opset }) => {
    const epsilon = attrs.float("epsilon", 1e-5);
    attrs.float("momentum", 0.9); // only updates running statistics in training
    if (attrs.int("training_mode", 0) !== 0) throw new UnsupportedError(`ONNX: ${where}: training_mode 1 is not supported (wasm-rnn runs BatchNormalization for inference)`);
    if (opset < 9 && attrs.int("spatial", 1) !== 1) throw new UnsupportedError(`ONNX: ${where}: spatial 0 is not supported`);
    if (attrs.has("is_test")) attrs.int("is_test", 1); // opset 6 and before
    return {
      plan: (node) => batchNormStep(node, epsilon),
      run: (inputs) => {
        const x = floatInput(inputs, 0, "X", where);
        const [scale, bias, mean, variance] = ["scale", "B", "input_mean", "input_var"].map((name, i) => floatInput(inputs, i + 1, name, where));
        if (x.dims.length < 2) throw new ShapeError(`${where}: X must have rank ≥ 2 ([N, C, …]); got [${x.dims.join(", ")}]`);
        const C = x.dims[1];
        for (const [t, name] of [[scale, "scale"], [bias, "B"], [mean, "input_mean"], [variance, "input_var"]] as const) {
          if (t.size !== C || t.dims.length !== 1) throw new ShapeError(`${where}: ${name} must have shape [${C}] (X's channels); got [${t.dims.join(", ")}]`);
          if (t.type !== x.type) throw new ShapeError(`${where}: ${name} is ${t.type} but X is ${x.type}`);
        }
        const affine = batchNormAffine(scale.data, bias.data, mean.data, variance.data, epsilon);
        const inner = product(x.dims, 2), N = x.dims[0];
        const out = allocate(x.type, x.dims, where);
        for (let n = 0, i = 0; n < N; n++) {
          for (let c = 0; c < C; c++) {
            const s = affine.scale[c], t = affine.shift[c];
            for (let k = 0; k < inner; k++, i++) out.data[i] = x.data[i] * s + t;
          }
        }
        return [out, null, null, null, null];
      },
    };
  },
};

const LayerNormalization: OpSpec = {
  inputs: [2, 3],
  outputs: 3,
  weights: [1, 2],
  build: ({ where, attrs }) => {
    const axisAttr = attrs.int("axis", -1), epsilon = attrs.float("epsilon", 1e-5);
    const stash = attrs.int("stash_type", 1);
    if (stash !== 1) throw new FormatError(`ONNX: ${where}: stash_type must be 1 (float); got ${stash}`);
    return {
      run: (inputs) => {
        const x = floatInput(inputs, 0, "X", where), scale = floatInput(inputs, 1, "Scale", where);
        const bias = inputs[2] ? floatInput(inputs, 2, "B", where) : null;
        const rank = x.dims.length;
        const axis = normalizeAxis(axisAttr, rank, where);
        const rows = product(x.dims, 0, axis), cols = product(x.dims, axis);
        const normalized = x.dims.slice(axis);
        const index = (t: OnnxTensor, name: string) => {
          if (t.dims.length > normalized.length || t.dims.some((d, k) => d !== 1 && d !== normalized[normalized.length - t.dims.length + k])) {
            throw new ShapeError(`${where}: ${name} [${t.dims.join(", ")}] does not broadcast to the normalised axes [${normalized.join(", ")}]`);
          }
          return broadcastIndex(t.dims, normalized, where);
        };
        const is = index(scale, "Scale"), ib = bias ? index(bias, "B") : null;
        const out = allocate(x.type, x.dims, where);
        const statDims = x.dims.map((d, k) => (k < axis ? d : 1));
        const means = allocate(x.type, statDims, where), invStd = allocate(x.type, statDims, where);
        for (let r = 0; r < rows; r++) {
          const base = r * cols;
          let sum = 0;
          for (let j = 0; j < cols; j++) sum += x.data[base + j];
          const mean = sum / cols;
          let squares = 0;
          for (let j = 0; j < cols; j++) squares += (x.data[base + j] - mean) ** 2;
          const inv = 1 / Math.sqrt(squares / cols + epsilon);
          means.data[r] = mean;
          invStd.data[r] = inv;
          for (let j = 0; j < cols; j++) out.data[base + j] = (x.data[base + j] - mean) * inv * scale.data[is[j]] + (bias && ib ? bias.data[ib[j]] : 0);
        }
        return [out, means, invStd];
      },
    };
  },
};

export const NORMALIZATION_OPS: Record<string, OpSpec> = { BatchNormalization, LayerNormalization };
