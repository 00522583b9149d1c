// ONNX models quantized the way onnxruntime's quantize_dynamic writes them, written here
// (scripts/onnx-writer.mjs, scripts/onnx-quantize.mjs) and run by our InferenceSession and by
// onnxruntime-node:
// - an LSTM as one com.microsoft DynamicQuantizeLSTM node, W and R int8 (or uint8 with zero point
//   128) transposed to [D, I, 4H] and [D, H, 4H], one scale per direction or per output channel;
// - a MatMul as DynamicQuantizeLinear → MatMulInteger → Cast → Mul(x scale · B scale), which we fuse
//   onto a quantized Dense, and which runs operator by operator, exactly as onnxruntime's, when it
//   cannot be fused.
// Where the int8 kernels run, the two quantize the activations differently (we to 7 bits per row,
// onnxruntime to uint8 with a zero point), so they agree to quantization error, as each agrees with
// the float model on the dequantized weights. Bad quantized inputs are refused with errors naming the
// node and the input.

import ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { engineInfo, init, NumericError, onnx, ShapeError, UnsupportedError } from "../../src/index.js";
import { Random } from "../../src/random.js";
import { modelBytes, node, tensorProto, valueInfo } from "../../scripts/onnx-writer.mjs";
import { matMulIntegerNodes, quantizeMatMulWeight, quantizeSymmetricInt8 } from "../../scripts/onnx-quantize.mjs";
import { fuseQuantizedMatMuls } from "../../src/io/onnx/fusion.js";
import { orderNodes } from "../../src/io/onnx/graph.js";
import { decodeModel } from "../../src/io/onnx/model.js";

/** Largest |ours − onnxruntime's| accepted: both are within a few 1e-3 of the float LSTM here. */
const TOLERANCE = 2e-2;

interface Case {
  name: string;
  T: number;
  B: number;
  I: number;
  H: number;
  direction: "forward" | "reverse" | "bidirectional";
  quantization: "per-tensor" | "per-channel";
  /** uint8 weights with zero point 128 (the int8 values shifted) instead of int8. */
  unsigned?: boolean;
  bias?: boolean;
  peepholes?: boolean;
  lengths?: number[];
  states?: boolean;
}

const CASES: Case[] = [
  { name: "forward, per-tensor scales", T: 9, B: 3, I: 16, H: 32, direction: "forward", quantization: "per-tensor", bias: true },
  { name: "bidirectional, per-channel, lengths and initial states", T: 12, B: 4, I: 10, H: 24, direction: "bidirectional", quantization: "per-channel", bias: true, lengths: [12, 3, 7, 1], states: true },
  { name: "reverse, no bias, batch 1", T: 20, B: 1, I: 7, H: 40, direction: "reverse", quantization: "per-tensor" },
  { name: "uint8 weights with zero point 128, peepholes", T: 6, B: 2, I: 8, H: 16, direction: "forward", quantization: "per-channel", unsigned: true, bias: true, peepholes: true },
];

interface Built {
  bytes: Uint8Array;
  /** The same LSTM in float: weights q · scale (what the quantized model means). */
  float: Uint8Array;
  feeds: Record<string, onnx.Tensor>;
}

