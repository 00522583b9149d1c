// Reductions over axes: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2,
// ReduceSumSquare, ReduceLogSumExp. Axes come from the attribute before opset 13 (ReduceSum) or 18
// (the others), from the optional second input since; none means every axis, or with
// noop_with_empty_axes no axis: each element reduced alone (as onnxruntime: L1 and L2 give |x|,
// SumSquare x², the others x); keepdims (default 1) keeps reduced axes as size 1.
// float32 and float64 sum in float64; int32 and int64 exactly; Max and Min also take bool (opset 20).
// Reducing an empty set gives the operation's identity (0, 1, −∞ for Max, +∞ for Min; NaN for Mean).
// A plan reduces float32 over one run of axes with the wasm core's `reduce` (all but ReduceL1).

import { UnsupportedError } from "../../../errors.js";
import { allocate, isType, type OnnxTensor } from "../tensor.js";
import { reshaped, stridedIndex, stridesOf } from "./elements.js";
import type { OpSpec, PlanNode, PlannedStep, Value } from "./kernel.js";
import { input, intValues, normalizeAxes, product } from "./values.js";

interface Reduction {
  /** The wasm core's `reduce` op code (none: plans run `run`). */
  code?: number;
  /** The accumulator's start (the identity). */
  start: number;
  add(acc: number, x: number): number;
  /** The result from the accumulator and the number of elements reduced. */
  finish(acc: number, n: number): number;
  /** Whether it runs on bool (Max, Min). */
  bool?: boolean;
  /** Whether reducing a single element changes it (L1, L2: |x|; SumSquare: x²). */
  changesOne?: boolean;
}

const same = (acc: number) => acc;

const REDUCTIONS: Record<string, Reduction> = {
  ReduceSum: { code: 0, start: 0, add: (a, x) => a + x, finish: same },
  ReduceMean: { code: 1, start: 0, add: (a, x) => a + x, finish: (a, n) => a / n },
  ReduceMax: { code: 2, start: -Infinity, add: (a, x) => (x > a || Number.isNaN(x) ? x : a), finish: same, bool: true },
  ReduceMin: { code: 3, start: Infinity, add: (a, x) => (x < a || Number.isNaN(x) ? x : a), finish: same, bool: true },
  ReduceProd: { code: 7, start: 1, add: (a, x) => a * x, finish: same },
  ReduceL1: { start: 0, add: (a, x) => a + Math.abs(x), finish: same, changesOne: true },
  ReduceL2: { code: 5, start: 0, add: (a, x) => a + x * x, finish: (a) => Math.sqrt(a), changesOne: true },
  ReduceSumSquare: { code: 4, start: 0, add: (a, x) => a + x * x, finish: same, changesOne: true },
  ReduceLogSumExp: { code: 6, start: 0, add: (a, x) => a + Math.exp(x), finish: (a) => Math.log(a) },
};

/** The reduced dims of `dims` over `axes` (kept as 1 or dropped). */
function reducedDims(dims: readonly number[], axes: readonly number[], keep: boolean): number[] {
  return keep ? dims.map((d, k) => (axes.includes(k) ? 1 : d)) : dims.filter((_, k) => !axes.includes(k));
}

/** For each element of x (row-major), the index of the reduced element it goes to. */
function targetIndex(dims: readonly number[], axes: readonly number[]): Int32Array {
  const kept = dims.map((d, k) => (axes.includes(k) ? 1 : d));
  const strides = stridesOf(kept).map((s, k) => (axes.includes(k) ? 0 : s));
  return stridedIndex(dims, strides, 0, "the reduced input");
}

/** A float32 plan step reducing `axes` of input 0, when they are one run of axes (axes of size 1
 *  aside): then the input is [outer, n, inner] and the wasm core's `reduce` does it in one call. */
function reduceStep(node: PlanNode, axes: readonly number[], code: number): PlannedStep | null {
  const x = node.inputs[0];
  if (!x || x.type !== "float32" || x.constant) return null;
  const wide = x.dims.map((d, k) => (d === 1 ? -1 : k)).filter((k) => k >= 0);
  const reduced = wide.filter((k) => axes.includes(k)), kept = wide.filter((k) => !axes.includes(k));
  if (reduced.length && kept.some((k) => k > reduced[0] && k < reduced[reduced.length - 1])) return null;
  const first = reduced.length ? reduced[0] : x.dims.length, last = reduced.length ? reduced[reduced.length - 1] : x.dims.length - 1;
  const outer = product(x.dims, 0, first), n = product(x.dims, first, last + 1), inner = product(x.dims, last + 1);
  const core = node.engine.core;
  return {
    make: (at) => {
      const from = at.input(0), to = at.output(0);
      return () => core.reduce(code, outer, n, inner, from, to);
    },
  };
}

