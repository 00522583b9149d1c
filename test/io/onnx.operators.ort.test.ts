// The operators real exports put around recurrent nodes, against onnxruntime-node on graphs this
// table writes (scripts/onnx-writer.mjs): Conv and ConvTranspose (1-D, 2-D, pads and auto_pad,
// strides, dilations, groups, depthwise, output_padding, output_shape, fused with a following
// bias/Relu/PRelu/Sigmoid), BatchNormalization, the activations and unary maths, Pow, Pad, Split,
// Tile, Flatten, Range, ScatterND, GatherElements, Size, LayerNormalization, the reductions (axes as
// attribute or input, keepdims, noop_with_empty_axes), comparisons and logic on bool tensors, Where,
// and If with outer-scope values (nested; a condition known at create picks its branch then and
// frees the other), over the opsets where their forms differ. Each case runs
// twice with different values of the same shapes (the first run compiles the session's plan, the
// second runs it); every output matches onnxruntime-node's type, dims and values (floats to 1e-5 of
// the output's scale, integers and bools exactly).

import ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { engine } from "../../src/engine/engine.js";
import { init, onnx } from "../../src/index.js";
import { float, floats, graph, modelBytes, node, subgraph, tensorProto, valueInfo } from "../../scripts/onnx-writer.mjs";

beforeAll(async () => {
  await init();
});

type Kind = "float32" | "int64" | "bool";
type Data = Float32Array | BigInt64Array | Uint8Array;
const CODE: Record<Kind, number> = { float32: 1, int64: 7, bool: 9 };

/** A graph input fed random values of `dims` (floats in ±scale, or `ints` below a bound, or bools),
 *  or the fixed `values` given. */
interface Input {
  dims: number[];
  kind?: Kind;
  /** Fixed values (the same every run): indices, pads, axes, shapes. */
  values?: readonly (number | bigint | boolean)[];
  /** Floats in (0, scale] (for Sqrt, Log, Pow's base). */
  positive?: boolean;
  /** Floats rounded to integers in [−bound, bound] (so that comparisons find equal values). */
  integers?: number;
  scale?: number;
}

interface Case {
  name: string;
  opset?: number;
  nodes: unknown[];
  inputs: Record<string, Input>;
  /** Initializers: random floats of these dims, or fixed values. */
  constants?: Record<string, Input>;
  /** Output names with their rank and kind. */
  outputs: Record<string, [rank: number, kind?: Kind]>;
  /** Feeds whose fixed values differ between the two runs (If's condition). */
  second?: Record<string, readonly (number | bigint | boolean)[]>;
}

/** A deterministic generator (xorshift) for the fed values. */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function dataOf(spec: Input, random: () => number, fixed = spec.values): Data {
  const kind = spec.kind ?? "float32";
  const n = spec.dims.reduce((a, b) => a * b, 1);
  if (fixed) {
    if (kind === "int64") return BigInt64Array.from(fixed, (v) => BigInt(v as number));
    if (kind === "bool") return Uint8Array.from(fixed, (v) => (v ? 1 : 0));
    return Float32Array.from(fixed as number[]);
  }
  if (kind === "bool") return Uint8Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0));
  if (kind === "int64") return BigInt64Array.from({ length: n }, () => BigInt(Math.floor(random() * 5)));
  const scale = spec.scale ?? 1;
  if (spec.integers !== undefined) return Float32Array.from({ length: n }, () => Math.round((random() * 2 - 1) * spec.integers!));
  if (spec.positive) return Float32Array.from({ length: n }, () => scale * (0.05 + 0.95 * random()));
  return Float32Array.from({ length: n }, () => scale * (random() * 2 - 1));
}

const rank = (n: number) => Array.from({ length: n }, (_, k) => `d${k}`);

function modelOf(c: Case): Uint8Array {
  const random = generator(99);
  return modelBytes({
    opset: c.opset ?? 17,
    nodes: c.nodes,
    initializers: Object.entries(c.constants ?? {}).map(([name, spec]) => {
      const data = dataOf(spec, random);
      return spec.kind === "bool" ? tensorProto(name, spec.dims, data, CODE.bool) : tensorProto(name, spec.dims, data);
    }),
    inputs: Object.entries(c.inputs).map(([name, spec]) => valueInfo(name, spec.dims, CODE[spec.kind ?? "float32"])),
    outputs: Object.entries(c.outputs).map(([name, [r, kind]]) => valueInfo(name, rank(r), CODE[kind ?? "float32"])),
  });
}