/** A DynamicQuantizeLSTM model of the case (and its float twin), with random weights and inputs. */
function build(c: Case, seed: number): Built {
  const random = new Random(seed);
  const D = c.direction === "bidirectional" ? 2 : 1, G = 4 * c.H;
  const uniform = (n: number, k = 0.3) => random.uniformArray(n, -k, k);
  const W = uniform(D * G * c.I), R = uniform(D * G * c.H), Bias = uniform(D * 2 * G), P = uniform(D * 3 * c.H);
  const initializers = [], floatInitializers = [];
  const names = ["X", "W", "R", c.bias ? "B" : "", c.lengths ? "sequence_lens" : "", c.states ? "initial_h" : "", c.states ? "initial_c" : "", c.peepholes ? "P" : ""];
  for (const [name, src, cols] of [["W", W, c.I], ["R", R, c.H]] as const) {
    const { q, qShape, scale, zeroPoint, shape } = quantizeSymmetricInt8(src, D, G, cols, c.quantization);
    const weights = c.unsigned ? Uint8Array.from(q, (v: number) => v + 128) : q;
    const zeros = c.unsigned ? new Uint8Array(zeroPoint.length).fill(128) : zeroPoint;
    initializers.push(tensorProto(name, qShape, weights), tensorProto(`${name}_scale`, shape, scale), tensorProto(`${name}_zero_point`, shape, zeros));
    // The float twin: [D, G, cols] with the dequantized values.
    const dequantized = new Float32Array(D * G * cols);
    for (let d = 0; d < D; d++) {
      for (let g = 0; g < G; g++) {
        const s = scale[c.quantization === "per-channel" ? d * G + g : d];
        for (let k = 0; k < cols; k++) dequantized[(d * G + g) * cols + k] = q[(d * cols + k) * G + g] * s;
      }
    }
    floatInitializers.push(tensorProto(name, [D, G, cols], dequantized));
  }
  for (const list of [initializers, floatInitializers]) {
    if (c.bias) list.push(tensorProto("B", [D, 2 * G], Bias));
    if (c.peepholes) list.push(tensorProto("P", [D, 3 * c.H], P));
  }
  const x = new onnx.Tensor("float32", uniform(c.T * c.B * c.I, 1), [c.T, c.B, c.I]);
  const feeds: Record<string, onnx.Tensor> = { X: x };
  const inputs = [valueInfo("X", [c.T, c.B, c.I])];
  if (c.lengths) {
    feeds.sequence_lens = new onnx.Tensor("int32", Int32Array.from(c.lengths), [c.B]);
    inputs.push(valueInfo("sequence_lens", [c.B], new Int32Array(0)));
  }
  if (c.states) {
    for (const name of ["initial_h", "initial_c"]) {
      feeds[name] = new onnx.Tensor("float32", uniform(D * c.B * c.H, 0.5), [D, c.B, c.H]);
      inputs.push(valueInfo(name, [D, c.B, c.H]));
    }
  }
  const outputs = [valueInfo("Y", [c.T, D, c.B, c.H]), valueInfo("Y_h", [D, c.B, c.H]), valueInfo("Y_c", [D, c.B, c.H])];
  const attributes = { hidden_size: c.H, direction: c.direction };
  const quantizedInputs = [...names, "W_scale", "W_zero_point", "R_scale", "R_zero_point"];
  return {
    bytes: modelBytes({ nodes: [node("DynamicQuantizeLSTM", quantizedInputs, ["Y", "Y_h", "Y_c"], attributes, "com.microsoft")], initializers, inputs, outputs, opsets: { "com.microsoft": 1 } }),
    float: modelBytes({ nodes: [node("LSTM", names, ["Y", "Y_h", "Y_c"], attributes)], initializers: floatInitializers, inputs, outputs }),
    feeds,
  };
}

async function runOrt(bytes: Uint8Array, feeds: Record<string, onnx.Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, [...t.dims])])));
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
}

async function runOurs(bytes: Uint8Array, feeds: Record<string, onnx.Tensor>): Promise<Record<string, Float32Array>> {
  const session = await onnx.InferenceSession.create(bytes);
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

function maxDifference(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  let worst = 0;
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const name of Object.keys(b)) {
    expect(a[name].length, name).toBe(b[name].length);
    a[name].forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[name][i]))));
  }
  return worst;
}

beforeAll(async () => {
  await init({ threads: 1 });
});