function reduce(name: string, r: Reduction): OpSpec {
  const axesFrom = name === "ReduceSum" ? 13 : 18;
  return {
    inputs: [1, 2],
    outputs: 1,
    shapeInputs: [1],
    build: ({ where, attrs, opset }) => {
      const keep = attrs.int("keepdims", 1) !== 0;
      const noop = opset >= axesFrom && attrs.int("noop_with_empty_axes", 0) !== 0;
      const attributeAxes = opset < axesFrom ? attrs.ints("axes") : null;
      /** The axes reduced (none with noop_with_empty_axes: each element alone). */
      const axesOf = (dims: readonly number[], inputs: readonly Value[]): number[] => {
        const given = opset < axesFrom ? attributeAxes : inputs[1] ? intValues(inputs[1], `${where}: axes`) : null;
        if ((given === null || given.length === 0) && noop) return [];
        return given && given.length ? normalizeAxes(given, dims.length, where) : dims.map((_, k) => k);
      };
      return {
        plan: (node) => {
          const axes = axesOf(node.inputs[0]!.dims, node.inputs.map((v) => v?.constant ?? null));
          if (axes.length === 0) return r.changesOne ? null : { alias: 0 };
          return r.code === undefined ? null : reduceStep(node, axes, r.code);
        },
        run: (inputs) => [reduceTensor(inputs)],
      };
      function reduceTensor(inputs: readonly Value[]): OnnxTensor {
        const x = input(inputs, 0, where);
        const axes = axesOf(x.dims, inputs);
        if (axes.length === 0 && !r.changesOne) return reshaped(x, x.dims, where);
        const dims = reducedDims(x.dims, axes, keep);
        if (isType(x, "int64")) return reduceInt64(x, axes, dims, name, where);
        if (x.type === "bool" && !r.bool) throw new UnsupportedError(`${where}: input is bool; wasm-rnn runs ${name} on float32, float64, int32 and int64`);
        if (x.type !== "float32" && x.type !== "float64" && x.type !== "int32" && x.type !== "bool") {
          throw new UnsupportedError(`${where}: input is ${x.type}; wasm-rnn runs ${name} on float32, float64, int32 and int64`);
        }
        const out = allocate(x.type, dims, where);
        const acc = new Float64Array(out.size).fill(r.start);
        const count = out.size ? x.size / out.size : 0;
        const target = targetIndex(x.dims, axes);
        const data = x.data as Float32Array;
        for (let i = 0; i < x.size; i++) acc[target[i]] = r.add(acc[target[i]], data[i]);
        const isInteger = x.type === "int32" || x.type === "bool";
        for (let j = 0; j < out.size; j++) {
          const v = r.finish(acc[j], count);
          (out.data as Float32Array)[j] = isInteger ? (Number.isFinite(v) ? Math.trunc(v) : x.type === "bool" ? 0 : v) : v;
        }
        return out;
      }
    },
  };
}

/** int64 reductions, exact in bigint (Sum, Mean truncating, Max, Min, Prod, L1, SumSquare). */
function reduceInt64(x: OnnxTensor<"int64">, axes: readonly number[], dims: number[], name: string, where: string): OnnxTensor {
  const out = allocate("int64", dims, where);
  const target = targetIndex(x.dims, axes);
  const count = out.size ? x.size / out.size : 0;
  const ops: Record<string, [bigint | null, (a: bigint, v: bigint) => bigint]> = {
    ReduceSum: [0n, (a, v) => a + v], ReduceMean: [0n, (a, v) => a + v], ReduceProd: [1n, (a, v) => a * v],
    ReduceMax: [null, (a, v) => (v > a ? v : a)], ReduceMin: [null, (a, v) => (v < a ? v : a)],
    ReduceL1: [0n, (a, v) => a + (v < 0n ? -v : v)], ReduceSumSquare: [0n, (a, v) => a + v * v],
  };
  const op = ops[name];
  if (!op) throw new UnsupportedError(`${where}: input is int64; wasm-rnn runs ${name} on float32, float64 and int32`);
  const [start, add] = op;
  const acc: (bigint | null)[] = new Array(out.size).fill(start);
  for (let i = 0; i < x.size; i++) {
    const a = acc[target[i]];
    acc[target[i]] = a === null ? x.data[i] : add(a, x.data[i]);
  }
  for (let j = 0; j < out.size; j++) {
    const a = acc[j] ?? (name === "ReduceMax" ? -(2n ** 63n) : 2n ** 63n - 1n);
    out.data[j] = BigInt.asIntN(64, name === "ReduceMean" && count ? a / BigInt(count) : a);
  }
  return out;
}

export const REDUCE_OPS: Record<string, OpSpec> = Object.fromEntries(Object.entries(REDUCTIONS).map(([name, r]) => [name, reduce(name, r)]));
