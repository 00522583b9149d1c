// ONNX LSTM, GRU and RNN nodes, and com.microsoft DynamicQuantizeLSTM (onnxruntime's quantize_dynamic
// of an LSTM), run by our recurrent layers — the quantized one, and every one of a session that
// quantizeDynamic made selecting its kind, on the int8 kernels: one single-layer layer per node, built from converted
// weights with loadStateDict — at create time when the weights are initializers or constants, else at the first run, and rebuilt
// only when their contents change. Handles layout 1, direction "reverse" (each sequence reversed
// within its length around a forward layer), sequence_lens (a length of 0 gives zero outputs and
// states, as onnxruntime's), initial states and the outputs Y [T, D, B, H], Y_h and Y_c. In a plan,
// the common case runs the layer on the plan's wasm memory without copies through JavaScript.

import { ShapeError, UnsupportedError } from "../../../errors.js";
import { GRU } from "../../../layers/gru.js";
import { LSTM } from "../../../layers/lstm.js";
import { CELLS } from "../../../engine/cells.js";
import type { Recurrent } from "../../../layers/recurrent.js";
import { quantizedState } from "../../../layers/quantize.js";
import { RNN } from "../../../layers/rnn.js";
import { tensor, type AnyTensor } from "../../../tensor.js";
import { isType, OnnxTensor } from "../tensor.js";
import { transpose } from "./elements.js";
import type { BuildContext, Kernel, OpSpec, PlanNode, PlannedStep, Value } from "./kernel.js";
import { OwnedMemory } from "./owned-memory.js";
import { recurrentConfig, type OnnxCellKind, type RecurrentConfig } from "./recurrent-attributes.js";
import { quantizedStateDictFromOnnx, stateDictFromOnnx, type OnnxQuantizedWeights } from "./recurrent-weights.js";
import { floatInput, input, intValues } from "./values.js";

type WeightArray = Float32Array | Int8Array | Uint8Array;

/** What a node's weights make of its layer: sizes, options, the state dict, and the arrays that
 *  identify the weights (the layer is rebuilt only when one of them changes). */
interface LayerWeights {
  inputSize: number;
  hiddenSize: number;
  peepholes: boolean;
  quantized: boolean;
  arrays: readonly (WeightArray | null)[];
  stateDict(): Record<string, AnyTensor>;
}

/** Checks a weight's dims against the expected ones (a ShapeError naming the input). */
function checkDims(t: OnnxTensor, name: string, dims: readonly number[], where: string, sizes: string): void {
  if (t.dims.length !== dims.length || t.dims.some((d, k) => d !== dims[k])) {
    throw new ShapeError(`${where}: ${name} must have shape [${dims.join(", ")}] (${sizes}); got [${t.dims.join(", ")}]`);
  }
}

/** A copy of [T, B, F] with each sequence's first lengths[b] steps in reverse order (the rest as they were). */
function reverseWithin(data: Float32Array, T: number, B: number, F: number, lengths: readonly number[] | undefined): Float32Array {
  const out = new Float32Array(data);
  for (let b = 0; b < B; b++) {
    const L = lengths ? lengths[b] : T;
    for (let t = 0; t < L; t++) out.set(data.subarray(((L - 1 - t) * B + b) * F, ((L - 1 - t) * B + b + 1) * F), (t * B + b) * F);
  }
  return out;
}

/** Zeroes sequence b of [outer, B, F]. */
function zeroSequence(data: Float32Array, outer: number, B: number, F: number, b: number): void {
  for (let o = 0; o < outer; o++) data.fill(0, (o * B + b) * F, (o * B + b + 1) * F);
}

class RecurrentKernel implements Kernel {
  private layer: Recurrent | null = null;
  /** The weight arrays the layer was built from: the constants themselves, or copies of fed tensors (which their owner may change). */
  private source: readonly (WeightArray | null)[] = [];

  /** `weightsOf` reads the node's weight inputs (LSTM/GRU/RNN's, or DynamicQuantizeLSTM's); `quantize` puts float weights on the int8 kernels too (the node's kind selected). */
  constructor(
    private readonly config: RecurrentConfig,
    private readonly where: string,
    readonly weightsOf: (inputs: readonly Value[]) => LayerWeights,
    private readonly quantize: boolean,
  ) {}