describe("DynamicQuantizeLSTM (com.microsoft) against onnxruntime-node", () => {
  CASES.forEach((c, index) => {
    it(c.name, async () => {
      const { bytes, float, feeds } = build(c, index + 1);
      const ours = await runOurs(bytes, feeds);
      const theirs = await runOrt(bytes, feeds);
      const reference = await runOrt(float, feeds);
      const vsOrt = maxDifference(ours, theirs), ortVsFloat = maxDifference(theirs, reference), oursVsFloat = maxDifference(ours, reference);
      console.log(`${c.name}: max |ours − onnxruntime int8| ${vsOrt.toExponential(2)}; vs float: ours ${oursVsFloat.toExponential(2)}, onnxruntime ${ortVsFloat.toExponential(2)}`);
      expect(vsOrt).toBeLessThan(TOLERANCE);
      expect(oursVsFloat).toBeLessThan(TOLERANCE);
      expect(oursVsFloat).toBeGreaterThan(1e-4); // quantization error (float32 against float32 differs by ~1e-7): the int8 kernels ran
      expect(engineInfo().integerDot).not.toBeNull();
    });
  });

  it("refuses what it cannot run, naming the node and the input", async () => {
    const c = CASES[0];
    const D = 1, G = 4 * c.H;
    const base = (overrides: Record<string, unknown>) => {
      const random = new Random(9);
      const { q, qShape, scale, zeroPoint, shape } = quantizeSymmetricInt8(random.uniformArray(D * G * c.I, -1, 1), D, G, c.I, "per-tensor");
      const r = quantizeSymmetricInt8(random.uniformArray(D * G * c.H, -1, 1), D, G, c.H, "per-tensor");
      const tensors: Record<string, unknown> = {
        W: tensorProto("W", qShape, q), W_scale: tensorProto("W_scale", shape, scale), W_zero_point: tensorProto("W_zero_point", shape, zeroPoint),
        R: tensorProto("R", r.qShape, r.q), R_scale: tensorProto("R_scale", r.shape, r.scale), R_zero_point: tensorProto("R_zero_point", r.shape, r.zeroPoint),
        ...overrides,
      };
      const names = ["X", "W", "R", "", "", "", "", "", "W_scale", "W_zero_point", "R_scale", "R_zero_point"].filter((n, i) => i < 8 || tensors[n] !== null);
      return modelBytes({
        nodes: [node("DynamicQuantizeLSTM", names, ["Y"], { hidden_size: c.H }, "com.microsoft")],
        initializers: Object.values(tensors).filter((t) => t !== null),
        inputs: [valueInfo("X", [c.T, c.B, c.I])],
        outputs: [valueInfo("Y", [c.T, 1, c.B, c.H])],
        opsets: { "com.microsoft": 1 },
      });
    };
    const create = (bytes: Uint8Array) => onnx.InferenceSession.create(bytes);
    await expect(create(base({ W_scale: tensorProto("W_scale", [2], Float32Array.of(0.1, 0.1)) }))).rejects.toThrow(ShapeError);
    await expect(create(base({ W_scale: tensorProto("W_scale", [2], Float32Array.of(0.1, 0.1)) }))).rejects.toThrow(/node "DynamicQuantizeLSTM_Y" \(DynamicQuantizeLSTM\): W_scale must have shape \[1\]/);
    await expect(create(base({ W_zero_point: tensorProto("W_zero_point", [1], Uint8Array.of(0)) }))).rejects.toThrow(/W_zero_point is uint8 but W is int8/);
    const shifted = new Uint8Array(G * c.I).fill(255);
    await expect(create(base({ W: tensorProto("W", [1, c.I, G], shifted), W_zero_point: tensorProto("W_zero_point", [1], Uint8Array.of(3)) }))).rejects.toThrow(UnsupportedError);
    await expect(create(base({ W: tensorProto("W", [1, c.I, G], shifted), W_zero_point: tensorProto("W_zero_point", [1], Uint8Array.of(3)) }))).rejects.toThrow(/W holds 255 with zero point 3, which is outside int8/);
    await expect(create(base({ W: tensorProto("W", [1, G, c.I], new Float32Array(G * c.I)) }))).rejects.toThrow(/W is float32; DynamicQuantizeLSTM takes int8 or uint8/);
    await expect(create(base({ R_scale: null, R_zero_point: null }))).rejects.toThrow(/input 10 \(R_scale\) is missing/);
  });
});

interface MatMulCase {
  name: string;
  /** x's dims; its last is K. */
  x: number[];
  N: number;
  quantization: "per-tensor" | "per-channel";
  unsigned?: boolean;
  /** A second MatMul reading the same x (quantize_dynamic quantizes x once for both). */
  twice?: boolean;
  /** The int32 product is also a graph output, so the pattern cannot be fused. */
  unfused?: boolean;
}

const MATMUL_CASES: MatMulCase[] = [
  { name: "x [B, T, K] by per-tensor int8 B, then a bias Add", x: [3, 5, 16], N: 24, quantization: "per-tensor" },
  { name: "x [M, K] by per-column int8 B", x: [7, 33], N: 10, quantization: "per-channel" },
  { name: "uint8 B with zero point 128, x a vector", x: [20], N: 12, quantization: "per-tensor", unsigned: true },
  { name: "two MatMuls reading one quantized x", x: [4, 18], N: 9, quantization: "per-channel", twice: true },
  { name: "unfused (the int32 product is an output): operator by operator, exactly onnxruntime's", x: [6, 11], N: 8, quantization: "per-tensor", unfused: true },
];