const i64 = (...values: number[]) => ({ dims: [values.length], kind: "int64" as const, values });
const scalar64 = (value: number) => ({ dims: [], kind: "int64" as const, values: [value] });

// If's branches: the then branch reads the outer x; the else branch holds an If of its own (on an
// outer-scope condition too), whose branches read x and the outer y.
const thenBranch = graph({ nodes: [node("Mul", ["x", "x"], ["t"])], outputs: [valueInfo("t", rank(2))], name: "then" });
const innerThen = graph({ nodes: [node("Add", ["x", "y"], ["u"])], outputs: [valueInfo("u", rank(2))], name: "inner_then" });
const innerElse = graph({ nodes: [node("Sub", ["x", "y"], ["v"])], outputs: [valueInfo("v", rank(2))], name: "inner_else" });
const elseBranch = graph({
  nodes: [node("If", ["inner"], ["w"], { then_branch: subgraph(innerThen), else_branch: subgraph(innerElse) })],
  outputs: [valueInfo("w", rank(2))],
  name: "else",
});

const CASES: Case[] = [
  // Conv, 1-D and 2-D.
  { name: "Conv 1-D: pads, stride 2, bias", nodes: [node("Conv", ["x", "W", "B"], ["y"], { pads: [2, 1], strides: [2] })], inputs: { x: { dims: [2, 3, 20] } }, constants: { W: { dims: [4, 3, 5] }, B: { dims: [4] } }, outputs: { y: [3] } },
  { name: "Conv 1-D: dilation 3 with pads; auto_pad SAME_UPPER with stride 2", nodes: [node("Conv", ["x", "W"], ["a"], { dilations: [3], pads: [3, 2] }), node("Conv", ["x", "W"], ["b"], { auto_pad: "SAME_UPPER", strides: [2] })], inputs: { x: { dims: [1, 3, 17] } }, constants: { W: { dims: [2, 3, 4] } }, outputs: { a: [3], b: [3] } },
  { name: "Conv 2-D: asymmetric pads, strides [2, 1]", nodes: [node("Conv", ["x", "W", "B"], ["y"], { pads: [1, 0, 2, 1], strides: [2, 1] })], inputs: { x: { dims: [1, 4, 9, 11] } }, constants: { W: { dims: [6, 4, 3, 3] }, B: { dims: [6] } }, outputs: { y: [4] } },
  { name: "Conv 2-D: auto_pad SAME_LOWER, strides 2, kernel_shape given", nodes: [node("Conv", ["x", "W"], ["y"], { auto_pad: "SAME_LOWER", strides: [2, 2], kernel_shape: [3, 2] })], inputs: { x: { dims: [2, 3, 8, 7] } }, constants: { W: { dims: [5, 3, 3, 2] } }, outputs: { y: [4] } },
  { name: "Conv 2-D: auto_pad VALID, dilations [2, 1]", nodes: [node("Conv", ["x", "W", "B"], ["y"], { auto_pad: "VALID", dilations: [2, 1] })], inputs: { x: { dims: [1, 2, 10, 6] } }, constants: { W: { dims: [3, 2, 3, 3] }, B: { dims: [3] } }, outputs: { y: [4] } },
  { name: "Conv 2-D: group 2", nodes: [node("Conv", ["x", "W", "B"], ["y"], { group: 2, pads: [1, 1, 1, 1] })], inputs: { x: { dims: [1, 4, 6, 6] } }, constants: { W: { dims: [6, 2, 3, 3] }, B: { dims: [6] } }, outputs: { y: [4] } },
  { name: "Conv 2-D: depthwise, stride 2", nodes: [node("Conv", ["x", "W", "B"], ["y"], { group: 4, pads: [1, 1, 1, 1], strides: [2, 2] })], inputs: { x: { dims: [2, 4, 9, 8] } }, constants: { W: { dims: [4, 1, 3, 3] }, B: { dims: [4] } }, outputs: { y: [4] } },
  { name: "Conv 1-D: depthwise with channel multiplier 2", nodes: [node("Conv", ["x", "W"], ["y"], { group: 3, pads: [1, 1] })], inputs: { x: { dims: [1, 3, 12] } }, constants: { W: { dims: [6, 1, 3] } }, outputs: { y: [3] } },
  { name: "Conv + Relu (fused)", nodes: [node("Conv", ["x", "W", "B"], ["c"], { pads: [1, 1, 1, 1] }), node("Relu", ["c"], ["y"])], inputs: { x: { dims: [1, 3, 7, 7] } }, constants: { W: { dims: [4, 3, 3, 3] }, B: { dims: [4] } }, outputs: { y: [4] } },
  { name: "Conv + PRelu, per-channel slopes (fused)", nodes: [node("Conv", ["x", "W", "B"], ["c"]), node("PRelu", ["c", "slope"], ["y"])], inputs: { x: { dims: [1, 2, 16] } }, constants: { W: { dims: [5, 2, 3] }, B: { dims: [5] }, slope: { dims: [5, 1] } }, outputs: { y: [3] } },
  { name: "Conv + Sigmoid (fused)", nodes: [node("Conv", ["x", "W"], ["c"], { strides: [2] }), node("Sigmoid", ["c"], ["y"])], inputs: { x: { dims: [2, 3, 15], scale: 3 } }, constants: { W: { dims: [4, 3, 4] } }, outputs: { y: [3] } },
  { name: "Conv without bias + Add of a per-channel bias + Relu", nodes: [node("Conv", ["x", "W"], ["c"]), node("Add", ["c", "bias"], ["a"]), node("Relu", ["a"], ["y"])], inputs: { x: { dims: [1, 3, 6, 5] } }, constants: { W: { dims: [4, 3, 2, 2] }, bias: { dims: [1, 4, 1, 1] } }, outputs: { y: [4] } },
  { name: "Conv whose output is also read before the Relu (not fused)", nodes: [node("Conv", ["x", "W"], ["c"]), node("Relu", ["c"], ["y"]), node("Neg", ["c"], ["z"])], inputs: { x: { dims: [1, 2, 9] } }, constants: { W: { dims: [3, 2, 3] } }, outputs: { y: [3], z: [3] } },

  // ConvTranspose.
  { name: "ConvTranspose 1-D: stride 2, pads", nodes: [node("ConvTranspose", ["x", "W", "B"], ["y"], { strides: [2], pads: [1, 1] })], inputs: { x: { dims: [1, 4, 10] } }, constants: { W: { dims: [4, 3, 4] }, B: { dims: [3] } }, outputs: { y: [3] } },
  { name: "ConvTranspose 2-D: strides 2, output_padding [1, 0]", nodes: [node("ConvTranspose", ["x", "W"], ["y"], { strides: [2, 2], output_padding: [1, 0], pads: [1, 1, 1, 1] })], inputs: { x: { dims: [2, 3, 5, 4] } }, constants: { W: { dims: [3, 2, 3, 3] } }, outputs: { y: [4] } },
  { name: "ConvTranspose 2-D: output_shape", nodes: [node("ConvTranspose", ["x", "W", "B"], ["y"], { strides: [2, 3], output_shape: [10, 13] })], inputs: { x: { dims: [1, 2, 5, 4] } }, constants: { W: { dims: [2, 3, 2, 3] }, B: { dims: [3] } }, outputs: { y: [4] } },
  { name: "ConvTranspose 2-D: group 2, dilations [2, 1]", nodes: [node("ConvTranspose", ["x", "W"], ["y"], { group: 2, dilations: [2, 1] })], inputs: { x: { dims: [1, 4, 4, 5] } }, constants: { W: { dims: [4, 3, 2, 3] } }, outputs: { y: [4] } },
  { name: "ConvTranspose 1-D: auto_pad SAME_UPPER, stride 2", nodes: [node("ConvTranspose", ["x", "W"], ["y"], { auto_pad: "SAME_UPPER", strides: [2] })], inputs: { x: { dims: [1, 2, 7] } }, constants: { W: { dims: [2, 2, 3] } }, outputs: { y: [3] } },
  { name: "ConvTranspose 2-D + Relu", nodes: [node("ConvTranspose", ["x", "W", "B"], ["c"], { strides: [1, 2], pads: [0, 1, 0, 1] }), node("Relu", ["c"], ["y"])], inputs: { x: { dims: [1, 3, 3, 6] } }, constants: { W: { dims: [3, 4, 1, 3] }, B: { dims: [4] } }, outputs: { y: [4] } },

  // Normalization and activations.
  { name: "BatchNormalization (inference), epsilon", nodes: [node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], { epsilon: float(1e-3) })], inputs: { x: { dims: [2, 3, 4, 5] } }, constants: { s: { dims: [3] }, b: { dims: [3] }, m: { dims: [3] }, v: { dims: [3], positive: true } }, outputs: { y: [4] } },
  { name: "BatchNormalization after Conv", nodes: [node("Conv", ["x", "W"], ["c"]), node("BatchNormalization", ["c", "s", "b", "m", "v"], ["y"])], inputs: { x: { dims: [1, 2, 11] } }, constants: { W: { dims: [3, 2, 3] }, s: { dims: [3] }, b: { dims: [3] }, m: { dims: [3] }, v: { dims: [3], positive: true } }, outputs: { y: [3] } },
  { name: "PRelu: slope broadcast [3, 1] over [2, 3, 4]", nodes: [node("PRelu", ["x", "slope"], ["y"])], inputs: { x: { dims: [2, 3, 4] } }, constants: { slope: { dims: [3, 1] } }, outputs: { y: [3] } },
  { name: "PRelu: slope as an input, scalar-like [1]", nodes: [node("PRelu", ["x", "slope"], ["y"])], inputs: { x: { dims: [5, 4] }, slope: { dims: [1] } }, outputs: { y: [2] } },
  {
    name: "LeakyRelu, HardSigmoid, Softplus, Clip (opset 6 attributes)",
    opset: 6,
    nodes: [node("LeakyRelu", ["x"], ["a"], { alpha: float(0.2) }), node("HardSigmoid", ["x"], ["b"], { alpha: float(0.3), beta: float(0.4) }), node("Softplus", ["x"], ["c"]), node("Clip", ["x"], ["d"], { min: float(-0.5), max: float(1.5) })],
    inputs: { x: { dims: [3, 7], scale: 4 } },
    outputs: { a: [2], b: [2], c: [2], d: [2] },
  },
  {
    name: "Clip (opset 13): min and max inputs; min only; neither",
    opset: 13,
    nodes: [node("Clip", ["x", "lo", "hi"], ["a"]), node("Clip", ["x", "lo"], ["b"]), node("Clip", ["x", "", "hi"], ["c"]), node("Clip", ["x"], ["d"])],
    inputs: { x: { dims: [4, 5], scale: 3 } },
    constants: { lo: { dims: [], values: [-1] }, hi: { dims: [], values: [0.5] } },
    outputs: { a: [2], b: [2], c: [2], d: [2] },
  },
  {
    name: "unary maths: Sqrt, Abs, Neg, Exp, Log, Reciprocal, Erf",
    nodes: [node("Sqrt", ["p"], ["a"]), node("Abs", ["x"], ["b"]), node("Neg", ["x"], ["c"]), node("Exp", ["x"], ["d"]), node("Log", ["p"], ["e"]), node("Reciprocal", ["p"], ["f"]), node("Erf", ["x"], ["g"])],
    inputs: { x: { dims: [2, 3, 5], scale: 3 }, p: { dims: [2, 3, 5], positive: true, scale: 4 } },
    outputs: { a: [3], b: [3], c: [3], d: [3], e: [3], f: [3], g: [3] },
  },
  { name: "Pow: positive base, broadcast exponent [3]", nodes: [node("Pow", ["p", "e"], ["y"])], inputs: { p: { dims: [2, 3], positive: true, scale: 3 }, e: { dims: [3], scale: 2 } }, outputs: { y: [2] } },
  { name: "Pow: any base, exponent 2 (a constant) and 3 (int64)", nodes: [node("Pow", ["x", "two"], ["a"]), node("Pow", ["x", "three"], ["b"])], inputs: { x: { dims: [4, 3], scale: 2 } }, constants: { two: { dims: [], values: [2] }, three: { dims: [], kind: "int64", values: [3] } }, outputs: { a: [2], b: [2] } },

  // Pad.
  { name: "Pad (opset 2): pads attribute, constant value", opset: 2, nodes: [node("Pad", ["x"], ["y"], { pads: [0, 1, 2, 0, 2, 1], value: float(0.25) })], inputs: { x: { dims: [2, 3, 4] } }, outputs: { y: [3] } },
  { name: "Pad (opset 11): constant with pads and value inputs", opset: 11, nodes: [node("Pad", ["x", "pads", "value"], ["y"])], inputs: { x: { dims: [2, 3, 4] } }, constants: { pads: i64(1, 0, 2, 0, 3, 1), value: { dims: [], values: [-2] } }, outputs: { y: [3] } },
  { name: "Pad (opset 13): reflect", opset: 13, nodes: [node("Pad", ["x", "pads"], ["y"], { mode: "reflect" })], inputs: { x: { dims: [1, 3, 6] } }, constants: { pads: i64(0, 0, 2, 0, 0, 3) }, outputs: { y: [3] } },
  { name: "Pad (opset 13): edge, on two axes", opset: 13, nodes: [node("Pad", ["x", "pads"], ["y"], { mode: "edge" })], inputs: { x: { dims: [2, 4, 5] } }, constants: { pads: i64(0, 1, 2, 0, 3, 1) }, outputs: { y: [3] } },
  { name: "Pad (opset 11): negative pads crop", opset: 11, nodes: [node("Pad", ["x", "pads"], ["y"])], inputs: { x: { dims: [3, 6] } }, constants: { pads: i64(-1, 2, 0, -2) }, outputs: { y: [2] } },
  { name: "Pad (opset 18): axes input, reflect", opset: 18, nodes: [node("Pad", ["x", "pads", "", "axes"], ["y"], { mode: "reflect" })], inputs: { x: { dims: [2, 3, 7] } }, constants: { pads: i64(3, 2), axes: i64(-1) }, outputs: { y: [3] } },
  { name: "Pad (opset 11): pads as a graph input", opset: 11, nodes: [node("Pad", ["x", "pads"], ["y"])], inputs: { x: { dims: [2, 5] }, pads: { dims: [4], kind: "int64", values: [1, 1, 0, 2] } }, outputs: { y: [2] } },

  // Split, Tile, Flatten, Range.
  { name: "Split (opset 11): split attribute on axis 1", opset: 11, nodes: [node("Split", ["x"], ["a", "b"], { axis: 1, split: [2, 3] })], inputs: { x: { dims: [2, 5, 3] } }, outputs: { a: [3], b: [3] } },
  { name: "Split (opset 13): split input, negative axis", opset: 13, nodes: [node("Split", ["x", "sizes"], ["a", "b", "c"], { axis: -1 })], inputs: { x: { dims: [3, 7] } }, constants: { sizes: i64(1, 4, 2) }, outputs: { a: [2], b: [2], c: [2] } },
  { name: "Split (opset 13): equal parts by output count", opset: 13, nodes: [node("Split", ["x"], ["a", "b", "c"], { axis: 0 })], inputs: { x: { dims: [6, 2] } }, outputs: { a: [2], b: [2], c: [2] } },
  { name: "Split (opset 18): num_outputs with a shorter last part", opset: 18, nodes: [node("Split", ["x"], ["a", "b", "c"], { axis: 1, num_outputs: 3 })], inputs: { x: { dims: [2, 7] } }, outputs: { a: [2], b: [2], c: [2] } },
  { name: "Tile: repeats input", nodes: [node("Tile", ["x", "repeats"], ["y"])], inputs: { x: { dims: [2, 3] } }, constants: { repeats: i64(3, 2) }, outputs: { y: [2] } },
  { name: "Flatten: axis 2, axis 0, axis −1", nodes: [node("Flatten", ["x"], ["a"], { axis: 2 }), node("Flatten", ["x"], ["b"], { axis: 0 }), node("Flatten", ["x"], ["c"], { axis: -1 })], inputs: { x: { dims: [2, 3, 4, 2] } }, outputs: { a: [2], b: [2], c: [2] } },
  { name: "Range: float scalars; int64 with a negative delta", nodes: [node("Range", ["s", "l", "d"], ["a"]), node("Range", ["s64", "l64", "d64"], ["b"])], inputs: {}, constants: { s: { dims: [], values: [0.5] }, l: { dims: [], values: [4.1] }, d: { dims: [], values: [0.7] }, s64: scalar64(10), l64: scalar64(-3), d64: scalar64(-4) }, outputs: { a: [1], b: [1, "int64"] } },
  { name: "Range: limit from a graph input's shape", nodes: [node("Shape", ["x"], ["shape"]), node("Gather", ["shape", "one"], ["n"], { axis: 0 }), node("Range", ["zero", "n", "step"], ["y"])], inputs: { x: { dims: [2, 9] } }, constants: { one: scalar64(1), zero: scalar64(0), step: scalar64(2) }, outputs: { y: [1, "int64"] } },

  // Indexing.
  { name: "ScatterND: rows", nodes: [node("ScatterND", ["data", "indices", "updates"], ["y"])], inputs: { data: { dims: [4, 5] }, updates: { dims: [2, 5] } }, constants: { indices: { dims: [2, 1], kind: "int64", values: [1, 3] } }, outputs: { y: [2] } },
  { name: "ScatterND: elements, negative indices", nodes: [node("ScatterND", ["data", "indices", "updates"], ["y"])], inputs: { data: { dims: [3, 4] }, updates: { dims: [3] } }, constants: { indices: { dims: [3, 2], kind: "int64", values: [0, 1, -1, -1, 1, 2] } }, outputs: { y: [2] } },
  { name: "ScatterND (opset 16): reduction add", opset: 16, nodes: [node("ScatterND", ["data", "indices", "updates"], ["y"], { reduction: "add" })], inputs: { data: { dims: [2, 3, 4] }, updates: { dims: [2, 4] } }, constants: { indices: { dims: [2, 2], kind: "int64", values: [0, 1, 1, 2] } }, outputs: { y: [3] } },
  { name: "ScatterND: a streaming cache updated in place (the enhancer's form)", nodes: [node("Slice", ["cache", "one", "big", "two"], ["old"]), node("Concat", ["old", "x"], ["joined"], { axis: 2 }), node("ScatterND", ["cache", "all", "joined"], ["y"])], inputs: { cache: { dims: [1, 2, 3] }, x: { dims: [1, 2, 1] } }, constants: { one: i64(1), big: i64(3), two: i64(2), all: { dims: [1, 1], kind: "int64", values: [0] } }, outputs: { y: [3] } },
  { name: "GatherElements: axis 1, negative indices", nodes: [node("GatherElements", ["x", "idx"], ["y"], { axis: 1 })], inputs: { x: { dims: [3, 4] } }, constants: { idx: { dims: [3, 2], kind: "int64", values: [0, -1, 3, 1, 2, -4] } }, outputs: { y: [2] } },
  { name: "GatherElements: axis 0 on 3-D", nodes: [node("GatherElements", ["x", "idx"], ["y"], { axis: 0 })], inputs: { x: { dims: [2, 3, 2] } }, constants: { idx: { dims: [1, 3, 2], kind: "int64", values: [1, 0, 0, 1, 1, 1] } }, outputs: { y: [3] } },
  { name: "Size", nodes: [node("Size", ["x"], ["n"])], inputs: { x: { dims: [3, 5, 2] } }, outputs: { n: [0, "int64"] } },

  // LayerNormalization.
  { name: "LayerNormalization: last axis, scale and bias", nodes: [node("LayerNormalization", ["x", "s", "b"], ["y"], { axis: -1, epsilon: float(1e-5) })], inputs: { x: { dims: [2, 3, 8], scale: 3 } }, constants: { s: { dims: [8] }, b: { dims: [8] } }, outputs: { y: [3] } },
  { name: "LayerNormalization: the last two axes, no bias", nodes: [node("LayerNormalization", ["x", "s"], ["y"], { axis: 1 })], inputs: { x: { dims: [2, 3, 4] } }, constants: { s: { dims: [3, 4] } }, outputs: { y: [3] } },

  // Reductions.
  { name: "ReduceMean (opset 13): axes attribute, keepdims", opset: 13, nodes: [node("ReduceMean", ["x"], ["y"], { axes: [1] })], inputs: { x: { dims: [2, 3, 4] } }, outputs: { y: [3] } },
  { name: "ReduceSum (opset 13): axes input, keepdims 0", opset: 13, nodes: [node("ReduceSum", ["x", "axes"], ["y"], { keepdims: 0 })], inputs: { x: { dims: [2, 3, 4] } }, constants: { axes: i64(0, 2) }, outputs: { y: [1] } },
  { name: "ReduceMax, ReduceMin (opset 18): axes input, every axis", opset: 18, nodes: [node("ReduceMax", ["x", "axes"], ["a"]), node("ReduceMin", ["x"], ["b"], { keepdims: 0 })], inputs: { x: { dims: [3, 5] } }, constants: { axes: i64(-1) }, outputs: { a: [2], b: [0] } },
  {
    name: "noop_with_empty_axes (opset 18): each element reduced alone",
    opset: 18,
    nodes: [node("ReduceL2", ["x"], ["a"], { noop_with_empty_axes: 1 }), node("ReduceSumSquare", ["x"], ["b"], { noop_with_empty_axes: 1 }), node("ReduceL1", ["x"], ["c"], { noop_with_empty_axes: 1 }), node("ReduceMax", ["x"], ["d"], { noop_with_empty_axes: 1 }), node("ReduceL2", ["x", "axes"], ["e"])],
    inputs: { x: { dims: [2, 6] } },
    constants: { axes: i64(1) },
    outputs: { a: [2], b: [2], c: [2], d: [2], e: [2] },
  },
  { name: "ReduceMean (opset 18): negative axes over a run, as Silero's", opset: 18, nodes: [node("ReduceMean", ["x", "axes"], ["y"], { keepdims: 0 })], inputs: { x: { dims: [2, 4, 3, 5] } }, constants: { axes: i64(-2, -1) }, outputs: { y: [2] } },
  { name: "ReduceSum (opset 13): axes as a graph input", opset: 13, nodes: [node("ReduceSum", ["x", "axes"], ["y"])], inputs: { x: { dims: [3, 4] }, axes: { dims: [1], kind: "int64", values: [0] } }, outputs: { y: [2] } },

  // Comparisons, logic, Where.
  {
    name: "Equal, Less, Greater, LessOrEqual, GreaterOrEqual with broadcasting",
    nodes: [node("Equal", ["x", "y"], ["eq"]), node("Less", ["x", "y"], ["lt"]), node("Greater", ["x", "y"], ["gt"]), node("LessOrEqual", ["x", "y"], ["le"]), node("GreaterOrEqual", ["x", "y"], ["ge"])],
    inputs: { x: { dims: [3, 4], integers: 2 }, y: { dims: [4], integers: 2 } },
    outputs: { eq: [2, "bool"], lt: [2, "bool"], gt: [2, "bool"], le: [2, "bool"], ge: [2, "bool"] },
  },
  { name: "Equal on int64", nodes: [node("Equal", ["a", "b"], ["y"])], inputs: { a: { dims: [2, 3], kind: "int64" }, b: { dims: [1, 3], kind: "int64" } }, outputs: { y: [2, "bool"] } },
  {
    name: "Not, And, Or on bool tensors, and Where with broadcasting",
    nodes: [node("Not", ["p"], ["np"]), node("And", ["p", "q"], ["and"]), node("Or", ["np", "q"], ["or"]), node("Where", ["and", "x", "y"], ["w"])],
    inputs: { p: { dims: [2, 3], kind: "bool" }, q: { dims: [3], kind: "bool" }, x: { dims: [2, 3] }, y: { dims: [1] } },
    outputs: { np: [2, "bool"], and: [2, "bool"], or: [2, "bool"], w: [2] },
  },
  { name: "Where from a comparison (Silero's form)", nodes: [node("Greater", ["x", "zero"], ["pos"]), node("Where", ["pos", "x", "neg"], ["y"]), node("Neg", ["x"], ["neg"])], inputs: { x: { dims: [4, 4] } }, constants: { zero: { dims: [], values: [0] } }, outputs: { y: [2] } },

  // If.
  {
    name: "If: branches reading outer-scope values, nested",
    nodes: [node("If", ["cond"], ["z"], { then_branch: subgraph(thenBranch), else_branch: subgraph(elseBranch) })],
    inputs: { cond: { dims: [], kind: "bool", values: [true] }, inner: { dims: [], kind: "bool", values: [false] }, x: { dims: [2, 3] }, y: { dims: [2, 3] } },
    outputs: { z: [2] },
    second: { cond: [false] },
  },
  {
    name: "If on a condition computed from constants (chosen at create)",
    nodes: [node("Equal", ["two", "two"], ["cond"]), node("If", ["cond"], ["z"], { then_branch: subgraph(thenBranch), else_branch: subgraph(elseBranch) })],
    inputs: { x: { dims: [2, 3] }, y: { dims: [2, 3] }, inner: { dims: [], kind: "bool", values: [true] } },
    constants: { two: scalar64(2) },
    outputs: { z: [2] },
  },
  {
    name: "If on a condition computed from a shape (folded)",
    nodes: [node("Shape", ["x"], ["shape"]), node("Gather", ["shape", "zero"], ["n"], { axis: 0 }), node("Equal", ["n", "two"], ["cond"]), node("If", ["cond"], ["z"], { then_branch: subgraph(thenBranch), else_branch: subgraph(elseBranch) })],
    inputs: { x: { dims: [2, 3] }, y: { dims: [2, 3] }, inner: { dims: [], kind: "bool", values: [true] } },
    constants: { zero: scalar64(0), two: scalar64(2) },
    outputs: { z: [2] },
  },
];