  run(inputs: readonly Value[]): Value[] {
    const { config, where } = this;
    const x = floatInput(inputs, 0, where);
    if (x.dims.length !== 3) throw new ShapeError(`${where}: X must have rank 3; got [${x.dims.join(", ")}]`);
    const weights = this.weightsOf(inputs);
    const layer = this.layerFor(weights);
    const D = config.directions, H = layer.hiddenSize;
    const [T, B, I] = config.batchMajor ? [x.dims[1], x.dims[0], x.dims[2]] : x.dims;
    if (I !== layer.inputSize) throw new ShapeError(`${where}: X has ${I} features but W expects ${layer.inputSize}`);
    const lengths = inputs[4] ? this.lengthsOf(inputs[4], T, B) : undefined;
    // Everything below is time-major [T, B, …] and states [D, B, H], as our layers take them.
    let xs = config.batchMajor ? transpose(x, [1, 0, 2], where).data : x.data;
    if (config.reverse) xs = reverseWithin(xs, T, B, I, lengths);
    const state = (i: number, name: string) => {
      const s = inputs[i] ? floatInput(inputs, i, where) : null;
      if (!s) return undefined;
      const dims = config.batchMajor ? [B, D, H] : [D, B, H];
      if (s.dims.length !== 3 || s.dims.some((d, k) => d !== dims[k])) throw new ShapeError(`${where}: ${name} must have shape [${dims.join(", ")}]; got [${s.dims.join(", ")}]`);
      return tensor(config.batchMajor ? transpose(s, [1, 0, 2], where).data : s.data, [D, B, H]);
    };
    // Our layers run at least one step per sequence: empty ones run one, then their results are zeroed.
    const result = layer.forward(tensor(xs, [T, B, I]), {
      h0: state(5, "initial_h"), c0: config.kind === "lstm" ? state(6, "initial_c") : undefined, lengths: lengths?.map((L) => Math.max(1, L)),
    });
    const out = config.reverse ? reverseWithin(result.output.data, T, B, D * H, lengths) : result.output.data;
    lengths?.forEach((L, b) => {
      if (L > 0) return;
      zeroSequence(out, T, B, D * H, b);
      zeroSequence(result.hN.data, D, B, H, b);
      if (result.cN) zeroSequence(result.cN.data, D, B, H, b);
    });
    // out is [T, B, D, H]; Y is [T, D, B, H] (layout 0) or [B, T, D, H] (layout 1).
    const y = transpose(new OnnxTensor(out, [T, B, D, H]), config.batchMajor ? [1, 0, 2, 3] : [0, 2, 1, 3], where);
    const final = (s: Float32Array) => {
      const t = new OnnxTensor(s, [D, B, H]);
      return config.batchMajor ? transpose(t, [1, 0, 2], where) : t;
    };
    return [y, final(result.hN.data), result.cN ? final(result.cN.data) : null];
  }