/** quantize_dynamic's MatMul pattern of the case (Y = x·B + bias, Y2 = x·B2), and its float twin on the dequantized weights. */
function buildMatMul(c: MatMulCase, seed: number): Built {
  const random = new Random(seed);
  const K = c.x[c.x.length - 1], N = c.N, lead = c.x.slice(0, -1);
  const weights = c.twice ? ["B", "B2"] : ["B"];
  const initializers = [tensorProto("bias", [N], random.uniformArray(N, -0.5, 0.5))], floatInitializers = [initializers[0]];
  for (const name of weights) {
    const { q, scale, zeroPoint, shape } = quantizeMatMulWeight(random.uniformArray(K * N, -0.4, 0.4), K, N, c.quantization, c.unsigned);
    initializers.push(tensorProto(`${name}_quantized`, [K, N], q), tensorProto(`${name}_scale`, shape, scale), tensorProto(`${name}_zero_point`, shape, zeroPoint));
    floatInitializers.push(tensorProto(name, [K, N], Float32Array.from(q, (v: number, i: number) => (v - zeroPoint[0]) * scale[shape.length ? i % N : 0])));
  }
  const outputs = [valueInfo("Y", [...lead, N]), ...(c.twice ? [valueInfo("Y2", [...lead, N])] : [])];
  const nodes = [...matMulIntegerNodes("x", "B", "XB"), node("Add", ["XB", "bias"], ["Y"]), ...(c.twice ? matMulIntegerNodes("x", "B2", "Y2", true) : [])];
  const floatNodes = [node("MatMul", ["x", "B"], ["XB"]), node("Add", ["XB", "bias"], ["Y"]), ...(c.twice ? [node("MatMul", ["x", "B2"], ["Y2"])] : [])];
  if (c.unfused) outputs.push(valueInfo("XB_int32", [...lead, N], new Int32Array(0)));
  const inputs = [valueInfo("x", c.x)];
  return {
    bytes: modelBytes({ nodes, initializers, inputs, outputs }),
    float: modelBytes({ nodes: floatNodes, initializers: floatInitializers, inputs, outputs: outputs.slice(0, c.twice ? 2 : 1) }),
    feeds: { x: new onnx.Tensor("float32", random.uniformArray(c.x.reduce((a, b) => a * b, 1), -1, 1), c.x) },
  };
}

/** The op types of the model's nodes after fusion (fused ones as "fused <op>"). */
function fusedOpTypes(bytes: Uint8Array): string[] {
  const { graph } = decodeModel(bytes);
  return fuseQuantizedMatMuls(graph, orderNodes(graph)).map((n) => (n.domain ? `fused ${n.opType}` : n.opType));
}