function feedsOf(c: Case, seed: number): Record<string, { kind: Kind; data: Data; dims: number[] }> {
  const random = generator(seed);
  return Object.fromEntries(Object.entries(c.inputs).map(([name, spec]) => {
    const fixed = seed > 1 && c.second?.[name] ? c.second[name] : spec.values;
    return [name, { kind: spec.kind ?? "float32", data: dataOf(spec, random, fixed), dims: spec.dims }];
  }));
}

function expectSame(name: string, ours: onnx.Tensor, theirs: ort.Tensor): void {
  expect(ours.type, `${name}: type`).toBe(theirs.type);
  expect(ours.dims, `${name}: dims`).toEqual([...theirs.dims]);
  if (theirs.type === "float32") {
    const a = ours.data as Float32Array, b = theirs.data as Float32Array;
    const scale = Math.max(1, ...Array.from(b, Math.abs));
    const worst = Math.max(0, ...Array.from(b, (v, i) => Math.abs(v - a[i])));
    expect(worst, `${name}: max |Δ| at scale ${scale}`).toBeLessThanOrEqual(1e-5 * scale);
  } else {
    expect(Array.from(ours.data as ArrayLike<number | bigint>, (v) => String(v)), name).toEqual(Array.from(theirs.data as ArrayLike<number | bigint>, (v) => String(Number(v))));
  }
}