  /** In a plan: forward (or bidirectional) layout-0 nodes with constant weights and no
   *  sequence_lens run the layer straight on the plan's wasm memory (its resident forward), the
   *  outputs copied into place; the rest run `run`. */
  plan(node: PlanNode): PlannedStep | null {
    const { config } = this;
    const x = node.inputs[0];
    if (config.batchMajor || config.reverse || !x || x.type !== "float32" || x.constant || x.dims.length !== 3 || node.inputs[4]) return null;
    const constants = node.inputs.map((v) => v?.constant ?? null);
    if (node.inputs.some((v, i) => v && i !== 0 && i !== 5 && i !== 6 && !v.constant)) return null;
    if ([5, 6].some((i) => node.inputs[i] && node.inputs[i]!.type !== "float32")) return null;
    const layer = this.layerFor(this.weightsOf(constants), true);
    const [T, B, I] = x.dims, D = config.directions, H = layer.hiddenSize;
    if (I !== layer.inputSize || [5, 6].some((i) => node.inputs[i] && node.inputs[i]!.dims.join() !== [D, B, H].join())) return null;
    const engine = node.engine;
    const memory = new OwnedMemory(engine);
    return {
      make: (at) => {
        const state = (i: number) => (constants[i] ? memory.floatsOf(constants[i]!.data as Float32Array) : at.input(i));
        const from = at.input(0), h0 = state(5), c0 = config.kind === "lstm" ? state(6) : 0;
        const y = at.output(0), yh = at.output(1), yc = at.output(2);
        return () => {
          const r = layer.forwardResident({ steps: T, batch: B, x: from, lengths: 0, h0, c0 });
          // Our output is [T, B, D·H]; Y is [T, D, B, H].
          if (y && D === 1) engine.copy(y, r.output, T * B * H);
          else if (y) for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) engine.copyColumns(B, H, r.output + (t * B * D + d) * H * 4, D * H, y + (t * D + d) * B * H * 4, H);
          if (yh) engine.copy(yh, r.hN, D * B * H);
          if (yc && r.cN) engine.copy(yc, r.cN, D * B * H);
        };
      },
      dispose: () => memory.dispose(),
    };
  }

  dispose(): void {
    this.layer?.dispose();
    this.layer = null;
  }

  /** Builds the layer now from weights known at create time. */
  prebuild(weights: LayerWeights): void {
    this.layerFor(weights, true);
  }

  private layerFor(weights: LayerWeights, constant = false): Recurrent {
    const given = weights.arrays;
    const same = (a: WeightArray | null, b: WeightArray | null) =>
      a === b || (a !== null && b !== null && a.constructor === b.constructor && a.length === b.length && a.every((v: number, i: number) => Object.is(v, b[i])));
    if (this.layer && given.every((g, i) => same(g, this.source[i]))) return this.layer;
    const { config } = this;
    const { hiddenSize, inputSize } = weights;
    const quantized = weights.quantized || this.quantize;
    const options = { inputSize, hiddenSize, bidirectional: config.directions === 2, cellOptions: config.cellOptions, quantized };
    const layer =
      config.kind === "lstm" ? new LSTM({ ...options, peepholes: weights.peepholes })
      : config.kind === "gru" ? new GRU({ ...options, resetAfter: config.resetAfter })
      : new RNN({ ...options, nonlinearity: config.relu ? "relu" : "tanh" });
    try {
      layer.loadStateDict(quantized && !weights.quantized ? quantizedState(weights.stateDict(), layer.stateDict(), this.where) : weights.stateDict());
    } catch (e) {
      layer.dispose();
      throw e;
    }
    this.dispose();
    this.layer = layer;
    this.source = constant ? given : given.map((g) => g && g.slice());
    return layer;
  }

  private lengthsOf(t: OnnxTensor, T: number, B: number): number[] {
    const where = this.where;
    const lengths = intValues(t, `${where}: sequence_lens`);
    if (t.dims.length !== 1 || lengths.length !== B) throw new ShapeError(`${where}: sequence_lens must have shape [${B}]; got [${t.dims.join(", ")}]`);
    lengths.forEach((L, b) => {
      if (L < 0 || L > T) throw new ShapeError(`${where}: sequence_lens[${b}] = ${L} is outside 0…${T}`);
    });
    return lengths;
  }
}

/** LSTM/GRU/RNN's weights: W [D, G·H, I], R [D, G·H, H], the optional B [D, 2·G·H] and (LSTM) P [D, 3·H]. */
function floatWeights(config: RecurrentConfig, where: string): (inputs: readonly Value[]) => LayerWeights {
  return (inputs) => {
    const W = floatInput(inputs, 1, where), R = floatInput(inputs, 2, where);
    const B = inputs[3] ? floatInput(inputs, 3, where) : null, P = config.kind === "lstm" && inputs[7] ? floatInput(inputs, 7, where) : null;
    const D = config.directions, G = CELLS[config.kind].gates;
    const H = config.hiddenSize ?? R.dims[2];
    const sizes = `directions ${D}, hidden size ${H}`;
    checkDims(W, "W", [D, G * H, W.dims[2]], where, sizes);
    if (!(W.dims[2] > 0)) throw new ShapeError(`${where}: W must have a positive input size; got [${W.dims.join(", ")}]`);
    checkDims(R, "R", [D, G * H, H], where, sizes);
    if (B) checkDims(B, "B", [D, 2 * G * H], where, sizes);
    if (P) checkDims(P, "P", [D, 3 * H], where, sizes);
    return {
      inputSize: W.dims[2], hiddenSize: H, peepholes: P !== null, quantized: false,
      arrays: [W.data, R.data, B?.data ?? null, P?.data ?? null],
      stateDict: () => stateDictFromOnnx(config.kind, D, H, { W, R, B, P }),
    };
  };
}

/** An int8 or uint8 input (the quantized weights and their zero points). */
function byteInput(inputs: readonly Value[], i: number, name: string, where: string): OnnxTensor<"int8" | "uint8"> {
  const t = input(inputs, i, where);
  if (isType(t, "int8") || isType(t, "uint8")) return t;
  throw new UnsupportedError(`${where}: ${name} is ${t.type}; DynamicQuantizeLSTM takes int8 or uint8`);
}