describe("quantize_dynamic's MatMul (DynamicQuantizeLinear + MatMulInteger) against onnxruntime-node", () => {
  MATMUL_CASES.forEach((c, index) => {
    it(c.name, async () => {
      const { bytes, float, feeds } = buildMatMul(c, 100 + index);
      const ours = await runOurs(bytes, feeds), theirs = await runOrt(bytes, feeds), reference = await runOrt(float, feeds);
      const floatOutputs = (r: Record<string, Float32Array>) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== "XB_int32"));
      const vsOrt = maxDifference(floatOutputs(ours), floatOutputs(theirs)), oursVsFloat = maxDifference(floatOutputs(ours), reference);
      console.log(`${c.name}: max |ours − onnxruntime int8| ${vsOrt.toExponential(2)}; ours vs float ${oursVsFloat.toExponential(2)}, onnxruntime vs float ${maxDifference(floatOutputs(theirs), reference).toExponential(2)}`);
      if (c.unfused) {
        expect(fusedOpTypes(bytes)).toEqual(["DynamicQuantizeLinear", "MatMulInteger", "Cast", "Mul", "Mul", "Add"]);
        expect(Array.from(ours.XB_int32)).toEqual(Array.from(theirs.XB_int32)); // exact integers
        expect(vsOrt).toBeLessThan(1e-5);
      } else {
        expect(fusedOpTypes(bytes)).toEqual(["fused MatMulInteger", "Add", ...(c.twice ? ["fused MatMulInteger"] : [])]);
        expect(vsOrt).toBeLessThan(TOLERANCE);
        expect(oursVsFloat).toBeGreaterThan(1e-4); // the int8 kernels ran: float32 against float32 differs by ~1e-7
      }
      expect(oursVsFloat).toBeLessThan(TOLERANCE);
    });
  });

  it("DynamicQuantizeLinear gives onnxruntime's uint8 values, scale and zero point (mixed, positive, negative, all-zero x)", async () => {
    const bytes = modelBytes({
      nodes: [node("DynamicQuantizeLinear", ["x"], ["y", "scale", "zero"])],
      initializers: [], inputs: [valueInfo("x", [64])],
      outputs: [valueInfo("y", [64], new Uint8Array(0)), valueInfo("scale", []), valueInfo("zero", [], new Uint8Array(0))],
    });
    const random = new Random(7);
    for (const [lo, hi] of [[-1.7, 0.9], [0.2, 3], [-5, -0.1], [0, 0]]) {
      const feeds = { x: new onnx.Tensor("float32", random.uniformArray(64, lo, hi), [64]) };
      const ours = await runOurs(bytes, feeds), theirs = await runOrt(bytes, feeds);
      for (const name of ["y", "scale", "zero"]) expect(Array.from(ours[name]), `${name} for x in [${lo}, ${hi}]`).toEqual(Array.from(theirs[name]));
    }
  });

  it("refuses non-finite x (NumericError naming the node) and keeps running afterwards", async () => {
    for (const c of [MATMUL_CASES[0], MATMUL_CASES[4]]) {
      const { bytes, feeds } = buildMatMul(c, 5);
      const session = await onnx.InferenceSession.create(bytes);
      const bad = new Float32Array(feeds.x.data as Float32Array);
      bad[3] = Number.NaN;
      await expect(session.run({ x: new onnx.Tensor("float32", bad, feeds.x.dims) })).rejects.toThrow(NumericError);
      await expect(session.run({ x: new onnx.Tensor("float32", bad, feeds.x.dims) })).rejects.toThrow(/node "MatMulInteger_XB_int32"|node "DynamicQuantizeLinear_x_quantized"/);
      const after = await session.run(feeds), fresh = await runOurs(bytes, feeds);
      expect(Array.from(after.Y.data)).toEqual(Array.from(fresh.Y));
      await session.release();
    }
  });

  it("refuses B it cannot multiply (shapes, types, zero points, non-finite scales), naming the node", async () => {
    const c = MATMUL_CASES[1];
    const { q, scale, zeroPoint } = quantizeMatMulWeight(new Random(3).uniformArray(33 * 10, -1, 1), 33, 10, "per-channel");
    const model = (overrides: Record<string, unknown>) =>
      modelBytes({
        nodes: matMulIntegerNodes("x", "B", "Y"),
        initializers: Object.values({ B_quantized: tensorProto("B_quantized", [33, 10], q), B_scale: tensorProto("B_scale", [10], scale), B_zero_point: tensorProto("B_zero_point", [10], zeroPoint), ...overrides }),
        inputs: [valueInfo("x", c.x)], outputs: [valueInfo("Y", [7, 10])],
      });
    const x = { x: new onnx.Tensor("float32", new Float32Array(7 * 33), c.x) };
    const refused = async (bytes: Uint8Array, kind: typeof ShapeError, message: RegExp) => {
      const error = await onnx.InferenceSession.create(bytes).then(
        async (session) => {
          try {
            await session.run(x);
            return null;
          } finally {
            await session.release();
          }
        },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(kind);
      expect((error as Error).message).toMatch(message);
    };
    // Not of the shapes the fused node takes: left unfused, where the scale Mul refuses it.
    await refused(model({ B_scale: tensorProto("B_scale", [3], Float32Array.of(1, 2, 3)) }), ShapeError, /node "Mul_Y" \(Mul\): shapes \[7, 10\] and \[3\] do not broadcast/);
    await refused(model({ B_zero_point: tensorProto("B_zero_point", [10], new Uint8Array(10)) }), ShapeError, /b_zero_point is uint8 but its operand is int8/);
    await refused(model({ B_zero_point: tensorProto("B_zero_point", [2, 5], new Int8Array(10)) }), UnsupportedError, /b_zero_point has shape \[2, 5\]/);
    await refused(model({ B_quantized: tensorProto("B_quantized", [33, 10], new Float32Array(330)) }), ShapeError, /B must be int8 or uint8; got float32/);
    await refused(model({ B_scale: tensorProto("B_scale", [10], Float32Array.from(scale, (v, i) => (i === 4 ? Number.POSITIVE_INFINITY : v))) }), NumericError, /non-finite/);
  });
});