describe("ONNX operators against onnxruntime-node (graphs written by the test)", () => {
  it("an If whose condition is known at create frees the branch it does not take", async () => {
    // The else branch holds an LSTM (its weights in wasm memory): with the condition a constant it is
    // freed at create; with the condition fed, both branches stay.
    const H = 64, I = 16;
    const weights = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.1);
    const lstmBranch = graph({
      nodes: [node("LSTM", ["x3", "W", "R"], ["", "h"], { hidden_size: H }), node("Squeeze", ["h"], ["w"])],
      initializers: [tensorProto("W", [1, 4 * H, I], weights(4 * H * I)), tensorProto("R", [1, 4 * H, H], weights(4 * H * H))],
      outputs: [valueInfo("w", rank(2))],
      name: "lstm_branch",
    });
    const copyBranch = graph({ nodes: [node("Identity", ["h0"], ["v"])], outputs: [valueInfo("v", rank(2))], name: "copy_branch" });
    const model = (condition: "constant" | "fed") => modelBytes({
      nodes: [node("If", ["cond"], ["z"], { then_branch: subgraph(copyBranch), else_branch: subgraph(lstmBranch) })],
      initializers: condition === "constant" ? [tensorProto("cond", [], Uint8Array.of(1), CODE.bool)] : [],
      inputs: [valueInfo("x3", [1, 1, I]), valueInfo("h0", [1, H]), ...(condition === "fed" ? [valueInfo("cond", [], CODE.bool)] : [])],
      outputs: [valueInfo("z", rank(2))],
    });
    const used = async (condition: "constant" | "fed") => {
      const before = engine().arena.usedBytes;
      const session = await onnx.InferenceSession.create(model(condition));
      const held = engine().arena.usedBytes - before;
      const feeds = { x3: new onnx.Tensor("float32", new Float32Array(I), [1, 1, I]), h0: new onnx.Tensor("float32", Float32Array.from({ length: H }, (_, i) => i), [1, H]) };
      const z = (await session.run(condition === "fed" ? { ...feeds, cond: new onnx.Tensor("bool", [true], []) } : feeds)).z;
      expect(Array.from(z.data as Float32Array)).toEqual(Array.from({ length: H }, (_, i) => i)); // the then branch either way
      await session.release();
      return held;
    };
    const [constant, fed] = [await used("constant"), await used("fed")];
    expect(fed - constant).toBeGreaterThanOrEqual(4 * H * (I + H) * 4); // at least the LSTM's float weights
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    const bytes = modelOf(c);
    const ours = await onnx.InferenceSession.create(bytes);
    const theirs = await ort.InferenceSession.create(bytes);
    try {
      for (const seed of [1, 2]) {
        const feeds = feedsOf(c, seed);
        const a = await ours.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new onnx.Tensor(t.kind, t.data, t.dims)])));
        const b = await theirs.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.kind, t.data, t.dims)])));
        for (const name of theirs.outputNames) expectSame(`${name} (run ${seed})`, a[name], b[name]);
      }
    } finally {
      await ours.release();
      await theirs.release();
    }
  });
});