/** DynamicQuantizeLSTM's weights: W [D, I, 4H], R [D, H, 4H] (int8 or uint8), B, P, and W_scale,
 *  W_zero_point, R_scale, R_zero_point (inputs 8–11), each [D] or [D, 4H]. */
function quantizedWeights(config: RecurrentConfig, where: string): (inputs: readonly Value[]) => LayerWeights {
  return (inputs) => {
    for (const [i, name] of [[8, "W_scale"], [9, "W_zero_point"], [10, "R_scale"], [11, "R_zero_point"]] as const) {
      if (!inputs[i]) throw new ShapeError(`${where}: input ${i} (${name}) is missing; DynamicQuantizeLSTM needs the scales and zero points of W and R`);
    }
    const W = byteInput(inputs, 1, "W", where), R = byteInput(inputs, 2, "R", where);
    const B = inputs[3] ? floatInput(inputs, 3, where) : null, P = inputs[7] ? floatInput(inputs, 7, where) : null;
    const D = config.directions, H = config.hiddenSize ?? R.dims[1], I = W.dims[1];
    const sizes = `directions ${D}, hidden size ${H}`;
    checkDims(W, "W", [D, I, 4 * H], where, sizes);
    if (!(I > 0)) throw new ShapeError(`${where}: W must have a positive input size; got [${W.dims.join(", ")}]`);
    checkDims(R, "R", [D, H, 4 * H], where, sizes);
    if (B) checkDims(B, "B", [D, 8 * H], where, sizes);
    if (P) checkDims(P, "P", [D, 3 * H], where, sizes);
    const weights: OnnxQuantizedWeights = {
      W, R, B, P,
      wScale: floatInput(inputs, 8, where), wZeroPoint: byteInput(inputs, 9, "W_zero_point", where),
      rScale: floatInput(inputs, 10, where), rZeroPoint: byteInput(inputs, 11, "R_zero_point", where),
    };
    for (const [scale, zeroPoint, name] of [[weights.wScale, weights.wZeroPoint, "W"], [weights.rScale, weights.rZeroPoint, "R"]] as const) {
      const dims = scale.dims.length === 2 ? [D, 4 * H] : [D];
      checkDims(scale, `${name}_scale`, dims, where, `${sizes}; one scale per direction or per output channel`);
      checkDims(zeroPoint, `${name}_zero_point`, dims, where, `${sizes}; as ${name}_scale`);
      const q = name === "W" ? W : R;
      if (zeroPoint.type !== q.type) throw new ShapeError(`${where}: ${name}_zero_point is ${zeroPoint.type} but ${name} is ${q.type}`);
    }
    return {
      inputSize: I, hiddenSize: H, peepholes: P !== null, quantized: true,
      arrays: [W.data, R.data, B?.data ?? null, P?.data ?? null, weights.wScale.data, weights.wZeroPoint.data, weights.rScale.data, weights.rZeroPoint.data],
      stateDict: () => quantizedStateDictFromOnnx(D, H, weights, where),
    };
  };
}

/** The op: `quantized` for DynamicQuantizeLSTM (inputs X, W, R, B, sequence_lens, initial_h,
 *  initial_c, P, W_scale, W_zero_point, R_scale, R_zero_point). */
function recurrent(kind: OnnxCellKind, quantized = false): OpSpec {
  const weightInputs = quantized ? [1, 2, 3, 7, 8, 9, 10, 11] : kind === "lstm" ? [1, 2, 3, 7] : [1, 2, 3];
  return {
    inputs: [3, quantized ? 12 : kind === "lstm" ? 8 : 6],
    outputs: kind === "lstm" ? 3 : 2,
    foldable: false,
    weights: quantized ? [3, 7, 8, 10] : weightInputs,
    build: ({ where, attrs, known, quantizes }: BuildContext): Kernel => {
      const config = recurrentConfig(kind, attrs);
      const kernel = new RecurrentKernel(config, where, (quantized ? quantizedWeights : floatWeights)(config, where), !quantized && quantizes(kind));
      if (weightInputs.every((i) => known(i) !== undefined)) kernel.prebuild(kernel.weightsOf(Array.from({ length: 12 }, (_, i) => known(i) ?? null)));
      return kernel;
    },
  };
}

export const RECURRENT_OPS: Record<string, OpSpec> = { LSTM: recurrent("lstm"), GRU: recurrent("gru"), RNN: recurrent("rnn") };

/** Operators of the com.microsoft domain (onnxruntime's contrib operators). */
export const MICROSOFT_RECURRENT_OPS: Record<string, OpSpec> = { DynamicQuantizeLSTM: recurrent("lstm", true) };
