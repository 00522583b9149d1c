// Element-wise functions of one tensor: Relu, Tanh, Sigmoid, Sqrt, Exp, Log, Reciprocal, Erf,
// Softplus, LeakyRelu (alpha), HardSigmoid (alpha, beta), Floor, Ceil on float32 and float64; Abs and
// Neg on any signed numeric type; Clip (min and max as attributes before opset 11, as optional inputs
// from it) on float and integer types. `run` computes in float64 and rounds to the element type; a
// plan runs float32 through the wasm core's `unary` kernel (its SIMD approximations, error bounds in
// assembly/elementwise.ts), and Relu, Sigmoid, Tanh and LeakyRelu right after a convolution fuse into
// its epilogue (plan.ts).

import { ShapeError, UnsupportedError } from "../../../errors.js";
import { allocate, isType, type OnnxTensor } from "../tensor.js";
import { erf } from "./erf.js";
import type { FusedActivation, Kernel, BuildContext, OpSpec, PlanNode, PlannedStep } from "./kernel.js";
import { input } from "./values.js";

type Float = "float32" | "float64";

function floatInput(t: OnnxTensor, where: string): OnnxTensor<Float> {
  if (isType(t, "float32") || isType(t, "float64")) return t;
  throw new UnsupportedError(`${where}: input is ${t.type}; wasm-rnn runs this operator on float32 and float64`);
}

/** The wasm core's `unary` op codes (assembly/elementwise.ts). */
export const UNARY = { relu: 1, sigmoid: 2, tanh: 3, exp: 4, log: 5, sqrt: 6, abs: 7, neg: 8, reciprocal: 9, erf: 10, softplus: 11, hardSigmoid: 12, leakyRelu: 13, clip: 14, pow: 16, floor: 18, ceil: 19 } as const;

/** The conv epilogues' activation codes (assembly/conv.ts) of the activations that fuse into them. */
const FUSES: Partial<Record<keyof typeof UNARY, number>> = { relu: 1, sigmoid: 2, tanh: 3, leakyRelu: 5 };

/** How a node maps each element: f for `run`, the wasm op and its two parameters for plans. */
interface Elementwise {
  f: (x: number) => number;
  op: keyof typeof UNARY;
  alpha?: number;
  beta?: number;
}

/** A float32 plan step applying wasm op `op` to input 0. */
export function unaryStep(node: PlanNode, op: number, alpha: number, beta: number, fuse?: FusedActivation): PlannedStep | null {
  const x = node.inputs[0];
  if (!x || x.type !== "float32" || x.constant) return null;
  const n = x.dims.reduce((a, b) => a * b, 1);
  const core = node.engine.core;
  return {
    activation: fuse,
    make: (at) => {
      const from = at.input(0), to = at.output(0);
      return () => core.unary(op, n, from, to, alpha, beta);
    },
  };
}

/** An op applying an element-wise function (made from the node's attributes) to a float tensor. */
function unary(make: (ctx: BuildContext) => Elementwise): OpSpec {
  return {
    inputs: [1, 1],
    outputs: 1,
    build: (ctx): Kernel => {
      const { f, op, alpha = 0, beta = 0 } = make(ctx);
      const fused = FUSES[op];
      return {
        run: (inputs) => {
          const x = floatInput(input(inputs, 0, ctx.where), ctx.where);
          const out = allocate(x.type, x.dims, ctx.where);
          for (let i = 0; i < x.size; i++) out.data[i] = f(x.data[i]);
          return [out];
        },
        plan: (node) => unaryStep(node, UNARY[op], alpha, beta, fused === undefined ? undefined : { code: fused, alpha }),
      };
    },
  };
}

const fixed = (op: keyof typeof UNARY, f: (x: number) => number) => unary(() => ({ f, op }));

/** Abs or Neg on any signed numeric type (integers wrap as onnxruntime's: −(−2³¹) stays −2³¹). */
function signed(f: (x: number) => number, g: (x: bigint) => bigint, op: number): OpSpec {
  return {
    inputs: [1, 1],
    outputs: 1,
    build: ({ where }) => ({
      run: (inputs) => {
        const x = input(inputs, 0, where);
        const out = allocate(x.type, x.dims, where);
        if (isType(x, "int64")) for (let i = 0; i < x.size; i++) (out.data as BigInt64Array)[i] = BigInt.asIntN(64, g(x.data[i]));
        else if (isType(x, "float32") || isType(x, "float64") || isType(x, "int32") || isType(x, "int8")) for (let i = 0; i < x.size; i++) (out.data as Float32Array)[i] = f(x.data[i]);
        else throw new UnsupportedError(`${where}: input is ${x.type}; wasm-rnn runs this operator on float32, float64, int32, int64 and int8`);
        return [out];
      },
      plan: (node) => unaryStep(node, op, 0, 0),
    }),
  };
}

const Clip: OpSpec = {
  inputs: [1, 3],
  outputs: 1,
  build: ({ where, attrs, opset }): Kernel => {
    const attributeBounds = opset < 11 ? [attrs.float("min", -Infinity), attrs.float("max", Infinity)] : null;
    const bounds = (inputs: readonly (OnnxTensor | null)[], type: string): [number, number] => {
      const bound = (i: number, fallback: number) => {
        const t = inputs[i];
        if (!t) return fallback;
        if (t.type !== type || t.size !== 1) throw new ShapeError(`${where}: input ${i} must be a ${type} scalar; got ${t.type} [${t.dims.join(", ")}]`);
        return Number(t.data[0]);
      };
      return attributeBounds ? [attributeBounds[0], attributeBounds[1]] : [bound(1, -Infinity), bound(2, Infinity)];
    };
    const run = (inputs: readonly (OnnxTensor | null)[]) => {
      const x = input(inputs, 0, where);
      const [lo, hi] = bounds(inputs, x.type);
      const out = allocate(x.type, x.dims, where);
      if (isType(x, "int64")) {
        const [l, h] = [lo === -Infinity ? null : BigInt(lo), hi === Infinity ? null : BigInt(hi)];
        for (let i = 0; i < x.size; i++) {
          let v = x.data[i];
          if (l !== null && v < l) v = l;
          if (h !== null && v > h) v = h;
          (out.data as BigInt64Array)[i] = v;
        }
        return out;
      }
      if (x.type === "bool" || x.type === "float16") throw new UnsupportedError(`${where}: input is ${x.type}; wasm-rnn runs Clip on float and integer types`);
      // min > max gives max everywhere, as onnxruntime's min(max(x, lo), hi).
      const data = x.data as Float32Array;
      for (let i = 0; i < x.size; i++) (out.data as Float32Array)[i] = Number.isNaN(data[i]) ? NaN : Math.min(Math.max(data[i], lo), hi);
      return out;
    };
    return {
      run: (inputs) => [run(inputs)],
      plan: (node) => {
        if (node.inputs.slice(1).some((v) => v && !v.constant)) return null;
        const [lo, hi] = bounds(node.inputs.map((v) => v?.constant ?? null), "float32");
        return unaryStep(node, UNARY.clip, Math.max(lo, -3.4028234663852886e38), Math.min(hi, 3.4028234663852886e38));
      },
    };
  },
};

export const ACTIVATION_OPS: Record<string, OpSpec> = {
  Relu: fixed("relu", (x) => (x < 0 ? 0 : x)),
  Tanh: fixed("tanh", Math.tanh),
  Sigmoid: fixed("sigmoid", (x) => 1 / (1 + Math.exp(-x))),
  Sqrt: fixed("sqrt", Math.sqrt),
  Exp: fixed("exp", Math.exp),
  Log: fixed("log", Math.log),
  Reciprocal: fixed("reciprocal", (x) => 1 / x),
  Erf: fixed("erf", erf),
  Floor: fixed("floor", Math.floor),
  Ceil: fixed("ceil", Math.ceil),
  Softplus: fixed("softplus", (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))),
  LeakyRelu: unary(({ attrs }) => {
    const alpha = attrs.float("alpha", 0.01);
    return { f: (x) => (x < 0 ? alpha * x : x), op: "leakyRelu", alpha };
  }),
  HardSigmoid: unary(({ attrs }) => {
    const alpha = attrs.float("alpha", 0.2), beta = attrs.float("beta", 0.5);
    return { f: (x) => Math.max(0, Math.min(1, alpha * x + beta)), op: "hardSigmoid", alpha, beta };
  }),
  Abs: signed(Math.abs, (x) => (x < 0n ? -x : x), UNARY.abs),
  Neg: signed((x) => -x, (x) => -x, UNARY.neg),
  Clip,
};
